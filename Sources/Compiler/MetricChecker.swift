import DSL
import Plan

/// Whether a stage's listed `metrics` can be computed with its loss and head (issue 14:
/// `metrics = [accuracy]` with `mse()` was accepted and nothing computed). Separate from
/// the stage's other checks: the rule is the metrics table's (`LanguageSchema.metrics`).
extension CheckerRun {
    /// `loss` is the loss's call name; `headUnits` the head's width when known.
    func checkMetricsApply(_ metrics: Value?, loss: String?, headUnits: Int?) {
        guard let items = metrics?.list, let loss else { return }
        let classes: Int? = loss == "bce" ? 2 : loss == "mse" ? nil : headUnits
        for item in items {
            guard let name = item.symbol else { continue }
            if loss == "mse", LanguageSchema.classificationMetricNames.contains(name) {
                emit(CheckerDiagnostics.metricNotForLoss(metric: name, loss: "mse()", span: item.span))
            } else if LanguageSchema.binaryMetricNames.contains(name), let classes, classes != 2 {
                emit(CheckerDiagnostics.metricNeedsTwoClasses(metric: name, classes: classes, span: item.span))
            }
        }
    }
}
