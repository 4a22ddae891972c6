import Support

/// A compact, deterministic text form of the syntax tree, for tests and
/// debugging: `(setting optimizer.lr (list (number 3e-4) …))`. Without spans
/// it compares two trees for meaning-preserving edits (the formatter's tests);
/// with spans it pins where every node is.
extension SourceUnit {
    /// One line per section and item, nested by indentation.
    public func dump(spans: Bool = false) -> String {
        var out = ""
        for section in sections { ASTDump.section(section, spans: spans, indent: 0, into: &out) }
        return out
    }
}

extension Expr {
    /// The expression as an S-expression.
    public func dump(spans: Bool = false) -> String {
        var out = ""
        ASTDump.expr(self, spans: spans, into: &out)
        return out
    }
}

enum ASTDump {
    static func span(_ span: Span, _ on: Bool) -> String { on ? "@\(span.start)-\(span.end)" : "" }

    static func section(_ section: Section, spans: Bool, indent: Int, into out: inout String) {
        out += String(repeating: "  ", count: indent)
        out += "(section\(span(section.span, spans)) \(section.keyword.name)\(span(section.keyword.span, spans))"
        if let label = section.label {
            out += " "
            expr(label, spans: spans, into: &out)
        }
        out += "\n"
        for item in section.items {
            switch item {
            case .section(let inner):
                ASTDump.section(inner, spans: spans, indent: indent + 1, into: &out)
            case .setting(let setting):
                out += String(repeating: "  ", count: indent + 1)
                out += "(setting\(span(setting.span, spans)) \(dotted(setting.key, spans)) "
                expr(setting.value, spans: spans, into: &out)
                out += ")\n"
            }
        }
        out += String(repeating: "  ", count: indent) + ")\n"
    }

    static func dotted(_ name: DottedName, _ spans: Bool) -> String {
        name.parts.map { $0.name + span($0.span, spans) }.joined(separator: ".")
    }

    static func expr(_ e: Expr, spans: Bool, into out: inout String) {
        out += "("
        switch e.kind {
        case .number(let value, let text):
            out += "number \(text) =\(value)"
        case .quantity(let value, let unit):
            out += "quantity "
            expr(value, spans: spans, into: &out)
            out += " \(unit.name)\(span(unit.span, spans))"
        case .string(let s):
            out += "string \(JSONWriter.quote(s))"
        case .bool(let b):
            out += "bool \(b)"
        case .reference(let name):
            out += "ref \(dotted(name, spans))"
        case .list(let elements):
            out += "list"
            for element in elements {
                out += " "
                expr(element, spans: spans, into: &out)
            }
        case .record(let fields):
            out += "record"
            for field in fields {
                out += " \(field.name.name)\(span(field.name.span, spans)):"
                expr(field.value, spans: spans, into: &out)
            }
        case .call(let callee, let arguments):
            out += "call \(dotted(callee, spans))"
            for argument in arguments {
                out += " "
                if let label = argument.label { out += "\(label.name)\(span(label.span, spans)):" }
                expr(argument.value, spans: spans, into: &out)
            }
        case .unary(let op, let operand):
            out += "\(op.rawValue) "
            expr(operand, spans: spans, into: &out)
        case .binary(let op, let lhs, let rhs):
            out += "\(op.rawValue) "
            expr(lhs, spans: spans, into: &out)
            out += " "
            expr(rhs, spans: spans, into: &out)
        case .filter(let base, let condition):
            out += "where "
            expr(base, spans: spans, into: &out)
            out += " "
            expr(condition, spans: spans, into: &out)
        case .invalid:
            out += "invalid"
        }
        out += ")\(span(e.span, spans))"
    }
}
