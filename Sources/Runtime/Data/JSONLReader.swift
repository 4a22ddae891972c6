import Foundation
import Kernels
import Plan
import Support

/// JSON Lines: one flat JSON object per line, read into the same `RecordTable`
/// shape as CSV.
///
/// Columns are the keys in order of first appearance (the first object's keys
/// in their written order, then any new keys from later lines). A key absent
/// from a line, or `null`, is a missing value — an error only if that column is
/// used. Strings keep their text; numbers keep a decimal that round-trips them;
/// booleans become `true`/`false` (so a boolean label is a two-class string label).
/// Arrays and objects as values are rejected. Blank lines are skipped; a UTF-8
/// byte-order mark is skipped. Lines are read by `JSONLinesRecords`, the reader `ftx check` uses too.
public enum JSONLReader {
    /// Reads and parses the file at `path`.
    public static func read(path: String) throws -> RecordTable {
        try parse(bytes: CSVReader.readFile(path), path: path)
    }

    /// Parses JSON Lines text already in memory; `path` is used only in errors.
    public static func parse(bytes input: [UInt8], path: String) throws -> RecordTable {
        var header: [String] = []
        var columnOf: [String: Int] = [:]
        var rows: [[(column: Int, text: String?)]] = []
        var rowLines: [Int32] = []

        do {
            try input.withUnsafeBufferPointer { buf in
                try JSONLinesRecords.forEach(in: buf) { line, members in
                    var row: [(column: Int, text: String?)] = []
                    row.reserveCapacity(members.count)
                    for (key, v) in members {
                        let column: Int
                        if let c = columnOf[key] { column = c } else {
                            column = header.count
                            columnOf[key] = column
                            header.append(key)
                        }
                        if v.arrayValue != nil || v.objectValue != nil {
                            throw DataError(path: path, line: line, reason: .invalidJSON(
                                detail: "key '\(key)' holds an \(v.arrayValue != nil ? "array" : "object"); values must be strings, numbers, booleans or null"))
                        }
                        row.append((column, JSONLinesRecords.cellText(v)))
                    }
                    rows.append(row)
                    rowLines.append(Int32(truncatingIfNeeded: line))
                }
            }
        } catch let failure as JSONLinesRecords.Failure {
            throw DataError(path: path, line: failure.line, reason: .invalidJSON(detail: failure.detail))
        }
        if rows.isEmpty { throw DataError(path: path, reason: .emptyFile) }

        let width = header.count
        var bytes: [UInt8] = []
        var spans = [UInt32](repeating: RecordTable.missing, count: 2 * width * rows.count)
        for (r, row) in rows.enumerated() {
            for (column, text) in row {
                guard let text else { continue }
                let k = 2 * (r * width + column)
                spans[k] = UInt32(bytes.count)
                bytes.append(contentsOf: text.utf8)
                spans[k + 1] = UInt32(bytes.count)
            }
        }
        return RecordTable(path: path, header: header, rowCount: rows.count, bytes: bytes, spans: spans, rowLines: rowLines)
    }
}
