import DSL
import Foundation
import XCTest

/// Mutated and pathological inputs through parse, format and render: nothing
/// may crash or hang, and each input must be handled within a second.
final class RobustnessTests: XCTestCase {
    /// Parses, formats and renders `bytes`; fails if that takes over a second.
    private func survive(_ bytes: [UInt8], _ what: @autoclosure () -> String) {
        let start = Date()
        let file = SourceFile(path: "fuzz.ftx", bytes: bytes)
        let (unit, diagnostics) = Parser.parse(file)
        _ = unit.dump()
        if let formatted = Formatter.format(file) {
            XCTAssertTrue(diagnostics.allSatisfy { $0.severity != .error })
            let again = Formatter.format(SourceFile(path: "fuzz.ftx", text: formatted))
            if again != formatted { XCTFail("not idempotent: \(what())") }
        } else if diagnostics.isEmpty {
            XCTFail("valid input not formatted: \(what())")
        }
        for diagnostic in diagnostics.prefix(20) {
            _ = DiagnosticRenderer.render(diagnostic, in: file, color: true)
            _ = DiagnosticRenderer.json(diagnostic, in: file)
        }
        let elapsed = Date().timeIntervalSince(start)
        if elapsed > 1 { XCTFail("took \(elapsed)s: \(what())") }
    }

    private var examples: [[UInt8]] { Fixtures.exampleFiles.map(\.bytes) }

    func testTruncationAtEveryByte() {
        for example in examples.prefix(4) {
            for n in stride(from: 0, through: example.count, by: 3) {
                survive(Array(example[0..<n]), "truncated at \(n)")
            }
        }
    }

    func testByteMutations() {
        var rng = XorShift(seed: 42)
        let sources = examples
        let interesting: [UInt8] = Array("{}()[],:.=<>+-*/\"#\\ \n\tx19e".utf8) + [0x00, 0x80, 0xC3, 0xFF, 0xE2]
        for round in 0..<3_000 {
            var bytes = sources[round % sources.count]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<max(1, bytes.count), using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where !bytes.isEmpty: bytes.remove(at: i)
                case 1 where !bytes.isEmpty: bytes.insert(bytes[i], at: i)
                case 2 where bytes.count > 1:
                    let j = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.swapAt(i, j)
                case 3: bytes.insert(interesting.randomElement(using: &rng)!, at: min(i, bytes.count))
                default: if !bytes.isEmpty { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
                }
            }
            survive(bytes, "byte mutation round \(round)")
        }
    }

    func testTokenMutations() {
        var rng = XorShift(seed: 7)
        for round in 0..<1_500 {
            let file = Fixtures.exampleFiles[round % Fixtures.exampleFiles.count]
            var pieces = Lexer.tokenize(file).map { Array(file.bytes[$0.span.start..<$0.span.end]) }
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<pieces.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: pieces.remove(at: i)
                case 1: pieces.insert(pieces[i], at: i)
                default: pieces.swapAt(i, Int.random(in: 0..<pieces.count, using: &rng))
                }
                if pieces.isEmpty { break }
            }
            survive(Array(pieces.joined(separator: [UInt8(ascii: " ")])), "token mutation round \(round)")
        }
    }

    func testRandomBytes() {
        var rng = XorShift(seed: 3)
        for round in 0..<200 {
            let bytes = (0..<Int.random(in: 0...4_000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            survive(bytes, "random bytes \(round)")
        }
        let big = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        survive(big, "200 KB of random bytes")
        let ascii = (0..<200_000).map { _ in Array("{}()[],:.=x1 \n\"#".utf8).randomElement(using: &rng)! }
        survive(ascii, "200 KB of random punctuation")
    }

    func testPathologicalInputs() {
        let n = 5_000
        let cases: [(String, String)] = [
            ("nested [", "e x {\n  a = " + String(repeating: "[", count: n) + "\n}\n"),
            ("nested [] closed", "e x {\n  a = " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n}\n"),
            ("nested (", "e x {\n  a = " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + "\n}\n"),
            ("nested {", "e x {\n  a = " + String(repeating: "{", count: n) + "\n}\n"),
            ("top-level {", String(repeating: "{", count: n)),
            ("nested sections", String(repeating: "a {\n", count: n)),
            ("nested calls", "e x {\n  a = " + String(repeating: "f(", count: n) + "\n}\n"),
            ("unary minus", "e x {\n  a = " + String(repeating: "-", count: n) + "1\n}\n"),
            ("not", "e x {\n  a = " + String(repeating: "not ", count: n) + "1\n}\n"),
            ("operator chain", "e x {\n  a = 1" + String(repeating: " + 1", count: 50_000) + "\n}\n"),
            ("where chain", "e x {\n  a = b" + String(repeating: " where c", count: n) + "\n}\n"),
            ("200 KB list line", "e x {\n  a = [" + String(repeating: "1, ", count: 70_000) + "]\n}\n"),
            ("200 KB error line", "e x {\n  a = [" + String(repeating: "1 @ ", count: 50_000) + "]\n}\n"),
            ("200 KB string", "e x {\n  a = \"" + String(repeating: "é", count: 100_000) + "\"\n}\n"),
            ("200 KB comment", "e x {\n  a = 1 # " + String(repeating: "x", count: 200_000) + "\n}\n"),
            ("200 KB dotted name", "e x {\n  a = b" + String(repeating: ".c", count: 100_000) + "\n}\n"),
            ("many errors", String(repeating: "@ = ; x\n", count: 20_000)),
            ("many unclosed", String(repeating: "x = (\n", count: 20_000)),
            ("many headers", String(repeating: "a b c d\n", count: 20_000)),
            ("many sections", String(repeating: "stage a { x = 1 }\n", count: 10_000)),
        ]
        for (name, text) in cases { survive(Array(text.utf8), name) }
        survive(Array("e x {\n  a = \"".utf8) + [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array("\"\n}\n".utf8), "invalid UTF-8")
    }

    func testParsingOnASmallStack() {
        // Parsing at the nesting limit must fit the 512 KB stacks of secondary threads.
        let text = "e x {\n  a = " + String(repeating: "[", count: 5_000) + "\n}\n"
        let done = expectation(description: "parsed")
        let thread = Thread {
            _ = Parser.parse(SourceFile(path: "t", text: text))
            _ = Parser.parse(SourceFile(path: "t", text: String(repeating: "a {\n", count: 5_000)))
            done.fulfill()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        wait(for: [done], timeout: 10)
    }
}
