import Foundation
import Kernels
import Plan
import Support

/// A parsed tabular file: a header and rows of fields, held as byte ranges into
/// one buffer (no `String` per cell until one is asked for).
///
/// Both `CSVReader` and `JSONLReader` produce this. Field `c` of row `r` is the
/// byte range `spans[2·(r·columnCount + c)] ..< spans[2·(r·columnCount + c) + 1]`
/// of `bytes`, already unquoted/unescaped. A start of `UInt32.max` marks a missing
/// value (a JSONL key absent from a line, or JSON `null`).
public struct RecordTable: Sendable {
    /// The file the table was read from, for error messages.
    public let path: String
    /// Column names in file order.
    public let header: [String]
    /// Number of data rows (header excluded).
    public let rowCount: Int
    /// Unescaped field bytes.
    let bytes: [UInt8]
    /// Two entries per cell, row-major: start, end.
    let spans: [UInt32]
    /// 1-based physical line where each row starts.
    let rowLines: [Int32]

    static let missing = UInt32.max

    init(path: String, header: [String], rowCount: Int, bytes: [UInt8], spans: [UInt32], rowLines: [Int32]) {
        self.path = path
        self.header = header
        self.rowCount = rowCount
        self.bytes = bytes
        self.spans = spans
        self.rowLines = rowLines
    }

    /// Number of columns.
    public var columnCount: Int { header.count }

    /// The index of the column called `name`, or a `missingColumn` error.
    public func columnIndex(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw DataError(path: path, reason: .missingColumn(name: name, available: header))
        }
        return i
    }

    /// 1-based line in the file where data row `row` (0-based) starts.
    public func line(ofRow row: Int) -> Int { Int(rowLines[row]) }

    /// Whether the cell is absent (JSONL missing key or `null`).
    public func isMissing(row: Int, column: Int) -> Bool {
        spans[2 * (row * header.count + column)] == RecordTable.missing
    }

    /// The cell as text (`""` when missing).
    public func string(row: Int, column: Int) -> String {
        let k = 2 * (row * header.count + column)
        let start = spans[k]
        if start == RecordTable.missing { return "" }
        return bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[Int(start)..<Int(spans[k + 1])]), as: UTF8.self)
        }
    }

    /// The cell as a number, or nil when it is missing or not a decimal number.
    /// Leading and trailing spaces are ignored; `nan`/`inf` are not numbers here.
    public func number(row: Int, column: Int) -> Double? {
        let k = 2 * (row * header.count + column)
        let start = spans[k]
        if start == RecordTable.missing { return nil }
        return bytes.withUnsafeBufferPointer { buf in
            DecimalParser.parse(UnsafeBufferPointer(rebasing: buf[Int(start)..<Int(spans[k + 1])]))
        }
    }

    /// The cell as a number, or an error naming the column, row and line.
    public func requireNumber(row: Int, column: Int) throws -> Double {
        if let v = number(row: row, column: column) { return v }
        if isMissing(row: row, column: column) || string(row: row, column: column).isEmpty {
            throw DataError(path: path, line: line(ofRow: row), reason: .emptyValue(column: header[column], row: row))
        }
        throw DataError(path: path, line: line(ofRow: row),
                        reason: .nonNumeric(column: header[column], row: row, value: string(row: row, column: column)))
    }

    /// Fills `out[r·stride + j]` with column `columns[j]` of every row (correctly
    /// rounded float64). Throws on the first empty or non-numeric cell.
    func gatherNumbers(columns: [Int], into out: UnsafeMutablePointer<Double>, stride: Int) throws {
        let width = header.count
        let failure: (row: Int, column: Int)? = bytes.withUnsafeBufferPointer { buf in
            spans.withUnsafeBufferPointer { sp in
                for r in 0..<rowCount {
                    let base = 2 * r * width
                    for (j, c) in columns.enumerated() {
                        let start = sp[base + 2 * c]
                        guard start != RecordTable.missing,
                              let v = DecimalParser.parse(UnsafeBufferPointer(rebasing: buf[Int(start)..<Int(sp[base + 2 * c + 1])]))
                        else { return (r, c) }
                        out[r * stride + j] = v
                    }
                }
                return nil
            }
        }
        if let failure { _ = try requireNumber(row: failure.row, column: failure.column) }
    }
}
