import Foundation
import Support
import XCTest

/// The one CSV parser: whole-text parses (the runtime's `CSVReaderTests` cover
/// its tables and messages) and header-only reads over chunked input (`ftx check`).
final class CSVRecordsTests: XCTestCase {
    private func parse(_ text: String) throws -> CSVRecords {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
    }

    /// The header of `bytes` delivered `size` bytes at a time, and how many chunks were read.
    private func header(_ bytes: [UInt8], chunk size: Int) throws -> (header: [String]?, chunks: Int) {
        var at = 0, chunks = 0
        let header = try CSVRecords.header(readingChunks: {
            let end = min(bytes.count, at + size)
            defer { at = end }
            if at < end { chunks += 1 }
            return Array(bytes[at..<end])
        })
        return (header, chunks)
    }

    func testFieldsSpansAndLines() throws {
        let text = "a,b\n\"x,\"\"y\"\"\",2\r\n\n\"multi\nline\",\n"
        let r = try parse(text)
        XCTAssertEqual(r.header, ["a", "b"])
        XCTAssertEqual(r.rowLines, [2, 4])
        XCTAssertEqual(r.spans.count, 8)
        XCTAssertTrue(r.headerEndsAtLineBreak)
        XCTAssertFalse(try parse("a,b").headerEndsAtLineBreak)
        XCTAssertNil(try parse("\n\r\n").header)
        XCTAssertEqual(try parse("a, b ,\"c\"\r1,2,3").header, ["a", " b ", "c"], "names are not trimmed; a lone CR ends a record")
    }

    func testErrorsNameTheLine() {
        func failure(_ text: String) -> CSVError? {
            do { _ = try parse(text); return nil } catch { return error as? CSVError }
        }
        XCTAssertEqual(failure("a,b\n1,2\n3\n"), CSVError(line: 3, reason: .raggedRow(expected: 2, found: 1)))
        XCTAssertEqual(failure("a,b\n\n1,\"open\n2\n"), CSVError(line: 3, reason: .unterminatedQuote))
        XCTAssertEqual(failure("a,\"b\"c\n"), CSVError(line: 1, reason: .characterAfterQuote(found: "'c'")))
        XCTAssertEqual(failure("\n\na,b,a\n"), CSVError(line: 3, reason: .duplicateColumn(name: "a")))
        XCTAssertEqual(failure("a,b\n1,2\n3\n")?.description, "line 3: record has 1 field; the header has 2")
    }

    /// Every chunk size gives the whole-text parser's header, and reading stops at the header's end.
    func testHeaderFromChunksMatchesTheWholeParse() throws {
        let texts = [
            "\u{FEFF}\"first\nname\",\"b,c\",d\r\n1,2,3\n",    // BOM, quoted line break and comma, CRLF
            "\n\r\nx,\"y\"\"z\"\r\n1,2\r\n",                    // leading blank lines, doubled quote
            "a,b,ab\n1,2,3\n",                                  // a prefix "a,b,a" is not a duplicate
            "only,header",                                      // no line break at the end
            "a,\"b\rc\"\r1,2",                                  // CR inside quotes and as the record end
        ]
        for text in texts {
            let whole = try parse(text).header
            for size in [1, 2, 3, 5, 8, 64, 1 << 16] {
                XCTAssertEqual(try header(Array(text.utf8), chunk: size).header, whole, "\(text.debugDescription) in \(size)-byte chunks")
            }
        }
        XCTAssertNil(try header(Array("\n\n".utf8), chunk: 1).header)

        // A long file costs one chunk; a header longer than a chunk reads on, and the
        // ragged row after it is never seen.
        let rows = "a,b\n" + String(repeating: "1,2\n", count: 100_000)
        XCTAssertEqual(try header(Array(rows.utf8), chunk: 1 << 16).chunks, 1)
        let names = (0..<20_000).map { "column_\($0)" }
        let wide = try header(Array((names.joined(separator: ",") + "\n1,2\n").utf8), chunk: 1 << 16)
        XCTAssertEqual(wide.header, names)
        XCTAssertEqual(wide.chunks, 4)
    }

    func testHeaderErrorsAndReaderFailures() {
        XCTAssertThrowsError(try header(Array("a,b,a\n1,2,3\n".utf8), chunk: 4)) { error in
            XCTAssertEqual(error as? CSVError, CSVError(line: 1, reason: .duplicateColumn(name: "a")))
        }
        XCTAssertThrowsError(try header(Array("a,\"b\n".utf8), chunk: 2)) { error in
            XCTAssertEqual(error as? CSVError, CSVError(line: 1, reason: .unterminatedQuote))
        }
        struct ReadFailure: Error {}
        XCTAssertThrowsError(try CSVRecords.header(readingChunks: { throw ReadFailure() })) { error in
            XCTAssertTrue(error is ReadFailure)
        }
    }
}
