import Foundation
import Kernels
import Plan
import Support

/// Running one unit of work: a task, or a cohort trial up to a rung.
extension Executor {
    func execute(_ unit: Unit) -> UnitResult {
        let task = graph.tasks[unit.index]
        do {
            switch task.payload {
            case .train(let spec): return try runTrain(task, spec: spec, limit: unit.limit)
            case let .eval(trainKey, spec): return try runEval(task, trainKey: trainKey, spec: spec)
            case let .select(metric, minimize, candidates, k, replicates):
                return try runSelect(task, metric: metric, minimize: minimize, candidates: candidates, k: k, replicates: replicates)
            case let .ensemble(metric, minimize, k, candidates, replicates):
                return try runEnsemble(task, metric: metric, minimize: minimize, k: k, candidates: candidates, replicates: replicates)
            case .data(let spec): return try runData(task, spec: spec)
            case .features(let spec): return try runFeatures(task, spec: spec)
            }
        } catch let held as LeaseHeld {
            return .busy(held.owner)
        } catch {
            let message = "\(error)"
            // A sealed entry is never rewritten (its manifest pins status.json): a task fails with
            // one in place only when the entry cannot be read, and must leave it as it is.
            if !store.exists("manifest.json", for: task.key) {
                try? store.markStatus(.failed, for: task.key, extra: [("error", .string(message))])
            }
            report(.failed(key: task.key, kind: task.kind, stage: task.stage, message: message))
            return .failed(message)
        }
    }

    /// Runs `body` holding the task's lease unless the task is already sealed; reports start/finish.
    func sealedOr(_ task: PlannedTask, _ body: () throws -> UnitResult) throws -> UnitResult {
        try withLease(task.key) {
            if let s = try store.sealedStatus(task.key) {
                report(.cached(key: task.key, kind: task.kind, stage: task.stage, status: s))
                return .status(s, worked: false)
            }
            try store.prepareEntry(task.key)
            try store.writeJSON(SpecJSON.encode(task), "spec.json", for: task.key)
            report(.started(key: task.key, kind: task.kind, stage: task.stage, resumedAt: 0))
            let start = clock.now()
            let result = try body()
            if case .status(let s, _) = result {
                report(.finished(key: task.key, kind: task.kind, stage: task.stage, status: s, seconds: clock.now() - start,
                                 throughput: nil))
            }
            return result
        }
    }

    // MARK: Train

    /// The weights file an `.upstream` key names: a train task's final checkpoint,
    /// or the trial a select task chose (the `rank`-th of a `top(k)` selection), or an eval task's trial.
    func resolveWeights(_ key: String, rank: Int? = nil) throws -> String {
        guard let task = graph.task(key) else { throw TrainingError("upstream task \(key) is not in the plan") }
        if let rank, case .select = task.payload {
            let chosen = store.metrics(for: key)?["selected_list"]?.arrayValue ?? []
            guard rank >= 1, rank <= chosen.count, let trial = chosen[rank - 1]["trial"]?.stringValue else {
                throw TrainingError("stage \(task.stage) selected \(chosen.count) trial(s) (the others did not finish), so there is no rank \(rank) to start from")
            }
            return try resolveWeights(trial)
        }
        switch task.payload {
        case .train, .features:
            guard let s = try store.sealedStatus(key), s == .done || s == .pruned else {
                throw TrainingError("upstream trial \(key) has no final checkpoint (status \(store.status(of: key).rawValue))")
            }
            return store.path("final.safetensors", for: key)
        case .select:
            guard let chosen = store.metrics(for: key)?["selected"]?.stringValue else {
                throw TrainingError("upstream selection \(key) has no result")
            }
            return try resolveWeights(chosen)
        case .eval(let trainKey, _):
            return try resolveWeights(trainKey)
        case .data, .ensemble:
            throw TrainingError("a trial cannot start from a \(task.kind.rawValue) task (\(key))")
        }
    }

    func runTrain(_ task: PlannedTask, spec: TrainingSpec, limit: Int?) throws -> UnitResult {
        let key = task.key
        return try withLease(key) {
            if let s = try store.sealedStatus(key) {
                if s != .pruned {
                    report(.cached(key: key, kind: .train, stage: task.stage, status: s))
                    return .status(s, worked: false)
                }
                if let limit, Trainer.epochsCompleted(key: key, store: store) >= limit { return .reached(worked: false) }
                if limit == nil && !store.exists("last-state.json", for: key) {
                    report(.cached(key: key, kind: .train, stage: task.stage, status: s))
                    return .status(s, worked: false)
                }
                store.unseal(key)  // promoted by a later plan: continue from the checkpoint
            }
            try store.prepareEntry(key)
            if !store.exists("spec.json", for: key) { try store.writeJSON(SpecJSON.encode(task), "spec.json", for: key) }
            let done = store.exists("last-state.json", for: key) ? Trainer.epochsCompleted(key: key, store: store) : 0
            if let limit, done >= limit { return .reached(worked: false) }
            report(.started(key: key, kind: .train, stage: task.stage, resumedAt: done))
            let start = clock.now()
            var initPath: String?
            switch spec.initialization {
            case .random: break
            case .checkpoint(let path): initPath = path
            case .upstream(let k, let rank): initPath = try resolveWeights(k, rank: rank)
            }
            var effective = limit
            if let stop = interruptAfterEpochs[key] { effective = min(effective ?? stop, stop) }
            let stage = task.stage
            let hook = onStep
            let sampler = StepSampler(key: key, interval: stepReportInterval)
            var options = Trainer.Options(epochLimit: effective,
                                          onStep: hook.map { h in { t, loss in h(key, t, loss) } },
                                          onProgress: { [weak self, clock] p in
                                              if let s = sampler.record(p, now: clock.now()) { self?.report(.step(stage: stage, sample: s)) }
                                          },
                                          onEpoch: { [weak self] p in self?.report(.epoch(stage: stage, progress: p)) },
                                          clock: { [clock] in clock.now() }, checkpointInterval: checkpointInterval)
            options.stopRequested = stopRequested
            let trainer = Trainer(spec: spec, key: key, store: store, initialWeightsPath: initPath,
                                  reinitializeHead: spec.reinitializeHead)
            trainer.featuresPath = hoistedFeatures(forTrain: key)
            let outcome = try trainer.run(options)
            let status: TaskStatus
            switch outcome {
            case .finished: status = .done
            case .diverged: status = .diverged
            case .paused(let e):
                report(.paused(key: key, stage: task.stage, epoch: e))
                if let limit, e >= limit { return .reached(worked: true) }
                return .interrupted
            }
            report(.finished(key: key, kind: .train, stage: task.stage, status: status, seconds: clock.now() - start,
                             throughput: trainer.throughput))
            return .status(status, worked: true)
        }
    }

    // MARK: Eval

    func runEval(_ task: PlannedTask, trainKey: String, spec: TrainingSpec) throws -> UnitResult {
        try withLease(task.key) {
            guard let trainStatus = try store.sealedStatus(trainKey) else {
                throw TrainingError("trial \(trainKey) has not finished")
            }
            let weightsHash = store.recordedHash("final.safetensors", for: trainKey)
            if let s = try store.sealedStatus(task.key), let m = store.metrics(for: task.key) {
                // Re-evaluate if the trial's checkpoint changed since (a pruned trial promoted later).
                if m["status"]?.stringValue == trainStatus.rawValue && m["weights_sha256"]?.stringValue == weightsHash {
                    report(.cached(key: task.key, kind: .eval, stage: task.stage, status: s))
                    return .status(s, worked: false)
                }
                store.unseal(task.key)
            }
            try store.prepareEntry(task.key)
            try store.writeJSON(SpecJSON.encode(task), "spec.json", for: task.key)
            report(.started(key: task.key, kind: .eval, stage: task.stage, resumedAt: 0))
            let start = clock.now()
            let history = store.history(for: trainKey).compactMap(EpochRecord.init(json:))
            var metrics: [(key: String, value: Double)] = []
            var classification: [(key: String, value: JSONValue)] = []
            if weightsHash != nil, trainStatus != .diverged {
                let model = try MLPModel.trained(spec: spec.model, weights: store.path("final.safetensors", for: trainKey))
                let data = try Trainer.prepareData(spec, model: model)
                if let hoisted = hoistedFeatures(forTrain: trainKey) { try model.useHoistedFeatures(hoisted, data: data) }
                let loss = try TrialLoss(spec.loss, train: data.train, outputs: model.outputs)
                (metrics, classification) = TrialEvaluation.report(model, data: data, loss: loss, requested: spec.metrics,
                                                                   splits: [.train, .valid, .test])
            } else if let last = history.last {
                metrics = last.metrics
            }
            var json: JSONValue = [
                "train": .string(trainKey), "status": .string(trainStatus.rawValue), "epochs": .int(history.count),
                "metrics": .object(metrics.map { (key: $0.key, value: JSONValue.double($0.value)) }),
                "weights_sha256": weightsHash.map { .string($0) } ?? .null,
            ]
            // `keep_best`: the metrics above are those of the kept epoch's weights; say which epoch that is.
            if let kept = store.readJSON("status.json", for: trainKey)?["kept_epoch"], case .object(var members) = json {
                members.append((key: "kept_epoch", value: kept))
                json = .object(members)
            }
            // Confusion matrices and per-class scores by split (not scalars, so not in `metrics`).
            if !classification.isEmpty, case .object(var fields) = json {
                fields.append(("classification", .object(classification)))
                json = .object(fields)
            }
            try store.writeJSON(json, "metrics.json", for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", "metrics.json"])
            report(.finished(key: task.key, kind: .eval, stage: task.stage, status: .done, seconds: clock.now() - start, throughput: nil))
            return .status(.done, worked: true)
        }
    }

    // MARK: Data and features

    func runData(_ task: PlannedTask, spec: DataSpec) throws -> UnitResult {
        try sealedOr(task) {
            // The whole file, unfiltered: labels a stage's `where` filter leaves out are checked
            // by that stage (`Dataset.prepare(filter:)`), not here.
            let data = try Dataset.load(spec)
            let split = data.assignment
            let json: JSONValue = [
                "rows": .int(split.train.count + split.valid.count + split.test.count),
                "features": .int(data.featureCount), "classes": .array(data.classNames.map { .string($0) }),
                "train": .int(split.train.count), "valid": .int(split.valid.count), "test": .int(split.test.count),
                // Which file rows (0-based, header excluded) each split holds, so other tools
                // (the benchmark's PyTorch peer) can train and evaluate on exactly the same rows.
                "split_rows": .object(SplitName.allCases.map { name in
                    (key: name.rawValue, value: JSONValue.array(split[name].map { .int($0) }))
                }),
            ]
            try store.writeJSON(json, "summary.json", for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", "summary.json"])
            return .status(.done, worked: true)
        }
    }

}
