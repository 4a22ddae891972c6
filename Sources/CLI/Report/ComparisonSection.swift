import Charts
import Compiler
import Foundation
import Plan
import Runtime

/// `--compare REV`: what `ftx diff REV FILE` reports (settings changed, trials
/// reused or invalidated, work to recompute) and the metrics of the matched trials
/// of both revisions from the same store, as `ftx results --compare` matches them.
enum ComparisonSection {
    static func html(diff: ExperimentDiff, comparison: ResultsComparison) -> String {
        var s = "<p>\(Markup.escape(comparison.oldLabel)) → \(Markup.escape(comparison.newLabel)), as <code>ftx diff</code> reports it:</p>"
        s += "<pre>" + Markup.escape(diff.text()) + "</pre>"
        let metrics = comparison.metric
        guard !comparison.rows.isEmpty else { return s }
        s += "<div class=\"scroll\"><table class=\"sortable\" data-table=\"compare\"><thead><tr><th>stage</th><th>settings</th><th>trial</th>"
        for m in metrics { s += "<th class=\"num\">\(Markup.escape(m)) @\(Markup.escape(comparison.oldLabel))</th><th class=\"num\">@\(Markup.escape(comparison.newLabel))</th><th class=\"num\">change</th>" }
        s += "</tr></thead><tbody>"
        for r in comparison.rows {
            let same: String
            if let o = r.old, let n = r.new { same = o.planned.id == n.planned.id ? "same" : "retrained" } else { same = r.old == nil ? "added" : "removed" }
            s += "<tr><td>\(Markup.escape(r.stage))</td><td>\(Markup.escape(r.settings.isEmpty ? "(base)" : r.settings))</td><td>\(same)</td>"
            for m in metrics {
                let old = r.old?.metrics.first { $0.key == m }?.value
                let new = r.new?.metrics.first { $0.key == m }?.value
                s += "<td class=\"num\">\(cell(r.old, old))</td><td class=\"num\">\(cell(r.new, new))</td>"
                if let old, let new {
                    let delta = new - old
                    let better = m.hasSuffix(".loss") || m.hasSuffix("mse") || m.hasSuffix("mae") ? delta < 0 : delta > 0
                    let cls = delta == 0 ? "" : (better ? " up" : " down")
                    s += "<td class=\"num\(cls)\" data-sort=\"\(delta)\">\(delta >= 0 ? "+" : "−")\(TickFormat.value(abs(delta)))</td>"
                } else {
                    s += "<td></td>"
                }
            }
            s += "</tr>"
        }
        s += "</tbody></table></div><p class=\"muted\">Green: the metric moved the better way; red: the worse way. Empty: not run at that revision (run it with <code>git stash</code> or a worktree to fill it).</p>"
        return s
    }

    private static func cell(_ t: ExperimentResults.Trial?, _ v: Double?) -> String {
        guard let t else { return "—" }
        if let v { return TickFormat.value(v) }
        return t.status == .done ? "" : Markup.escape(t.status.rawValue)
    }
}
