import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class CSVReaderTests: XCTestCase {
    private func parse(_ text: String, path: String = "t.csv") throws -> RecordTable {
        try CSVReader.parse(bytes: Array(text.utf8), path: path)
    }

    private func cells(_ t: RecordTable) -> [[String]] {
        (0..<t.rowCount).map { r in (0..<t.columnCount).map { t.string(row: r, column: $0) } }
    }

    private func dataError(_ body: () throws -> Void) -> DataError? {
        do { try body() } catch let e as DataError { return e } catch { XCTFail("unexpected error \(error)") }
        return nil
    }

    func testPlainRowsAndTrailingNewline() throws {
        let t = try parse("a,b,c\n1,2,3\n4,5,6\n")
        XCTAssertEqual(t.header, ["a", "b", "c"])
        XCTAssertEqual(cells(t), [["1", "2", "3"], ["4", "5", "6"]])
        XCTAssertEqual(t.line(ofRow: 1), 3)
        XCTAssertEqual(try parse("a,b\n1,2").rowCount, 1, "no final newline")
        XCTAssertEqual(try parse("a,b\n1,2\n\n\n").rowCount, 1, "blank trailing lines skipped")
    }

    func testQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let t = try parse("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"multi\nline\",\"\"\nplain,x\"y\n")
        XCTAssertEqual(cells(t), [["Smith, J", "said \"hi\""], ["multi\nline", ""], ["plain", "x\"y"]])
        XCTAssertEqual(t.line(ofRow: 1), 3)
        XCTAssertEqual(t.line(ofRow: 2), 5, "a quoted newline advances the line count")
    }

    func testCRLFAndBOMAndEmptyFields() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("x,y,z\r\n1,,3\r\n\"q\",5,\r\n".utf8)
        let t = try CSVReader.parse(bytes: bytes, path: "bom.csv")
        XCTAssertEqual(t.header, ["x", "y", "z"], "BOM is not part of the first name")
        XCTAssertEqual(cells(t), [["1", "", "3"], ["q", "5", ""]])
        XCTAssertNil(t.number(row: 0, column: 1))
        XCTAssertEqual(t.number(row: 0, column: 2), 3)
    }

    func testRaggedRowIsAnErrorWithLine() {
        let e = dataError { _ = try parse("a,b,c\n1,2,3\n4,5\n", path: "rag.csv") }
        XCTAssertEqual(e?.reason, .csv(.raggedRow(expected: 3, found: 2)))
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.description, "rag.csv:3: record has 2 fields; the header has 3")
        let extra = dataError { _ = try parse("a,b\n1,2,\n") }
        XCTAssertEqual(extra?.reason, .csv(.raggedRow(expected: 2, found: 3)), "a trailing comma is an extra empty field")
    }

    func testUnterminatedQuoteAndJunkAfterQuote() {
        let e = dataError { _ = try parse("a,b\n1,\"open\n2,3\n") }
        XCTAssertEqual(e?.reason, .csv(.unterminatedQuote))
        XCTAssertEqual(e?.line, 2)
        let junk = dataError { _ = try parse("a,b\n\"x\"y,2\n") }
        XCTAssertEqual(junk?.reason, .csv(.characterAfterQuote(found: "'y'")))
        XCTAssertEqual(junk?.line, 2)
    }

    func testEmptyFileAndDuplicateHeader() {
        XCTAssertEqual(dataError { _ = try parse("") }?.reason, .emptyFile)
        XCTAssertEqual(dataError { _ = try parse("\n\n") }?.reason, .emptyFile)
        XCTAssertEqual(dataError { _ = try parse("a,b,a\n1,2,3\n") }?.reason, .csv(.duplicateColumn(name: "a")))
    }

    func testNumbersParseExactlyLikeTheStandardLibrary() throws {
        var g = SeededGenerator(seed: 7)
        var texts = ["0", "-0", "16", "+3", "1e-05", "2.5E+3", "0.1", "123456789012345678", "1.7976931348623157e308",
                     "4.9e-324", "0.30000000000000004", " 7 ", "  -1.25\t"]
        for _ in 0..<2000 {
            let v = (g.nextDouble() - 0.5) * pow(10, Double(g.nextInt(below: 40)) - 20)
            texts.append("\(v)")
            texts.append(String(Float(v)))
        }
        let csv = "v\n" + texts.map { "\"\($0)\"" }.joined(separator: "\n") + "\n"
        let t = try parse(csv)
        for (r, s) in texts.enumerated() {
            let expected = Double(s.trimmingCharacters(in: .whitespaces))!
            XCTAssertEqual(t.number(row: r, column: 0)?.bitPattern, expected.bitPattern, s)
        }
        for bad in ["", "abc", "1.2.3", "1e", "--1", "0x10", "nan", "inf", ".", "1,5"] {
            let table = try parse("v\n\"\(bad)\"\n")
            XCTAssertNil(table.number(row: 0, column: 0), bad)
        }
    }

    func testNonNumericFeatureNamesColumnAndRow() {
        let spec = DataSpec(source: .csv(path: "x.csv"), label: "y", split: SplitRule(.ordered, train: 1, valid: 0))
        let e = dataError { _ = try Dataset(spec: spec, table: try parse("a,b,y\n1,2,0\n3,oops,1\n", path: "x.csv")) }
        XCTAssertEqual(e?.reason, .nonNumeric(column: "b", row: 1, value: "oops"))
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.description, "x.csv:3: value 'oops' in column 'b' (data row 1) is not a number")
        let empty = dataError { _ = try Dataset(spec: spec, table: try parse("a,b,y\n1,,0\n", path: "x.csv")) }
        XCTAssertEqual(empty?.reason, .emptyValue(column: "b", row: 0))
    }

    func testJSONLinesKeepKeyOrderAndReportBadLines() throws {
        let text = """
        {"b": 1.5, "a": "x", "label": 1}

        {"a": "y", "b": 2, "label": 0, "extra": true}
        {"b": null, "a": "z", "label": 1}
        """
        let t = try JSONLReader.parse(bytes: Array(text.utf8), path: "t.jsonl")
        XCTAssertEqual(t.header, ["b", "a", "label", "extra"])
        XCTAssertEqual(t.rowCount, 3)
        XCTAssertEqual(t.number(row: 0, column: 0), 1.5)
        XCTAssertEqual(t.string(row: 1, column: 3), "true")
        XCTAssertTrue(t.isMissing(row: 0, column: 3))
        XCTAssertTrue(t.isMissing(row: 2, column: 0))
        XCTAssertEqual(t.line(ofRow: 1), 3)

        let bad = dataError { _ = try JSONLReader.parse(bytes: Array("{\"a\": 1}\n{\"a\": [1]}\n".utf8), path: "t.jsonl") }
        XCTAssertEqual(bad?.line, 2)
        guard case .invalidJSON = bad?.reason else { return XCTFail("\(String(describing: bad))") }
        let broken = dataError { _ = try JSONLReader.parse(bytes: Array("{\"a\": 1}\n{\"a\": \n".utf8), path: "t.jsonl") }
        XCTAssertEqual(broken?.line, 2)

        // A missing feature value is an error naming the column when loaded.
        let spec = DataSpec(source: .jsonl(path: "t.jsonl"), label: "label", features: ["b"], split: SplitRule(.ordered, train: 1, valid: 0))
        let e = dataError { _ = try Dataset(spec: spec, table: t) }
        XCTAssertEqual(e?.reason, .emptyValue(column: "b", row: 2))
    }
}
