import DSL
import Compiler
import Foundation
import Plan
import XCTest

/// The checker's messages live in one file, in alphabetical order, with unique
/// stable codes (E01xx errors, W01xx warnings).
final class CheckerDiagnosticsTests: XCTestCase {
    func testFactoriesAreAlphabeticalWithUniqueCodes() throws {
        let source = try String(contentsOfFile: TestPaths.root + "/Sources/Compiler/CheckerDiagnostics.swift", encoding: .utf8)
        // Case name → code, from the one list of codes.
        let list = try String(contentsOfFile: TestPaths.root + "/Sources/DSL/DiagnosticCode.swift", encoding: .utf8)
        let code = Dictionary(uniqueKeysWithValues: zip(matches(#"case (\w+) = "[EW]\d{4}""#, in: list), matches(#"case \w+ = "([EW]\d{4})""#, in: list)))
        let body = source.components(separatedBy: "// MARK: Warnings")
        XCTAssertEqual(body.count, 2)
        for (part, prefix) in zip(body, ["E", "W"]) {
            let names = matches(#"public static func (\w+)\("#, in: part)
            XCTAssertFalse(names.isEmpty)
            XCTAssertEqual(names, names.sorted(), "factories must stay alphabetical")
            let codes = matches(#"code: \.(\w+)"#, in: part).map { code[$0] ?? "?" }
            XCTAssertEqual(codes.count, names.count, "one code per factory")
            XCTAssertEqual(Set(codes).count, codes.count, "codes are unique")
            XCTAssertTrue(codes.allSatisfy { $0.hasPrefix(prefix) })
        }
        XCTAssertGreaterThanOrEqual(matches(#"code: \.(\w+)"#, in: source).count, 50)
    }

    func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }
}
