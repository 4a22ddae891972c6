import DSL
import Foundation

/// Numbers in settings: constant arithmetic folded (`1 / 16`, `-3e-4`) and the result checked
/// against its range. Separate from the per-type dispatch because step counts, generator
/// bounds, loss weights and filters all reduce to these two.
extension CheckerRun {
    /// Folds numeric arithmetic (`1 / 16`, `-3e-4`); reports non-numbers.
    func evaluateNumber(_ expr: Expr, what: @autoclosure () -> String, expected: @autoclosure () -> String, example: String?) -> Double? {
        switch expr.kind {
        case .number(let value, _):
            return value
        case .unary(.negate, let operand):
            return evaluateNumber(operand, what: what(), expected: expected(), example: example).map { -$0 }
        case .binary(let op, let lhs, let rhs) where [.add, .subtract, .multiply, .divide].contains(op):
            let a = evaluateNumber(lhs, what: what(), expected: expected(), example: example)
            let b = evaluateNumber(rhs, what: what(), expected: expected(), example: example)
            guard let a, let b else { return nil }
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            default:
                if b == 0 {
                    emit(CheckerDiagnostics.divisionByZero(span: expr.span))
                    return nil
                }
                return a / b
            }
        case .invalid:
            return nil
        default:
            mismatch(expr, what: what(), expected: expected(), example: example)
            return nil
        }
    }

    func checkRange(_ n: Double, _ range: NumberRange, what: String, span: Span, written: String? = nil) -> Bool {
        if range.contains(n) { return true }
        let expected = ValueType.number(range).text
        emit(CheckerDiagnostics.outOfRange(what: what, value: written ?? Value.format(n), expected: expected, span: span))
        return false
    }
}
