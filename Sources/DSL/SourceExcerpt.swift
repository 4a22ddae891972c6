/// One source line prepared for display under a diagnostic: tabs expanded,
/// control characters and invalid UTF-8 replaced, a 200 KB line cut to a
/// window around the marked span, and byte offsets mapped to display cells
/// so carets land under the right characters.
struct SourceExcerpt {
    /// The text to print after the gutter.
    var text = ""
    /// Display cells of `text`.
    var width = 0
    private var firstByte = 0
    private var lastByte = 0
    /// For each byte offset in `firstByte...lastByte`, the display cell where
    /// the character holding it starts (`cellEnds` where it ends).
    private var cellStarts: [Int] = []
    private var cellEnds: [Int] = []

    static let tabWidth = 4
    /// Lines longer than this many bytes are cut around the focus.
    static let maxBytes = 160
    static let contextBefore = 60

    /// The line `range` of `bytes`, cut around `focus` when too long.
    init(bytes: [UInt8], line range: Range<Int>, focus: Int) {
        var start = range.lowerBound
        var end = range.upperBound
        if end - start > SourceExcerpt.maxBytes {
            start = max(range.lowerBound, min(focus, range.upperBound) - SourceExcerpt.contextBefore)
            end = min(range.upperBound, start + SourceExcerpt.maxBytes)
            while start > range.lowerBound, start < bytes.count, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            while end < range.upperBound, bytes[end] & 0xC0 == 0x80 { end += 1 }
        }
        firstByte = start
        lastByte = end
        cellStarts = Array(repeating: 0, count: end - start + 1)
        cellEnds = Array(repeating: 0, count: end - start + 1)
        if start > range.lowerBound { append("…", cells: 1) }
        var i = start
        while i < end {
            let cell = width
            let length: Int
            if let (scalar, n) = UTF8Scan.scalar(bytes, at: i), i + n <= end {
                length = n
                switch scalar.value {
                case 0x09:
                    let spaces = SourceExcerpt.tabWidth - width % SourceExcerpt.tabWidth
                    append(String(repeating: " ", count: spaces), cells: spaces)
                case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                    append("\u{FFFD}", cells: 1)
                default:
                    var s = ""
                    s.unicodeScalars.append(scalar)
                    append(s, cells: SourceExcerpt.cells(scalar))
                }
            } else {
                length = 1
                append("\u{FFFD}", cells: 1)
            }
            for k in i..<min(end, i + length) {
                cellStarts[k - start] = cell
                cellEnds[k - start] = width
            }
            i += length
        }
        cellStarts[end - start] = width
        cellEnds[end - start] = width
        if end < range.upperBound { append("…", cells: 1) }
    }

    private mutating func append(_ s: String, cells: Int) {
        text += s
        width += cells
    }

    /// Display cells a scalar takes in a terminal: 0 for combining marks,
    /// 2 for East Asian wide characters and emoji, 1 otherwise.
    static func cells(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F, 0x20D0...0x20FF: return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default: return 1
        }
    }

    /// The cells to underline for bytes `span` (clipped to the window); a
    /// zero-length span gets one cell where it points.
    func underline(_ span: Span) -> (column: Int, count: Int) {
        let s = min(max(span.start, firstByte), lastByte) - firstByte
        let e = min(max(span.end, firstByte), lastByte) - firstByte
        let startCell = cellStarts[s]
        var endCell = e > s ? cellEnds[e - 1] : startCell
        if endCell <= startCell { endCell = startCell + 1 }
        return (startCell, endCell - startCell)
    }
}
