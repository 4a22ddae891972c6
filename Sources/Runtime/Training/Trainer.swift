import Foundation
import Kernels
import Plan
import Support

/// Executes one `TrainingSpec` exactly per LANGUAGE.md "Exact training semantics",
/// checkpointing at epoch ends into its store entry so a killed trial resumes
/// bit-identically.
///
/// Per optimizer step `t` (0-based over the stage, `T` = epochs × batches per
/// epoch): gather the batch (`BatchLoader`: file order without shuffle, else a
/// permutation that is a function of (seed, epoch)), forward with dropout drawn
/// from a generator seeded by (seed, epoch), loss (+ penalties), backward,
/// clipping, then the optimizer update at `lr · f(t)`. After each epoch: metrics
/// on whole valid/test splits with dropout off (`valid.loss` without penalties),
/// ReduceLROnPlateau on `valid.loss`, early stopping, and — when
/// `Options.checkpointInterval` seconds have passed since the last one, or the
/// trial pauses — a checkpoint (`last.safetensors`, `last-state.safetensors` with
/// the optimizer buffers, `last-state.json` with counters, schedule and early-stop
/// state and the history). A checkpoint every epoch would rewrite W2's 22 MB of
/// weights and Adam moments every 20 steps, 12% of its training time; resuming
/// from an older epoch only costs time, never changes a result.
///
/// Randomness: initialisation from `SeededGenerator(seed).fork("init")`, dropout
/// from `fork("dropout")` re-seeded per epoch, shuffling per `BatchLoader`. All of
/// it is a function of (seed, epoch), so nothing but the checkpoint is needed to resume.
///
/// Early stopping keeps the LAST epoch's weights as the final checkpoint (as
/// PyTorch Lightning's `EarlyStopping` and Keras' default `restore_best_weights=False`);
/// the best epoch is recorded in `status.json` as `best_epoch`.
/// A loss that turns NaN/inf stops the trial with status `diverged`.
public final class Trainer {
    /// How a `run` ended.
    public enum Outcome: Sendable, Equatable {
        /// All epochs done, or stopped early; the entry is sealed `done`.
        case finished(epochs: Int, earlyStopped: Bool)
        /// The loss at `step` was NaN or infinite; sealed `diverged`.
        case diverged(epoch: Int, step: Int)
        /// Stopped after `epochs` completed epochs because of `epochLimit`; resumable.
        case paused(epochs: Int)
    }

    /// What a `run` trained in the epochs it completed: their optimizer steps and the seconds
    /// they took (their evaluations and checkpoints included; model setup, data loading and
    /// the final seal not). A resumed run counts only its own epochs.
    public struct Throughput: Sendable, Equatable {
        public var steps: Int
        public var seconds: Double
        public init(steps: Int, seconds: Double) { self.steps = steps; self.seconds = seconds }
        public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : 0 }
    }

    /// Run-time hooks and limits.
    public struct Options {
        /// Stop (resumably) once this many epochs are complete (ASHA rungs, tests' injected kill).
        public var epochLimit: Int?
        /// Called after each optimizer step with (t, the batch loss as optimized).
        public var onStep: ((Int, Float) -> Void)?
        /// Called after each epoch (after its checkpoint, when one is written).
        public var onEpoch: ((TrialProgress) -> Void)?
        /// Seconds since some origin (for ETA and the checkpoint cadence).
        public var clock: () -> Double
        /// A checkpoint is written at the end of the first epoch that ends at least this many
        /// seconds (of `clock`) after the trial started or last checkpointed; 0: every epoch.
        /// A trial that pauses at `epochLimit` always checkpoints; a finished one seals instead.
        public var checkpointInterval: Double

        /// The default cadence: a kill loses at most about this much training (plus an epoch).
        public static let defaultCheckpointInterval: Double = 10

        public init(epochLimit: Int? = nil, onStep: ((Int, Float) -> Void)? = nil, onEpoch: ((TrialProgress) -> Void)? = nil,
                    clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime },
                    checkpointInterval: Double = Options.defaultCheckpointInterval) {
            self.epochLimit = epochLimit
            self.onStep = onStep
            self.onEpoch = onEpoch
            self.clock = clock
            self.checkpointInterval = checkpointInterval
        }
    }

    /// The trial.
    public let spec: TrainingSpec
    /// Its task key (store entry).
    public let key: String
    /// Where it is checkpointed and sealed.
    public let store: TaskStore
    /// The last `run`'s steps and epoch-loop seconds, updated at the end of each epoch.
    public private(set) var throughput = Throughput(steps: 0, seconds: 0)
    /// Weights to start from for `.checkpoint` / `.upstream` (the executor resolves upstream keys).
    public let initialWeightsPath: String?
    /// Re-initialise `head.*` instead of loading it (a stage that declares a new head).
    public let reinitializeHead: Bool
    /// A hoisted `features` task's stored pooled encoder outputs (frozen encoder), read instead of encoding the texts.
    public var featuresPath: String?

    public init(spec: TrainingSpec, key: String, store: TaskStore, initialWeightsPath: String? = nil, reinitializeHead: Bool = false) {
        self.spec = spec
        self.key = key
        self.store = store
        self.initialWeightsPath = initialWeightsPath
        self.reinitializeHead = reinitializeHead
    }

    // MARK: Checkpoint state

    struct Counters {
        var epoch = 0
        var step = 0
        var scheduler: LRScheduler
        var earlyBest: Double
        var earlyBad = 0
        var bestEpoch = 0
        var history: [EpochRecord] = []
    }

    private func stateJSON(_ c: Counters, hashes: [(key: String, value: JSONValue)]) -> JSONValue {
        func num(_ d: Double) -> JSONValue { d.isFinite ? .double(d) : .null }
        return [
            "epoch": .int(c.epoch), "step": .int(c.step),
            "scheduler": c.scheduler.stateJSON,
            "early_stop": ["best": num(c.earlyBest), "bad_epochs": .int(c.earlyBad), "best_epoch": .int(c.bestEpoch)],
            "history": .array(c.history.map(\.json)),
            "files": .object(hashes),
        ]
    }

    /// Loads a consistent checkpoint (hashes verified), or nil (reported) if none or damaged.
    private func loadCheckpoint(into model: MLPModel, initial: Counters) -> (Counters, OptimizerState)? {
        guard let json = store.readJSON("last-state.json", for: key) else { return nil }
        func damaged(_ why: String) -> (Counters, OptimizerState)? {
            store.warn("resume state of \(key) is unusable (\(why)); restarting the trial from epoch 0")
            return nil
        }
        guard let files = json["files"], let epoch = json["epoch"]?.intValue, let step = json["step"]?.intValue,
              let schedulerState = json["scheduler"], let early = json["early_stop"], let history = json["history"]?.arrayValue
        else { return damaged("last-state.json is malformed") }
        for name in ["last.safetensors", "last-state.safetensors"] {
            guard let data = store.read(name, for: key) else { return damaged("\(name) is missing") }
            if ResumeChecksum.hex(data) != files[name]?.stringValue { return damaged("\(name) does not match last-state.json") }
        }
        var c = initial
        c.epoch = epoch
        c.step = step
        do { try c.scheduler.restore(stateJSON: schedulerState) } catch { return damaged("scheduler state: \(error)") }
        c.earlyBest = early["best"]?.doubleValue ?? initial.earlyBest
        c.earlyBad = early["bad_epochs"]?.intValue ?? 0
        c.bestEpoch = early["best_epoch"]?.intValue ?? 0
        c.history = history.compactMap(EpochRecord.init(json:))
        guard c.history.count == epoch else { return damaged("history length differs from the epoch count") }
        do {
            _ = try model.load(from: store.path("last.safetensors", for: key))
            let file = try SafetensorsFile(contentsOf: store.path("last-state.safetensors", for: key))
            return (c, try OptimizerState(file: file))
        } catch {
            return damaged("\(error)")
        }
    }

    /// The per-epoch resume state. Written atomically but not flushed to disk (`durable: false`):
    /// a kill cannot tear these files, and after a power loss `loadCheckpoint` detects any that
    /// are stale or empty by their checksums and restarts the trial. The tensors stream from
    /// the parameter and optimizer buffers to the files, checksummed on the way (no copies:
    /// for W2's 22 MB of weights and state, copying and flushing took ~18% of training time);
    /// sealed results are always flushed.
    private func saveCheckpoint(model: MLPModel, optimizer: Optimizer, counters: Counters) throws {
        var weightsSum = ResumeChecksum(), stateSum = ResumeChecksum()
        try store.writeTensors(model.tensorViews(keep: persisted(model)), "last.safetensors", for: key, durable: false) {
            weightsSum.update($0)
        }
        try optimizer.withStateViews { views, metadata in
            try store.writeTensors(views, metadata: metadata, "last-state.safetensors", for: key, durable: false) { stateSum.update($0) }
        }
        try store.write(Data(JSONLines.encode(counters.history.map(\.json)).utf8), "history.jsonl", for: key, durable: false)
        let hashes: [(key: String, value: JSONValue)] = [
            ("last.safetensors", .string(weightsSum.hex)), ("last-state.safetensors", .string(stateSum.hex)),
        ]
        try store.writeJSON(stateJSON(counters, hashes: hashes), "last-state.json", for: key, durable: false)
        try store.markStatus(.running, for: key, extra: [("epochs_completed", .int(counters.epoch))], durable: false)
    }

    // MARK: Building blocks

    /// Whether parameter `name` trains during `epoch` (0-based): not frozen, or unfrozen by then.
    public static func isTrainable(_ name: String, epoch: Int, spec: TrainingSpec) -> Bool {
        guard spec.freeze.contains(where: { ParameterPattern.matches($0, name) }) else { return true }
        return spec.unfreeze.contains { $0.epoch <= epoch && $0.patterns.contains { ParameterPattern.matches($0, name) } }
    }

    static func makeOptimizer(_ o: OptimizerSpec, group: ParameterGroup) throws -> Optimizer {
        do {
            switch o.kind {
            case .sgd:
                return try SGDOptimizer(group: group, config: .init(lr: o.lr, momentum: o.momentum, dampening: o.dampening,
                                                                     nesterov: o.nesterov, weightDecay: o.weightDecay))
            case .adam, .adamw:
                return try AdamOptimizer(group: group, config: .init(lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps,
                                                                      weightDecay: o.weightDecay, amsgrad: o.amsgrad,
                                                                      decoupledWeightDecay: o.kind == .adamw))
            case .rmsprop:
                return try RMSpropOptimizer(group: group, config: .init(lr: o.lr, alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay,
                                                                         momentum: o.momentum, centered: o.centered))
            case .adagrad:
                return try AdagradOptimizer(group: group, config: .init(lr: o.lr, lrDecay: o.adagradLRDecay, weightDecay: o.weightDecay,
                                                                         initialAccumulatorValue: o.initialAccumulator))
            }
        } catch {
            throw TrainingError("cannot build the \(o.kind.rawValue) optimizer: \(error)")
        }
    }

    /// The optimizer layout of `model` for `epoch`: trainable per freeze/unfreeze,
    /// lr multipliers per layer-wise decay (the head ×1, each block below ×d more).
    static func group(for model: MLPModel, epoch: Int, spec: TrainingSpec) throws -> ParameterGroup {
        let store = model.parameters
        for i in store.slots.indices {
            let name = store.slots[i].name
            // BERT's pooler is unused by mean/cls pooling: it never trains.
            let unused = model.encoder != nil && name.hasPrefix("pooler.")
            store.setTrainable(!unused && isTrainable(name, epoch: epoch, spec: spec), at: i)
        }
        let blocks = model.parameterBlocks
        let d = spec.optimizer.layerLRDecay
        let slots = store.slots.map { s -> ParameterSlot in
            var scale = 1.0
            if d != 1, let b = blocks.firstIndex(where: { s.name.hasPrefix($0 + ".") }) {
                scale = pow(d, Double(blocks.count - 1 - b))
            }
            return ParameterSlot(name: s.name, offset: s.offset, count: s.count, trainable: s.trainable, decays: true, lrScale: scale)
        }
        do { return try ParameterGroup(slots: slots, count: store.totalCount) } catch {
            throw TrainingError("parameter layout: \(error)")
        }
    }

    /// Loads and filters the spec's data and checks it against the model.
    static func prepareData(_ spec: TrainingSpec, model: MLPModel) throws -> PreparedData {
        let data = try Dataset.load(spec.data).prepare(filter: spec.filter)
        model.encoder?.dataKey = AnyHashable([AnyHashable(spec.data), AnyHashable(spec.filter)])
        if model.encoder != nil {
            guard spec.data.text != nil, data.train.texts.count == data.train.rowCount else {
                throw TrainingError("a pretrained encoder reads a text column; the data declares no `text`")
            }
        } else if data.featureCount != spec.model.input {
            throw TrainingError("the data has \(data.featureCount) feature columns but the model's input is \(spec.model.input)")
        }
        if case .crossEntropy = spec.loss.criterion {
            let maxLabel = [data.train, data.valid, data.test].flatMap(\.labels).max().map(Int.init) ?? 0
            guard maxLabel < model.outputs else {
                throw TrainingError("the data has class id \(maxLabel) but the model outputs \(model.outputs) classes")
            }
        }
        guard data.train.rowCount > 0 else { throw TrainingError("the train split is empty (after the stage's filter)") }
        return data
    }

    // MARK: Running

    /// Trains from the last checkpoint (or from scratch) until the stage ends,
    /// diverges, or `options.epochLimit` epochs are complete.
    public func run(_ options: Options = Options()) throws -> Outcome {
        let model = try MLPModel(spec: spec.model)
        let data = try Self.prepareData(spec, model: model)
        if let featuresPath { try model.encoder?.preloadFeatures(from: featuresPath, data: data) }
        let epochs = spec.schedule.epochs
        var loader = BatchLoader(split: data.train, batchSize: spec.schedule.batchSize, shuffle: spec.schedule.shuffle,
                                 seed: spec.seed, augment: spec.data.augment)
        let perEpoch = loader.batchesPerEpoch
        let scheduler = LRScheduler(LRSchedule(spec.schedule.lr, stepsPerEpoch: perEpoch, totalSteps: epochs * perEpoch),
                                    base: spec.optimizer.lr, timing: ScheduleTiming(totalSteps: epochs * perEpoch, stepsPerEpoch: perEpoch))
        let early = spec.schedule.earlyStop
        let earlyMetric = early.map { $0.metric.contains(".") ? $0.metric : "valid." + $0.metric }
        let initial = Counters(scheduler: scheduler,
                               earlyBest: (early?.minimize ?? true) ? .infinity : -.infinity)

        if !store.exists("spec.json", for: key) { try store.writeJSON(SpecJSON.encode(spec), "spec.json", for: key) }

        var counters: Counters
        var optimizer: Optimizer
        // Seeded init first (and a pretrained encoder's folder weights): a checkpoint then overwrites what it stores.
        var g = SeededGenerator(seed: spec.seed).fork("init")
        try model.initialize(generator: &g)
        if let (c, state) = loadCheckpoint(into: model, initial: initial) {
            counters = c
            optimizer = try Self.makeOptimizer(spec.optimizer, group: try Self.group(for: model, epoch: max(c.epoch - 1, 0), spec: spec))
            do { try optimizer.importState(state) } catch { throw TrainingError("resume state of \(key): \(error)") }
        } else {
            counters = initial
            switch spec.initialization {
            case .random: break
            case .checkpoint, .upstream:
                guard let path = initialWeightsPath else {
                    throw TrainingError("the trial starts from a checkpoint but no weights file was resolved")
                }
                let head = reinitializeHead
                try model.load(from: path, skip: { head && ($0 == "head" || $0.hasPrefix("head.")) })
            }
            optimizer = try Self.makeOptimizer(spec.optimizer, group: try Self.group(for: model, epoch: 0, spec: spec))
        }

        let tape = Tape()
        var batch = loader.makeBatch()
        let features = data.featureCount
        // The step's input rows, copied into one block reused every step (the tape lets go of
        // the previous step's input at `reset`): no 128 × 784 allocation, zeroing and copy per step.
        let inputRows = TensorStorage(capacity: model.encoder == nil ? loader.batchSize * features : 0)
        let dropoutKey: UInt64 = { var g = SeededGenerator(seed: spec.seed).fork("dropout"); return g.next() }()
        let started = options.clock()
        let firstStep = counters.step
        var lastCheckpoint = started
        var epochTimes: [Double] = []
        var lastGroup = optimizer.group

        func finished() -> Bool {
            if counters.epoch >= epochs { return true }
            if let early, counters.epoch > 0, counters.earlyBad >= early.patience { return true }
            return false
        }

        while !finished() {
            if let limit = options.epochLimit, counters.epoch >= limit { return .paused(epochs: counters.epoch) }
            let epoch = counters.epoch
            let epochStart = options.clock()
            let group = try Self.group(for: model, epoch: epoch, spec: spec)
            if group != lastGroup { optimizer.regroup(group); lastGroup = group }
            loader.beginEpoch(epoch)
            model.parameters.zeroGradients()  // all of them once per epoch (the trainable set may change); per step only the trainable
            var dropout = SeededGenerator(seed: dropoutKey ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
            var lossSum = 0.0
            var lr = 0.0
            for b in 0..<perEpoch {
                let t = counters.step
                loader.fill(&batch, index: b, step: t)
                let n = batch.count
                tape.reset()
                model.parameters.discardGradients()  // the trainable slots: each step's first write overwrites
                let x: Variable
                var encoderTrains = false
                if let encoder = model.encoder {
                    (x, encoderTrains) = encoder.batchInput(split: data.train, rows: batch.rows[0..<n], tape: tape, generator: &dropout)
                } else {
                    batch.x.withUnsafeBufferPointer { inputRows.pointer.update(from: $0.baseAddress!, count: n * features) }
                    x = tape.input(Tensor(storage: inputRows, shape: [n, features]))
                }
                let out = model.forward(x, on: tape, training: true, rng: &dropout)
                let labels = batch.labels.isEmpty ? [] : batch.labels[0..<n].map(Int.init)
                let mixLabels = batch.mixLabels.isEmpty ? nil : batch.mixLabels[0..<n].map(Int.init)
                let targets = batch.targets.isEmpty ? nil : Tensor(shape: [n], data: Array(batch.targets[0..<n]))
                var loss = try TrialEvaluation.loss(spec.loss.criterion, output: out, on: tape, labels: labels, mixLabels: mixLabels,
                                                    mixWeight: batch.mixWeight, targets: targets)
                for p in spec.loss.penalties {
                    loss = tape.add(loss, tape.penalty(model.parameters, p.penalty == .l1 ? .l1 : .l2, coefficient: Float(p.weight)))
                }
                let value = tape.value(loss).scalar
                guard value.isFinite else {
                    try sealDiverged(counters: counters, step: t)
                    return .diverged(epoch: epoch, step: t)
                }
                tape.backward(loss)
                if encoderTrains, let encoder = model.encoder { encoder.backward(tape: tape, input: x) }
                model.parameters.settleGradients()
                let grads = model.parameters.gradients.pointer
                if let maxNorm = spec.schedule.clipGradNorm { GradientClipping.clipNorm(grads, group: lastGroup, maxNorm: maxNorm) }
                if let v = spec.schedule.clipGradValue { GradientClipping.clipValue(grads, group: lastGroup, clipValue: v) }
                lr = counters.scheduler.learningRate(step: t)
                if let m = counters.scheduler.momentum(step: t) { optimizer.cycledMomentum = m }
                optimizer.step(parameters: model.parameters.values.pointer, gradients: grads, learningRate: lr)
                counters.step += 1
                lossSum += Double(value)
                options.onStep?(t, value)
            }
            // An update that overflowed shows as non-finite weights before it shows in a loss.
            if !model.parameters.trainableValuesAreFinite {
                try sealDiverged(counters: counters, step: counters.step - 1)
                return .diverged(epoch: epoch, step: counters.step - 1)
            }
            let metrics = TrialEvaluation.evaluate(model, data: data, criterion: spec.loss.criterion, requested: spec.metrics)
            let record = EpochRecord(epoch: epoch + 1, step: counters.step, lr: lr, trainLoss: lossSum / Double(perEpoch), metrics: metrics)
            counters.history.append(record)
            counters.epoch = epoch + 1
            if let v = record.value("valid.loss") { counters.scheduler.epochEnded(validLoss: v) }
            if let early, let name = earlyMetric, let v = record.value(name), !v.isNaN {
                if early.improves(v, on: counters.earlyBest) {
                    counters.earlyBest = v
                    counters.earlyBad = 0
                    counters.bestEpoch = epoch + 1
                } else {
                    counters.earlyBad += 1
                }
            }
            let pausing = options.epochLimit.map { counters.epoch >= $0 } ?? false
            if !finished() && (pausing || options.clock() - lastCheckpoint >= options.checkpointInterval) {
                try saveCheckpoint(model: model, optimizer: optimizer, counters: counters)
                lastCheckpoint = options.clock()
            }
            let now = options.clock()
            throughput = Throughput(steps: counters.step - firstStep, seconds: now - started)
            epochTimes.append(now - epochStart)
            let mean = epochTimes.reduce(0, +) / Double(epochTimes.count)
            options.onEpoch?(TrialProgress(key: key, record: record, totalEpochs: epochs, elapsed: now - started,
                                           eta: mean * Double(max(epochs - counters.epoch, 0))))
        }
        try sealDone(model: model, counters: counters)
        return .finished(epochs: counters.epoch, earlyStopped: counters.epoch < epochs)
    }

    /// The parameters a checkpoint stores: all of an MLP; of a pretrained encoder
    /// only those the stage ever trains (the rest are the model folder's, reloaded
    /// from it), so a frozen 90 MB encoder is not rewritten every epoch.
    private func persisted(_ model: MLPModel) -> (String) -> Bool {
        let spec = self.spec
        return { name in
            !model.isEncoderParameter(name) || (!name.hasPrefix("pooler.") && Self.isTrainable(name, epoch: Int.max, spec: spec))
        }
    }

    private func sealDone(model: MLPModel, counters: Counters) throws {
        try store.writeTensors(model.tensorViews(keep: persisted(model)), "final.safetensors", for: key)
        try store.write(Data(JSONLines.encode(counters.history.map(\.json)).utf8), "history.jsonl", for: key)
        try store.seal(key, status: .done, files: ["spec.json", "history.jsonl", "final.safetensors"],
                       extra: [("epochs", .int(counters.epoch)), ("early_stopped", .bool(counters.epoch < spec.schedule.epochs)),
                               ("best_epoch", .int(counters.bestEpoch))])
        for f in ["last-state.json", "last.safetensors", "last-state.safetensors"] { store.remove(f, for: key) }
    }

    private func sealDiverged(counters: Counters, step: Int) throws {
        try store.write(Data(JSONLines.encode(counters.history.map(\.json)).utf8), "history.jsonl", for: key)
        try store.seal(key, status: .diverged, files: ["spec.json", "history.jsonl"],
                       extra: [("epochs", .int(counters.epoch)), ("diverged_at_step", .int(step))])
        for f in ["last-state.json", "last.safetensors", "last-state.safetensors"] { store.remove(f, for: key) }
    }

    /// Seals a paused trial as `pruned` at its last checkpoint: `final.safetensors`
    /// is the last completed epoch's weights; the resume state is kept so a
    /// later plan that promotes the trial continues it.
    public static func sealPruned(key: String, store: TaskStore) throws {
        guard let weights = store.read("last.safetensors", for: key),
              let state = store.readJSON("last-state.json", for: key), let history = state["history"]?.arrayValue
        else { throw TrainingError("cannot prune \(key): it has no checkpoint") }
        try store.write(weights, "final.safetensors", for: key)
        try store.write(Data(JSONLines.encode(history).utf8), "history.jsonl", for: key)
        try store.seal(key, status: .pruned, files: ["spec.json", "history.jsonl", "final.safetensors"],
                       extra: [("epochs", .int(history.count))])
    }

    /// Completed epochs of a trial's checkpoint or sealed history.
    public static func epochsCompleted(key: String, store: TaskStore) -> Int {
        if let e = store.readJSON("last-state.json", for: key)?["epoch"]?.intValue { return e }
        return store.history(for: key).count
    }
}
