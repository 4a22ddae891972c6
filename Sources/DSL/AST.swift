/// The syntax tree of a `.ftx` file. Every node carries its source span; the
/// parser builds it, the checker gives it meaning, the formatter prints it.
///
/// The grammar is uniform: a file is a list of sections, a section is
/// `keyword [label] { items }`, an item is a `key = value` setting or a nested
/// section. `experiment digits {…}`, `schedule {…}` and `sweep grid {…}` are all
/// sections; what each may hold is the checker's business, not the parser's.

/// A name as written, with its span.
public struct Identifier: Hashable, Sendable {
    public var name: String
    public var span: Span

    public init(_ name: String, span: Span) {
        self.name = name
        self.span = span
    }
}

/// `a.b.c` — a setting key or a reference.
public struct DottedName: Hashable, Sendable {
    public var parts: [Identifier]

    public init(_ parts: [Identifier]) { self.parts = parts }

    public var text: String { parts.map(\.name).joined(separator: ".") }
    public var span: Span {
        guard let first = parts.first, let last = parts.last else { return Span(start: 0, end: 0) }
        return first.span.merged(with: last.span)
    }
}

/// The whole file.
public struct SourceUnit: Sendable {
    public var sections: [Section]
    /// Every comment in the file, in order; the formatter re-attaches them.
    public var comments: [Comment]
    /// Where the file ends (for diagnostics at end of input).
    public var endOffset: Int

    public init(sections: [Section], comments: [Comment], endOffset: Int) {
        self.sections = sections
        self.comments = comments
        self.endOffset = endOffset
    }
}

/// A `#` comment; `span` covers the `#` to the end of the line.
public struct Comment: Hashable, Sendable {
    public var text: String
    public var span: Span

    public init(text: String, span: Span) {
        self.text = text
        self.span = span
    }
}

/// `keyword [label] { items }`: `stage finetune {…}`, `schedule {…}`,
/// `sweep random(trials: 16, seed: 3) {…}`.
public struct Section: Sendable {
    public var keyword: Identifier
    /// The name or argument after the keyword: `finetune`, `grid`, `random(trials: 16)`.
    public var label: Expr?
    public var items: [Item]
    /// From the keyword to the closing brace.
    public var span: Span
    /// The span of `{ … }`.
    public var bodySpan: Span

    public init(keyword: Identifier, label: Expr?, items: [Item], span: Span, bodySpan: Span) {
        self.keyword = keyword
        self.label = label
        self.items = items
        self.span = span
        self.bodySpan = bodySpan
    }

    /// The label as a plain name, when it is one (`stage finetune`).
    public var name: Identifier? {
        if case .reference(let dotted)? = label?.kind, dotted.parts.count == 1 { return dotted.parts[0] }
        return nil
    }
}

/// One entry of a section body.
public enum Item: Sendable {
    case setting(Setting)
    case section(Section)

    public var span: Span {
        switch self {
        case .setting(let s): s.span
        case .section(let s): s.span
        }
    }
}

/// `key = value`, where the key may be dotted (`optimizer.lr = [...]` in a sweep).
public struct Setting: Sendable {
    public var key: DottedName
    public var value: Expr
    public var span: Span

    public init(key: DottedName, value: Expr, span: Span) {
        self.key = key
        self.value = value
        self.span = span
    }
}

/// An expression with its span.
public indirect enum ExprKind: Sendable {
    /// A number as written (`text` keeps the spelling; `value` is what it means).
    case number(value: Double, text: String)
    /// A number with a unit: `2 epochs`, `100 steps`.
    case quantity(value: Expr, unit: Identifier)
    case string(String)
    case bool(Bool)
    /// An identifier or dotted reference: `relu`, `valid.accuracy`, `pretrain`.
    case reference(DottedName)
    case list([Expr])
    case record([RecordField])
    /// `callee(positional, name: value)`.
    case call(callee: DottedName, arguments: [Argument])
    case unary(op: UnaryOperator, operand: Expr)
    case binary(op: BinaryOperator, lhs: Expr, rhs: Expr)
    /// `base where condition`.
    case filter(base: Expr, condition: Expr)
    /// A placeholder the parser puts where an expression was expected but not found.
    case invalid
}

public struct Expr: Sendable {
    public var kind: ExprKind
    public var span: Span

    public init(_ kind: ExprKind, span: Span) {
        self.kind = kind
        self.span = span
    }
}

/// `name: value` inside a record.
public struct RecordField: Sendable {
    public var name: Identifier
    public var value: Expr

    public init(name: Identifier, value: Expr) {
        self.name = name
        self.value = value
    }
}

/// A call argument, positional when `label` is nil.
public struct Argument: Sendable {
    public var label: Identifier?
    public var value: Expr

    public init(label: Identifier?, value: Expr) {
        self.label = label
        self.value = value
    }

    public var span: Span { label.map { $0.span.merged(with: value.span) } ?? value.span }
}

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "not"
}

/// Binary operators, loosest first: `or`, `and`, comparisons, `+ -`, `* /`.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case or = "or"
    case and = "and"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"

    /// Higher binds tighter.
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: 3
        case .add, .subtract: 4
        case .multiply, .divide: 5
        }
    }
}
