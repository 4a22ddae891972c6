import DSL
import Support

/// An LSP position: a 0-based line and a 0-based column in UTF-16 code units,
/// as the protocol counts them (an emoji is two, "数" one, "é" one).
struct LSPPosition: Equatable {
    var line: Int
    var character: Int

    init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    /// From `{"line": L, "character": C}`.
    init?(_ json: JSONValue?) {
        guard let line = json?["line"]?.intValue, let character = json?["character"]?.intValue else { return nil }
        self.init(line: line, character: character)
    }

    var json: JSONValue { ["line": .int(line), "character": .int(character)] }
}

/// Conversions between byte offsets (what spans hold) and LSP positions, done only
/// at the edge of the server, line by line from the file's line-start table.
extension SourceFile {
    /// The position of byte `offset` (clamped to the file; inside a multi-byte
    /// character it means the character's start).
    func position(of offset: Int) -> LSPPosition {
        let clamped = min(max(0, offset), bytes.count)
        let line = lineIndex(of: clamped)
        // Text from the client is valid UTF-8: a scalar is one UTF-16 unit per lead byte,
        // two for the 4-byte leads (0xF0…). A tight loop, so long lines stay cheap.
        var units = 0
        for i in lineStarts[line]..<clamped {
            let b = bytes[i]
            if b & 0xC0 != 0x80 { units += b >= 0xF0 ? 2 : 1 }
        }
        return LSPPosition(line: line, character: units)
    }

    /// The byte offset of `position`; a line past the end means the end of the file,
    /// a column past the end of its line the end of the line (the protocol's rule).
    func offset(of position: LSPPosition) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < lineStarts.count else { return bytes.count }
        let range = lineRange(position.line)
        var units = 0
        var i = range.lowerBound
        while i < range.upperBound, units < position.character {
            let length = UTF8Scan.sequenceLength(bytes, at: i)
            units += length == 4 ? 2 : 1
            i = min(i + length, range.upperBound)
        }
        return i
    }

    /// `{"start": …, "end": …}` of a span.
    func range(of span: Span) -> JSONValue {
        ["start": position(of: span.start).json, "end": position(of: span.end).json]
    }

    /// The span of an LSP range, nil when malformed.
    func span(of range: JSONValue?) -> Span? {
        guard let start = LSPPosition(range?["start"]), let end = LSPPosition(range?["end"]) else { return nil }
        return Span(start: offset(of: start), end: offset(of: end))
    }
}
