import DSL
import Plan
import Support

/// Where one resolved setting of a trial got its value: written in a declaration,
/// inherited, the schema's default, a checker rule, a sweep axis, or the planner
/// (replicates, upstream trials). Built from the `ValueOrigin` each value carries.
public struct SettingOrigin: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Written in the declaration that applies (`stage probe`, `model minilm`, `data glosses`).
        case declared
        /// Written in another declaration and reaching the trial from there (`experiment`'s
        /// `seed`, the `model` of the stage `init` names).
        case inherited
        /// The language schema's default: nothing was written.
        case `default`
        /// Filled in by a rule of the checker (`detail` says which).
        case derived
        /// A value of a sweep axis (`sweep` says which).
        case swept
        /// Drawn by a random sweep's generator inside a swept value.
        case drawn
        /// A replicate of `repeat`: the point's seed plus the replicate.
        case replicate
        /// Chosen by the planner: the upstream trial, or the rank of a `top(k)` selection.
        case planned
    }

    public var kind: Kind
    /// The declaration whose text holds the value (`stage probe`, `experiment glosses`), when it is written.
    public var declaration: String?
    /// Where it is written: its key (or argument label), else the value; a sweep axis's line for swept values.
    public var span: Span?
    /// Where the value itself is written, when that is not `span` (an element of a sweep axis's list).
    public var valueSpan: Span?
    /// The setting it comes through, when inherited along `init`.
    public var via: Span?
    /// The sweep axis and point, for swept and drawn values.
    public var sweep: SweepDraw?
    /// Words for what has no place in the file: `betas` of `adamw`, a rule, a generator, a replicate.
    public var detail: String?
    /// For a swept value: where the stage's own value, which the sweep replaces, is written.
    public var replaces: Span?

    public init(kind: Kind, declaration: String? = nil, span: Span? = nil, valueSpan: Span? = nil, via: Span? = nil,
                sweep: SweepDraw? = nil, detail: String? = nil) {
        self.kind = kind
        self.declaration = declaration
        self.span = span
        self.valueSpan = valueSpan
        self.via = via
        self.sweep = sweep
        self.detail = detail
    }

    // MARK: Text

    /// One line, as `ftx explain` prints it after `←`: ``29:3 in stage `probe` ``,
    /// `sweep grid, axis optimizer.lr at 38:5, value 2 of 3`, `default`.
    public func summary(in file: SourceFile) -> String {
        func at(_ span: Span) -> String {
            let l = file.location(of: span.start)
            return "\(l.line):\(l.column)"
        }
        switch kind {
        case .declared:
            return [span.map(at), declaration.map { "in \($0)" }].compactMap { $0 }.joined(separator: " ")
        case .inherited:
            var text = [span.map(at), declaration.map { "in \($0)" }].compactMap { $0 }.joined(separator: " ")
            if let via { text += ", inherited through `init` (\(at(via)))" } else { text += ", inherited" }
            return text
        case .default:
            return "default"
        case .derived:
            return detail ?? "derived"
        case .swept, .drawn:
            guard let sweep else { return detail ?? "sweep" }
            var text = "sweep \(sweep.kind), axis \(sweep.axis) at \(at(sweep.axisSpan)), "
            text += sweep.generator == nil ? "value \(sweep.index) of \(sweep.count)" : "draw \(sweep.index) of \(sweep.count)"
            if kind == .drawn, let detail { text += ", drawn from \(detail)" }
            return text
        case .replicate, .planned:
            return detail ?? kind.rawValue
        }
    }

    /// A few sentences, for `ftx explain FILE TRIAL SETTING`: the summary spelled out,
    /// with the source lines it points at.
    public func explanation(in file: SourceFile) -> [String] {
        func at(_ span: Span) -> String {
            let l = file.location(of: span.start)
            return "\(file.path):\(l.line):\(l.column)"
        }
        func quote(_ span: Span) -> String {
            let line = file.lineIndex(of: span.start)
            let text = file.text(Span(start: file.lineRange(line).lowerBound, end: file.lineRange(line).upperBound))
            return "    | " + text.trimmingCharacters(in: .whitespaces)
        }
        var lines: [String] = []
        switch kind {
        case .declared:
            if let span {
                lines.append("written in \(declaration ?? "the file") at \(at(span))")
                lines.append(quote(span))
            }
        case .inherited:
            if let span {
                lines.append("written in \(declaration ?? "another declaration") at \(at(span))")
                lines.append(quote(span))
            }
            if let via {
                lines.append("and inherited through `init` at \(at(via)): a stage without its own setting trains with its `init` stage's")
                lines.append(quote(via))
            } else {
                lines.append("and inherited: a stage without its own setting takes the experiment's")
            }
        case .default:
            lines.append("not written: the language's default" + (detail.map { " for \($0)" } ?? "") + " (docs/LANGUAGE.md)")
        case .derived:
            lines.append("not written: " + (detail ?? "derived by the checker"))
        case .swept, .drawn:
            if let sweep {
                let which = sweep.generator.map { "draw \(sweep.index) of the \(sweep.count) trials of the block, from `\($0)`" }
                    ?? "value \(sweep.index) of the axis's \(sweep.count)"
                lines.append("set by sweep block \(sweep.block) (`sweep \(sweep.kind)`, \(at(sweep.blockSpan))), axis `\(sweep.axis)`: \(which)")
                lines.append(quote(sweep.axisSpan))
            }
            if kind == .drawn, let detail { lines.append("drawn from `\(detail)` inside the swept value") }
            if let valueSpan, kind == .swept, sweep?.generator == nil {
                lines.append("the value is written at \(at(valueSpan))")
            }
            if let replaces {
                lines.append("it replaces the stage's own value, written at \(at(replaces))")
                lines.append(quote(replaces))
            }
        case .replicate, .planned:
            lines.append(detail ?? kind.rawValue)
            if let span {
                lines.append("written at \(at(span))")
                lines.append(quote(span))
            }
        }
        return lines
    }

    // MARK: JSON

    /// The `origin` object of `ftx explain --json` (docs/CLI.md): `kind`, `summary`,
    /// and those of `declaration`, `line`/`column` (of `span`), `value_line`/`value_column`,
    /// `via` (`{line, column}`), `sweep` (`{block, kind, axis, index, count, generator}`)
    /// `detail` and `replaces` (`{line, column}`) that apply.
    public func jsonValue(in file: SourceFile) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("kind", .string(kind.rawValue)), ("summary", .string(summary(in: file)))]
        if let declaration { members.append(("declaration", .string(declaration))) }
        if let span {
            let l = file.location(of: span.start)
            members += [("line", .int(l.line)), ("column", .int(l.column))]
        }
        if let valueSpan {
            let l = file.location(of: valueSpan.start)
            members += [("value_line", .int(l.line)), ("value_column", .int(l.column))]
        }
        if let via {
            let l = file.location(of: via.start)
            members.append(("via", .object([("line", .int(l.line)), ("column", .int(l.column))])))
        }
        if let sweep {
            var s: [(key: String, value: JSONValue)] = [("block", .int(sweep.block)), ("kind", .string(sweep.kind)), ("axis", .string(sweep.axis)),
                                                        ("index", .int(sweep.index)), ("count", .int(sweep.count))]
            s.append(("generator", sweep.generator.map { .string($0) } ?? .null))
            members.append(("sweep", .object(s)))
        }
        if let detail { members.append(("detail", .string(detail))) }
        if let replaces {
            let l = file.location(of: replaces.start)
            members.append(("replaces", .object([("line", .int(l.line)), ("column", .int(l.column))])))
        }
        return .object(members)
    }
}
