import Foundation
import Plan
import Support

/// A CSV or JSON Lines file read a few megabytes at a time, each piece parsed by the
/// readers training uses (`CSVReader`, `JSONLReader`: the same fields, numbers and errors)
/// into a `RecordTable`, so a file larger than memory is predicted in bounded memory.
///
/// Pieces end at record boundaries: a CSV scanner that knows quoted fields (a quoted line
/// break does not end a record) or, for JSON Lines, a line break. A CSV piece is parsed
/// with the file's header record in front of it. Row indices and line numbers are the
/// file's (`firstRow` + the table's row; `line(_:ofRow:)`), as if the file were read whole.
public final class RecordChunks {
    /// The file, as named in errors.
    public let path: String
    /// Whether the file is JSON Lines (by extension `.jsonl`, `.ndjson`, `.json`), else CSV.
    public let isJSONLines: Bool
    private let handle: FileHandle
    private let chunkBytes: Int
    private var pending: [UInt8] = []
    private var atEnd = false
    private var header: [UInt8] = []
    private var headerLines = 0
    /// The file's physical line (1-based) at `pending`'s first byte.
    private var nextLine = 1
    private var rowsBefore = 0

    /// One parsed piece: its table, the file's 0-based data row of its row 0, and its line mapping.
    public struct Chunk {
        public var table: RecordTable
        public var firstRow: Int
        let lineShift: Int
        /// The file's 1-based line where the piece's row `row` starts.
        public func line(ofRow row: Int) -> Int { table.line(ofRow: row) + lineShift }
    }

    /// Opens `path`; `chunkBytes` is the size of a piece (at least one record is always read whole).
    public init(path: String, chunkBytes: Int = 4 << 20) throws {
        self.path = path
        let ext = (path as NSString).pathExtension.lowercased()
        isJSONLines = ["jsonl", "ndjson", "json"].contains(ext)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(path: path, reason: .unreadable(detail: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"))
        }
        self.handle = handle
        self.chunkBytes = max(chunkBytes, 1024)
        if !isJSONLines { try readHeader() }
    }

    deinit { try? handle.close() }

    /// The CSV header's column names (nil for JSON Lines, whose columns are per line).
    public private(set) var columns: [String]?

    private func fill(_ minimum: Int) throws {
        while !atEnd && pending.count < minimum {
            let data: Data
            do { data = try handle.read(upToCount: chunkBytes) ?? Data() } catch {
                throw DataError(path: path, reason: .unreadable(detail: "\(error)"))
            }
            if data.isEmpty { atEnd = true } else { pending.append(contentsOf: data) }
        }
    }

    /// Reads the header record (which a quoted name may spread over several lines).
    private func readHeader() throws {
        var want = 64 << 10
        while true {
            try fill(want)
            let bom = pending.count >= 3 && pending[0] == 0xEF && pending[1] == 0xBB && pending[2] == 0xBF
            if let end = Self.recordEnd(in: pending, startingAt: bom ? 3 : 0, stopAtFirst: true, atEnd: atEnd) {
                header = Array(pending[..<end])
                pending.removeFirst(end)
                break
            }
            if atEnd { header = pending; pending = []; break }
            want = pending.count * 2
        }
        headerLines = Self.lineBreaks(in: header[...])
        nextLine = 1 + headerLines
        columns = try CSVReader.parse(bytes: header, path: path).header
    }

    /// The next piece, or nil at the end of the file. Throws `DataError` (with the file's line) for malformed text.
    public func next() throws -> Chunk? {
        while true {
            try fill(chunkBytes)
            if pending.isEmpty { return nil }
            var cut = atEnd ? pending.count : nil
            if !atEnd {
                cut = isJSONLines ? pending.lastIndex(of: 0x0A).map { $0 + 1 }
                                  : Self.recordEnd(in: pending, startingAt: 0, stopAtFirst: false, atEnd: false)
            }
            guard let end = cut else {
                // One record longer than a piece: read more.
                let before = pending.count
                try fill(before + chunkBytes)
                if pending.count == before { atEnd = true }
                continue
            }
            let piece = Array(pending[..<end])
            pending.removeFirst(end)
            let startLine = nextLine
            nextLine += Self.lineBreaks(in: piece[...])
            let table: RecordTable
            let shift: Int
            if isJSONLines {
                guard piece.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else { continue }
                shift = startLine - 1
                do { table = try JSONLReader.parse(bytes: piece, path: path) } catch var e as DataError {
                    if let l = e.line { e.line = l + shift }
                    throw e
                }
            } else {
                shift = startLine - (headerLines + 1)
                do { table = try CSVReader.parse(bytes: header + piece, path: path) } catch var e as DataError {
                    if let l = e.line { e.line = l + shift }
                    throw e
                }
            }
            let chunk = Chunk(table: table, firstRow: rowsBefore, lineShift: shift)
            rowsBefore += table.rowCount
            if table.rowCount == 0 { continue }
            return chunk
        }
    }

    /// Physical lines in `bytes` as `CSVRecords` counts them: LF, CRLF and a lone CR each end one.
    static func lineBreaks(in bytes: ArraySlice<UInt8>) -> Int {
        var n = 0
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0A { n += 1 } else if bytes[i] == 0x0D, !(i + 1 < bytes.endIndex && bytes[i + 1] == 0x0A) { n += 1 }
            i += 1
        }
        return n
    }

    /// The end (one past the line break) of the first (`stopAtFirst`) or last complete CSV
    /// record in `bytes` from `start`, a record start; nil when none ends within `bytes`.
    /// A CR at the very end (not `atEnd`) may be half of CRLF, so it does not end a record yet.
    static func recordEnd(in bytes: [UInt8], startingAt start: Int, stopAtFirst: Bool, atEnd: Bool) -> Int? {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart
        var last: Int?
        var i = start
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch state {
            case .quoted:
                if b == 0x22 { state = .quoteInQuoted }
            case .fieldStart, .unquoted, .quoteInQuoted:
                if b == 0x22 && state == .fieldStart { state = .quoted }
                else if b == 0x22 && state == .quoteInQuoted { state = .quoted }
                else if b == 0x2C { state = .fieldStart }
                else if b == 0x0A || b == 0x0D {
                    var end = i + 1
                    if b == 0x0D {
                        if i + 1 < n { if bytes[i + 1] == 0x0A { end = i + 2 } } else if !atEnd { return last }
                    }
                    last = end
                    if stopAtFirst { return end }
                    state = .fieldStart
                    i = end
                    continue
                } else { state = .unquoted }
            }
            i += 1
        }
        return last
    }
}
