import Foundation
import Runtime
import Support

/// CSV data files: Support's parser, the runtime's `RecordTable` over it (every
/// cell as text and as a number), and the chunked header reader `ftx check` uses.
/// Property: when the whole file parses, the chunked reader finds the same header.
enum CSVTarget {
    static func run(_ data: Data) {
        let bytes = [UInt8](data)
        guard let table = try? CSVReader.parse(bytes: bytes, path: "fuzz.csv") else { return }
        for row in 0..<min(table.rowCount, 1000) {
            _ = table.line(ofRow: row)
            for column in 0..<table.columnCount {
                _ = table.isMissing(row: row, column: column)
                _ = table.string(row: row, column: column)
                _ = table.number(row: row, column: column)
            }
        }
        // The header read in 7-byte chunks, as `ftx check` reads a large file's start.
        var offset = 0
        let header = try? CSVRecords.header(readingChunks: {
            let end = min(offset + 7, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        })
        FuzzCheck.require(header == table.header, "chunked header \(String(describing: header)) != \(table.header)")
    }
}
