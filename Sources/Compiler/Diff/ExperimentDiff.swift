import DSL
import Foundation
import Plan
import Support

/// The semantic difference between two revisions of an experiment: what
/// `ftx diff` prints.
///
/// Both sides are checked and planned. Settings are compared as canonical
/// values (`SettingsDiffer`), so comments, layout, declaration and key order
/// and number spelling are never differences; the plan impact comes from the
/// same content keys `ftx plan` computes (`TrialMatcher`).
public struct ExperimentDiff: Sendable {
    /// Setting, sweep, declaration and file-content changes, in declaration order.
    public var changes: [DiffChange]
    /// Trials reused, invalidated, added, removed (all stages).
    public var trials: TrialImpact
    /// The same, per stage (new names), in dependency order.
    public var trialsByStage: [(stage: String, impact: TrialImpact)]
    /// Tasks of the new plan whose keys the old plan did not have: the work
    /// the edit causes, assuming the old revision was run.
    public var recompute: [PlannedTask]
    /// Estimated seconds of the train tasks in `recompute`, at the calibration's prices (GEMMs at `gflops`).
    public var recomputeSeconds: Double
    public var gflops: Double
    /// Estimated seconds of each train task in `recompute`, by key.
    public var recomputeEstimates: [String: Double]
    /// Labels and input files of both sides.
    public var oldLabel: String
    public var newLabel: String
    public var oldInputs: [InputFile]
    public var newInputs: [InputFile]

    /// Whether anything meaningful differs: a change, or a trial or task the edit makes run.
    public var hasSemanticDifference: Bool { !changes.isEmpty || trials.changesTrials || !recompute.isEmpty }

    /// Compares two checked sides; plans both (a side that cannot be planned is a `DiffError`).
    public static func compare(old: DiffSide, new: DiffSide, digests: FileDigests = FileDigests(),
                               calibration: CostCalibration = .defaults) throws -> ExperimentDiff {
        var differ = SettingsDiffer(old: old.check.experiment, new: new.check.experiment, digests: digests)
        differ.run()
        let planner = Planner(digests: digests)
        func plan(_ side: DiffSide) throws -> Plan {
            do {
                return try planner.makePlan(side.check.experiment, file: side.check.file)
            } catch {
                throw DiffError("cannot plan the experiment at \(side.label): \(error)")
            }
        }
        let oldPlan = try plan(old), newPlan = try plan(new)
        let byStage = TrialMatcher.match(old: oldPlan.graph, new: newPlan.graph, stageNames: differ.stageNames)
        let before = Set(oldPlan.graph.tasks.map(\.key))
        let recompute = newPlan.graph.tasks.filter { !before.contains($0.key) }
        var estimates: [String: Double] = [:]
        for task in recompute where task.kind == .train {
            if let e = newPlan.estimates[task.key] { estimates[task.key] = e.seconds(calibration) }
        }
        return ExperimentDiff(changes: differ.changes, trials: byStage.map(\.impact).reduce(TrialImpact(), +), trialsByStage: byStage,
                              recompute: recompute, recomputeSeconds: estimates.values.reduce(0, +), gflops: calibration.gflops, recomputeEstimates: estimates,
                              oldLabel: old.label, newLabel: new.label, oldInputs: old.inputs, newInputs: new.inputs)
    }

    // MARK: Output

    /// The `--json` object of CLI.md — `{"changes":[{"kind","path","old","new"}],"trials":{"reused","invalidated","added","removed"}}` —
    /// plus `subject` per change, `stages` (trials per stage), `recompute`, `old`/`new` (labels and inputs).
    public func jsonValue() -> JSONValue {
        let tasks: [JSONValue] = recompute.map { task in
            var fields: [(key: String, value: JSONValue)] = [("id", .string(task.key)), ("kind", .string(task.kind.rawValue)), ("stage", .string(task.stage))]
            if task.kind == .train, let s = estimatedSeconds(task) { fields.append(("seconds", .double(s))) }
            return .object(fields)
        }
        func side(_ label: String, _ inputs: [InputFile]) -> JSONValue {
            .object([
                ("label", .string(label)),
                ("inputs", .array(inputs.map { .object([("path", .string($0.path)), ("origin", .string($0.originText))]) })),
            ])
        }
        return .object([
            ("changes", .array(changes.map(\.json))),
            ("trials", trials.json),
            ("stages", .object(trialsByStage.map { ($0.stage, $0.impact.json) })),
            ("recompute", .object([("tasks", .array(tasks)), ("seconds", .double(recomputeSeconds)), ("gflops", .double(gflops))])),
            ("old", side(oldLabel, oldInputs)),
            ("new", side(newLabel, newInputs)),
            ("different", .bool(hasSemanticDifference)),
        ])
    }

    /// `jsonValue()` as one line.
    public func json() -> String { JSONWriter.encode(jsonValue()) }

    private func estimatedSeconds(_ task: PlannedTask) -> Double? { recomputeEstimates[task.key] }

    /// The human report: one line per change, then the trials, the work to
    /// recompute and where each side's files were read.
    public func text() -> String {
        var lines: [String] = []
        if changes.isEmpty {
            lines.append(hasSemanticDifference ? "no setting changed, but the files the experiment reads did" : "no semantic difference")
        } else {
            lines += changes.map(\.text)
            if changes.contains(where: \.isResources) {
                lines.append("(`resources` only decide what cluster jobs ask for: they change no result and no task key)")
            }
        }
        lines.append("")
        var trialLine = "trials: \(trials.text)"
        let perStage = trialsByStage.map { entry -> String in
            let i = entry.impact
            let parts = [("reused", i.reused), ("invalidated", i.invalidated), ("added", i.added), ("removed", i.removed)].filter { $0.1 > 0 }
            return "\(entry.stage): " + (parts.isEmpty ? "none" : parts.map { "\($0.1) \($0.0)" }.joined(separator: ", "))
        }
        if trialsByStage.count > 1 { trialLine += " (" + perStage.joined(separator: "; ") + ")" }
        lines.append(trialLine)
        if recompute.isEmpty {
            lines.append("to recompute: nothing")
        } else {
            let kinds: [PlannedTask.Kind] = [.data, .features, .train, .eval, .select, .ensemble]
            let counts = kinds.compactMap { kind -> String? in
                let n = recompute.filter { $0.kind == kind }.count
                return n == 0 ? nil : "\(n) \(kind.rawValue)"
            }
            var line = "to recompute: " + counts.joined(separator: ", ")
            if recomputeSeconds > 0 { line += String(format: " (training ~%@ at %g GFLOP/s)", PlanReport.duration(recomputeSeconds), gflops) }
            lines.append(line)
        }
        for (label, inputs) in [(oldLabel, oldInputs), (newLabel, newInputs)] where !inputs.isEmpty {
            lines.append("files of \(label): " + inputs.map { "\($0.path) \($0.originText)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
