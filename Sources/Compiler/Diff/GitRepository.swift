import Foundation
import Plan
import Support

/// Why `ftx diff` could not read one side of a comparison; the CLI prints the
/// description and exits 2.
public struct DiffError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the revision, file or folder.
    public var message: String
    /// Rendered diagnostics of a revision whose file does not check, if that is the failure.
    public var details: String?

    public init(_ message: String, details: String? = nil) {
        self.message = message
        self.details = details
    }

    public var description: String { message }
}

/// A git work tree, reached through the `git` command line (Foundation only:
/// no libgit2). Used by `ftx diff` to read an experiment and its data files as
/// they were at a revision.
public struct GitRepository: Sendable {
    /// The work tree's top-level folder, as `git rev-parse --show-toplevel` prints it.
    public let root: String

    /// The repository holding `file` (which need not exist in the working tree,
    /// but its folder must), and the file's path relative to the repository root.
    public static func locate(file: String) throws -> (repository: GitRepository, path: String) {
        let absolute = absolutePath(file)
        let folder = (absolute as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DiffError("cannot read `\(file)`: its folder \(folder) does not exist")
        }
        let top = try run(["-C", folder, "rev-parse", "--show-toplevel"])
        guard top.status == 0 else {
            throw DiffError("\(folder) is not inside a git repository (`git rev-parse` says: \(top.errorLine))")
        }
        // The folder's path inside the work tree, from git itself: robust to symbolic links
        // in `folder` (a temporary folder under /tmp → /private/tmp, say).
        let prefix = try run(["-C", folder, "rev-parse", "--show-prefix"])
        guard prefix.status == 0 else { throw DiffError("cannot place \(folder) in its git repository: \(prefix.errorLine)") }
        let root = top.text.trimmingCharacters(in: .newlines)
        let relative = prefix.text.trimmingCharacters(in: .newlines) + (absolute as NSString).lastPathComponent
        return (GitRepository(root: root), relative)
    }

    public init(root: String) {
        self.root = root
    }

    /// The full commit hash a revision names (`HEAD~1`, a branch, a tag, a hash).
    public func commit(_ revision: String) throws -> String {
        guard !revision.isEmpty, !revision.hasPrefix("-") else {
            throw DiffError("`\(revision)` is not a revision")
        }
        let result = try git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"])
        let hash = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !hash.isEmpty else {
            throw DiffError("revision `\(revision)` does not exist in the git repository at \(root)")
        }
        return hash
    }

    /// What `path` (relative to the root) is at `commit`: `blob`, `tree`, or nil when absent.
    public func objectType(at commit: String, path: String) throws -> String? {
        let result = try git(["cat-file", "-t", "\(commit):\(path)"])
        guard result.status == 0 else { return nil }
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The contents of the file `path` (relative to the root) at `commit`, as a
    /// checkout would write them (`git cat-file --filters`: line endings and
    /// filters such as Git LFS applied; textconv never).
    public func contents(at commit: String, path: String) throws -> Data {
        let spec = "\(commit):\(path)"
        var result = try git(["cat-file", "--filters", spec])
        if result.status != 0 {
            // A filter that is not installed (git-lfs, say): the stored bytes.
            result = try git(["cat-file", "blob", spec])
        }
        guard result.status == 0 else { throw DiffError("cannot read `\(path)` at \(commit): \(result.errorLine)") }
        return result.output
    }

    /// Runs `git -C root ARGS`.
    public func git(_ arguments: [String]) throws -> GitResult {
        try Self.run(["-C", root] + arguments)
    }

    /// The outcome of one `git` invocation.
    public struct GitResult: Sendable {
        public var status: Int32
        public var output: Data
        public var error: String

        public var text: String { String(decoding: output, as: UTF8.self) }
        /// The first line git wrote to stderr (its message), or the exit status.
        public var errorLine: String {
            error.split(separator: "\n").first.map { String($0).replacingOccurrences(of: "fatal: ", with: "") } ?? "exit status \(status)"
        }
    }

    /// Runs `git ARGS` found through `PATH`. Variables that would point git at
    /// another repository (`GIT_DIR`, set when git runs a hook or an external
    /// diff) are removed: the repository is the one holding the file.
    public static func run(_ arguments: [String]) throws -> GitResult {
        var environment = ProcessInfo.processInfo.environment
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR", "GIT_PREFIX"] {
            environment[name] = nil
        }
        do {
            let result = try Subprocess.run("git", arguments, environment: environment)
            return GitResult(status: result.status, output: result.output, error: result.error)
        } catch let error as Subprocess.LaunchError {
            throw DiffError(error.description)
        }
    }

    /// `path` made absolute against the current directory, `.` and `..` resolved.
    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
