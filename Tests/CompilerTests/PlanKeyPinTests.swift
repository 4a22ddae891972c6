import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// The exact task keys, and the canonical bytes behind them, of every repository
/// example, pinned in `Fixtures/keys/NAME.keys`. A store is only as durable as its
/// keys: a refactor that moves a byte of any task's encoding would silently
/// retrain everything users have, so it must fail here first. A deliberate change
/// of the encoding bumps `CanonicalEncoder.version` and re-records
/// (`FTX_RECORD=1 swift test --filter PlanKeyPinTests`, which then fails once).
final class PlanKeyPinTests: XCTestCase {
    private static let directory = TestPaths.fixtures + "/keys"

    /// A sandbox whose model folder is fixed bytes: MiniLM's real `config.json`
    /// and stand-ins for the vocabulary and weights (only their digests enter keys).
    private func pinnedSandbox() throws -> PlanSandbox {
        let sandbox = try PlanSandbox()
        let model = sandbox.root.appendingPathComponent("models/all-MiniLM-L6-v2")
        try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/minilm-config.json")).write(to: model.appendingPathComponent("config.json"))
        return sandbox
    }

    /// One line per task: kind, stage, key, then the canonical bytes (printable ASCII
    /// kept, everything else as `\xNN`).
    private func pins(of example: String) throws -> String {
        let sandbox = try pinnedSandbox()
        let digests = FileDigests()
        let path = try sandbox.write(try PlanSandbox.example(example), as: "experiments/\(example).ftx")
        let plan = try makePlan(path, digests: digests)
        var lines: [String] = []
        for task in plan.graph.tasks {
            let bytes = try TaskKey.canonicalBytes(kind: task.kind, payload: task.payload, deps: task.deps, digests: digests)
            let text = bytes.map { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
            lines.append("\(task.kind.rawValue) \(task.stage.isEmpty ? "-" : task.stage) \(task.key)")
            lines.append("  " + text)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func testEveryExampleKeepsItsTaskKeysAndCanonicalBytes() throws {
        let examples = TestPaths.ftxFiles(in: TestPaths.root + "/experiments").map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        XCTAssertEqual(examples.count, 5, "every repository example is pinned")
        for example in examples {
            let actual = try pins(of: example)
            let url = URL(fileURLWithPath: Self.directory + "/\(example).keys")
            if TestPaths.recording {
                try Data(actual.utf8).write(to: url, options: .atomic)
                XCTFail("re-recorded \(url.lastPathComponent); run again without FTX_RECORD")
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            if actual != expected {
                let a = actual.split(separator: "\n", omittingEmptySubsequences: false), e = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let first = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
                XCTFail("""
                    \(example): task keys moved (line \(first + 1) of \(url.lastPathComponent)); every store's results would be retrained.
                    expected: \(first < e.count ? String(e[first].prefix(400)) : "<end>")
                    actual:   \(first < a.count ? String(a[first].prefix(400)) : "<end>")
                    """)
            }
        }
    }
}
