import Charts
import Foundation
import Plan
import Runtime
import Support

/// Learning curves: per stage, the train loss and each validation metric per epoch,
/// one line per trial (`data-trial` names it), the selected trial on top and labelled,
/// and the mean ± sample std band of trials that differ only in their seed.
enum LearningCurveSection {
    static func html(_ m: ReportModel) -> String {
        var s = ""
        for stage in m.stages {
            s += "<h3>Stage <code>\(Markup.escape(stage.name))</code></h3>"
            let trained = stage.trials.filter { !$0.records.isEmpty }
            guard !trained.isEmpty else {
                s += ReportPage.missing("No trial of this stage has finished an epoch yet: run `ftx run \(m.file)`.")
                continue
            }
            var metrics = ["train.loss"]
            for t in trained { for r in t.records { for k in r.metrics.map(\.key) where k.hasPrefix("valid.") && !metrics.contains(k) { metrics.append(k) } } }
            s += "<div class=\"charts\">"
            for metric in metrics { s += "<figure>" + chart(stage: stage, trials: trained, metric: metric) + "</figure>" }
            s += "</div>" + legend(stage.trials)
            let groups = stage.replicateGroups
            if !groups.isEmpty {
                s += "<p class=\"muted\">Shaded: mean ± sample standard deviation over the \(groups.count) groups of trials that differ only in their seed (at epochs two or more of them reached).</p>"
            }
        }
        return s
    }

    /// `valid.accuracy` → `valid accuracy (fraction, 0–1)`: the axis title with its unit.
    static func axisTitle(_ metric: String) -> String {
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        let name = parts.last ?? metric, split = parts.count == 2 ? parts[0] : ""
        let unit: String
        switch name {
        case "loss": unit = split == "train" ? "epoch's batch mean" : "mean per example"
        case "accuracy", "f1", "precision", "recall", "roc_auc", "macro_f1", "micro_f1", "weighted_f1": unit = "0–1"
        default: unit = ""
        }
        return "\(split) \(name)" + (unit.isEmpty ? "" : " (\(unit))")
    }

    private static func chart(stage: ReportModel.StageView, trials: [ReportModel.TrialView], metric: String) -> String {
        let series = trials.map { t in
            LineChart.Series(points: t.records.compactMap { r in r.value(metric).map { (Double(r.epoch), $0) } },
                             hover: t.hover, colour: t.colour, highlighted: highlighted(t, stage),
                             attributes: [("data-trial", t.id)], dashed: t.result.status == .pruned || t.result.status == .diverged,
                             endLabel: highlighted(t, stage) ? (t.selected ? "selected " : "") + t.short : nil)
        }
        var chart = LineChart(title: "\(stage.name): \(axisTitle(metric)) per epoch", xLabel: "epoch", yLabel: axisTitle(metric), series: series)
        chart.frame = PlotFrame(width: 520, height: 280)
        chart.xIntegers = true
        chart.bands = stage.replicateGroups.compactMap { band($0, metric: metric) }
        chart.attributes = [("data-chart", "curves"), ("data-stage", stage.name), ("data-metric", metric)]
        return chart.svg()
    }

    /// The selected trial, or the only one.
    static func highlighted(_ t: ReportModel.TrialView, _ stage: ReportModel.StageView) -> Bool {
        t.selected || stage.trials.count == 1
    }

    private static func band(_ group: [ReportModel.TrialView], metric: String) -> LineChart.Band? {
        let epochs = group.map(\.records.count).max() ?? 0
        var x: [Double] = [], lower: [Double] = [], upper: [Double] = []
        for e in 1...max(epochs, 1) {
            let values = group.compactMap { t in t.records.first { $0.epoch == e }?.value(metric) }.filter(\.isFinite)
            guard let summary = SampleSummary(values), let sd = summary.standardDeviation else { continue }
            x.append(Double(e))
            lower.append(summary.mean - sd)
            upper.append(summary.mean + sd)
        }
        guard x.count >= 2, let first = group.first else { return nil }
        return LineChart.Band(x: x, lower: lower, upper: upper, colour: first.colour,
                              hover: "mean ± std over \(group.count) seeds: " + first.group,
                              attributes: [("data-band", first.result.planned.point)])
    }

    /// Each trial's colour, id and settings (the charts' hover says the same per line).
    static func legend(_ trials: [ReportModel.TrialView]) -> String {
        "<div class=\"legend\">" + trials.map { t in
            "<span\(t.selected ? " class=\"sel\"" : "")><span class=\"sw sw\(t.colour)\"></span><code>\(t.short)</code> \(Markup.escape(t.settingsText))\(t.result.status == .done ? "" : " (\(t.result.status.rawValue))")</span>"
        }.joined() + "</div>"
    }
}
