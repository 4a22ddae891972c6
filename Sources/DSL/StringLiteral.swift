/// Reading and writing string literals: `"a \"b\"\n"`.
/// Escapes are `\"`, `\\`, `\n` and `\t`; a raw tab is allowed, other control
/// characters and line breaks are not.
public enum StringLiteral {
    /// A problem inside a literal, found by `decode`.
    public enum Problem: Hashable, Sendable {
        case invalidEscape(Span)
        case invalidUTF8(Span)
        case controlCharacter(Span)
    }

    /// The value of the literal token at `span` (quotes included; the closing
    /// quote may be missing for an unterminated string), plus any problems.
    /// Unknown escapes are kept as written; invalid UTF-8 becomes U+FFFD.
    public static func decode(_ bytes: [UInt8], _ span: Span) -> (value: String, problems: [Problem]) {
        var i = span.start + 1
        var end = span.end
        if end - 1 > span.start, bytes[end - 1] == UInt8(ascii: "\""), !endsWithEscapedQuote(bytes, span) { end -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(end - i)
        var problems: [Problem] = []
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") {
                guard i + 1 < end else {
                    out.append(b)
                    i += 1
                    continue
                }
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                default:
                    let length = 1 + UTF8Scan.sequenceLength(bytes, at: i + 1)
                    problems.append(.invalidEscape(Span(start: i, end: min(end, i + length))))
                    out.append(contentsOf: bytes[i..<min(end, i + length)])
                    i += length
                    continue
                }
                i += 2
            } else if b < 0x80 {
                if b < 0x20 && b != UInt8(ascii: "\t") || b == 0x7F {
                    problems.append(.controlCharacter(Span(start: i, end: i + 1)))
                }
                out.append(b)
                i += 1
            } else if let (_, length) = UTF8Scan.scalar(bytes, at: i), i + length <= end {
                out.append(contentsOf: bytes[i..<(i + length)])
                i += length
            } else {
                problems.append(.invalidUTF8(Span(start: i, end: i + 1)))
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), problems)
    }

    /// True when the final `"` of the span is escaped (`"abc\"` unterminated).
    private static func endsWithEscapedQuote(_ bytes: [UInt8], _ span: Span) -> Bool {
        var backslashes = 0
        var j = span.end - 2
        while j > span.start, bytes[j] == UInt8(ascii: "\\") {
            backslashes += 1
            j -= 1
        }
        return backslashes % 2 == 1
    }

    /// The canonical literal for `value`: quoted, with `"`, `\`, line breaks and
    /// tabs escaped and everything else written as is.
    public static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
