import Charts
import Foundation
import Plan
import Runtime

/// Per stage, every trial in a sortable table: status (pruned, diverged and
/// stopped-early trials marked), epochs, swept settings, final metrics; the
/// selected trial's row stands out.
enum TrialTableSection {
    static func html(_ m: ReportModel) -> String {
        var s = ""
        for stage in m.stages {
            s += "<h3>Stage <code>\(Markup.escape(stage.name))</code></h3>"
            var metrics: [String] = []
            for t in stage.trials { for k in t.result.metrics.map(\.key) where !k.hasPrefix("train.") && !metrics.contains(k) { metrics.append(k) } }
            let settings = stage.sweptSettings
            // With `repeat`, which replicate (its seed is the point's + replicate).
            let replicates = stage.trials.contains { $0.result.planned.replicate > 0 }
            s += "<div class=\"scroll\"><table class=\"sortable\" data-stage=\"\(Markup.escape(stage.name))\"><thead><tr><th></th><th>trial</th><th>status</th><th class=\"num\">epochs</th>"
            if replicates { s += "<th class=\"num\">rep</th>" }
            s += settings.map { "<th>\(Markup.escape($0))</th>" }.joined()
            s += metrics.map { "<th class=\"num\">\(Markup.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for t in stage.trials {
                let planned = t.spec?.schedule.epochs
                var status = t.result.status.rawValue
                if t.result.status == .done, let planned, t.records.count < planned { status = "done, stopped early" }
                s += "<tr\(t.selected ? " class=\"sel\"" : "")><td data-sort=\"\(t.selected ? 0 : 1)\">\(t.selected ? "★" : "")</td>"
                s += "<td title=\"\(Markup.escape(t.id))\"><code>\(t.short)</code></td>"
                s += "<td class=\"status-\(t.result.status.rawValue)\">\(Markup.escape(status))</td>"
                s += "<td class=\"num\" data-sort=\"\(t.records.count)\">\(t.records.count)\(planned.map { "/\($0)" } ?? "")</td>"
                if replicates { s += "<td class=\"num\">\(t.result.planned.replicate)</td>" }
                for key in settings {
                    let v = t.result.planned.settings.first { $0.key == key }?.value
                    var sortKey: String? = nil
                    if case .number(let n)? = v { sortKey = String(n) }
                    let text = v.map { key == "init" ? initText($0) : ExperimentResults.compact($0) } ?? ""
                    s += "<td\(sortKey.map { " data-sort=\"\($0)\"" } ?? "")>\(Markup.escape(text))</td>"
                }
                for key in metrics {
                    let v = t.result.metrics.first { $0.key == key }?.value
                    s += "<td class=\"num\"\(v.map { " data-sort=\"\($0)\"" } ?? "")>\(v.map(TickFormat.value) ?? "")</td>"
                }
                s += "</tr>"
            }
            s += "</tbody></table></div>"
            if stage.trials.contains(where: { $0.result.status == .pruned }) {
                s += "<p class=\"muted\">Pruned trials stopped at an early-stopping rung (<code>prune</code>); their metrics are those of their last epoch.</p>"
            }
        }
        s += "<p class=\"muted\">★ the stage's selected trial. Click a column to sort.</p>"
        return s
    }

    static func initText(_ value: SettingValue) -> String {
        if case .string(let id) = value { return TaskKey.short(id) }
        return ExperimentResults.compact(value)
    }
}
