import Foundation
import Support
import XCTest

/// The one JSON string escaper (`JSONWriter.quote`): its exact bytes for every
/// class of code point, checked against a scalar-by-scalar statement of the
/// documented rule, and the round trip through `JSONParser` and Foundation.
final class JSONStringTests: XCTestCase {
    /// The documented rule, written independently of the byte-level escaper.
    private func expectedEscape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x22: return "\\\""
        case 0x5C: return "\\\\"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00...0x1F, 0x7F:
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        case 0x2028: return "\\u2028"
        case 0x2029: return "\\u2029"
        default: return String(scalar)
        }
    }

    func testExactBytesOfEachClass() {
        let cases: [(String, String)] = [
            ("", #""""#),
            ("\"", #""\"""#),
            ("\\", #""\\""#),
            ("/", #""/""#),
            ("\u{08}\u{0C}\n\r\t", #""\b\f\n\r\t""#),
            ("\u{00}\u{01}\u{0B}\u{0E}\u{1B}\u{1F}", #""\u0000\u0001\u000b\u000e\u001b\u001f""#),
            ("\u{7F}", #""\u007f""#),
            (" !#~", #"" !#~""#),
            ("\u{80}é\u{7FF}", "\"\u{80}é\u{7FF}\""),                 // two UTF-8 bytes: as is
            ("\u{800}\u{2027}\u{202A}\u{E000}\u{FEFF}\u{FFFF}", "\"\u{800}\u{2027}\u{202A}\u{E000}\u{FEFF}\u{FFFF}\""),
            ("\u{2028}", #""\u2028""#),
            ("\u{2029}", #""\u2029""#),
            ("a\u{2028}\u{2029}b", #""a\u2028\u2029b""#),
            ("\u{10000}🎉\u{10FFFF}", "\"\u{10000}🎉\u{10FFFF}\""),     // four UTF-8 bytes: as is
            ("a\"b\\c\n\t\r\u{08}\u{0C}\u{01}\u{7F}é🎉", #""a\"b\\c\n\t\r\b\f\u0001\u007fé🎉""#),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(Array(JSONWriter.quote(input).utf8), Array(expected.utf8), input.debugDescription)
        }
        // Object keys and nested strings go through the same escaper.
        XCTAssertEqual(JSONWriter.encode(["k\u{2028}": ["\u{7F}\n"]]), #"{"k\u2028":["\u007f\n"]}"#)
    }

    /// Every Unicode scalar (all planes, surrogates excluded — a Swift string cannot hold them):
    /// the output is exactly the rule's bytes and parses back to the input.
    func testEveryScalarRoundTripsWithTheRuleBytes() throws {
        var input: [UInt8] = [], expected: [UInt8] = [], checked = 0
        func check() throws {
            let s = String(decoding: input, as: UTF8.self)
            let quoted = JSONWriter.quote(s)
            XCTAssertEqual(Array(quoted.utf8), [0x22] + expected + [0x22], "scalars up to U+\(String(checked, radix: 16))")
            XCTAssertEqual(try JSONParser.parse(quoted), .string(s))
            input.removeAll(keepingCapacity: true)
            expected.removeAll(keepingCapacity: true)
        }
        for value in UInt32(0)...0x10FFFF where !(0xD800...0xDFFF).contains(value) {
            let scalar = Unicode.Scalar(value)!
            input.append(contentsOf: String(scalar).utf8)
            expected.append(contentsOf: expectedEscape(scalar).utf8)
            checked += 1
            if checked % 16384 == 0 { try check() }
        }
        try check()
        XCTAssertEqual(checked, 0x110000 - 0x800)
    }

    /// An independent parser (Foundation's) reads the same text back.
    func testFoundationReadsTheOutput() throws {
        let weird = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self) + "😀\u{2028}\u{2029}/é"
        let parsed = try JSONSerialization.jsonObject(with: Data(("[" + JSONWriter.quote(weird) + "]").utf8)) as? [String]
        XCTAssertEqual(parsed, [weird])
        XCTAssertEqual(try JSONParser.parse(#""\u00e9\ud83c\udf89\/""#), .string("é🎉/"), "the parser also reads escapes the writer never emits")
    }
}
