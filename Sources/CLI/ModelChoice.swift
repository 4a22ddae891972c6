import Compiler
import Foundation
import Plan
import Runtime
import Support

/// Which trained model `ftx predict` and `ftx export` use: `--trial ID` (a trial id or a
/// unique prefix of one), `best` (the stage's selected trial; a stage of one trial
/// without `select`: that trial), `ensemble` (the stage's ensemble); without `--trial`, the
/// stage's ensemble when it declares one, else its best. The stage is `--stage NAME`,
/// default the experiment's last. Every member must have finished `done`.
struct ModelChoice {
    /// Why no model can be chosen (exit 2).
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// One trained trial.
    struct Member {
        var trial: PlannedTrial
        var spec: TrainingSpec
        var weights: String
    }

    var stage: String
    /// Whether this is the stage's ensemble (else one trial).
    var isEnsemble: Bool
    var members: [Member]
    /// The stored metrics: the trial's eval, or the ensemble's.
    var metrics: [(key: String, value: Double)]
    /// How the choice reads in messages: `trial 3f2a9c01de (best of stage finetune)`.
    var title: String

    static func resolve(_ loaded: LoadedExperiment, trial requested: String?, stage requestedStage: String?) throws -> ModelChoice {
        let graph = loaded.plan.graph, store = loaded.store
        var stages: [String] = []
        for t in graph.trials where !stages.contains(t.stage) { stages.append(t.stage) }
        guard let lastStage = stages.last else { throw Failure("the experiment has no trials") }
        let stage = requestedStage ?? lastStage
        guard stages.contains(stage) else {
            throw Failure("no stage `\(stage)`; the stages are \(stages.map { "`\($0)`" }.joined(separator: ", "))")
        }
        let ensembleTask = graph.tasks.first { $0.kind == .ensemble && $0.stage == stage }
        let selectTask = graph.tasks.first { $0.kind == .select && $0.stage == stage }
        let stageTrials = graph.trials.filter { $0.stage == stage }
        let file = loaded.check.file.path

        func member(_ key: String) throws -> Member {
            guard let trial = graph.trials.first(where: { $0.id == key }) else {
                throw Failure("trial \(key) is not in the plan of `\(file)`")
            }
            guard case .eval(_, let spec)? = graph.task(trial.evalKey)?.payload else {
                throw Failure("trial \(TaskKey.short(key)) has no eval task")
            }
            let status = store.completedStatus(key)
            guard status == .done else {
                let state = status?.rawValue ?? store.status(of: key).rawValue
                throw Failure("trial \(TaskKey.short(key)) of stage `\(trial.stage)` did not finish (status: \(state)); only a trial that finished `done` has a model to use — run `ftx run \(file)`, or pick another trial (`ftx results \(file)`)")
            }
            let weights = store.path("final.safetensors", for: key)
            guard FileManager.default.fileExists(atPath: weights) else {
                throw Failure("trial \(TaskKey.short(key)) has no final.safetensors in the store")
            }
            return Member(trial: trial, spec: spec, weights: weights)
        }
        func evalMetrics(_ m: Member) -> [(key: String, value: Double)] {
            ExperimentResults.numbers(store.metrics(for: m.trial.evalKey)?["metrics"])
        }
        func completed(_ task: PlannedTask, _ what: String) throws -> JSONValue {
            guard store.completedStatus(task.key) != nil, let m = store.metrics(for: task.key) else {
                throw Failure("the \(what) of stage `\(stage)` has not run yet; run `ftx run \(file)` first")
            }
            return m
        }
        func best() throws -> ModelChoice {
            if let selectTask {
                guard let key = try completed(selectTask, "selection")["selected"]?.stringValue else {
                    throw Failure("the selection of stage `\(stage)` recorded no trial")
                }
                let m = try member(key)
                return ModelChoice(stage: stage, isEnsemble: false, members: [m], metrics: evalMetrics(m),
                                   title: "trial \(TaskKey.short(key)) (best of stage \(stage))")
            }
            guard stageTrials.count == 1 else {
                throw Failure("stage `\(stage)` has \(stageTrials.count) trials and no `select`; pass --trial ID (ids in `ftx results \(file)`)")
            }
            let m = try member(stageTrials[0].id)
            return ModelChoice(stage: stage, isEnsemble: false, members: [m], metrics: evalMetrics(m),
                               title: "trial \(TaskKey.short(m.trial.id)) (stage \(stage))")
        }
        func ensemble() throws -> ModelChoice {
            guard let ensembleTask else { throw Failure("stage `\(stage)` declares no `ensemble`") }
            let json = try completed(ensembleTask, "ensemble")
            let keys = json["members"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !keys.isEmpty else { throw Failure("the ensemble of stage `\(stage)` recorded no members") }
            return ModelChoice(stage: stage, isEnsemble: true, members: try keys.map(member),
                               metrics: ExperimentResults.numbers(json["metrics"]),
                               title: "the ensemble of stage \(stage) (\(keys.count) trials)")
        }

        switch requested {
        case nil: return ensembleTask != nil ? try ensemble() : try best()
        case "best"?: return try best()
        case "ensemble"?: return try ensemble()
        case let id?:
            let matches = graph.trials.filter { $0.id.hasPrefix(id.lowercased()) }
            guard id.count >= 4, id.allSatisfy(\.isHexDigit) else {
                throw Failure("--trial takes a trial id (at least 4 hex digits, as `ftx results` shows), `best` or `ensemble`; got `\(id)`")
            }
            guard let first = matches.first else { throw Failure("no trial of `\(file)` has an id starting with `\(id)`") }
            guard matches.count == 1 else {
                throw Failure("`\(id)` matches \(matches.count) trials (\(matches.map { TaskKey.short($0.id) }.joined(separator: ", "))); give more digits")
            }
            let m = try member(first.id)
            return ModelChoice(stage: first.stage, isEnsemble: false, members: [m], metrics: evalMetrics(m),
                               title: "trial \(TaskKey.short(first.id)) (stage \(first.stage))")
        }
    }

    /// The predictor of the chosen model(s), from the store.
    func predictor() throws -> Predictor {
        try Predictor.trained(members.map { ($0.spec, $0.weights) })
    }
}
