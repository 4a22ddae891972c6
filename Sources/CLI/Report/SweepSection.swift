import Charts
import Foundation
import Plan
import Runtime

/// The sweep: each stage's ranking metric against each swept setting (a log axis
/// where the sweep draws it with `loguniform` or its values span a decade), and
/// parallel coordinates when three or more settings vary.
enum SweepSection {
    static func html(_ m: ReportModel) -> String {
        var s = ""
        for stage in m.stages {
            let settings = stage.sweptSettings.filter { $0 != "init" }
            guard !settings.isEmpty else { continue }
            let r = stage.ranking
            s += "<h3>Stage <code>\(Markup.escape(stage.name))</code>: \(Markup.escape(r.metric)) (\(r.minimize ? "lower" : "higher") is better; \(Markup.escape(r.source)))</h3>"
            let scored = stage.trials.filter { value($0, r.metric) != nil }
            guard !scored.isEmpty else {
                s += ReportPage.missing("No trial has a \(r.metric) yet: run `ftx run \(m.file)`. Swept: \(settings.joined(separator: ", ")).")
                continue
            }
            s += "<div class=\"charts\">"
            for setting in settings { s += "<figure>" + scatter(stage, setting: setting, trials: scored) + "</figure>" }
            s += "</div>"
            if settings.count >= 3 { s += "<figure>" + parallel(stage, settings: settings, trials: scored) + "<figcaption>One line per trial through its settings to its \(Markup.escape(r.metric)); darker is better. Hover a line for the trial.</figcaption></figure>" }
            let unscored = stage.trials.count - scored.count
            s += "<p class=\"muted\">Filled: finished trials; hollow: pruned or stopped early (metric of the last epoch)"
            s += unscored > 0 ? "; \(unscored) trial\(unscored == 1 ? "" : "s") without a \(Markup.escape(r.metric)) not shown.</p>" : ".</p>"
        }
        return s.isEmpty ? "<p class=\"muted\">No stage sweeps a setting.</p>" : s
    }

    static func value(_ t: ReportModel.TrialView, _ metric: String) -> Double? {
        t.result.metrics.first { $0.key == metric }?.value ?? t.records.last?.value(metric)
    }

    /// Whether every trial that has `setting` has a number there (then its axis is numeric).
    private static func isNumeric(_ trials: [ReportModel.TrialView], _ setting: String) -> Bool {
        trials.allSatisfy { t in
            guard let v = t.result.planned.settings.first(where: { $0.key == setting })?.value else { return true }
            if case .number = v { return true }
            return false
        }
    }

    private static func kind(_ stage: ReportModel.StageView, _ setting: String, _ values: [Double]) -> Scale.Kind {
        (stage.logScaled.contains(setting) || Scale.spansDecades(values)) && values.allSatisfy { $0 > 0 } ? .log : .linear
    }

    private static func mark(_ t: ReportModel.TrialView) -> ScatterChart.Mark {
        switch t.result.status {
        case .diverged: return .cross
        case .done: return t.stoppedEarly ? .hollow : .filled
        default: return .hollow
        }
    }

    private static func scatter(_ stage: ReportModel.StageView, setting: String, trials: [ReportModel.TrialView]) -> String {
        let r = stage.ranking
        let numeric = isNumeric(trials, setting)
        var points: [ScatterChart.Point] = []
        for t in trials {
            guard let y = value(t, r.metric), let setting = t.result.planned.settings.first(where: { $0.key == setting }) else { continue }
            var x: Double? = nil
            var category: String? = nil
            if numeric, case .number(let n) = setting.value { x = n } else { category = ExperimentResults.compact(setting.value) }
            points.append(ScatterChart.Point(x: x, category: category, y: y, hover: t.hover + " · \(r.metric) \(TickFormat.value(y))",
                                             mark: mark(t), highlighted: t.selected, attributes: [("data-point-trial", t.id)]))
        }
        var chart = ScatterChart(title: "\(stage.name): \(r.metric) against \(setting)", xLabel: setting,
                                 yLabel: LearningCurveSection.axisTitle(r.metric), points: points)
        if numeric { chart.xKind = kind(stage, setting, points.compactMap(\.x)) }
        chart.attributes = [("data-chart", "sweep"), ("data-stage", stage.name), ("data-setting", setting)]
        return chart.svg()
    }

    private static func parallel(_ stage: ReportModel.StageView, settings: [String], trials: [ReportModel.TrialView]) -> String {
        let r = stage.ranking
        var axes: [ParallelCoordinates.Axis] = settings.map { setting in
            let values = trials.map { t in t.result.planned.settings.first { $0.key == setting }?.value }
            if isNumeric(trials, setting) {
                let numbers = values.map { v -> Double? in if case .number(let n)? = v { return n } else { return nil } }
                return .numeric(setting, numbers, kind: kind(stage, setting, numbers.compactMap { $0 }))
            }
            return .categorical(setting, values.map { $0.map(ExperimentResults.compact) })
        }
        axes.append(.numeric(r.metric, trials.map { value($0, r.metric) }))
        var chart = ParallelCoordinates(title: "\(stage.name): settings and \(r.metric), one line per trial", axes: axes,
                                        hovers: trials.map { t in t.hover + " · \(r.metric) \(value(t, r.metric).map(TickFormat.value) ?? "–")" },
                                        highlighted: trials.map(\.selected))
        chart.largerIsBetter = !r.minimize
        chart.attributes = [("data-chart", "parallel"), ("data-stage", stage.name)]
        return chart.svg()
    }
}
