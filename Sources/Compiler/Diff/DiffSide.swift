import DSL
import Foundation
import Plan
import Support

/// One side of `ftx diff`: an experiment checked as it was at a git revision,
/// in the working tree, or in a file git handed over, with where each file it
/// reads came from.
public struct DiffSide: Sendable {
    /// How the side is named in output: `HEAD~1`, `working tree`.
    public var label: String
    /// The checked file; its path is where the checker resolved relative paths
    /// (a temporary folder for a revision).
    public var check: FileCheck
    /// The data files, checkpoints and model files the experiment reads, and where each was read.
    public var inputs: [InputFile]
    /// Keeps a revision's temporary folder alive as long as the side is in use.
    let folder: TemporaryFolder?

    /// The file as it is on disk.
    public static func workingTree(path: String, label: String = "working tree") throws -> DiffSide {
        let check: FileCheck
        switch checkFile(path: path) {
        case .success(let c): check = c
        case .failure(let error): throw DiffError("cannot read `\(path)` in the \(label): \(error.reason)")
        }
        try requireClean(check, what: "`\(path)` in the \(label)", display: check.file)
        let inputs = InputReferences.files(check.experiment).map { InputFile(path: $0, origin: .disk) }
        return DiffSide(label: label, check: check, inputs: inputs, folder: nil)
    }

    /// Source text that stands at `path` (git's external diff passes the old
    /// side as a temporary file): relative paths resolve against `path`'s folder
    /// and input files are read from disk.
    public static func source(_ bytes: [UInt8], at path: String, label: String) throws -> DiffSide {
        let file = SourceFile(path: GitRepository.absolutePath(path), bytes: bytes)
        let check = checkSource(file)
        try requireClean(check, what: "`\(path)` (\(label))", display: SourceFile(path: path, bytes: bytes))
        let inputs = InputReferences.files(check.experiment).map { InputFile(path: $0, origin: .disk) }
        return DiffSide(label: label, check: check, inputs: inputs, folder: nil)
    }

    /// The file `path` (relative to the repository root) as committed at
    /// `revision`. The experiment and every file it reads that is tracked at
    /// the revision are laid out in a temporary folder as they were then, so
    /// the checker and the planner see that revision's data; files not tracked
    /// there (or outside the repository) are linked from disk.
    public static func revision(_ revision: String, of repository: GitRepository, path: String) throws -> DiffSide {
        let commit = try repository.commit(revision)
        switch try repository.objectType(at: commit, path: path) {
        case "blob"?: break
        case "tree"?: throw DiffError("`\(path)` is a folder at revision `\(revision)`, not an experiment file")
        default: throw DiffError("`\(path)` does not exist at revision `\(revision)` (of the git repository at \(repository.root))")
        }
        let bytes = [UInt8](try repository.contents(at: commit, path: path))
        let display = SourceFile(path: "\(revision):\(path)", bytes: bytes)
        let repoDirectory = (path as NSString).deletingLastPathComponent

        // Pass 1, without the file system: which files does this revision read?
        let probe = checkSource(SourceFile(path: (repository.root as NSString).appendingPathComponent(path), bytes: bytes), checkFiles: false)
        let references = InputReferences.of(probe.experiment).map { ref -> (InputReferences.Reference, String?) in
            // The path relative to the repository root (nil when absolute: read from disk as is).
            (ref, ref.written.hasPrefix("/") ? nil : RepositoryPath.normalize(repoDirectory.isEmpty ? ref.written : repoDirectory + "/" + ref.written))
        }
        // Paths that climb above the root (`../../shared/x.csv`) need as many folders above the mirror.
        let climb = references.compactMap { $0.1.map(RepositoryPath.leadingParents) }.max() ?? 0
        let folder = try TemporaryFolder()
        let mirror = folder.path + String(repeating: "/up", count: climb) + "/tree"

        var inputs: [InputFile] = []
        var placed = Set<String>()
        /// `optional`: a file the checker reads only when it exists, so its absence is no missing input.
        func place(_ written: String, _ relative: String, optional: Bool = false) throws {
            guard placed.insert(relative).inserted else { return }
            let target = (mirror as NSString).appendingPathComponent(relative)
            let disk = ((repository.root as NSString).appendingPathComponent(relative) as NSString).standardizingPath
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if RepositoryPath.leadingParents(relative) == 0, try repository.objectType(at: commit, path: relative) == "blob" {
                try repository.contents(at: commit, path: relative).write(to: URL(fileURLWithPath: target))
                inputs.append(InputFile(path: written, origin: .revision(revision)))
            } else if FileManager.default.fileExists(atPath: disk) {
                try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: disk)
                let inside = RepositoryPath.leadingParents(relative) == 0
                inputs.append(InputFile(path: written, origin: inside ? .untracked(revision) : .outsideRepository))
            } else if !optional {
                inputs.append(InputFile(path: written, origin: .missing))
            }
        }
        for (ref, relative) in references {
            guard let relative else {
                inputs.append(InputFile(path: ref.written, origin: .disk))
                continue
            }
            if ref.isModelFolder {
                for name in FileDigests.modelFiles { try place(ref.written + "/" + name, relative + "/" + name) }
                // Whether the tokenizer lower-cases, when the experiment does not say (a cased model stays cased at every revision).
                let name = BertFolder.tokenizerConfigName
                try place(ref.written + "/" + name, relative + "/" + name, optional: true)
            } else {
                try place(ref.written, relative)
            }
        }

        // Pass 2: check for real against the revision's files.
        let file = SourceFile(path: (mirror as NSString).appendingPathComponent(path), bytes: bytes)
        try FileManager.default.createDirectory(atPath: (file.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let check = checkSource(file)
        try requireClean(check, what: "`\(path)` at revision `\(revision)`", display: display)
        return DiffSide(label: revision, check: check, inputs: inputs, folder: folder)
    }

    /// Throws the rendered diagnostics when the file does not check.
    private static func requireClean(_ check: FileCheck, what: String, display: SourceFile) throws {
        let errors = check.diagnostics.filter { $0.severity == .error }
        guard !errors.isEmpty else { return }
        let rendered = errors.map { DiagnosticRenderer.render($0, in: display, color: false) }.joined(separator: "\n")
        throw DiffError("\(what) does not check (\(errors.count) error\(errors.count == 1 ? "" : "s"))", details: rendered)
    }
}

/// A file an experiment reads, and where `ftx diff` read it.
public struct InputFile: Sendable, Hashable {
    public enum Origin: Sendable, Hashable {
        /// As committed at this revision.
        case revision(String)
        /// From disk (the working tree, or a path outside any revision).
        case disk
        /// Not tracked at this revision, so read from disk.
        case untracked(String)
        /// Outside the repository, so read from disk.
        case outsideRepository
        /// Neither at the revision nor on disk.
        case missing
    }

    /// The path as written in the experiment (a model folder's files with their names appended).
    public var path: String
    public var origin: Origin

    public init(path: String, origin: Origin) {
        self.path = path
        self.origin = origin
    }

    /// `read at HEAD~1`, `from disk (not tracked at HEAD~1)`.
    public var originText: String {
        switch origin {
        case .revision(let r): return "read at \(r)"
        case .disk: return "from disk"
        case .untracked(let r): return "from disk (not tracked at \(r))"
        case .outsideRepository: return "from disk (outside the repository)"
        case .missing: return "missing"
        }
    }
}

/// The files a checked experiment reads, as written in it.
enum InputReferences {
    struct Reference: Hashable {
        var written: String
        /// A pretrained model folder (its `config.json`, `model.safetensors`, `vocab.txt` are read).
        var isModelFolder: Bool
    }

    /// Every file, a model folder's files listed one by one.
    static func files(_ experiment: CheckedExperiment) -> [String] {
        of(experiment).flatMap { ref in ref.isModelFolder ? FileDigests.modelFiles.map { ref.written + "/" + $0 } : [ref.written] }
    }

    static func of(_ experiment: CheckedExperiment) -> [Reference] {
        var out: [Reference] = []
        func add(_ path: String?, folder: Bool = false) {
            guard let path, !path.isEmpty else { return }
            let ref = Reference(written: path, isModelFolder: folder)
            if !out.contains(ref) { out.append(ref) }
        }
        // `path` is only filled when the checker reads files; the setting always holds it.
        for data in experiment.data { add(data.settings["source"]?["path"]?.string ?? data.path) }
        for model in experiment.models {
            add(model.settings["pretrained"]?["path"]?.string, folder: true)
            if let vocab = model.settings["tokenizer"]?["vocab"]?.string,
               let folder = model.settings["pretrained"]?["path"]?.string,
               RepositoryPath.normalize(vocab) != RepositoryPath.normalize(folder + "/vocab.txt") {
                add(vocab)
            }
        }
        for stage in experiment.stages {
            if let initial = stage.settings["init"], initial.callName == "checkpoint" { add(initial["path"]?.string) }
        }
        return out
    }
}

/// Lexical operations on relative paths (no file system, `..` kept at the front).
enum RepositoryPath {
    /// `experiments/../data/./x.csv` → `data/x.csv`; `a/../../x` → `../x`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// How many `..` a normalised path starts with.
    static func leadingParents(_ path: String) -> Int {
        path.split(separator: "/").prefix { $0 == ".." }.count
    }
}

/// A folder under the system's temporary folder, removed with its contents when released.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
