import DSL
import Foundation

/// Data references and `where` filters (`digits where label >= 5`): the data declaration
/// looked up, the condition resolved to a tree of calls over columns, numbers and strings,
/// and each column checked against the file's header. Separate: conditions are their own
/// small expression language.
extension CheckerRun {
    func resolveDataset(_ expr: Expr, what: String, example: String?) -> Value? {
        switch expr.kind {
        case .reference(let dotted) where dotted.parts.count == 1:
            guard let name = lookUp(.data, dotted.parts[0]) else { return nil }
            return Value(.symbol(name), span: expr.span)
        case .filter(let base, let condition):
            guard case .reference(let dotted) = base.kind, dotted.parts.count == 1 else {
                mismatch(base, what: what, expected: "the name of a data declaration", example: example)
                return nil
            }
            guard let name = lookUp(.data, dotted.parts[0]) else { return nil }
            guard let c = resolveCondition(condition, data: checkedData[name]) else { return nil }
            return Value(.call(name: "where", positional: [Value(.symbol(name), span: base.span), c], named: []), span: expr.span)
        case .invalid:
            return nil
        default:
            mismatch(expr, what: what, expected: ValueType.dataset.text, example: example)
            return nil
        }
    }

    func resolveCondition(_ expr: Expr, data: CheckedData?) -> Value? {
        switch expr.kind {
        case .binary(let op, let l, let r) where op == .and || op == .or:
            let a = resolveCondition(l, data: data), b = resolveCondition(r, data: data)
            guard let a, let b else { return nil }
            return Value(.call(name: op.rawValue, positional: [a, b], named: []), span: expr.span)
        case .unary(.not, let operand):
            guard let c = resolveCondition(operand, data: data) else { return nil }
            return Value(.call(name: "not", positional: [c], named: []), span: expr.span)
        case .binary(let op, let l, let r) where op.precedence == 3:
            let a = resolveOperand(l, data: data), b = resolveOperand(r, data: data)
            guard let a, let b else { return nil }
            return Value(.call(name: op.rawValue, positional: [a, b], named: []), span: expr.span)
        case .invalid:
            return nil
        default:
            emit(CheckerDiagnostics.typeMismatch(what: "a `where` filter", expected: "a condition on columns", found: describe(expr), example: "digits where label >= 5", span: expr.span))
            return nil
        }
    }

    func resolveOperand(_ expr: Expr, data: CheckedData?) -> Value? {
        switch expr.kind {
        case .reference(let dotted) where dotted.parts.count == 1:
            let column = dotted.text
            if let data, let columns = data.columns, !columns.contains(column) {
                emit(CheckerDiagnostics.columnNotFound(column: column, data: data.name, file: data.path, columns: columns,
                                                       suggestion: Suggestions.closest(to: column, in: columns), quoted: false, span: expr.span))
                return nil
            }
            return Value(.symbol(column), span: expr.span)
        case .string(let s):
            return Value(.string(s), span: expr.span)
        case .invalid:
            return nil
        default:
            guard let n = evaluateNumber(expr, what: "a `where` filter", expected: "a column, number or string", example: "label >= 5") else { return nil }
            return Value(.number(n), span: expr.span)
        }
    }
}
