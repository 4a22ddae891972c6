import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// A scratch copy of the repository's layout (`experiments/`, `data/`, a
/// stand-in `models/all-MiniLM-L6-v2`) in a temporary folder, so planner tests
/// can edit files freely and never depend on what is downloaded.
final class PlanSandbox {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let root: URL
    var experiments: URL { root.appendingPathComponent("experiments") }
    var data: URL { root.appendingPathComponent("data") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-plan-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: experiments, withIntermediateDirectories: true)
        try fm.createDirectory(at: data, withIntermediateDirectories: true)
        let repoData = Self.repositoryRoot.appendingPathComponent("data")
        for name in try fm.contentsOfDirectory(atPath: repoData.path) where name.hasSuffix(".csv") {
            try Data(contentsOf: repoData.appendingPathComponent(name)).write(to: data.appendingPathComponent(name))
        }
        // A stand-in for the MiniLM folder: what the checker and planner read (MiniLM's
        // own config.json, a vocabulary of the special tokens), not real weights.
        let model = root.appendingPathComponent("models/all-MiniLM-L6-v2")
        try fm.createDirectory(at: model, withIntermediateDirectories: true)
        try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/keys/minilm-config.json")).write(to: model.appendingPathComponent("config.json"))
        try Data("not real weights".utf8).write(to: model.appendingPathComponent("model.safetensors"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n".utf8).write(to: model.appendingPathComponent("vocab.txt"))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The text of a repository example (`experiments/NAME.ftx`).
    static func example(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("experiments/\(name).ftx"), encoding: .utf8)
    }

    /// Writes `text` as `experiments/NAME.ftx` (or at `relativePath`) and returns its path.
    @discardableResult
    func write(_ text: String, as relativePath: String = "experiments/x.ftx") throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Appends a line to a data file (changing its bytes, not its header).
    func appendRow(_ row: String, to name: String) throws {
        let url = data.appendingPathComponent(name)
        var bytes = try Data(contentsOf: url)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        bytes.append(contentsOf: Array((row + "\n").utf8))
        try bytes.write(to: url)
    }
}

/// Checks and plans a file, failing the test on checker errors.
func checked(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> (CheckedExperiment, SourceFile) {
    let source = try SourceFile.load(path: path)
    let result = checkSource(source)
    let errors = result.diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty {
        XCTFail("checker errors in \(path): " + errors.map { "\($0.code) \($0.message)" }.joined(separator: "; "), file: file, line: line)
        throw PlanError("check failed")
    }
    return (result.experiment, source)
}

func makePlan(_ path: String, digests: FileDigests = FileDigests(), file: StaticString = #filePath, line: UInt = #line) throws -> Plan {
    let (experiment, source) = try checked(path, file: file, line: line)
    return try Planner(digests: digests).makePlan(experiment, file: source)
}

/// Checks source text written into a fresh sandbox and returns the checked experiment.
func checkedText(_ text: String, sandbox: PlanSandbox, file: StaticString = #filePath, line: UInt = #line) throws -> CheckedExperiment {
    try checked(try sandbox.write(text), file: file, line: line).0
}

/// A small experiment over the repository's wine data, with `SWEEPS` replaced by sweep blocks.
func wineExperiment(stage: String = "", sweeps: String) -> String {
    """
    \(ExperimentText.header("t", seed: 1))

    \(ExperimentText.wineAndNet)

    stage train {
      model = net
      data = wine
      optimizer = sgd(lr: 0.05, momentum: 0.9)
      schedule {
        epochs = 3
        batch_size = 16
    \(stage)  }
      loss = cross_entropy()
    \(sweeps)
    }

    """
}

extension SweepPoint {
    /// The overridden value at a dotted path.
    func value(_ path: String) -> Value? { overrides.last { $0.dottedPath == path }?.value }
}

extension Array where Element == (key: String, value: SettingValue) {
    subscript(setting key: String) -> SettingValue? { first { $0.key == key }?.value }
}

final class PlanSupportTests: XCTestCase {
    func testSandboxExamplesCheckWithoutErrors() throws {
        let sandbox = try PlanSandbox()
        for name in ["digits-transfer", "wine-search", "cancer-ensemble", "glosses-minilm"] {
            let path = try sandbox.write(try PlanSandbox.example(name), as: "experiments/\(name).ftx")
            _ = try checked(path)
        }
    }
}
