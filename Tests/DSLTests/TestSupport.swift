import DSL
import Foundation
import XCTest

/// A tiny xorshift64* generator: DSLTests depends on DSL only, and the
/// robustness tests must be reproducible from their seed.
struct XorShift: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

enum Fixtures {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `.ftx` file of `experiments/`, `../shared/examples` and
    /// `../shared/golden/trajectories` that exists.
    static let exampleFiles: [SourceFile] = {
        let dirs = [
            root.appendingPathComponent("experiments"),
            root.deletingLastPathComponent().appendingPathComponent("shared/examples"),
            root.deletingLastPathComponent().appendingPathComponent("shared/golden/trajectories"),
        ]
        var files: [SourceFile] = []
        for dir in dirs {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".ftx") {
                if let file = try? SourceFile.load(path: dir.appendingPathComponent(name).path) { files.append(file) }
            }
        }
        return files
    }()
}

/// Parses `text`, returning the unit and the diagnostics.
func parse(_ text: String) -> (SourceUnit, [Diagnostic]) {
    Parser.parse(SourceFile(path: "test.ftx", text: text))
}

/// The `line:col code` of each diagnostic, for compact assertions.
func positions(_ text: String) -> [String] {
    let file = SourceFile(path: "test.ftx", text: text)
    return Parser.parse(file).1.map {
        let location = DiagnosticRenderer.location(of: $0, in: file)
        return "\(location.line):\(location.column) \($0.code)"
    }
}

/// The single setting value of `experiment x { v = TEXT }`, or a failure.
func value(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Expr? {
    let (unit, diagnostics) = parse("experiment x {\n  v = \(text)\n}\n")
    XCTAssertEqual(diagnostics.map(\.message), [], file: file, line: line)
    guard case .setting(let setting)? = unit.sections.first?.items.first else {
        XCTFail("no setting", file: file, line: line)
        return nil
    }
    return setting.value
}
