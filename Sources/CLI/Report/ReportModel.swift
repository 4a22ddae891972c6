import Compiler
import Foundation
import Plan
import Runtime
import Support

/// What `ftx report` draws, gathered once from the plan and the store: the trials of
/// each stage with their settings, parsed per-epoch histories and specs, how each
/// stage selects, and which trials repeat one sweep point with other seeds. The
/// store is read through `ExperimentResults` (what `ftx results` shows), never
/// a second reader.
struct ReportModel {
    /// One trial as the report shows it.
    struct TrialView {
        var result: ExperimentResults.Trial
        var spec: TrainingSpec?
        var records: [EpochRecord]
        /// Palette index (`ChartStyle`), stable within its stage.
        var colour: Int
        /// The stage's selected best.
        var selected: Bool
        /// Trials sharing it differ only in their seed (`repeat`, or a swept `seed`).
        var group: String

        var id: String { result.planned.id }
        var short: String { TaskKey.short(id) }
        /// The settings that vary within its stage (legends and hovers name only those).
        var shownSettings: [String] = []
        /// `optimizer.lr=0.001 schedule.batch_size=16`, or `(base settings)`.
        var settingsText: String { ReportModel.settingsText(result.planned.settings.filter { shownSettings.contains($0.key) }) }
        /// Hover text: the trial, its status and settings.
        var hover: String { "trial \(short) (\(result.status.rawValue)) · \(settingsText)" }
        /// Whether the trial stopped before its last planned epoch (pruned, diverged, stopped early).
        var stoppedEarly: Bool { result.status != .done || (spec.map { records.count < $0.schedule.epochs } ?? false) }
    }

    /// How a stage ranks its trials: `select`'s metric, else `ensemble`'s, else `prune`'s, else `valid.loss`.
    struct Ranking {
        var metric: String
        var minimize: Bool
        /// Where the metric comes from (`select = best(…)`, `ensemble = top(3, …)`, …).
        var source: String
    }

    /// One stage.
    struct StageView {
        var name: String
        var trials: [TrialView]
        var ranking: Ranking
        /// Settings whose values differ between the stage's trials, in first-seen order.
        var sweptSettings: [String]
        /// Settings drawn by `loguniform` (sub-settings of a drawn call included): log axes.
        var logScaled: Set<String>
        /// The stage's select and ensemble tasks.
        var select: PlannedTask?
        var ensemble: PlannedTask?

        /// Groups of two or more trials that differ only in their seed, in plan order.
        var replicateGroups: [[TrialView]] {
            var order: [String] = []
            var groups: [String: [TrialView]] = [:]
            for t in trials {
                if groups[t.group] == nil { order.append(t.group) }
                groups[t.group, default: []].append(t)
            }
            return order.compactMap { groups[$0]!.count > 1 ? groups[$0] : nil }
        }
    }

    var file: String
    var experiment: String
    var graph: TaskGraph
    var store: TaskStore
    var results: ExperimentResults
    /// The experiment file's commit now (the trials record their own).
    var provenance: Provenance
    var stages: [StageView]

    init(file: String, loaded: LoadedExperiment) {
        self.file = file
        graph = loaded.plan.graph
        store = loaded.store
        experiment = graph.experiment
        results = ExperimentResults(graph: graph, store: store)
        provenance = Provenance.current(for: file)
        var specs: [String: TrainingSpec] = [:]
        for task in graph.tasks { if case .train(let spec) = task.payload { specs[task.key] = spec } }
        var stageNames: [String] = []
        for t in graph.trials where !stageNames.contains(t.stage) { stageNames.append(t.stage) }
        let checked = loaded.check.experiment
        let results = self.results
        stages = stageNames.map { name in
            var views: [TrialView] = []
            for (i, trial) in results.trials.filter({ $0.planned.stage == name }).enumerated() {
                views.append(TrialView(result: trial, spec: specs[trial.planned.id],
                                       records: trial.history.compactMap(EpochRecord.init(json:)),
                                       colour: i % 8, selected: results.isBest(trial),
                                       group: Self.settingsText(trial.planned.settings.filter { $0.key != "seed" })))
            }
            let swept = Self.varying(views)
            // Trials of one sweep point (differing only in their seed) share a colour, as their band does.
            var groupOrder: [String] = []
            for v in views where !groupOrder.contains(v.group) { groupOrder.append(v.group) }
            for i in views.indices {
                views[i].shownSettings = swept
                views[i].colour = (groupOrder.firstIndex(of: views[i].group) ?? i) % 8
            }
            let select = loaded.plan.graph.tasks.first { $0.kind == .select && $0.stage == name }
            let ensemble = loaded.plan.graph.tasks.first { $0.kind == .ensemble && $0.stage == name }
            return StageView(name: name, trials: views,
                             ranking: Self.ranking(select: select, ensemble: ensemble, spec: views.first?.spec),
                             sweptSettings: swept, logScaled: Self.logScaled(checked.stage(named: name)),
                             select: select, ensemble: ensemble)
        }
    }

    /// The trial a stage's summary shows: its selected one, its only one, else (a stage without
    /// `select`) the best finished trial by the stage's ranking metric, with how it was chosen.
    func bestTrial(of stage: StageView) -> (trial: TrialView, why: String)? {
        if let t = stage.trials.first(where: \.selected) { return (t, "the selected trial") }
        if stage.trials.count == 1 { return (stage.trials[0], "its trial") }
        let r = stage.ranking
        let scored = stage.trials.filter { $0.result.status.isFinal }.compactMap { t in t.result.metrics.first { $0.key == r.metric }.map { (t, $0.value) } }
        guard let best = (r.minimize ? scored.min { $0.1 < $1.1 } : scored.max { $0.1 < $1.1 }) else { return nil }
        return (best.0, "the best trial by \(r.metric) (the stage has no `select`)")
    }

    /// Whether any task of the plan has a result in the store.
    var hasResults: Bool { graph.tasks.contains { store.completedStatus($0.key) != nil } }

    static func settingsText(_ settings: [(key: String, value: SettingValue)]) -> String {
        let shown = settings.map { s -> String in
            if s.key == "init", case .string(let id) = s.value { return "init=\(TaskKey.short(id))" }
            return "\(s.key)=\(ExperimentResults.compact(s.value))"
        }
        return shown.isEmpty ? "(base settings)" : shown.joined(separator: " ")
    }

    /// A metric as records name it: a bare name (`accuracy`) is its `valid` split's.
    static func qualified(_ metric: String) -> String { metric.contains(".") ? metric : "valid." + metric }

    private static func ranking(select: PlannedTask?, ensemble: PlannedTask?, spec: TrainingSpec?) -> Ranking {
        if case .select(let metric, let minimize, _, let k, _)? = select?.payload {
            return Ranking(metric: qualified(metric), minimize: minimize,
                           source: k > 1 ? "select = top(\(k), by: \(metric))" : "select = best(\(metric))")
        }
        if case .ensemble(let metric, let minimize, let k, _, _)? = ensemble?.payload {
            return Ranking(metric: qualified(metric), minimize: minimize, source: "ensemble = top(\(k), by: \(metric))")
        }
        if let prune = spec?.prune {
            return Ranking(metric: qualified(prune.metric), minimize: prune.minimize, source: "prune = asha(metric: \(prune.metric))")
        }
        return Ranking(metric: "valid.loss", minimize: true, source: "no select: valid.loss")
    }

    private static func varying(_ trials: [TrialView]) -> [String] {
        var names: [String] = []
        for t in trials { for s in t.result.planned.settings where !names.contains(s.key) { names.append(s.key) } }
        return names.filter { name in
            let values = trials.map { t in t.result.planned.settings.first { $0.key == name }.map { ExperimentResults.compact($0.value) } ?? "" }
            return Set(values).count > 1
        }
    }

    /// Dotted settings whose sweep draws them with `loguniform`, inside a drawn call too
    /// (`optimizer = choice(sgd(lr: loguniform(…)))` makes `optimizer.lr` log-scaled).
    private static func logScaled(_ stage: CheckedStage?) -> Set<String> {
        var out = Set<String>()
        func walk(_ value: Value, path: String) {
            switch value.kind {
            case .call(let name, let positional, let named):
                if name == "loguniform" { out.insert(path); return }
                if name == "choice" { positional.forEach { walk($0, path: path) }; named.forEach { walk($0.value, path: path) }; return }
                named.forEach { walk($0.value, path: path + "." + $0.name) }
            case .list(let items):
                items.forEach { walk($0, path: path) }
            default:
                break
            }
        }
        for sweep in stage?.sweeps ?? [] {
            for axis in sweep.axes {
                if let g = axis.generator { walk(g, path: axis.dottedPath) }
                axis.values.forEach { walk($0, path: axis.dottedPath) }
            }
        }
        return out
    }
}
