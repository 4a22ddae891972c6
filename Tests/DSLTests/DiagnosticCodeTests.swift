import DSL
import Foundation
import XCTest

/// `DiagnosticCode` is the one list of codes: each code is well formed, unique,
/// documented, and emitted by exactly one factory.
final class DiagnosticCodeTests: XCTestCase {
    private func source(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.root.appendingPathComponent(path), encoding: .utf8)
    }

    func testCodesAreWellFormedUniqueAndOrdered() {
        let codes = DiagnosticCode.allCases.map(\.rawValue)
        XCTAssertEqual(Set(codes).count, codes.count, "a code is used by two cases")
        XCTAssertEqual(codes, codes.sorted(), "cases are listed in code order")
        for code in DiagnosticCode.allCases {
            let raw = code.rawValue
            XCTAssertTrue(raw.count == 5 && (raw.first == "E" || raw.first == "W") && raw.dropFirst().allSatisfy { ("0"..."9").contains($0) }, raw)
            XCTAssertEqual("\(code)", raw, "a code prints as its raw value")
        }
        XCTAssertLessThan(DiagnosticCode.unexpectedCharacter, DiagnosticCode.ambiguousInit)
        XCTAssertLessThan(DiagnosticCode.zipLengthMismatch, DiagnosticCode.emptySweep)
    }

    /// `(name, code, doc comment above it)` of every `case` line of DiagnosticCode.swift.
    private func declaredCases() throws -> [(name: String, code: String, doc: String)] {
        let lines = try source("Sources/DSL/DiagnosticCode.swift").split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var cases: [(name: String, code: String, doc: String)] = []
        for (i, line) in lines.enumerated() where line.hasPrefix("case ") {
            let parts = line.dropFirst(5).split(separator: "\"")
            XCTAssertEqual(parts.count, 2, line)
            guard parts.count == 2 else { continue }
            let name = parts[0].prefix { $0 != " " && $0 != "=" }
            let doc = i > 0 && lines[i - 1].hasPrefix("/// ") ? String(lines[i - 1].dropFirst(4)) : ""
            cases.append((String(name), String(parts[1]), doc))
        }
        return cases
    }

    /// Every case has a `///` comment saying when it fires.
    func testEveryCodeIsDocumented() throws {
        let cases = try declaredCases()
        XCTAssertEqual(cases.map(\.code), DiagnosticCode.allCases.map(\.rawValue), "every case is read from the source")
        for c in cases { XCTAssertGreaterThan(c.doc.count, 20, "`\(c.name)` (\(c.code)) has no doc comment saying when it fires") }
    }

    /// Each code belongs to one factory of the parser's, checker's or planner's list
    /// (a code is never reused for a different mistake), and every factory uses a case.
    func testEachCodeHasExactlyOneFactory() throws {
        let files = ["Sources/DSL/ParserDiagnostics.swift", "Sources/Compiler/CheckerDiagnostics.swift",
                     "Sources/Compiler/Plan/PlannerDiagnostics.swift", "Sources/Compiler/Lints/LintDiagnostics.swift"]
        var uses: [String: Int] = [:]
        for file in files {
            for piece in try source(file).components(separatedBy: "code: ").dropFirst() {
                let name = String(piece.prefix { $0 != "," && $0 != ")" })
                XCTAssertTrue(name.hasPrefix("."), "\(file): `code: \(name)` is not a DiagnosticCode case")
                uses[String(name.dropFirst()), default: 0] += 1
            }
        }
        let names = try declaredCases().map(\.name)
        for name in names { XCTAssertEqual(uses[name], 1, "`.\(name)` is emitted by \(uses[name] ?? 0) factories") }
        XCTAssertEqual(Set(uses.keys), Set(names))
    }
}
