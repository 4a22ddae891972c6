/// RFC 4180 CSV, parsed from bytes: the one CSV parser. The runtime loads data
/// sets with it and `ftx check` reads headers with it, so both see the same columns.
///
/// - The first record is the header; every other record must have as many fields.
///   Header names are the fields' text exactly (no trimming); a name may not repeat.
/// - Fields are separated by `,`; records by LF or CRLF (a lone CR also ends a record).
/// - A field that starts with `"` is quoted: it may contain commas, line breaks and
///   `""` (one quote); after its closing quote only `,` or a line end may follow.
///   A `"` inside an unquoted field is kept literally.
/// - A UTF-8 byte-order mark is skipped; empty lines (including a trailing one)
///   are skipped, as pandas does by default.
/// - Errors give the line where the offending record (or quoted field) starts.
///
/// Quoted fields are unescaped in place (the unescaped text is never longer than
/// the raw text), so a whole file is one buffer plus two `UInt32`s per field.
public struct CSVRecords: Sendable {
    /// The first record's fields, or nil when the text holds no record.
    public var header: [String]?
    /// Two entries per data-row field, row-major: the start and end of its
    /// (unescaped) bytes in the parsed buffer.
    public var spans: [UInt32] = []
    /// The 1-based physical line where each data row starts.
    public var rowLines: [Int32] = []
    /// Whether the header record ended at a line break (rather than at the end of the text).
    public var headerEndsAtLineBreak = false

    /// Parses all of `buf`, unescaping quoted fields in place. Throws `CSVError`.
    public static func parse(_ buf: UnsafeMutableBufferPointer<UInt8>) throws -> CSVRecords {
        var records = CSVRecords()
        try records.run(buf, headerOnly: false, moreToCome: false)
        return records
    }

    /// The header of CSV text delivered in chunks (`nextChunk` returns an empty
    /// array at the end), reading only as many chunks as the header record needs:
    /// a quoted name may hold a line break, so the scanner decides where it ends.
    /// Nil when the text holds no record. Throws `CSVError`; errors from `nextChunk` pass through.
    public static func header(readingChunks nextChunk: () throws -> [UInt8]) throws -> [String]? {
        var bytes: [UInt8] = []
        while true {
            let chunk = try nextChunk()
            let atEnd = chunk.isEmpty
            bytes.append(contentsOf: chunk)
            var prefix = bytes
            var records = CSVRecords()
            do {
                try prefix.withUnsafeMutableBufferPointer { try records.run($0, headerOnly: true, moreToCome: !atEnd) }
            } catch let error as CSVError where error.reason == .unterminatedQuote && !atEnd {
                continue  // the header's quote closes in a later chunk
            }
            if atEnd || records.headerEndsAtLineBreak { return records.header }
        }
    }

    /// The record scanner. `moreToCome` (header reads only): the text is a prefix, so
    /// a header running to its end may be incomplete and is not yet validated.
    private mutating func run(_ buf: UnsafeMutableBufferPointer<UInt8>, headerOnly: Bool, moreToCome: Bool) throws {
        let n = buf.count
        guard n < Int(UInt32.max) else { throw CSVError(line: nil, reason: .tooLarge) }
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
            var endOfRecord = false, endsAtLineBreak = false
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
                    if !closed { throw CSVError(line: quoteLine, reason: .unterminatedQuote) }
                    record.append(UInt32(start)); record.append(UInt32(w))
                    if i == n { endOfRecord = true }
                    else if buf[i] == comma { i += 1; if i == n { record.append(UInt32(i)); record.append(UInt32(i)); endOfRecord = true } }
                    else if buf[i] == lf { line += 1; i += 1; endOfRecord = true; endsAtLineBreak = true }
                    else if buf[i] == cr { line += 1; i += (i + 1 < n && buf[i + 1] == lf) ? 2 : 1; endOfRecord = true; endsAtLineBreak = true }
                    else {
                        let found = buf[i] < 0x80 && buf[i] >= 0x20 ? "'\(Character(UnicodeScalar(buf[i])))'" : "byte 0x\(String(buf[i], radix: 16))"
                        throw CSVError(line: line, reason: .characterAfterQuote(found: found))
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
                    else if buf[i] == lf { line += 1; i += 1; endOfRecord = true; endsAtLineBreak = true }
                    else { line += 1; i += (i + 1 < n && buf[i + 1] == lf) ? 2 : 1; endOfRecord = true; endsAtLineBreak = true }
                }
            }
            let fields = record.count / 2
            if let header {
                guard fields == header.count else {
                    throw CSVError(line: recordLine, reason: .raggedRow(expected: header.count, found: fields))
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
                headerEndsAtLineBreak = endsAtLineBreak
                if moreToCome && !endsAtLineBreak { header = names; return }
                var seen = Set<String>()
                for name in names where !seen.insert(name).inserted {
                    throw CSVError(line: recordLine, reason: .duplicateColumn(name: name))
                }
                header = names
                if headerOnly { return }
                // A guess from the file size, capped at 64 MB: uncapped, one 1 GB line would
                // reserve 2 GB of spans for its four fields. Past the cap, appends grow the array.
                spans.reserveCapacity(min(n / 2, 1 << 24))
            }
        }
    }
}

/// A malformed CSV file: what is wrong and the line where it starts.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based physical line where the offending record or quoted field starts;
    /// nil when the problem concerns the text as a whole.
    public var line: Int?
    /// What is wrong.
    public var reason: Reason

    public init(line: Int?, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    /// The problems the parser reports, alphabetically.
    public enum Reason: Sendable, Equatable {
        /// A quoted field's closing quote is followed by something other than a separator.
        case characterAfterQuote(found: String)
        /// The header names the same column twice.
        case duplicateColumn(name: String)
        /// A record has a different number of fields than the header.
        case raggedRow(expected: Int, found: Int)
        /// The text is too large for the parser's 32-bit offsets.
        case tooLarge
        /// A quoted field is never closed.
        case unterminatedQuote

        /// The problem in words, without location.
        public var message: String {
            switch self {
            case let .characterAfterQuote(found):
                return "unexpected \(found) after a closing quote; a quoted field must end at a comma or line end (write \"\" for a quote inside a field)"
            case let .duplicateColumn(name):
                return "column '\(name)' appears twice in the header"
            case let .raggedRow(expected, found):
                return "record has \(found) field\(found == 1 ? "" : "s"); the header has \(expected)"
            case .tooLarge:
                return "cannot read the file: file larger than 4 GiB"
            case .unterminatedQuote:
                return "a quoted field starting here is never closed"
            }
        }
    }

    /// `line N: message`, or the message alone.
    public var description: String { line.map { "line \($0): \(reason.message)" } ?? reason.message }
}
