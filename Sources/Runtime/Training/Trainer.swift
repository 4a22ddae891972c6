import Foundation
import Kernels
import Plan
import Support

// This file: the trainer's epoch loop. What the loop builds on (its options, starting
// point, checkpoint, sealing, freezing, optimizer, data, early stopping) has a
// Trainer+*.swift file each, so the loop reads as the step-by-step semantics below.

/// Executes one `TrainingSpec` exactly per the language specification's "Exact training semantics" (spec/LANGUAGE.md; the schedule docs in docs/LANGUAGE.md),
/// checkpointing at epoch ends into its store entry so a killed trial resumes
/// bit-identically.
///
/// Per optimizer step `t` (0-based over the stage, `T` = epochs × batches per
/// epoch): gather the batch (`BatchLoader`: file order without shuffle, else a
/// permutation that is a function of (seed, epoch)), forward with dropout drawn
/// from a generator seeded by (seed, epoch), loss (+ penalties), backward,
/// clipping, then the optimizer update at `lr · f(t)`. After each epoch: metrics
/// on whole valid/test splits with dropout off (`valid.loss` without penalties), and on
/// the train split when `early_stop` or `prune` monitors a train metric other than
/// `train.loss` (`TrainingSpec.splitsScoredEachEpoch`),
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
/// the best epoch is recorded in `status.json` as `best_epoch`. `keep_best` instead seals
/// the weights of the epoch with the best value of its metric (`Trainer+KeepBest.swift`).
///
/// `unfreeze` entries take effect at an epoch's start (`at: E epochs`) or before optimizer
/// step N (`at: N steps`); the optimizer layout is rebuilt there.
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

    /// Trains from the last checkpoint (or from scratch) until the stage ends,
    /// diverges, or `options.epochLimit` epochs are complete.
    public func run(_ options: Options = Options()) throws -> Outcome {
        let model = try MLPModel(spec: spec.model)
        let data = try Self.prepareData(spec, model: model)
        let trialLoss = try TrialLoss(spec.loss, train: data.train, outputs: model.outputs)
        if let featuresPath { try model.encoder?.preloadFeatures(from: featuresPath, data: data) }
        let epochs = spec.schedule.epochs
        // The text augmentations' tables, read once; a row's text is then a function of (seed, epoch, row).
        let textAugmenter = try TextAugmenter(augment: spec.data.augment, seed: spec.seed)
        var loader = BatchLoader(split: data.train, batchSize: spec.schedule.batchSize, shuffle: spec.schedule.shuffle,
                                 seed: spec.seed, augment: spec.data.augment)
        // Optimizer steps: one per `accumulate` consecutive batches, the epoch's last one over the rest.
        let batches = loader.batchesPerEpoch
        let accumulate = max(1, spec.schedule.accumulate)
        let perEpoch = (batches + accumulate - 1) / accumulate
        let scheduler = LRScheduler(spec: spec, stepsPerEpoch: perEpoch)
        let early = spec.schedule.earlyStop
        let keep = spec.schedule.keepBest
        var initial = Counters(scheduler: scheduler, earlyBest: Counters.noEarlyBest(early))
        initial.keptBest = Counters.noKeptBest(keep)
        let kept = keep.map { _ in KeptWeights(model: model, keep: persisted(model)) }

        if !store.exists("spec.json", for: key) { try store.writeJSON(SpecJSON.encode(spec), "spec.json", for: key) }

        var counters: Counters
        let optimizer: Optimizer
        (counters, optimizer) = try startingPoint(model: model, kept: kept, initial: initial)

        let tape = Tape()
        var batch = loader.makeBatch()
        let features = data.featureCount
        // The step's input rows, copied into one block reused every step (the tape lets go of
        // the previous step's input at `reset`): no 128 × 784 allocation, zeroing and copy per step.
        let inputRows = TensorStorage(capacity: model.encoder == nil ? loader.batchSize * features : 0)
        // Gradient accumulation's running Σ nₖ·gₖ (absent without accumulation: the step reads the batch's gradient).
        let accumulated = accumulate > 1 ? TensorStorage(capacity: model.parameters.totalCount) : nil
        let dropoutKey: UInt64 = { var g = SeededGenerator(seed: spec.seed).fork("dropout"); return g.next() }()
        let started = options.clock()
        let firstStep = counters.step
        var lastCheckpoint = started
        var epochTimes: [Double] = []
        var lastGroup = optimizer.group

        func finished() -> Bool {
            if counters.epoch >= epochs { return true }
            return counters.earlyStops(early)
        }

        var checkpointedEpochs = counters.epoch  // what a resume starts from
        while !finished() {
            if let limit = options.epochLimit, counters.epoch >= limit { return .paused(epochs: counters.epoch) }
            if options.stopRequested() { return .paused(epochs: checkpointedEpochs) }
            let epoch = counters.epoch
            let epochStart = options.clock()
            let group = try Self.group(for: model, step: counters.step, epoch: epoch, spec: spec)
            if group != lastGroup { optimizer.regroup(group); lastGroup = group }
            loader.beginEpoch(epoch)
            model.parameters.zeroGradients()  // all of them once per epoch (the trainable set may change); per step only the trainable
            var dropout = SeededGenerator(seed: dropoutKey ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
            var lossSum = 0.0
            var lr = 0.0
            for stepInEpoch in 0..<perEpoch {
                let t = counters.step
                if stepInEpoch > 0, spec.unfreezes(atStep: t) {
                    // `unfreeze at: N steps` inside the epoch: the new layout from this step on.
                    let group = try Self.group(for: model, step: t, epoch: epoch, spec: spec)
                    if group != lastGroup {
                        optimizer.regroup(group)
                        lastGroup = group
                        model.parameters.zeroGradients()
                    }
                }
                // The step's micro-batches: `accumulate` consecutive batches (the epoch's last step may have fewer).
                let micro = (stepInEpoch * accumulate)..<min((stepInEpoch + 1) * accumulate, batches)
                var stepRows = 0
                var stepLoss = 0.0
                for b in micro {
                    // Augmentation is seeded by the global batch index (the optimizer step when accumulate = 1).
                    loader.fill(&batch, index: b, step: epoch * batches + b)
                    let n = batch.count
                    tape.reset()
                    model.parameters.discardGradients()  // the trainable slots: each step's first write overwrites
                    let x: Variable
                    var encoderTrains = false
                    if let encoder = model.encoder {
                        (x, encoderTrains) = encoder.batchInput(split: data.train, rows: batch.rows[0..<n], tape: tape, generator: &dropout,
                                                               augment: loader.augment, augmentGenerator: &batch.augmentGenerator,
                                                               text: textAugmenter, epoch: epoch)
                    } else {
                        batch.x.withUnsafeBufferPointer { inputRows.pointer.update(from: $0.baseAddress!, count: n * features) }
                        x = tape.input(Tensor(storage: inputRows, shape: [n, features]))
                    }
                    let out = model.forward(x, on: tape, training: true, rng: &dropout)
                    let labels = batch.labels.isEmpty ? [] : batch.labels[0..<n].map(Int.init)
                    let mixLabels = batch.mixLabels.isEmpty ? nil : batch.mixLabels[0..<n].map(Int.init)
                    let targets = batch.targets.isEmpty ? nil : Tensor(shape: [n], data: Array(batch.targets[0..<n]))
                    var loss = try trialLoss.node(output: out, on: tape, labels: labels, mixLabels: mixLabels,
                                                  mixWeight: batch.mixWeight, targets: targets)
                    // Every micro-batch carries the penalty; their row-weighted mean (below) adds it exactly once per step.
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
                    if let accumulated { Self.accumulate(model.parameters.gradients.pointer, rows: n, into: accumulated.pointer,
                                                         first: b == micro.lowerBound, group: lastGroup) }
                    stepRows += n
                    stepLoss += Double(value) * Double(n)
                    lossSum += Double(value)
                }
                let grads = model.parameters.gradients.pointer
                // The gradient of the mean loss over the step's rows: Σ nₖ·gₖ / Σ nₖ.
                if let accumulated { Self.averageAccumulated(accumulated.pointer, rows: stepRows, into: grads, group: lastGroup) }
                if let maxNorm = spec.schedule.clipGradNorm { GradientClipping.clipNorm(grads, group: lastGroup, maxNorm: maxNorm) }
                if let v = spec.schedule.clipGradValue { GradientClipping.clipValue(grads, group: lastGroup, clipValue: v) }
                lr = counters.scheduler.learningRate(step: t)
                if let m = counters.scheduler.momentum(step: t) { optimizer.cycledMomentum = m }
                optimizer.step(parameters: model.parameters.values.pointer, gradients: grads, learningRate: lr)
                counters.step += 1
                let loss = Float(stepLoss / Double(stepRows))
                options.onStep?(t, loss)
                options.onProgress?(StepProgress(step: counters.step, epoch: epoch, stepInEpoch: stepInEpoch + 1,
                                                 stepsPerEpoch: perEpoch, totalEpochs: epochs, loss: loss))
                // Stopped mid-epoch: the epoch's steps are dropped; a resume redoes them from the last checkpoint.
                if stepInEpoch + 1 < perEpoch && options.stopRequested() { return .paused(epochs: checkpointedEpochs) }
            }
            // An update that overflowed shows as non-finite weights before it shows in a loss.
            if !model.parameters.trainableValuesAreFinite {
                try sealDiverged(counters: counters, step: counters.step - 1)
                return .diverged(epoch: epoch, step: counters.step - 1)
            }
            var metrics = TrialEvaluation.evaluate(model, data: data, loss: trialLoss, requested: spec.epochMetrics,
                                                   splits: spec.splitsScoredEachEpoch)
            metrics.removeAll { $0.key == "train.loss" }  // the history's train.loss is the epoch's mean batch loss
            let record = EpochRecord(epoch: epoch + 1, step: counters.step, lr: lr, trainLoss: lossSum / Double(batches), metrics: metrics)
            counters.history.append(record)
            counters.epoch = epoch + 1
            if let v = record.value("valid.loss") { counters.scheduler.epochEnded(validLoss: v) }
            counters.recordForEarlyStop(record, early: early)
            if counters.recordForKeepBest(record, keep: keep) { kept?.capture(model) }
            if !finished() && options.checkpointDue(completedEpochs: counters.epoch, lastCheckpoint: lastCheckpoint) {
                try saveCheckpoint(model: model, optimizer: optimizer, kept: kept, counters: counters)
                lastCheckpoint = options.clock()
                checkpointedEpochs = counters.epoch
            }
            let now = options.clock()
            throughput = Throughput(steps: counters.step - firstStep, seconds: now - started)
            epochTimes.append(now - epochStart)
            let mean = epochTimes.reduce(0, +) / Double(epochTimes.count)
            options.onEpoch?(TrialProgress(key: key, record: record, totalEpochs: epochs, elapsed: now - started,
                                           eta: mean * Double(max(epochs - counters.epoch, 0))))
        }
        try sealDone(model: model, kept: kept, counters: counters)
        return .finished(epochs: counters.epoch, earlyStopped: counters.epoch < epochs)
    }
}
