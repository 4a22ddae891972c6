/// The `.ftx` parser: tokens in, a `SourceUnit` and syntax diagnostics out.
///
/// It never stops at the first error. After a mistake it reports one
/// diagnostic, then resynchronises — at the next `,` or closing bracket inside
/// a list, call or record, otherwise at the next line or closing `}` — and
/// stays quiet until the next item starts, so a file's every syntax error is
/// reported in one run with no cascades. Nesting is capped at
/// `Parser.maxDepth` so no input can exhaust the stack.
public enum Parser {
    /// How deeply brackets, sections and operators may nest.
    public static let maxDepth = 128
    /// Syntax errors reported per file before the parser stops reporting.
    public static let maxErrors = 100

    /// Parses a whole file. The diagnostics are sorted by position; the unit
    /// is complete even when there are errors (bad values become `.invalid`).
    public static func parse(_ file: SourceFile) -> (SourceUnit, [Diagnostic]) {
        var parser = SyntaxParser(file)
        let unit = parser.parseFile()
        return (unit, parser.diagnostics.sortedAndUnique())
    }
}

/// The parser's state. Extensions in `ParserItems.swift` and
/// `ParserExpressions.swift` hold the grammar; this file holds the token
/// cursor, error reporting and recovery.
struct SyntaxParser {
    let file: SourceFile
    let bytes: [UInt8]
    /// All tokens but comments, ending with `eof`.
    var tokens: [Token] = []
    var comments: [Comment] = []
    var pos = 0
    /// Above zero inside `()`, `[]` and record `{}`, where line breaks are blank.
    var newlinesIgnored = 0
    /// Current nesting of sections, brackets and operators.
    var depth = 0
    /// Set by an error; cleared when the next item starts. While set, further
    /// errors are consequences of the first and are not reported.
    var panicking = false
    var diagnostics: [Diagnostic] = []
    var errorCount = 0
    /// `}` tokens indented less than their section's keyword (see `noteClosingBrace`).
    var suspects: [Span] = []

    init(_ file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
        let all = Lexer.tokenize(file)
        tokens.reserveCapacity(all.count)
        for token in all {
            if token.kind == .comment {
                comments.append(Comment(text: file.text(token.span), span: token.span))
                checkComment(token)
            } else {
                tokens.append(token)
                checkLexical(token)
            }
        }
    }

    // MARK: Token cursor

    /// The current token; skips line breaks while they are blank.
    mutating func peek() -> Token {
        if newlinesIgnored > 0 {
            while tokens[pos].kind == .newline { pos += 1 }
        }
        return tokens[pos]
    }

    /// The kind of the current token.
    mutating func at(_ kind: TokenKind) -> Bool { peek().kind == kind }

    /// Consumes and returns the current token (never moves past `eof`).
    @discardableResult
    mutating func advance() -> Token {
        let token = peek()
        if token.kind != .eof { pos += 1 }
        return token
    }

    /// The raw token `k` places after the current one (line breaks included).
    func raw(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }

    /// True when a line break separates the current token from the one before.
    /// Call after `peek()`.
    var atLineStart: Bool { pos > 0 && tokens[pos - 1].kind == .newline }

    func text(_ token: Token) -> String { file.text(token.span) }

    /// How a token is named in messages: "`lr`", "end of line", "a string".
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .newline: return "end of line"
        case .eof: return "end of file"
        case .string, .unterminatedString: return "a string"
        default:
            var text = file.text(token.span)
            if text.unicodeScalars.count > 24 {
                text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(24))) + "…"
            }
            return "`\(text)`"
        }
    }

    /// A zero-length span where a missing thing belongs: at a line break or
    /// end of file, point just after the previous token.
    func insertionSpan(_ token: Token) -> Span {
        if token.kind == .newline || token.kind == .eof {
            return Span(start: token.span.start, end: token.span.start)
        }
        return token.span
    }

    // MARK: Errors

    /// Reports a syntax error unless an earlier one in this item explains it.
    /// Errors found at an `invalid` token are already reported by the lexical check.
    mutating func report(_ diagnostic: Diagnostic, at found: Token? = nil) {
        defer { panicking = true }
        if panicking { return }
        if let found, found.kind == .invalid || found.kind == .unterminatedString { return }
        append(diagnostic)
    }

    /// Adds a diagnostic regardless of panic mode, up to `Parser.maxErrors`.
    mutating func append(_ diagnostic: Diagnostic) {
        errorCount += 1
        if errorCount <= Parser.maxErrors {
            diagnostics.append(diagnostic)
        } else if errorCount == Parser.maxErrors + 1 {
            diagnostics.append(ParserDiagnostics.tooManyErrors(diagnostic.primary.span, limit: Parser.maxErrors))
        }
    }

    private mutating func checkLexical(_ token: Token) {
        switch token.kind {
        case .invalid:
            if let bad = UTF8Scan.firstInvalid(bytes, in: token.span.start..<token.span.end) {
                append(ParserDiagnostics.invalidUTF8(Span(start: bad, end: bad + 1)))
            } else {
                append(ParserDiagnostics.unexpectedCharacter(token.span, text: printable(file.text(token.span))))
            }
        case .unterminatedString:
            append(ParserDiagnostics.unterminatedString(token.span))
            checkString(token)
        case .string:
            checkString(token)
        default:
            break
        }
    }

    /// Text for a message: control characters as `\u{…}` escapes, long runs cut.
    private func printable(_ text: String) -> String {
        var out = ""
        for (i, scalar) in text.unicodeScalars.enumerated() {
            if i == 24 { return out + "…" }
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private mutating func checkString(_ token: Token) {
        for problem in StringLiteral.decode(bytes, token.span).problems {
            switch problem {
            case .invalidEscape(let span): append(ParserDiagnostics.invalidEscape(span, escape: file.text(span)))
            case .invalidUTF8(let span): append(ParserDiagnostics.invalidUTF8(span))
            case .controlCharacter(let span): append(ParserDiagnostics.controlCharacterInString(span))
            }
        }
    }

    private mutating func checkComment(_ token: Token) {
        if let bad = UTF8Scan.firstInvalid(bytes, in: token.span.start..<token.span.end) {
            append(ParserDiagnostics.invalidUTF8(Span(start: bad, end: bad + 1)))
        }
    }

    // MARK: Depth

    /// Enters one level of nesting; false (after reporting) when too deep.
    mutating func enter(_ span: Span) -> Bool {
        if depth >= Parser.maxDepth {
            report(ParserDiagnostics.nestingTooDeep(span, limit: Parser.maxDepth))
            return false
        }
        depth += 1
        return true
    }

    mutating func leave() { depth -= 1 }

    // MARK: Recovery

    /// Skips the rest of the current line, stepping over bracketed groups
    /// whole. Stops before the line break, before a `}` that closes the
    /// enclosing section, or at end of file. With `toBrace`, also stops before
    /// a `{` outside brackets.
    mutating func skipLine(toBrace: Bool = false) {
        var stack: [TokenKind] = []
        while true {
            let token = tokens[pos]
            switch token.kind {
            case .eof:
                return
            case .newline:
                if stack.isEmpty || startsStatement(at: pos + 1) { return }
            case .leftBrace where toBrace && stack.isEmpty:
                return
            case .leftBrace, .leftParen, .leftBracket:
                stack.append(token.kind)
            case .rightBrace, .rightParen, .rightBracket:
                if let top = stack.last, top.matchingCloser == token.kind {
                    stack.removeLast()
                } else if token.kind == .rightBrace {
                    if stack.isEmpty || !stack.contains(.leftBrace) { return }
                    while let top = stack.popLast(), top != .leftBrace {}
                }
            default:
                break
            }
            pos += 1
        }
    }

    /// Skips a bracketed group from its opener (the current token) to its
    /// matching closer, iteratively, for input nested too deeply to parse.
    mutating func skipGroup() {
        var level = 0
        while true {
            let token = tokens[pos]
            switch token.kind {
            case .eof: return
            case .leftBrace, .leftParen, .leftBracket: level += 1
            case .rightBrace, .rightParen, .rightBracket:
                level -= 1
                if level <= 0 {
                    pos += 1
                    return
                }
            default: break
            }
            pos += 1
        }
    }

    /// Whether the raw tokens from `index` (after blank lines) begin a new
    /// setting or section — `key =`, `a.b =`, `name {`, `keyword name {` — so a
    /// bracket left open on the line before must have been forgotten.
    func startsStatement(at index: Int) -> Bool {
        var i = index
        while i < tokens.count, tokens[i].kind == .newline { i += 1 }
        guard i < tokens.count, tokens[i].kind == .identifier else { return false }
        i += 1
        while i + 1 < tokens.count, tokens[i].kind == .dot, tokens[i + 1].kind == .identifier { i += 2 }
        guard i < tokens.count else { return false }
        switch tokens[i].kind {
        case .equal, .leftBrace: return true
        case .identifier: return i + 1 < tokens.count && tokens[i + 1].kind == .leftBrace
        default: return false
        }
    }

    /// Whether the current line (from the current token) has a `{` outside
    /// brackets before its end: then a bad item is a section with a bad header.
    /// Looks at most a bounded number of tokens ahead so errors stay linear.
    func braceAheadOnLine() -> Bool {
        var level = 0
        var i = pos
        let limit = min(tokens.count, pos + 2_000)
        while i < limit {
            switch tokens[i].kind {
            case .eof, .equal: return false
            case .newline: if level == 0 { return false }
            case .leftBrace: if level == 0 { return true }; level += 1
            case .leftParen, .leftBracket: level += 1
            case .rightParen, .rightBracket, .rightBrace:
                level -= 1
                if level < 0 { return false }
            default: break
            }
            i += 1
        }
        return false
    }

    /// The indentation of a token that starts its line (after a line break or
    /// at the start of the file), or nil when it does not start its line.
    func indentation(ofTokenAt index: Int) -> Int? {
        guard index < tokens.count else { return nil }
        let lineStart: Int
        if index == 0 {
            lineStart = 0
        } else if tokens[index - 1].kind == .newline {
            lineStart = tokens[index - 1].span.end
        } else {
            return nil
        }
        return tokens[index].span.start - lineStart
    }
}
