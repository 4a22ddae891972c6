/// What a token is. Keywords are their own kinds so that the parser never
/// compares text; identifiers that are not keywords are `identifier`.
public enum TokenKind: String, Hashable, Sendable {
    case identifier
    /// `64`, `2e-5`, `1.5` — always starts with a digit.
    case number
    /// A string literal with its quotes and escapes as written.
    case string
    /// A string that reaches the end of the line or file without its closing quote.
    case unterminatedString
    /// `#` to the end of the line (without the line break).
    case comment
    /// One line break (`\n` or `\r\n`). Settings are one per line, so line
    /// breaks are tokens; inside `()`, `[]` and record `{}` the parser skips them.
    case newline

    case keywordTrue = "true"
    case keywordFalse = "false"
    case keywordAnd = "and"
    case keywordOr = "or"
    case keywordNot = "not"
    case keywordWhere = "where"

    case leftBrace = "{"
    case rightBrace = "}"
    case leftParen = "("
    case rightParen = ")"
    case leftBracket = "["
    case rightBracket = "]"
    case comma = ","
    case colon = ":"
    case dot = "."
    case equal = "="
    case equalEqual = "=="
    case bangEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case plus = "+"
    case minus = "-"
    case star = "*"
    case slash = "/"

    /// Bytes that start no token: a stray character, a control character or
    /// invalid UTF-8. A run of such bytes is one token.
    case invalid
    /// The zero-length token every token stream ends with.
    case eof

    /// True for `true`, `false`, `and`, `or`, `not`, `where`.
    public var isKeyword: Bool {
        switch self {
        case .keywordTrue, .keywordFalse, .keywordAnd, .keywordOr, .keywordNot, .keywordWhere: true
        default: false
        }
    }

    /// The opening bracket this kind closes, if it is a closing bracket.
    public var matchingOpener: TokenKind? {
        switch self {
        case .rightBrace: .leftBrace
        case .rightParen: .leftParen
        case .rightBracket: .leftBracket
        default: nil
        }
    }

    /// The closing bracket for an opening bracket.
    public var matchingCloser: TokenKind? {
        switch self {
        case .leftBrace: .rightBrace
        case .leftParen: .rightParen
        case .leftBracket: .rightBracket
        default: nil
        }
    }
}

/// A token: a kind plus a byte range into its `SourceFile`. No text is copied.
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var span: Span

    public init(_ kind: TokenKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }
}
