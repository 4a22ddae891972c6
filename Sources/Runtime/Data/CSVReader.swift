import Foundation
import Kernels
import Plan
import Support

/// RFC 4180 CSV, parsed from bytes.
///
/// - The first record is the header; every other record must have as many fields.
/// - Fields are separated by `,`; records by LF or CRLF (a lone CR also ends a record).
/// - A field that starts with `"` is quoted: it may contain commas, line breaks and
///   `""` (one quote); after its closing quote only `,` or a line end may follow.
///   A `"` inside an unquoted field is kept literally.
/// - A UTF-8 byte-order mark is skipped; empty lines (including a trailing one)
///   are skipped, as pandas does by default.
/// - Errors name the file and the line where the offending record starts.
///
/// Quoted fields are unescaped in place (the unescaped text is never longer than
/// the raw text), so the whole file is one buffer plus two `UInt32`s per field.
public enum CSVReader {
    /// Reads and parses the file at `path`.
    public static func read(path: String) throws -> RecordTable {
        try parse(bytes: readFile(path), path: path)
    }

    /// Parses CSV text already in memory; `path` is used only in errors.
    public static func parse(bytes input: [UInt8], path: String) throws -> RecordTable {
        var bytes = input
        var parser = Parser(path: path)
        try bytes.withUnsafeMutableBufferPointer { buf in try parser.run(buf, stopAfterFirstRecord: false) }
        guard let header = parser.header else { throw DataError(path: path, reason: .emptyFile) }
        return RecordTable(path: path, header: header, rowCount: parser.rowLines.count, bytes: bytes,
                           spans: parser.spans, rowLines: parser.rowLines)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
            return [UInt8](data)
        } catch {
            throw DataError(path: path, reason: .unreadable(detail: (error as NSError).localizedDescription))
        }
    }

    /// The record scanner. Field spans of data rows go to `spans`; the first record
    /// becomes `header`.
    struct Parser {
        let path: String
        var header: [String]?
        var spans: [UInt32] = []
        var rowLines: [Int32] = []

        init(path: String) { self.path = path }

        mutating func run(_ buf: UnsafeMutableBufferPointer<UInt8>, stopAfterFirstRecord: Bool) throws {
            let n = buf.count
            guard n < Int(UInt32.max) else { throw DataError(path: path, reason: .unreadable(detail: "file larger than 4 GiB")) }
            var i = 0
            if n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
            var line = 1
            var record: [UInt32] = []   // spans of the record being read
            let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

            while i < n {
                // Start of a record. Skip empty lines.
                if buf[i] == lf { line += 1; i += 1; continue }
                if buf[i] == cr { line += 1; i += (i + 1 < n && buf[i + 1] == lf) ? 2 : 1; continue }
                let recordLine = line
                record.removeAll(keepingCapacity: true)
                var endOfRecord = false
                while !endOfRecord {
                    // Start of a field at i (possibly i == n: an empty last field).
                    if i < n, buf[i] == quote {
                        let quoteLine = line
                        i += 1
                        let start = i
                        var w = i
                        var closed = false
                        while i < n {
                            let b = buf[i]
                            if b == quote {
                                if i + 1 < n, buf[i + 1] == quote { buf[w] = quote; w += 1; i += 2; continue }
                                closed = true; i += 1; break
                            }
                            if b == lf || (b == cr && !(i + 1 < n && buf[i + 1] == lf)) { line += 1 }
                            buf[w] = b; w += 1; i += 1
                        }
                        if !closed { throw DataError(path: path, line: quoteLine, reason: .unterminatedQuote) }
                        record.append(UInt32(start)); record.append(UInt32(w))
                        if i == n { endOfRecord = true }
                        else if buf[i] == comma { i += 1; if i == n { record.append(UInt32(i)); record.append(UInt32(i)); endOfRecord = true } }
                        else if buf[i] == lf { line += 1; i += 1; endOfRecord = true }
                        else if buf[i] == cr { line += 1; i += (i + 1 < n && buf[i + 1] == lf) ? 2 : 1; endOfRecord = true }
                        else {
                            let found = buf[i] < 0x80 && buf[i] >= 0x20 ? "'\(Character(UnicodeScalar(buf[i])))'" : "byte 0x\(String(buf[i], radix: 16))"
                            throw DataError(path: path, line: line, reason: .characterAfterQuote(found: found))
                        }
                    } else {
                        let start = i
                        while i < n {
                            let b = buf[i]
                            if b == comma || b == lf || b == cr { break }
                            i += 1
                        }
                        record.append(UInt32(start)); record.append(UInt32(i))
                        if i == n { endOfRecord = true }
                        else if buf[i] == comma { i += 1; if i == n { record.append(UInt32(i)); record.append(UInt32(i)); endOfRecord = true } }
                        else if buf[i] == lf { line += 1; i += 1; endOfRecord = true }
                        else { line += 1; i += (i + 1 < n && buf[i + 1] == lf) ? 2 : 1; endOfRecord = true }
                    }
                }
                let fields = record.count / 2
                if let header {
                    guard fields == header.count else {
                        throw DataError(path: path, line: recordLine, reason: .raggedRow(expected: header.count, found: fields))
                    }
                    spans.append(contentsOf: record)
                    rowLines.append(Int32(truncatingIfNeeded: recordLine))
                } else {
                    var names: [String] = []
                    names.reserveCapacity(fields)
                    for f in 0..<fields {
                        let s = Int(record[2 * f]), e = Int(record[2 * f + 1])
                        names.append(String(decoding: UnsafeBufferPointer(rebasing: buf[s..<e]), as: UTF8.self))
                    }
                    var seen = Set<String>()
                    for name in names where !seen.insert(name).inserted {
                        throw DataError(path: path, line: recordLine, reason: .duplicateColumn(name: name))
                    }
                    header = names
                    if stopAfterFirstRecord { return }
                    spans.reserveCapacity(max(0, n / 2))
                }
            }
        }
    }
}

/// Reads only a CSV file's header record — what `ftx check` needs to validate
/// `label`, `features`, `text` and `where` column names without loading the data.
public enum CSVHeader {
    /// The column names of the first record of the file at `path`.
    ///
    /// Reads the file in 64 KiB chunks until the first record is complete (a quoted
    /// header name may contain a line break), so a large file costs one chunk.
    public static func read(path: String) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(path: path, reason: .unreadable(detail: "no such file or not readable"))
        }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 65_536) ?? Data() } catch {
                throw DataError(path: path, reason: .unreadable(detail: (error as NSError).localizedDescription))
            }
            bytes.append(contentsOf: chunk)
            let atEnd = chunk.isEmpty
            if atEnd || firstRecordComplete(bytes) {
                var parser = CSVReader.Parser(path: path)
                var prefix = bytes
                do {
                    try prefix.withUnsafeMutableBufferPointer { try parser.run($0, stopAfterFirstRecord: true) }
                } catch let error as DataError where error.reason == .unterminatedQuote && !atEnd {
                    continue  // the header's quote closes in a later chunk
                }
                guard let header = parser.header else { throw DataError(path: path, reason: .emptyFile) }
                return header
            }
        }
    }

    /// Whether `bytes` holds a line break outside quotes after some content.
    private static func firstRecordComplete(_ bytes: [UInt8]) -> Bool {
        var inQuotes = false, sawContent = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { inQuotes.toggle(); sawContent = true }
            else if (b == 0x0A || b == 0x0D) && !inQuotes { if sawContent { return true } }
            else { sawContent = true }
        }
        return false
    }
}
