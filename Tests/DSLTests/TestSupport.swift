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

    /// Every experiment file of `experiments/` and of the golden trajectories
    /// (the repository's copy in `Tests/Fixtures/golden/trajectories`).
    static let exampleFiles: [SourceFile] = {
        let dirs = [
            root.appendingPathComponent("experiments"),
            root.appendingPathComponent("Tests/Fixtures/golden/trajectories"),
        ]
        var files: [SourceFile] = []
        for dir in dirs {
            for path in ftxFiles(in: dir.path) {
                if let file = try? SourceFile.load(path: path) { files.append(file) }
            }
        }
        return files
    }()

    /// The experiment files in `directory`: regular `NAME.ftx` files only. A name
    /// ending in `.ftx` is not enough: `ftx run` leaves its store, the folder
    /// `experiments/.ftx/`, beside the experiment it ran (the README's first command
    /// does), and reading that folder as an experiment fails.
    static func ftxFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".ftx") && $0 != ".ftx" }.sorted().map { directory + "/" + $0 }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
    }
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
