/// The "Metrics" section of docs/LANGUAGE.md, from `LanguageSchema.metrics`. Separate:
/// a table and its conventions, not a walk over sections and calls.
extension LanguageReference {
    static func metricsSection() -> String {
        var lines = ["""
        ## Metrics

        A stage's `metrics` are computed per split; a rule names one as `SPLIT.NAME` \
        (`valid.f1`). Losses and `mse` are minimised, every other metric maximised. \
        Classification scores follow scikit-learn's defaults: a ratio whose denominator is 0 \
        (precision of a class never predicted, recall of a class absent from the split) is 0, \
        as with scikit-learn's default `zero_division="warn"` (which also warns; ftx does not). Every metric but `loss` and `mse` needs \
        class labels (a `cross_entropy()` or `bce()` loss); the `_binary` ones need exactly two \
        classes. `ftx results --json` holds the confusion matrix and the per-class scores under \
        each trial's `classification` (see docs/CLI.md).

        | Metric | Meaning |
        | --- | --- |
        """]
        lines += LanguageSchema.metrics.map { "| `\($0.name)` | \($0.doc.replacingOccurrences(of: "|", with: "\\|")) |" }
        return lines.joined(separator: "\n")
    }
}
