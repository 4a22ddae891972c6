import Charts
import Foundation
import Plan
import Runtime

/// The report's first section: the experiment, its commit, what each stage selected
/// and why, the selected trials' settings and metrics, and the ensembles.
enum SummarySection {
    static func html(_ m: ReportModel, storePath: String) -> String {
        var s = "<dl class=\"facts\">"
        s += fact("experiment", "<code>\(Markup.escape(m.experiment))</code> in <code>\(Markup.escape(m.file))</code>")
        s += fact("commit now", Markup.escape(m.provenance.commit.map { $0 + (m.provenance.dirty ? " (uncommitted changes)" : "") } ?? "not in a git repository"))
        let trainedAt = Set(m.results.trials.compactMap { $0.provenance?.commit != nil ? $0.provenance?.short : nil }).sorted()
        if !trainedAt.isEmpty { s += fact("trained at", Markup.escape(trainedAt.joined(separator: ", "))) }
        let finished = m.results.trials.filter { $0.status.isFinal }.count
        s += fact("trials", "\(m.results.trials.count) planned in \(m.stages.count) stage\(m.stages.count == 1 ? "" : "s"), \(finished) finished")
        let done = m.graph.tasks.filter { m.store.completedStatus($0.key) != nil }.count
        s += fact("tasks in the store", "\(done) of \(m.graph.tasks.count) (<code>\(Markup.escape(storePath))</code>)")
        s += "</dl>"
        if !m.hasResults {
            s += ReportPage.missing("Nothing of this experiment is in the store yet, so there are no curves, metrics or selections to show: run `ftx run \(m.file)` and make the report again. The plan and the sweep's settings are below.")
        } else if finished < m.results.trials.count {
            s += ReportPage.missing("\(m.results.trials.count - finished) of \(m.results.trials.count) trials have not finished: run `ftx run \(m.file)` to complete them.")
        }
        for stage in m.stages { s += stageSummary(stage, m) }
        for e in m.results.ensembles {
            s += "<h3>Ensemble of <code>\(Markup.escape(e.stage))</code></h3><p>Members (probabilities averaged): "
            s += e.members.map { "<code>\(TaskKey.short($0))</code>" }.joined(separator: ", ") + "</p>"
            s += metricTable(e.metrics)
        }
        return s
    }

    private static func fact(_ name: String, _ html: String) -> String { "<dt>\(name)</dt><dd>\(html)</dd>" }

    private static func stageSummary(_ stage: ReportModel.StageView, _ m: ReportModel) -> String {
        var s = "<h3>Stage <code>\(Markup.escape(stage.name))</code></h3>"
        let finished = stage.trials.filter { $0.result.status.isFinal }
        let best = m.bestTrial(of: stage)
        if let selection = m.results.selections.first(where: { $0.stage == stage.name }), let chosen = best?.trial {
            let r = stage.ranking
            let value = chosen.result.metrics.first { $0.key == r.metric }?.value
            s += "<p><code>\(Markup.escape(r.source))</code> selected trial <code>\(chosen.short)</code>"
            if let value { s += ": \(Markup.escape(r.metric)) \(TickFormat.value(value)), the \(r.minimize ? "lowest" : "highest")" }
            s += " of \(finished.count) finished trial\(finished.count == 1 ? "" : "s")"
            if stage.trials.contains(where: { $0.result.planned.replicate > 0 }) { s += " (sweep points ranked by the mean over their replicates)" }
            s += ".</p>"
            if selection.k > 1 {
                s += "<p>Top \(selection.k): " + selection.ranks.map { "\($0.rank). <code>\(TaskKey.short($0.trial))</code> \(TickFormat.value($0.value))" }
                    .joined(separator: " · ") + "</p>"
            }
        } else if stage.select != nil {
            s += ReportPage.missing("`\(stage.ranking.source)` has not run yet: nothing is selected.")
        } else if stage.trials.count > 1 {
            s += "<p>This stage selects no trial (no <code>select</code>); all \(stage.trials.count) are compared below.</p>"
        }
        if case .ensemble(let metric, _, let k, _, _)? = stage.ensemble?.payload {
            let done = m.results.ensembles.contains { $0.stage == stage.name }
            s += "<p><code>ensemble = top(\(k), by: \(Markup.escape(metric)))</code> averages the predicted probabilities of the \(k) best trials by \(Markup.escape(metric))"
            s += done ? " (below).</p>" : "; it has not run yet.</p>"
        }
        guard let (chosen, why) = best else { return s }
        s += "<p>\(why.prefix(1).uppercased() + why.dropFirst()) <code>\(chosen.short)</code> (\(Markup.escape(chosen.result.status.rawValue)), \(chosen.records.count) epoch\(chosen.records.count == 1 ? "" : "s")\(chosen.result.keptEpoch.map { ", weights of epoch \($0) kept" } ?? "")): "
        s += Markup.escape(chosen.settingsText) + "</p>"
        if chosen.result.metrics.isEmpty {
            s += ReportPage.missing("No metrics yet: the trial has not been evaluated.")
        } else {
            s += metricTable(chosen.result.metrics)
        }
        return s
    }

    /// Metrics as a split × metric table (rows train/valid/test).
    static func metricTable(_ metrics: [(key: String, value: Double)]) -> String {
        var names: [String] = [], splits: [String] = []
        for m in metrics {
            let parts = m.key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if !splits.contains(parts[0]) { splits.append(parts[0]) }
            if !names.contains(parts[1]) { names.append(parts[1]) }
        }
        var s = "<table><thead><tr><th>split</th>" + names.map { "<th class=\"num\">\(Markup.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for split in splits {
            s += "<tr><td>\(Markup.escape(split))</td>"
            for name in names {
                let v = metrics.first { $0.key == split + "." + name }?.value
                s += "<td class=\"num\">\(v.map(TickFormat.value) ?? "")</td>"
            }
            s += "</tr>"
        }
        return s + "</tbody></table>"
    }
}
