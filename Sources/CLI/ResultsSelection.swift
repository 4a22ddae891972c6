import Compiler
import Foundation
import Plan
import Runtime
import Support

/// What `ftx results` adds for `select = top(k, …)` and `repeat = N`: each stage's
/// selected trials best first (`best` stays the single best), and each repeated sweep
/// point's replicates as mean ± sample standard deviation (`SampleSummary`, n − 1).
/// Kept apart from the trial table so the two evolve separately.
extension ExperimentResults {
    /// One stage's selection as its select task recorded it.
    struct Selection {
        var stage: String
        var metric: String
        var k: Int
        /// Best first: (rank, the point's best replicate, the value ranked by: the mean over replicates).
        var ranks: [(rank: Int, trial: String, value: Double)]
    }

    /// One sweep point of a stage with `repeat` > 1 and its replicates.
    struct ReplicatedPoint {
        var stage: String
        /// The id of replicate 0.
        var point: String
        var trials: [Trial]

        /// Each metric over the replicates that finished `done` with it, in first-seen order.
        var summaries: [(metric: String, summary: SampleSummary)] {
            var names: [String] = []
            for t in trials { for m in t.metrics where !names.contains(m.key) { names.append(m.key) } }
            return names.compactMap { name in
                let values = trials.filter { $0.status == .done }.compactMap { t in t.metrics.first { $0.key == name }?.value }.filter { !$0.isNaN }
                return SampleSummary(values).map { (name, $0) }
            }
        }
    }

    /// The selections of the plan's select tasks that completed.
    static func selections(graph: TaskGraph, store: TaskStore) -> [Selection] {
        graph.tasks.compactMap { task -> Selection? in
            guard case .select(let metric, _, _, let k, _) = task.payload, store.completedStatus(task.key) != nil,
                  let m = store.metrics(for: task.key) else { return nil }
            var ranks: [(rank: Int, trial: String, value: Double)] = []
            if let list = m["selected_list"]?.arrayValue {
                for (i, entry) in list.enumerated() {
                    guard let trial = entry["trial"]?.stringValue, let value = entry["value"]?.doubleValue else { continue }
                    ranks.append((entry["rank"]?.intValue ?? i + 1, trial, value))
                }
            } else if let trial = m["selected"]?.stringValue, let value = m["value"]?.doubleValue {
                ranks.append((1, trial, value))  // a select task recorded before `top(k)`
            }
            return Selection(stage: task.stage, metric: metric, k: k, ranks: ranks)
        }
    }

    /// The points (replicate 0's ids) of stages that repeat.
    var repeatedPoints: Set<String> { Set(trials.filter { $0.planned.replicate > 0 }.map(\.planned.point)) }

    /// The sweep points of stages that repeat, in plan order.
    var replicatedPoints: [ReplicatedPoint] {
        let repeated = repeatedPoints
        var order: [String] = []
        var byPoint: [String: ReplicatedPoint] = [:]
        for t in trials where repeated.contains(t.planned.point) {
            if byPoint[t.planned.point] == nil {
                order.append(t.planned.point)
                byPoint[t.planned.point] = ReplicatedPoint(stage: t.planned.stage, point: t.planned.point, trials: [])
            }
            byPoint[t.planned.point]!.trials.append(t)
        }
        return order.map { byPoint[$0]! }
    }

    /// Whether any trial is a replicate (the table then shows which).
    var hasReplicates: Bool { trials.contains { $0.planned.replicate > 0 } }

    // MARK: JSON

    /// `selected`: stage → `[{"rank","trial","value"}]`, best first.
    var selectedJSON: JSONValue {
        .object(selections.map { s in
            (s.stage, .array(s.ranks.map { .object([("rank", .int($0.rank)), ("trial", .string($0.trial)), ("value", .double($0.value))]) }))
        })
    }

    /// `points`: one per repeated sweep point, `{"stage","point","trials","settings","n","mean","std"}`
    /// (`n` per metric: the replicates that finished with it; `std` null below two).
    var pointsJSON: JSONValue {
        .array(replicatedPoints.map { p in
            let summaries = p.summaries
            return .object([
                ("stage", .string(p.stage)),
                ("point", .string(p.point)),
                ("trials", .array(p.trials.map { .string($0.planned.id) })),
                ("settings", .object((p.trials.first?.planned.settings ?? []).map { ($0.key, PlanReport.json($0.value)) })),
                ("n", .object(summaries.map { ($0.metric, .int($0.summary.count)) })),
                ("mean", .object(summaries.map { ($0.metric, .double($0.summary.mean)) })),
                ("std", .object(summaries.map { ($0.metric, $0.summary.standardDeviation.map(JSONValue.double) ?? .null) })),
            ])
        })
    }

    /// A trial's `replicate` and `point` fields: only in stages with `repeat` > 1, so other trials keep their shape.
    func replicateFields(_ t: Trial) -> [(String, JSONValue)] {
        guard repeatedPoints.contains(t.planned.point) else { return [] }
        return [("replicate", .int(t.planned.replicate)), ("point", .string(t.planned.point))]
    }

    // MARK: Text

    /// The `rep` column's header and cell: empty unless some stage repeats.
    var replicateHeader: [String] { hasReplicates ? ["rep"] : [] }
    func replicateCell(_ t: Trial) -> [String] { hasReplicates ? [String(t.planned.replicate)] : [] }

    /// `top(k)` selections (k > 1) and the repeated points' mean ± std, after the trial table.
    func selectionText() -> String {
        var text = ""
        for s in selections where s.k > 1 {
            text += "\nselected of \(s.stage) (top \(s.k) by \(s.metric)): "
            text += s.ranks.map { "\($0.rank). \(TaskKey.short($0.trial)) \(String(format: "%.4f", $0.value))" }.joined(separator: "  ") + "\n"
        }
        let points = replicatedPoints
        guard !points.isEmpty else { return text }
        let metrics = metricNames.filter { !$0.hasPrefix("train.") }
        let settings = settingNames.filter { $0 != "init" }
        var rows: [[String]] = [["point", "stage", "n"] + settings + metrics]
        for p in points {
            let summaries = p.summaries
            var row = [TaskKey.short(p.point), p.stage, String(p.trials.filter { $0.status == .done }.count)]
            row += settings.map { key in p.trials.first?.planned.settings.first { $0.key == key }.map { Self.compact($0.value) } ?? "" }
            row += metrics.map { name in
                guard let s = summaries.first(where: { $0.metric == name })?.summary else { return "" }
                return String(format: "%.4f", s.mean) + (s.standardDeviation.map { String(format: " ± %.4f", $0) } ?? "")
            }
            rows.append(row)
        }
        return text + "\nsweep points over their replicates (mean ± sample std):\n" + Self.align(rows)
    }
}
