import Foundation

/// A half-open byte range `[start, end)` into one source file.
public struct Span: Hashable, Sendable, Comparable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    public var length: Int { end - start }

    /// The smallest span covering both.
    public func merged(with other: Span) -> Span {
        Span(start: min(start, other.start), end: max(end, other.end))
    }

    public static func < (a: Span, b: Span) -> Bool {
        (a.start, a.end) < (b.start, b.end)
    }
}

/// A line and column, both 1-based; the column counts Unicode scalars.
public struct SourceLocation: Hashable, Sendable {
    public var line: Int
    public var column: Int
}

/// The text of one `.ftx` file plus a line-start table. Tokens and AST nodes
/// hold byte spans; lines and columns are computed only when rendering.
public final class SourceFile: Sendable {
    /// The path as the user gave it; diagnostics print it unchanged.
    public let path: String
    /// The raw bytes. Invalid UTF-8 is kept: the lexer turns it into `invalid` tokens.
    public let bytes: [UInt8]
    /// Byte offset of the first byte of every line.
    public let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// Reads a file from disk; throws the Foundation error if it cannot be read.
    public static func load(path: String) throws -> SourceFile {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SourceFileError.isFolder(path)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SourceFile(path: path, bytes: [UInt8](data))
    }

    /// The 0-based index of the line holding `offset`.
    public func lineIndex(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    public func location(of offset: Int) -> SourceLocation {
        let clamped = min(max(0, offset), bytes.count)
        let line = lineIndex(of: clamped)
        let start = lineStarts[line]
        // Count scalars, not bytes: continuation bytes (10xxxxxx) do not start a column.
        var column = 1
        var i = start
        while i < clamped {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        if clamped < bytes.count, bytes[clamped] & 0xC0 == 0x80 { column = max(1, column - 1) }
        return SourceLocation(line: line + 1, column: column)
    }

    /// The byte range of line `index` (0-based) without its line break.
    public func lineRange(_ index: Int) -> Range<Int> {
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<max(start, end)
    }

    /// The text of a span, with invalid UTF-8 repaired.
    public func text(_ span: Span) -> String {
        let s = min(max(0, span.start), bytes.count)
        let e = min(max(s, span.end), bytes.count)
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// The whole text, with invalid UTF-8 repaired.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Why a path is not a source file.
public enum SourceFileError: Error, LocalizedError, Equatable {
    /// The path names a folder — often `.ftx/`, the store `ftx run` keeps beside an experiment.
    case isFolder(String)

    public var errorDescription: String? {
        switch self {
        case .isFolder(let path):
            let store = (path as NSString).lastPathComponent == ".ftx"
            return "is a folder, not an experiment file" + (store ? " (`.ftx/` is the store `ftx run` keeps beside an experiment)" : "")
        }
    }
}
