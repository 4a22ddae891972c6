/// Turns the bytes of a `SourceFile` into tokens. It never throws or prints:
/// anything it cannot read becomes an `invalid` token (or `unterminatedString`)
/// and lexing resumes after it, so the parser can report every problem in
/// one run. The stream always ends with a zero-length `eof` token.
public struct Lexer {
    private let bytes: [UInt8]
    private var offset = 0
    private var finished = false

    public init(_ file: SourceFile) {
        self.bytes = file.bytes
    }

    /// Every token of `file`, comments and line breaks included, ending with `eof`.
    public static func tokenize(_ file: SourceFile) -> [Token] {
        var lexer = Lexer(file)
        var tokens: [Token] = []
        tokens.reserveCapacity(file.bytes.count / 3 + 1)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }

    /// The next token; `eof` forever once the input is exhausted.
    public mutating func next() -> Token {
        skipBlanks()
        let start = offset
        guard offset < bytes.count else { return Token(.eof, Span(start: start, end: start)) }
        let byte = bytes[offset]
        switch byte {
        case UInt8(ascii: "\n"):
            offset += 1
            return Token(.newline, Span(start: start, end: offset))
        case UInt8(ascii: "\r") where offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "\n"):
            offset += 2
            return Token(.newline, Span(start: start, end: offset))
        case UInt8(ascii: "#"):
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            var end = offset
            if end > start + 1, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            return Token(.comment, Span(start: start, end: end))
        case UInt8(ascii: "\""):
            return lexString()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return lexNumber()
        case _ where Lexer.isIdentifierStart(byte):
            return lexIdentifier()
        default:
            if let kind = punctuation() { return Token(kind, Span(start: start, end: offset)) }
            return lexInvalidRun()
        }
    }

    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == UInt8(ascii: "_")
    }

    static func isIdentifierContinue(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || isDigit(b)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func skipBlanks() {
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                offset += 1
            } else if b == UInt8(ascii: "\r"), !(offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "\n")) {
                offset += 1  // a lone carriage return is blank space
            } else {
                return
            }
        }
    }

    private mutating func lexIdentifier() -> Token {
        let start = offset
        while offset < bytes.count, Lexer.isIdentifierContinue(bytes[offset]) { offset += 1 }
        return Token(Lexer.keyword(bytes[start..<offset]) ?? .identifier, Span(start: start, end: offset))
    }

    private static func keyword(_ word: ArraySlice<UInt8>) -> TokenKind? {
        guard word.count >= 2, word.count <= 5 else { return nil }
        switch String(decoding: word, as: UTF8.self) {
        case "true": return .keywordTrue
        case "false": return .keywordFalse
        case "and": return .keywordAnd
        case "or": return .keywordOr
        case "not": return .keywordNot
        case "where": return .keywordWhere
        default: return nil
        }
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`. A `.` or `e` not followed by a
    /// digit ends the number, so `1.x` is `1`, `.`, `x` and `2epochs` is `2`, `epochs`.
    private mutating func lexNumber() -> Token {
        let start = offset
        skipDigits()
        if offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "."), Lexer.isDigit(bytes[offset + 1]) {
            offset += 1
            skipDigits()
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            var probe = offset + 1
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") { probe += 1 }
            if probe < bytes.count, Lexer.isDigit(bytes[probe]) {
                offset = probe
                skipDigits()
            }
        }
        return Token(.number, Span(start: start, end: offset))
    }

    private mutating func skipDigits() {
        while offset < bytes.count, Lexer.isDigit(bytes[offset]) { offset += 1 }
    }

    /// A string ends at its closing quote; a line break or the end of the file
    /// first makes it `unterminatedString` (covering the text up to there), so
    /// one missing quote does not swallow the rest of the file.
    private mutating func lexString() -> Token {
        let start = offset
        offset += 1
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                offset += 1
                return Token(.string, Span(start: start, end: offset))
            case UInt8(ascii: "\\"):
                offset += 1
                if offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            case UInt8(ascii: "\n"):
                var end = offset
                if end > start + 1, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                return Token(.unterminatedString, Span(start: start, end: end))
            default:
                offset += 1
            }
        }
        return Token(.unterminatedString, Span(start: start, end: offset))
    }

    private mutating func punctuation() -> TokenKind? {
        let b = bytes[offset]
        let next: UInt8 = offset + 1 < bytes.count ? bytes[offset + 1] : 0
        let kind: TokenKind
        var width = 1
        switch b {
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "["): kind = .leftBracket
        case UInt8(ascii: "]"): kind = .rightBracket
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"): kind = .minus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "=") { kind = .equalEqual; width = 2 } else { kind = .equal }
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { kind = .lessEqual; width = 2 } else { kind = .less }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterEqual; width = 2 } else { kind = .greater }
        case UInt8(ascii: "!"):
            guard next == UInt8(ascii: "=") else { return nil }
            kind = .bangEqual; width = 2
        default:
            return nil
        }
        offset += width
        return kind
    }

    /// A run of bytes that start no token, up to the next blank or token start:
    /// one bad word is one diagnostic, not one per byte.
    private mutating func lexInvalidRun() -> Token {
        let start = offset
        repeat {
            offset += UTF8Scan.sequenceLength(bytes, at: offset)
        } while offset < bytes.count && !startsToken(at: offset)
        return Token(.invalid, Span(start: start, end: offset))
    }

    private func startsToken(at i: Int) -> Bool {
        let b = bytes[i]
        if b >= 0x80 { return false }
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
             UInt8(ascii: "#"), UInt8(ascii: "\""):
            return true
        case UInt8(ascii: "!"):
            return i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "=")
        case 0..<0x20, 0x7F:
            return false
        default:
            return Lexer.isIdentifierContinue(b) || "{}()[],:.=<>+-*/".utf8.contains(b)
        }
    }
}

/// Small UTF-8 helpers shared by the lexer, parser and renderer.
public enum UTF8Scan {
    /// The length of the well-formed UTF-8 sequence at `i`, or 1 for a byte that
    /// starts none (so every invalid byte is stepped over alone).
    public static func sequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        scalar(bytes, at: i)?.length ?? 1
    }

    /// The scalar starting at `i` and its length in bytes, or nil when the bytes
    /// at `i` are not well-formed UTF-8 (overlong forms and surrogates included).
    public static func scalar(_ bytes: [UInt8], at i: Int) -> (value: Unicode.Scalar, length: Int)? {
        guard i < bytes.count else { return nil }
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let length: Int
        var value: UInt32
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0: length = 3; value = UInt32(b0 & 0x0F); lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xED: length = 3; value = UInt32(b0 & 0x0F); upper = 0x9F
        case 0xF0: length = 4; value = UInt32(b0 & 0x07); lower = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(b0 & 0x07)
        case 0xF4: length = 4; value = UInt32(b0 & 0x07); upper = 0x8F
        default: return nil
        }
        guard i + length <= bytes.count else { return nil }
        for k in 1..<length {
            let b = bytes[i + k]
            if k == 1 {
                guard b >= lower, b <= upper else { return nil }
            } else {
                guard b >= 0x80, b <= 0xBF else { return nil }
            }
            value = value << 6 | UInt32(b & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// The offset of the first byte in `range` that is not well-formed UTF-8.
    public static func firstInvalid(_ bytes: [UInt8], in range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] < 0x80 { i += 1; continue }
            guard let (_, length) = scalar(bytes, at: i), i + length <= range.upperBound else { return i }
            i += length
        }
        return nil
    }
}
