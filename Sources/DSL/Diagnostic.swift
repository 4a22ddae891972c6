/// How bad a diagnostic is.
public enum Severity: String, Sendable, Comparable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A span with a short message, drawn under the source excerpt.
public struct Label: Hashable, Sendable {
    public var span: Span
    public var message: String

    public init(_ span: Span, _ message: String = "") {
        self.span = span
        self.message = message
    }
}

/// A suggested edit: replace the text of `span` with `replacement`.
public struct FixIt: Hashable, Sendable {
    public var span: Span
    public var replacement: String

    public init(span: Span, replacement: String) {
        self.span = span
        self.replacement = replacement
    }
}

/// One problem found in a source file. Diagnostics are values: the parser and
/// checker create them (through the factories in `DiagnosticMessages`), a
/// renderer turns them into text or JSON.
public struct Diagnostic: Hashable, Sendable {
    public var severity: Severity
    /// A stable code such as `E0101` (`DiagnosticCode` lists them all); tests and scripts key on it.
    public var code: DiagnosticCode
    public var message: String
    public var primary: Label
    public var secondary: [Label]
    public var notes: [String]
    public var help: [String]
    public var fixIts: [FixIt]

    public init(
        severity: Severity = .error,
        code: DiagnosticCode,
        message: String,
        primary: Label,
        secondary: [Label] = [],
        notes: [String] = [],
        help: [String] = [],
        fixIts: [FixIt] = []
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.primary = primary
        self.secondary = secondary
        self.notes = notes
        self.help = help
        self.fixIts = fixIts
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by position then code, with exact repeats removed: one error per mistake.
    public func sortedAndUnique() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return self
            .filter { seen.insert($0).inserted }
            .sorted { ($0.primary.span.start, $0.severity, $0.code) < ($1.primary.span.start, $1.severity, $1.code) }
    }
}
