import DSL
import Foundation

/// Metric references (`valid.accuracy`): the split and the metric checked by name, and each
/// use recorded for the checks that need the whole experiment. Separate: its own naming
/// rules (SPLIT.NAME) and the only resolution that records a use.
extension CheckerRun {
    func resolveMetric(_ expr: Expr, what: String, example: String?) -> Value? {
        guard case .reference(let dotted) = expr.kind else {
            mismatch(expr, what: what, expected: ValueType.metric.text, example: example)
            return nil
        }
        let parts = dotted.parts
        if parts.count == 1 {
            let name = parts[0].name
            let suggestion = LanguageSchema.metricNames.contains(name) ? "valid.\(name)" : nil
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "a metric names its split", suggestion: suggestion, span: dotted.span))
            return nil
        }
        if parts.count != 2 {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "expected SPLIT.NAME", suggestion: nil, span: dotted.span))
            return nil
        }
        let split = parts[0], name = parts[1]
        if !LanguageSchema.splitNames.contains(split.name) {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "`\(split.name)` is not a split", suggestion: Suggestions.closest(to: split.name, in: LanguageSchema.splitNames), span: split.span))
            return nil
        }
        if !LanguageSchema.metricNames.contains(name.name) {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "`\(name.name)` is not a metric", suggestion: Suggestions.closest(to: name.name, in: LanguageSchema.metricNames), span: name.span))
            return nil
        }
        metricUses.append(MetricUse(split: split.name, name: name.name, span: dotted.span, context: what))
        return Value(.symbol(dotted.text), span: expr.span)
    }
}
