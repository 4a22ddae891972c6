import DSL
import Foundation

/// Durations in steps (`500 steps`, `2 epochs`, a warm-up fraction `0.1`): the unit spelled
/// canonically (`steps` / `epochs`), a bare number read as steps or as a fraction where the
/// setting allows one. Separate: the only kind that carries and converts a unit.
extension CheckerRun {
    func resolveSteps(_ expr: Expr, fraction: Bool, what: String, example: String?) -> Value? {
        if case .quantity(let amount, let unit) = expr.kind {
            let canonical: String
            switch unit.name {
            case "steps", "step": canonical = "steps"
            case "epochs", "epoch": canonical = "epochs"
            default:
                emit(CheckerDiagnostics.unknownUnit(unit: unit.name, suggestion: Suggestions.closest(to: unit.name, in: LanguageSchema.unitNames + ["step", "epoch"]), span: unit.span))
                return nil
            }
            guard let n = evaluateNumber(amount, what: what, expected: "a count", example: example) else { return nil }
            guard checkRange(n, NumberRange(lower: fraction ? 0 : 1, integer: true), what: what, span: amount.span) else { return nil }
            return Value(.quantity(n, unit: canonical), span: expr.span)
        }
        guard let n = evaluateNumber(expr, what: what, expected: ValueType.steps(fraction: fraction).text, example: example) else { return nil }
        if fraction {
            if n >= 0, n < 1 { return Value(.number(n), span: expr.span) }
            if n >= 1, n == n.rounded(), case .number = expr.kind {
                emit(CheckerDiagnostics.warmupNeedsUnit(value: Value.format(n), span: expr.span))
                return nil
            }
            _ = checkRange(n, .unitOpen, what: what, span: expr.span)
            return nil
        }
        guard checkRange(n, .count, what: what, span: expr.span) else { return nil }
        return Value(.quantity(n, unit: "steps"), span: expr.span)
    }
}
