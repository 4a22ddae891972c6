import Foundation
import Plan
import Support

/// The non-scalar classification results of `ftx results`: each split's confusion matrix
/// and per-class scores, as the eval and ensemble tasks store them under `classification`
/// in their `metrics.json` (`TrialEvaluation.classification`). `--json` passes them through;
/// the text table prints them as small matrices. Separate from the trial table: its own
/// layout, and the one place that reads this record.
extension ExperimentResults {
    /// Splits in the order their tables print (the train split's is in `--json` only).
    static let classificationSplits = ["valid", "test"]

    /// The trials whose matrices the text output shows: each stage's selected best, and
    /// every finished trial of a stage that selects none.
    var trialsWithTables: [Trial] {
        let selecting = Set(best.map(\.stage))
        return trials.filter { t in
            t.classification != nil && (selecting.contains(t.planned.stage) ? isBest(t) : t.status.isFinal)
        }
    }

    /// The text after the trial table: for each shown trial and ensemble, a block per split.
    func classificationText() -> String {
        var blocks: [String] = []
        for t in trialsWithTables {
            let title = "\(t.planned.stage) trial \(TaskKey.short(t.planned.id))" + (isBest(t) ? " (selected)" : "")
            blocks += Self.classificationBlocks(t.classification, title: title)
        }
        for e in ensembles { blocks += Self.classificationBlocks(e.classification, title: "ensemble of \(e.stage)") }
        return blocks.map { "\n" + $0 }.joined()
    }

    /// One block per split: the confusion matrix (rows: true class, columns: predicted),
    /// with per-class precision, recall, F1 and support to its right when stored.
    static func classificationBlocks(_ record: JSONValue?, title: String) -> [String] {
        guard let record else { return [] }
        return classificationSplits.compactMap { split in
            guard let table = record[split], let labels = table["labels"]?.arrayValue?.compactMap(\.stringValue) else { return nil }
            let confusion = table["confusion"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.intValue) ?? [] }
            let perClass = table["per_class"]
            let scoreNames = ["precision", "recall", "f1", "roc_auc"].filter { perClass?[$0] != nil }
            let support = perClass?["support"]?.arrayValue?.compactMap(\.intValue)
            guard confusion != nil || !scoreNames.isEmpty else { return nil }
            var header = [confusion != nil ? "true \\ predicted" : "class"]
            if confusion != nil { header += labels }
            if confusion != nil && !scoreNames.isEmpty { header.append("|") }
            header += scoreNames + (support != nil ? ["support"] : [])
            var rows = [header]
            for (i, label) in labels.enumerated() {
                var row = [label]
                if let confusion { row += (0..<labels.count).map { j in i < confusion.count && j < confusion[i].count ? String(confusion[i][j]) : "" } }
                if confusion != nil && !scoreNames.isEmpty { row.append("|") }
                row += scoreNames.map { name in
                    guard let v = perClass?[name]?[i] else { return "" }
                    return v.doubleValue.map { String(format: "%.4f", $0) } ?? "-"
                }
                if let support { row.append(i < support.count ? String(support[i]) : "") }
                rows.append(row)
            }
            let what = confusion != nil ? "confusion matrix (rows: true class, columns: predicted)" : "per-class scores"
            return "\(title), \(split) split: \(what)\n" + rightAligned(rows)
        }
    }

    /// Columns padded to their widest cell: the first left-aligned, numbers right-aligned.
    static func rightAligned(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i == 0 ? c + pad : pad + c
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
