import Foundation
import Plan
import Support

/// What `ftx plan` prints: trials and tasks with their status in the store,
/// the reason each pending task must run, and the estimated time of every task,
/// by kind and by stage (`CostModel`'s work at `CostCalibration`'s prices).
public struct PlanReport {
    /// The GEMM throughput (GFLOP/s) of the default prices, for a machine that has not
    /// been measured with `ftx bench gemm` or `ftx bench calibrate`.
    public static let defaultGFLOPS = CostCalibration.defaults.gflops

    public let plan: Plan
    /// The prices that turn the cost model's work into seconds.
    public let calibration: CostCalibration
    /// The large-GEMM rate of `calibration`.
    public var gflops: Double { calibration.gflops }
    private let done: Set<String>
    /// Estimated seconds of every task, by key (select tasks included).
    private let seconds: [String: Double]

    /// `isComplete` says whether a task key is complete in the store.
    public init(plan: Plan, isComplete: (String) -> Bool, calibration: CostCalibration) {
        self.plan = plan
        self.calibration = calibration
        self.done = Set(plan.graph.tasks.map(\.key).filter(isComplete))
        self.seconds = Self.estimatedSeconds(plan, calibration)
    }

    /// The default prices with a measured GEMM rate.
    public init(plan: Plan, isComplete: (String) -> Bool, gflops: Double = PlanReport.defaultGFLOPS) {
        self.init(plan: plan, isComplete: isComplete, calibration: .defaults(gflops: gflops))
    }

    /// Whether the task is complete in the store.
    public func isDone(_ key: String) -> Bool { done.contains(key) }

    /// A trial is done when its train and eval tasks are.
    public func isDone(trial: PlannedTrial) -> Bool { done.contains(trial.id) && done.contains(trial.evalKey) }

    /// Why the task needs to run, or `done`.
    public func reason(_ task: PlannedTask) -> String {
        if done.contains(task.key) { return "done" }
        let pending = task.deps.filter { !done.contains($0) }
        if pending.isEmpty { return "not in store" }
        let names = pending.map { key -> String in
            let kind = plan.graph.task(key)?.kind.rawValue ?? "task"
            return "\(kind) \(TaskKey.short(key))"
        }
        return "upstream " + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "") + " must run first"
    }

    /// The estimated seconds of a task (of any kind), whether or not it is done.
    public func estimatedSeconds(_ key: String) -> Double? { seconds[key] }

    /// Estimated seconds of every pending task.
    public var pendingSeconds: Double {
        plan.graph.tasks.filter { !done.contains($0.key) }.compactMap { seconds[$0.key] }.reduce(0, +)
    }

    /// Estimated seconds of the pending tasks of each stage (data tasks under ""), in plan order.
    public var pendingSecondsByStage: [(stage: String, seconds: Double)] {
        var order: [String] = []
        var sums: [String: Double] = [:]
        for task in plan.graph.tasks where !done.contains(task.key) {
            if sums[task.stage] == nil { order.append(task.stage) }
            sums[task.stage, default: 0] += seconds[task.key] ?? 0
        }
        return order.map { ($0, sums[$0]!) }
    }

    /// Estimated seconds of the pending tasks of each kind.
    public func pendingSeconds(kind: PlannedTask.Kind) -> Double {
        plan.graph.tasks.filter { $0.kind == kind && !done.contains($0.key) }.compactMap { seconds[$0.key] }.reduce(0, +)
    }

    /// Every task's seconds: a train task's from its estimate (a pruned stage's trials at
    /// their mean share of successive halving), an eval task's from its trial's, a data
    /// or features task's from a trial that reads it, a select task's fixed store cost, an
    /// ensemble's its members' forward passes.
    static func estimatedSeconds(_ plan: Plan, _ c: CostCalibration) -> [String: Double] {
        let graph = plan.graph
        var reader: [String: TrainEstimate] = [:]  // a data or features task's first reading trial
        for task in graph.tasks where task.kind == .train {
            for d in task.deps where reader[d] == nil { reader[d] = plan.estimates[task.key] }
        }
        let cohorts = graph.pruneCohorts
        var out: [String: Double] = [:]
        var fixed = CostWork()
        fixed.tasks = 1
        for task in graph.tasks {
            switch task.payload {
            case .train(let spec):
                guard let e = plan.estimates[task.key] else { continue }
                let share = spec.prune.map { CostModel.ashaShare($0, epochs: spec.schedule.epochs, trials: cohorts[task.stage]?.count ?? 1) }
                out[task.key] = e.seconds(c, pruned: share)
            case .eval(let trainKey, _):
                if let e = plan.estimates[trainKey] { out[task.key] = c.seconds(e.eval) }
            case .data:
                if let e = reader[task.key] { out[task.key] = c.seconds(e.data) }
            case .features:
                if let f = reader[task.key]?.features { out[task.key] = c.seconds(f) }
            case .select:
                out[task.key] = c.seconds(fixed)
            case .ensemble(_, _, let k, let candidates, _):
                // Each member's forward pass over every split, as its eval task does it.
                let members = candidates.prefix(max(k, 1)).compactMap { key -> Double? in
                    guard case .eval(let trainKey, _)? = graph.task(key)?.payload, let e = plan.estimates[trainKey] else { return nil }
                    var evalTask = CostWork()
                    evalTask.evalTasks = 1
                    return c.seconds(e.eval) - c.seconds(evalTask)
                }
                out[task.key] = c.seconds(fixed) + members.reduce(0, +)
            }
        }
        return out
    }

    /// Every file or folder the plan reads, resolved (absolute, `..` and `.` removed) and
    /// de-duplicated, in plan order: data files, model folders, separate vocabularies,
    /// `checkpoint(…)` files, the tables of text augmentations. ftx only reads these; the store is the one place it writes.
    public var inputs: [(kind: String, path: String)] {
        var seen = Set<String>()
        var out: [(kind: String, path: String)] = []
        func add(_ kind: String, _ path: String) {
            let resolved = (path as NSString).standardizingPath
            if seen.insert(kind + "\u{0}" + resolved).inserted { out.append((kind, resolved)) }
        }
        for task in plan.graph.tasks {
            switch task.payload {
            case .data(let data): add("data", data.source.path)
            case .features(let spec), .train(let spec):
                add("data", spec.data.source.path)
                if let pretrained = spec.model.pretrained {
                    add("model", pretrained.directory)
                    if let vocabulary = pretrained.vocabulary { add("vocabulary", vocabulary) }
                }
                if case .checkpoint(let path) = spec.initialization { add("checkpoint", path) }
                for path in spec.data.augment.flatMap(\.tablePaths) { add("table", path) }
            default: break
            }
        }
        return out
    }

    // MARK: JSON

    /// The `--json` object of CLI.md:
    /// `{"experiment","trials":[{"id","stage","settings","status"}],"tasks":[{"id","kind","deps","status","stage","estimated_seconds"}],"estimate"}`;
    /// trials of a stage with `repeat` > 1 add `"replicate"` (0-based) and `"point"` (replicate 0's id).
    /// A task's `stage` is "" for a data task; `estimated_seconds` is its estimate whether or not it is done; `estimate` sums the
    /// pending tasks': `{"seconds","stages":{STAGE: s},"kinds":{KIND: s},"calibration":{…}}` (data tasks
    /// under the stage ""; `calibration` as `calibration.json` holds it).
    public func jsonValue() -> JSONValue {
        let repeated = plan.graph.repeatedPoints
        let trials: [JSONValue] = plan.graph.trials.map { trial in
            // `replicate` and `point` only for stages with `repeat` > 1: other trials keep their shape.
            .object([
                ("id", .string(trial.id)),
                ("stage", .string(trial.stage)),
                ("settings", .object(trial.settings.map { ($0.key, Self.json($0.value)) })),
                ("status", .string(isDone(trial: trial) ? "done" : "pending")),
            ] + (repeated.contains(trial.point) ? [("replicate", .int(trial.replicate)), ("point", .string(trial.point))] : []))
        }
        let tasks: [JSONValue] = plan.graph.tasks.map { task in
            .object([
                ("id", .string(task.key)),
                ("kind", .string(task.kind.rawValue)),
                ("deps", .array(task.deps.map { .string($0) })),
                ("status", .string(done.contains(task.key) ? "done" : "pending")),
                ("stage", .string(task.stage)),
                ("estimated_seconds", seconds[task.key].map(JSONValue.double) ?? .null),
            ])
        }
        let kinds = PlannedTask.Kind.allInReportOrder.filter { k in plan.graph.tasks.contains { $0.kind == k } }
        let estimate: JSONValue = .object([
            ("seconds", .double(pendingSeconds)),
            ("stages", .object(pendingSecondsByStage.map { (key: $0.stage, value: JSONValue.double($0.seconds)) })),
            ("kinds", .object(kinds.map { (key: $0.rawValue, value: JSONValue.double(pendingSeconds(kind: $0))) })),
            ("calibration", calibration.json),
        ])
        return .object([("experiment", .string(plan.graph.experiment)), ("trials", .array(trials)), ("tasks", .array(tasks)),
                        ("estimate", estimate)])
    }

    /// `jsonValue()` as one line of text.
    public func json() -> String { JSONWriter.encode(jsonValue()) }

    /// A setting as JSON: integral numbers print without a fraction.
    public static func json(_ value: SettingValue) -> JSONValue {
        switch value {
        case .number(let n):
            if n == n.rounded(), abs(n) < 9e15 { return .int(Int(n)) }
            return .double(n)
        case .string(let s), .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }

    /// A setting as the text table shows it.
    public static func text(_ value: SettingValue) -> String {
        switch value {
        case .number(let n): return (n == n.rounded() && abs(n) < 9e15) ? String(Int(n)) : JSONWriter.format(n)
        case .string(let s), .text(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    // MARK: Text

    /// The human report: trials, tasks by kind, totals; with `explain`, every task and its reason.
    /// `store`: the store's folder, shown as the one place the run writes.
    public func text(explain: Bool = false, store: String? = nil) -> String {
        let graph = plan.graph
        var lines: [String] = []
        let doneTrials = graph.trials.filter(isDone(trial:)).count
        lines.append("experiment \(graph.experiment): \(graph.trials.count) trial\(graph.trials.count == 1 ? "" : "s") (\(doneTrials) done, \(graph.trials.count - doneTrials) pending)")
        lines.append("")

        // Trials table.
        let header = ["trial", "stage", "status", "settings"]
        let repeated = graph.repeatedPoints
        let rows: [[String]] = graph.trials.map { trial in
            var settings = trial.settings.map { setting -> String in
                let value = setting.key == "init" ? TaskKey.short(Self.text(setting.value)) : Self.text(setting.value)
                return "\(setting.key)=\(value)"
            }
            // `repeat`: which run of its point, and the seed it trains with.
            if repeated.contains(trial.point) {
                settings.append("replicate=\(trial.replicate)")
                if case .train(let spec)? = graph.task(trial.id)?.payload { settings.append("seed=\(spec.seed)") }
            }
            let settingsText = settings.joined(separator: " ")
            return [TaskKey.short(trial.id), trial.stage, isDone(trial: trial) ? "done" : "pending", settingsText]
        }
        lines += Self.table(header: header, rows: rows)
        lines.append("")

        // What it reads (resolved paths: a `..` in the file is shown undone) and where it writes.
        lines.append("reads (never written):")
        let kindWidth = inputs.map(\.kind.count).max() ?? 0
        lines += inputs.map { "  " + $0.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0) + "  " + $0.path }
        if let store { lines.append("writes: \(store) (the store, the only place written)") }
        lines.append("")

        // Tasks by kind, with the estimated time of their pending tasks.
        lines.append("tasks:")
        for kind in PlannedTask.Kind.allInReportOrder {
            let ofKind = graph.tasks.filter { $0.kind == kind }
            if ofKind.isEmpty { continue }
            let doneCount = ofKind.filter { done.contains($0.key) }.count
            var line = "  \(kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))\(String(ofKind.count).leftPadded(4))  (\(doneCount) done, \(ofKind.count - doneCount) pending)"
            let pending = pendingSeconds(kind: kind)
            if pending > 0 { line += "  ~\(Self.duration(pending))" }
            lines.append(line)
            if explain {
                for task in ofKind {
                    var detail = "      \(TaskKey.short(task.key))  \(task.stage.isEmpty ? "-" : task.stage)  \(reason(task))"
                    if !done.contains(task.key), let s = seconds[task.key] {
                        if task.kind == .train, let e = plan.estimates[task.key] {
                            detail += String(format: "  (%d steps, %.2g GFLOP, ~%@)", e.steps, e.flops / 1e9, Self.duration(s))
                        } else {
                            detail += "  (~\(Self.duration(s)))"
                        }
                    }
                    lines.append(detail)
                }
            }
        }
        lines.append("")
        let pendingTasks = graph.tasks.filter { !done.contains($0.key) }.count
        if pendingTasks > 0 {
            // The estimate per stage: what `bench/cost_model.py` compares with the measured wall time.
            lines.append("estimated time by stage:")
            let stages = pendingSecondsByStage
            let names = stages.map { $0.stage.isEmpty ? "(data)" : $0.stage }
            let width = names.map(\.count).max() ?? 0
            for (name, stage) in zip(names, stages) {
                lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  ~" + Self.duration(stage.seconds))
            }
            lines.append("")
        }
        var total = "total: \(graph.tasks.count) task\(graph.tasks.count == 1 ? "" : "s"), \(pendingTasks) pending"
        if pendingTasks > 0 {
            total += String(format: "; estimated time ~%@ at %g GFLOP/s (prices: %@)", Self.duration(pendingSeconds), gflops, calibration.measured)
        } else {
            total += "; nothing to run"
        }
        lines.append(total)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `1.2s`, `3m 05s`, `2h 10m`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return seconds < 10 ? String(format: "%.1fs", seconds) : String(format: "%.0fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%dm %02ds", s / 60, s % 60) }
        return String(format: "%dh %02dm", s / 3600, (s % 3600) / 60)
    }

    static func table(header: [String], rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                parts.append(i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0))
            }
            return parts.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return [render(header)] + rows.map(render)
    }
}

extension PlannedTask.Kind {
    /// The kinds in the order the report lists them: the order the executor runs them in a stage.
    static let allInReportOrder: [PlannedTask.Kind] = [.data, .features, .train, .eval, .select, .ensemble]
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
