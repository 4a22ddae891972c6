import Foundation

/// JSON Lines as a data-set format: one flat JSON object per line. The one reader
/// of its records and columns, shared by `ftx check` (which must see exactly the
/// columns `run` will) and the runtime's loader.
///
/// A UTF-8 byte-order mark is skipped; blank lines (spaces, tabs, CR) are skipped;
/// every other line must parse (strictly, `JSONParser`) as an object. Columns are
/// the keys in order of first appearance: the first object's keys as written, then
/// any new keys of later lines.
public enum JSONLinesRecords {
    /// Why a line is not a record; `line` is 1-based.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let detail: String
        public var description: String { "line \(line): \(detail)" }
    }

    /// Calls `body` with each record's 1-based line number and members, in file order.
    public static func forEach(in buf: UnsafeBufferPointer<UInt8>,
                               _ body: (_ line: Int, _ members: [(key: String, value: JSONValue)]) throws -> Void) throws {
        var i = 0
        if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
        var line = 0
        while i < buf.count {
            line += 1
            var end = i
            while end < buf.count, buf[end] != 0x0A { end += 1 }
            let start = i
            i = end + 1
            var s = start
            while s < end, buf[s] == 0x20 || buf[s] == 0x09 || buf[s] == 0x0D { s += 1 }
            if s == end { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes: UnsafeBufferPointer(rebasing: buf[start..<end])) } catch {
                let detail = (error as? JSONParseError).map { "\($0.message) (column \($0.offset + 1))" } ?? "\(error)"
                throw Failure(line: line, detail: detail)
            }
            guard let members = value.objectValue else { throw Failure(line: line, detail: "expected an object {…} on each line") }
            try body(line, members)
        }
    }

    /// A member's value as a table cell's text: strings keep their text, numbers a decimal
    /// that round-trips them, booleans become `true`/`false`; nil for `null` (a missing
    /// value) and for an array or object, which are not cells (the runtime rejects them).
    public static func cellText(_ v: JSONValue) -> String? {
        switch v {
        case .null, .array, .object: return nil
        case let .bool(b): return b ? "true" : "false"
        case let .int(n): return String(n)
        case let .double(d): return d.description
        case let .float(f): return Double(f).description
        case let .string(str): return str
        }
    }

    /// The columns of a JSON Lines file's bytes, in order of first appearance.
    public static func columns(of bytes: [UInt8]) throws -> [String] {
        var columns: [String] = [], seen = Set<String>()
        try bytes.withUnsafeBufferPointer { buf in
            try forEach(in: buf) { _, members in
                for (key, _) in members where seen.insert(key).inserted { columns.append(key) }
            }
        }
        return columns
    }
}
