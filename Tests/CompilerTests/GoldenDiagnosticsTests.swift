import DSL
import Compiler
import Foundation
import Plan
import XCTest

/// Fixtures/NAME.ftx holds one mistake; NAME.stderr the diagnostics `ftx check`
/// prints for it (no colour, the path as the fixture's name, the package root as
/// `$ROOT`). `FTX_RECORD=1` rewrites the .stderr files and fails the test.
final class GoldenDiagnosticsTests: XCTestCase {
    func render(_ path: String) throws -> (text: String, check: FileCheck) {
        let name = (path as NSString).lastPathComponent
        let check = try checkFile(path: path).get()
        let relative = SourceFile(path: name, bytes: check.file.bytes)
        let text = DiagnosticRenderer.render(check.diagnostics, in: relative)
            .replacingOccurrences(of: TestPaths.root, with: "$ROOT")
        return (text, check)
    }

    func testFixturesMatchTheirGoldenOutput() throws {
        let files = TestPaths.ftxFiles(in: TestPaths.fixtures)
        XCTAssertGreaterThanOrEqual(files.count, 40, "the issue asks for at least 35 distinct mistakes")
        var recorded: [String] = []
        for path in files {
            // freeze_bert_glob and input_with_pretrained read the repository's model (../../../models/…).
            if try String(contentsOfFile: path, encoding: .utf8).contains("../../../models/all-MiniLM-L6-v2") {
                do { try TestPaths.requireMiniLM() } catch { XCTFail("\((path as NSString).lastPathComponent): \(error)"); continue }
            }
            let (text, _) = try render(path)
            let goldenPath = String(path.dropLast(4)) + ".stderr"
            if TestPaths.recording {
                let old = try? String(contentsOfFile: goldenPath, encoding: .utf8)
                if old != text {
                    try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
                    recorded.append((goldenPath as NSString).lastPathComponent)
                }
                continue
            }
            guard let expected = try? String(contentsOfFile: goldenPath, encoding: .utf8) else {
                XCTFail("missing \(goldenPath); run with FTX_RECORD=1 to create it")
                continue
            }
            XCTAssertEqual(text, expected, "diagnostics of \((path as NSString).lastPathComponent) differ from its .stderr")
        }
        if TestPaths.recording {
            XCTFail("FTX_RECORD=1: re-recorded \(recorded.count) golden file(s): \(recorded.joined(separator: ", ")); run again without it")
        }
    }

    /// `ftx check` exits 1 exactly when there are errors: every fixture except
    /// `ok_*` and `warning_*` must have errors; those must have none.
    func testFixturesWithMistakesHaveErrors() throws {
        for path in TestPaths.ftxFiles(in: TestPaths.fixtures) {
            let name = (path as NSString).lastPathComponent
            let check = try checkFile(path: path).get()
            if name.hasPrefix("ok_") {
                XCTAssertEqual(check.diagnostics, [], name)
            } else if name.hasPrefix("warning_") {
                XCTAssertFalse(check.hasErrors, name)
                XCTAssertFalse(check.diagnostics.isEmpty, name)
                XCTAssertTrue(check.diagnostics.allSatisfy { $0.severity == .warning && $0.code.rawValue.hasPrefix("W") }, name)
            } else {
                XCTAssertTrue(check.hasErrors, "\(name) should have errors")
                XCTAssertTrue(check.diagnostics.filter { $0.severity == .error }.allSatisfy { $0.code.rawValue.hasPrefix("E") }, name)
            }
        }
    }

    /// Distinct mistakes: the fixtures' first diagnostics cover many different codes.
    func testFixturesCoverManyDistinctCodes() throws {
        var codes = Set<DiagnosticCode>()
        for path in TestPaths.ftxFiles(in: TestPaths.fixtures) {
            for d in try checkFile(path: path).get().diagnostics { codes.insert(d.code) }
        }
        XCTAssertGreaterThanOrEqual(codes.count, 45, "codes covered: \(codes.sorted())")
    }

    /// "Did you mean" carries a fix-it that replaces exactly the misspelt text.
    func testSuggestionsComeWithFixIts() throws {
        let check = try checkFile(path: TestPaths.fixtures + "/unknown_optimizer.ftx").get()
        let d = try XCTUnwrap(check.diagnostics.first { $0.code == .unknownCall })
        XCTAssertEqual(d.fixIts.count, 1)
        XCTAssertEqual(check.file.text(d.fixIts[0].span), "adamx")
        XCTAssertEqual(d.fixIts[0].replacement, "adam")
        XCTAssertEqual(d.help, ["did you mean `adam`?"])

        let warmup = try checkFile(path: TestPaths.fixtures + "/warmup_bare_integer.ftx").get()
        XCTAssertEqual(warmup.diagnostics.first?.fixIts.first?.replacement, "100 steps")

        let quoted = try checkFile(path: TestPaths.fixtures + "/label_column_missing.ftx").get()
        XCTAssertTrue(quoted.diagnostics.contains { $0.fixIts.first?.replacement == "\"label\"" })
        XCTAssertTrue(quoted.diagnostics.contains { $0.fixIts.first?.replacement == "\"petal, width\"" }, "quoted CSV headers are split correctly")
    }

    /// Duplicate keys point at the repeat and label the first occurrence.
    func testDuplicateKeyHasSecondaryLabelAtFirst() throws {
        let check = try checkFile(path: TestPaths.fixtures + "/duplicate_key.ftx").get()
        let d = try XCTUnwrap(check.diagnostics.first { $0.code == .duplicateKey })
        XCTAssertEqual(check.file.location(of: d.primary.span.start).line, 26)
        XCTAssertEqual(d.secondary.map { check.file.location(of: $0.span.start).line }, [25])
    }

    /// A cycle prints the whole path.
    func testCycleMessageNamesTheWholeCycle() throws {
        let check = try checkFile(path: TestPaths.fixtures + "/init_cycle.ftx").get()
        let cycles = check.diagnostics.filter { $0.code == .initCycle }
        XCTAssertEqual(cycles.count, 1)
        XCTAssertTrue(cycles[0].message.hasSuffix("train → c → b → train"), cycles[0].message)
        XCTAssertEqual(cycles[0].secondary.count, 2)
    }
}
