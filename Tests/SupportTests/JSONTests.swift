import Foundation
import Support
import XCTest

/// The deterministic writer, the strict parser, and their round trip.
final class JSONTests: XCTestCase {
    func testWriterKeepsDeclaredOrderOrSorts() {
        let v: JSONValue = ["z": 1, "a": [true, nil, "x"], "m": ["b": 2.5, "a": .float(0.1)]]
        XCTAssertEqual(JSONWriter.encode(v), #"{"z":1,"a":[true,null,"x"],"m":{"b":2.5,"a":0.1}}"#)
        XCTAssertEqual(JSONWriter.encodeSorted(v), #"{"a":[true,null,"x"],"m":{"a":0.1,"b":2.5},"z":1}"#)
        XCTAssertEqual(
            JSONWriter.encode(["a": [1, 2], "b": [:], "c": []], options: .init(pretty: true)),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}")
    }

    func testShortestRoundTripNumbers() {
        XCTAssertEqual(JSONWriter.format(0.1), "0.1")
        XCTAssertEqual(JSONWriter.format(1.0), "1.0")
        XCTAssertEqual(JSONWriter.format(1e-5), "1e-5")
        XCTAssertEqual(JSONWriter.format(2e-5), "2e-5")
        XCTAssertEqual(JSONWriter.format(1e16), "1e16")
        XCTAssertEqual(JSONWriter.format(-0.0), "-0.0")
        XCTAssertEqual(JSONWriter.format(Float(0.1)), "0.1")
        XCTAssertEqual(JSONWriter.format(Double(Float(0.1))), "0.10000000149011612")
        XCTAssertEqual(JSONWriter.format(Double.nan), "null")
        XCTAssertEqual(JSONWriter.format(-Double.infinity), "null")
        // Every printed value parses back to the same bits.
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let back = try? JSONParser.parse(JSONWriter.format(d))
            XCTAssertEqual(back?.doubleValue?.bitPattern, d.bitPattern, "\(d)")
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard f.isFinite else { continue }
            XCTAssertEqual(Float(JSONWriter.format(f))?.bitPattern, f.bitPattern, "\(f)")
        }
    }

    func testParserValues() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2, 3.5, -0.25e2, 1E3, 12345678901234567890], "b": {"c": null, "d": false}, "e": ""} "#)
        XCTAssertEqual(v["a"], [1, -2, 3.5, -25.0, 1000.0, .double(Double("12345678901234567890")!)])
        XCTAssertEqual(v["b"]?["c"], .null)
        XCTAssertEqual(v["b"]?["d"]?.boolValue, false)
        XCTAssertEqual(v["e"]?.stringValue, "")
        XCTAssertEqual(v.keys, ["a", "b", "e"])
        XCTAssertEqual(v["a"]?[2]?.doubleValue, 3.5)
        XCTAssertEqual(v["a"]?[0]?.intValue, 1)
        XCTAssertNil(v["missing"])
    }

    func testParserRejectsMalformedInput() {
        let bad = ["", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "tru", "nul",
                   "\"abc", "\"\\x\"", "\"a\u{01}\"", "[1] 2", "{1:2}", "\"\\ud800\"", "\"\\u12\"", "+1", "NaN"]
        for text in bad {
            XCTAssertThrowsError(try JSONParser.parse(text), "accepted \(text.debugDescription)")
        }
        // Hostile nesting fails cleanly instead of overflowing the stack.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting"), "\(error)")
        }
        XCTAssertNoThrow(try JSONParser.parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)))
        XCTAssertThrowsError(try JSONParser.parse("[1, 2 x]")) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, 6)
        }
    }

    /// Issue 18 (found by `scripts/fuzz json`): `1E+256919524` parsed as +inf, which the
    /// writer prints as null, so the value changed on a round trip and a config field
    /// could silently receive infinity. Out-of-range numbers are refused, naming the number.
    func testParserRejectsNumbersBeyondDoubleRange() {
        for text in ["1E+256919524", "-1e309", "[0, 1e400]", "{\"eps\": 123456789e305}"] {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
            }
        }
        // The largest finite doubles and the smallest subnormals still parse, exactly.
        XCTAssertEqual(try JSONParser.parse("1.7976931348623157e308").doubleValue, Double.greatestFiniteMagnitude)
        XCTAssertEqual(try JSONParser.parse("-1.7976931348623157e308").doubleValue, -Double.greatestFiniteMagnitude)
        XCTAssertEqual(try JSONParser.parse("5e-324").doubleValue, Double.leastNonzeroMagnitude)
        XCTAssertEqual(try JSONParser.parse("1e-400").doubleValue, 0)
    }

    /// Golden floats are float32 printed as float64: they must come back bit-exact.
    func testGoldenFloatsRecoverFloat32Bits() throws {
        // The repository's copy of the PyTorch goldens (found from this file's path).
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/golden/optimizers.json").path
        let golden = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        let values = try XCTUnwrap(golden["initial_param"]?["data"]?.doubleArray)
        XCTAssertEqual(values.count, 8)
        for d in values { XCTAssertEqual(Double(Float(d)), d) }
        // Every float32 tensor in the file survives `Float(Double)` exactly. (Linux
        // Foundation's JSONSerialization is NOT correctly rounded: it reads
        // -0.8152379989624023 as -0.815237998962402, so golden files go through JSONParser.)
        for case let (_, entry) in try XCTUnwrap(golden["optimizers"]?.objectValue) {
            let after = try XCTUnwrap(entry["params_after_step"]?["data"]?.doubleArray)
            XCTAssertEqual(after.count, 80)
            for d in after { XCTAssertEqual(Double(Float(d)), d) }
        }
        XCTAssertEqual(Float(values[1]).bitPattern, Float(-0.8152379989624023).bitPattern)
    }

    func testJSONLinesRoundTrip() throws {
        let values: [JSONValue] = [["trial": "t1", "loss": .double(0.5)], ["trial": "t2", "loss": .float(0.25), "ok": true]]
        let text = JSONLines.encode(values)
        XCTAssertEqual(text, "{\"trial\":\"t1\",\"loss\":0.5}\n{\"trial\":\"t2\",\"loss\":0.25,\"ok\":true}\n")
        let back = try JSONLines.decode(text)
        XCTAssertEqual(back.count, 2)
        XCTAssertEqual(back[0], values[0])
        XCTAssertEqual(back[1]["loss"]?.doubleValue, 0.25)
        XCTAssertThrowsError(try JSONLines.decode("{}\n{bad}\n")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-jsonl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("log.jsonl").path
        for v in values { try JSONLines.append(v, toFileAt: file) }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), text)
    }

    func testWriterOutputIsValidForFoundation() throws {
        let v: JSONValue = ["s": "tab\there \u{00}", "n": [.double(1e-7), .double(123456.789), .int(-5)], "u": "ü"]
        let data = Data(JSONWriter.encode(v).utf8)
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        XCTAssertEqual(obj?["s"] as? String, "tab\there \u{00}")
        XCTAssertEqual(obj?["u"] as? String, "ü")
        XCTAssertEqual(try JSONParser.parse(data), v)
    }
}
