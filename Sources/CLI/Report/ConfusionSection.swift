import Charts
import Foundation
import Plan
import Runtime
import Support

/// Confusion matrices of each stage's selected trial (every finished trial of a stage
/// without `select`) and of each ensemble, on the valid and test splits, from the
/// `classification` record `ftx results` reads (rows: true class, columns: predicted).
enum ConfusionSection {
    static func html(_ m: ReportModel) -> String {
        var s = ""
        for t in m.results.trialsWithTables {
            let title = "\(t.planned.stage) trial \(TaskKey.short(t.planned.id))" + (m.results.isBest(t) ? " (selected)" : "")
            s += block(t.classification, title: title)
        }
        for e in m.results.ensembles { s += block(e.classification, title: "ensemble of \(e.stage)") }
        if s.isEmpty {
            let listed = m.stages.contains { $0.trials.first?.spec?.metrics.contains("confusion") ?? false }
            return ReportPage.missing(listed
                ? "No confusion matrix in the store yet: run `ftx run \(m.file)`."
                : "No stage records a confusion matrix: add `confusion` to a stage's metrics (`metrics = [accuracy, confusion]`) to see one here.")
        }
        return s
    }

    private static func block(_ record: JSONValue?, title: String) -> String {
        var figures = ""
        for split in ExperimentResults.classificationSplits {
            guard let table = record?[split], let labels = table["labels"]?.arrayValue?.compactMap(\.stringValue),
                  let rows = table["confusion"]?.arrayValue?.map({ $0.arrayValue?.compactMap(\.doubleValue) ?? [] }) else { continue }
            var map = Heatmap(title: "\(title), \(split) split: confusion matrix", rowTitle: "true class", columnTitle: "predicted class",
                              rowLabels: labels, columnLabels: labels, values: rows)
            map.attributes = [("data-chart", "confusion"), ("data-split", split)]
            let total = rows.flatMap { $0 }.reduce(0, +)
            figures += "<figure>" + map.svg() + "<figcaption>\(Markup.escape(split)) split, \(TickFormat.value(total)) rows; shade: share of the true class's row.</figcaption></figure>"
        }
        return figures.isEmpty ? "" : "<h3>\(Markup.escape(title))</h3><div class=\"charts\">\(figures)</div>"
    }
}
