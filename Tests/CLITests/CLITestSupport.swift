import CLI
import Compiler
import DSL
import Foundation
import XCTest

/// Paths of the package and of the test material in it (nothing is read from
/// outside the repository, so a fresh clone anywhere passes its tests).
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let experiments = root.appendingPathComponent("experiments")
    /// The golden files (PyTorch references, golden trajectories), copied into the repository.
    static let golden = root.appendingPathComponent("Tests/Fixtures/golden")

    /// The `ftx` executable `swift test` builds beside the test bundle.
    static var ftxExecutable: URL? {
        // On Linux the test bundle is an executable in the products folder; elsewhere a bundle inside it.
        let bundle = Bundle(for: MarkerForBundle.self).bundleURL
        let testBinary = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent(), testBinary] {
            let url = dir.appendingPathComponent("ftx")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue,
               FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// all-MiniLM-L6-v2 in `models/` (not in git; `scripts/test` links it), or an
    /// error that fails the test (never a skip) and says how to get it.
    static func miniLM() throws -> String {
        let path = root.appendingPathComponent("models/all-MiniLM-L6-v2").path
        guard FileManager.default.fileExists(atPath: path + "/config.json") else { throw MissingModel(path: path) }
        return path
    }

    /// The experiment files in `directory`: regular `NAME.ftx` files only. A name
    /// ending in `.ftx` is not enough: `ftx run` leaves its store, the folder
    /// `experiments/.ftx/`, beside the experiment it ran (the README's first command
    /// does), and reading that folder as an experiment fails.
    static func ftxFiles(in directory: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".ftx") && $0 != ".ftx" }.sorted().map { directory.appendingPathComponent($0) }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.type] as? FileAttributeType) == .typeRegular }
    }
}

private final class MarkerForBundle {}

/// all-MiniLM-L6-v2 is not linked into `models/`: the message says how to get it.
struct MissingModel: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "all-MiniLM-L6-v2 is not at \(path) (no config.json). It is not in git (88 MB): run the tests with "
            + "`scripts/test`, which links it, or link it yourself: ln -sfn \"$(scripts/fetch-minilm.sh)\" models/all-MiniLM-L6-v2"
    }
}

/// The outcome of one in-process `ftx` invocation.
struct Invocation {
    var status: Int32
    var out: String
    var err: String
}

/// Runs `ftx ARGS` in-process with captured output.
func ftx(_ arguments: [String]) -> Invocation {
    let (console, read) = Console.capturing()
    let status = runFTX(arguments, console: console)
    let (out, err) = read()
    return Invocation(status: status, out: out, err: err)
}

/// An experiment `name` (seed 0) on texts: a `data texts` block reading the CSV at `csv`
/// (columns `text` and `label`, a random split with seed 0), a `model` block of the
/// pretrained BERT folder at `folder` with a wordpiece tokenizer and a `classes`-way
/// dense head, then `stages`.
func bertTextExperiment(_ name: String, csv: String, train: Double, valid: Double, model: String, folder: String,
                        maxLength: Int, classes: Int, stages: [String]) -> String {
    ExperimentText.file([
        ExperimentText.header(name), ExperimentText.texts(csv: csv, split: "random(train: \(train), valid: \(valid), seed: 0)"),
        """
        model \(model) {
          pretrained = bert("\(folder)")
          tokenizer = wordpiece(max_length: \(maxLength))
          head = dense(\(classes))
        }
        """,
    ] + stages)
}

/// A temporary folder shaped like the project (experiments/ beside data/ and
/// models/), so experiments copied into it find their data at `../data/...`.
final class Workspace {
    let url: URL
    var experiments: URL { url.appendingPathComponent("experiments") }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("experiments"), withIntermediateDirectories: true)
        for name in ["data", "models"] {
            try FileManager.default.createSymbolicLink(at: url.appendingPathComponent(name),
                                                       withDestinationURL: Paths.root.appendingPathComponent(name))
        }
    }

    /// Writes `text` to experiments/NAME and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = experiments.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The lines of `stderr` that report a warning other than a lint (a `LintTable` row, issue 21) and
/// other than `check`'s summary line: tests run tiny data sets on purpose, which the lints
/// rightly flag (few steps per epoch), while any other warning is still a finding.
func warningsOtherThanLints(_ stderr: String) -> [String] {
    stderr.split(separator: "\n").map(String.init).filter { line in
        guard line.contains("warning") else { return false }
        if isLintLine(line) { return false }
        return line.range(of: #"^\d+ warnings? in \d+ files?$"#, options: .regularExpression) == nil
    }
}

/// Whether a rendered diagnostic line reports a lint (`warning[W0304]: …`).
func isLintLine(_ line: String) -> Bool {
    guard let r = line.range(of: #"warning\[W\d{4}\]"#, options: .regularExpression),
          let code = DiagnosticCode(rawValue: String(line[r].dropFirst(8).dropLast())) else { return false }
    return LintTable.lint(code) != nil
}
