import DSL
import Compiler
import Foundation
import Plan
import XCTest

/// docs/LANGUAGE.md is generated from the schema; the committed file must equal
/// the generated text (`FTX_RECORD=1` rewrites it and fails), and every example
/// in it must check clean.
final class LanguageReferenceTests: XCTestCase {
    func testCommittedReferenceMatchesSchema() throws {
        let path = TestPaths.root + "/docs/LANGUAGE.md"
        let generated = LanguageReference.markdown()
        if TestPaths.recording {
            let old = try? String(contentsOfFile: path, encoding: .utf8)
            if old != generated {
                try FileManager.default.createDirectory(atPath: TestPaths.root + "/docs", withIntermediateDirectories: true)
                try generated.write(toFile: path, atomically: true, encoding: .utf8)
                XCTFail("FTX_RECORD=1: rewrote docs/LANGUAGE.md; run again without it")
            }
            return
        }
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(committed, generated, "docs/LANGUAGE.md is stale: run FTX_RECORD=1 swift test -c release --filter LanguageReferenceTests")
    }

    func testReferenceCoversEveryKeyAndCall() {
        let md = LanguageReference.markdown()
        for spec in LanguageSchema.topLevel + [LanguageSchema.schedule, LanguageSchema.sweep] {
            XCTAssertTrue(md.contains("`\(spec.keyword)"), spec.keyword)
            for key in spec.keys { XCTAssertTrue(md.contains("| `\(key.name)` |"), "\(spec.keyword).\(key.name)") }
        }
        for call in LanguageSchema.calls {
            XCTAssertTrue(md.contains("#### `\(call.name)("), call.name)
            XCTAssertTrue(md.contains("Example: `\(call.example)`"), call.name)
        }
    }

    func testEveryReferenceExampleChecksClean() throws {
        let examples = LanguageReference.exampleFiles()
        let keyCount = (LanguageSchema.topLevel + [LanguageSchema.schedule]).reduce(0) { $0 + $1.keys.count }
        XCTAssertGreaterThanOrEqual(examples.count, keyCount + LanguageSchema.calls.count - 1)
        // Checked as if in the project's experiments/ folder, where ../data and ../models resolve.
        let path = TestPaths.root + "/experiments/reference-example.ftx"
        for example in examples {
            if example.needsFiles, example.source.contains("../models/all-MiniLM-L6-v2") {
                do { try TestPaths.requireMiniLM() } catch { XCTFail("example `\(example.title)`: \(error)"); continue }
            }
            let file = SourceFile(path: path, text: example.source)
            let check = checkSource(file, checkFiles: example.needsFiles)
            let rendered = DiagnosticRenderer.render(check.diagnostics, in: file)
            XCTAssertEqual(check.diagnostics.count, 0, "example `\(example.title)`:\n\(example.source)\n\(rendered)")
        }
    }
}
