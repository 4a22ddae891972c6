import Foundation
import Kernels
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// The trainer: resume bit-identity, early stopping, freezing, upstream init, checkpoint errors.
final class TrainerTests: XCTestCase {
    func testResumeAfterAKillIsBitIdenticalToAnUninterruptedRun() throws {
        let dir = TrainerFixtures.temporaryDirectory("resume")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        // Shuffling, dropout, AdamW state, cosine warm-up, clipping and an l2 penalty all cross the interruption.
        let spec = TrainerFixtures.syntheticSpec(csv: csv, epochs: 4, dropout: 0.3, shuffle: true)
        // The second trial's ReduceLROnPlateau state (patience 0: it reduces often) crosses it too.
        let plateau = TrainerFixtures.syntheticSpec(csv: csv, seed: 99, lr: 2e-2, epochs: 4,
                                                    schedule: .plateau(factor: 0.5, patience: 0, threshold: 1e-4, cooldown: 0, minLR: 0))
        let graph = TrainerFixtures.graph([spec, plateau], select: true)

        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/straight")).run().succeeded)

        for k in [1, 3] {
            let root = dir + "/killed\(k)"
            let killer = Executor(graph: graph, store: try TaskStore(root: root), jobs: 2)
            killer.interruptAfterEpochs = ["ttrain0": k, "ttrain1": k]
            let interrupted = try killer.run()
            XCTAssertEqual(interrupted.statuses["ttrain0"], .running)
            XCTAssertEqual(interrupted.statuses["teval0"], .pending)
            XCTAssertEqual(interrupted.statuses["ttrain1"], .running)
            XCTAssertEqual(interrupted.statuses["tselect"], .pending)
            let store = try TaskStore(root: root)
            XCTAssertEqual(store.status(of: "ttrain0"), .running)
            XCTAssertEqual(store.history(for: "ttrain0").count, k)

            let log = EventLog()
            let resumed = try Executor(graph: graph, store: store, jobs: 2, progress: log.append).run()
            XCTAssertTrue(resumed.succeeded, "\(resumed.failures)")
            XCTAssertTrue(log.all.contains {
                if case let .started(key, _, _, at) = $0 { return key == "ttrain0" && at == k }
                return false
            }, "the trial resumes at epoch \(k)")
            XCTAssertEqual(log.startedTrains.sorted(), ["ttrain0", "ttrain1"])
            XCTAssertEqual(TrainerFixtures.snapshot(root), TrainerFixtures.snapshot(dir + "/straight"),
                           "a run killed after epoch \(k) and resumed must end bit-identical")
        }
    }

    func testDamagedResumeStateRestartsTheTrialAndStillEndsIdentically() throws {
        let dir = TrainerFixtures.temporaryDirectory("damaged")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 3)
        let a = try TaskStore(root: dir + "/a")
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: a).run(), .finished(epochs: 3, earlyStopped: false))
        let warnings = EventLog()
        let b = try TaskStore(root: dir + "/b", warn: { warnings.append(.warning($0)) })
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: b).run(.init(epochLimit: 2)), .paused(epochs: 2))
        // A kill in the middle of writing the checkpoint: the weights file is half there.
        let last = b.path("last.safetensors", for: "k")
        let data = try Data(contentsOf: URL(fileURLWithPath: last))
        try data.prefix(100).write(to: URL(fileURLWithPath: last))
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: b).run(), .finished(epochs: 3, earlyStopped: false))
        XCTAssertTrue(warnings.warnings.contains { $0.contains("k") && $0.contains("last.safetensors") }, "\(warnings.warnings)")
        XCTAssertEqual(a.read("final.safetensors", for: "k"), b.read("final.safetensors", for: "k"))
        XCTAssertEqual(a.read("history.jsonl", for: "k"), b.read("history.jsonl", for: "k"))
    }

    func testTrainerPausedAtAnEpochLimitContinuesIdentically() throws {
        let dir = TrainerFixtures.temporaryDirectory("pause")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 3)
        let warnings = EventLog()
        let a = try TaskStore(root: dir + "/a"), b = try TaskStore(root: dir + "/b", warn: { warnings.append(.warning($0)) })
        var straight: [Float] = [], pieces: [Float] = []
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: a).run(.init(onStep: { straight.append($1) })),
                       .finished(epochs: 3, earlyStopped: false))
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: b).run(.init(epochLimit: 2, onStep: { pieces.append($1) })),
                       .paused(epochs: 2))
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: b).run(.init(onStep: { pieces.append($1) })),
                       .finished(epochs: 3, earlyStopped: false))
        // Resumed, not restarted: the checkpoint's streamed checksums match the files.
        XCTAssertEqual(warnings.warnings, [])
        XCTAssertEqual(straight.map(\.bitPattern), pieces.map(\.bitPattern))
        XCTAssertEqual(a.read("final.safetensors", for: "k"), b.read("final.safetensors", for: "k"))
        XCTAssertFalse(b.exists("last-state.json", for: "k"), "resume state is dropped once the trial is done")
    }

    func testCheckpointsFollowTheIntervalAndAPauseAlwaysCheckpoints() throws {
        let dir = TrainerFixtures.temporaryDirectory("cadence")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 7)
        // The clock counts optimizer steps; with 7 steps per epoch and an interval of 20 "seconds",
        // epochs 3 and 6 end ≥ 20 after the start and the previous checkpoint.
        func run(_ store: TaskStore, interval: Double, limit: Int? = nil) throws -> (Trainer.Outcome, [Int]) {
            var steps = 0, checkpointed: [Int] = []
            let outcome = try Trainer(spec: spec, key: "k", store: store).run(.init(
                epochLimit: limit, onStep: { _, _ in steps += 1 },
                onEpoch: { _ in checkpointed.append(Trainer.epochsCompleted(key: "k", store: store)) },
                clock: { Double(steps) }, checkpointInterval: interval))
            return (outcome, checkpointed)
        }
        // onEpoch sees the epoch of the last checkpoint (0 before the first); the last epoch seals instead.
        let sparse = try run(try TaskStore(root: dir + "/sparse"), interval: 20)
        XCTAssertEqual(sparse.0, .finished(epochs: 7, earlyStopped: false))
        XCTAssertEqual(sparse.1, [0, 0, 3, 3, 3, 6, 6], "checkpoints after epochs 3 and 6 (105 train rows: 7 steps an epoch)")
        let every = try run(try TaskStore(root: dir + "/every"), interval: 0)
        XCTAssertEqual(every.1, [1, 2, 3, 4, 5, 6, 6])
        // A pause checkpoints whatever the interval, and the trial resumes from it.
        let paused = try TaskStore(root: dir + "/paused")
        let first = try run(paused, interval: 1e9, limit: 2)
        XCTAssertEqual(first.0, .paused(epochs: 2))
        XCTAssertEqual(first.1, [0, 2])
        XCTAssertEqual(Trainer.epochsCompleted(key: "k", store: paused), 2)
        XCTAssertEqual(try run(paused, interval: 1e9).0, .finished(epochs: 7, earlyStopped: false))
        let straight = try TaskStore(root: dir + "/straight")
        _ = try run(straight, interval: 1e9)
        XCTAssertEqual(paused.read("final.safetensors", for: "k"), straight.read("final.safetensors", for: "k"))
        XCTAssertEqual(paused.read("final.safetensors", for: "k"), try TaskStore(root: dir + "/sparse").read("final.safetensors", for: "k"))
    }

    /// `throughput` counts the run's own steps over its epoch loop's clock time: a resumed run
    /// only what it trained (the clock moves 0.5 per step of the run).
    func testThroughputCountsThisRunsStepsOverItsEpochLoop() throws {
        let dir = TrainerFixtures.temporaryDirectory("throughput")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 3)
        let store = try TaskStore(root: dir + "/s")
        func run(limit: Int?) throws -> Trainer.Throughput {
            var steps = 0
            let trainer = Trainer(spec: spec, key: "k", store: store)
            _ = try trainer.run(.init(epochLimit: limit, onStep: { _, _ in steps += 1 },
                                      clock: { Double(steps) * 0.5 },
                                      checkpointInterval: 1e9))
            return trainer.throughput
        }
        let first = try run(limit: 2)
        XCTAssertEqual(first.steps, 14, "2 epochs of 7 steps")
        XCTAssertEqual(first.seconds, 7, accuracy: 1e-6)
        XCTAssertEqual(first.stepsPerSecond, 2, accuracy: 1e-6)
        let resumed = try run(limit: nil)
        XCTAssertEqual(resumed.steps, 7, "the resumed run trained the third epoch only")
        XCTAssertEqual(resumed.seconds, 3.5, accuracy: 1e-6)
        let line = ExecutionEvent.finished(key: "0123456789abcdef", kind: .train, stage: "train", status: .done, seconds: 4.25,
                                           throughput: resumed).line
        XCTAssertEqual(line, "train train 0123456789: done in 4.250s (7 steps in 3.500s, 2.0 steps/s)")
        XCTAssertEqual(ExecutionEvent.finished(key: "0123456789abcdef", kind: .data, stage: "d", status: .done, seconds: 0.5,
                                               throughput: nil).line, "d data 0123456789: done in 0.500s")
    }

    func testEarlyStoppingKeepsTheLastEpochsWeights() throws {
        let dir = TrainerFixtures.temporaryDirectory("early")
        var spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), lr: 0, epochs: 6, dropout: 0)
        spec.schedule.earlyStop = EarlyStopSpec(metric: "valid.loss", patience: 2, minimize: true)
        let store = try TaskStore(root: dir + "/store")
        // lr 0: valid.loss never improves after epoch 1, so training stops after epoch 1 + patience.
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: store).run(), .finished(epochs: 3, earlyStopped: true))
        XCTAssertEqual(store.history(for: "k").count, 3)
        let status = try XCTUnwrap(store.readJSON("status.json", for: "k"))
        XCTAssertEqual(status["early_stopped"]?.boolValue, true)
        XCTAssertEqual(status["best_epoch"]?.intValue, 1)
    }

    /// An epoch improves only by more than `min_delta`: with a delta no loss can beat, the
    /// first epoch is the best and training stops after 1 + patience epochs.
    func testEarlyStoppingMinDelta() throws {
        let dir = TrainerFixtures.temporaryDirectory("mindelta")
        var spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 6, dropout: 0)
        spec.schedule.earlyStop = EarlyStopSpec(metric: "valid.loss", patience: 1, minimize: true, minDelta: 1e6)
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: try TaskStore(root: dir + "/store")).run(),
                       .finished(epochs: 2, earlyStopped: true))
        let loss = EarlyStopSpec(metric: "valid.loss", patience: 1, minimize: true, minDelta: 0.1)
        XCTAssertTrue(loss.improves(0.5, on: 0.7))
        XCTAssertFalse(loss.improves(0.65, on: 0.7))
        XCTAssertFalse(loss.improves(0.6, on: 0.7), "exactly min_delta is not an improvement")
        let accuracy = EarlyStopSpec(metric: "valid.accuracy", patience: 1, minimize: false, minDelta: 0.01)
        XCTAssertTrue(accuracy.improves(0.95, on: 0.9))
        XCTAssertFalse(accuracy.improves(0.905, on: 0.9))
        XCTAssertTrue(EarlyStopSpec(metric: "valid.loss", patience: 1, minimize: true).improves(0.69, on: .infinity))
    }

    /// Issue 14: `adagrad(eps:)` reaches the optimizer (it once was dropped), and the spec's
    /// default is the schema's and PyTorch's 1e-10, not Adam's 1e-8.
    func testAdagradEpsReachesTheOptimizer() throws {
        let dir = TrainerFixtures.temporaryDirectory("adagrad-eps")
        let csv = TrainerFixtures.syntheticCSV(in: dir, rows: 40)
        XCTAssertEqual(OptimizerSpec(kind: .adagrad, lr: 0.1).eps, 1e-10)
        XCTAssertEqual(OptimizerSpec(kind: .adam, lr: 0.1).eps, 1e-8)
        func finalWeights(_ optimizer: OptimizerSpec, _ name: String) throws -> Data {
            var spec = TrainerFixtures.syntheticSpec(csv: csv, epochs: 1, dropout: 0, shuffle: false, schedule: .constant)
            spec.optimizer = optimizer
            let root = dir + "/" + name
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: try TaskStore(root: root)).run(), .finished(epochs: 1, earlyStopped: false))
            return try XCTUnwrap(TrainerFixtures.snapshot(root)["k/final.safetensors"])
        }
        let byDefault = try finalWeights(OptimizerSpec(kind: .adagrad, lr: 0.1), "default")
        XCTAssertEqual(try finalWeights(OptimizerSpec(kind: .adagrad, lr: 0.1, eps: 1e-10), "explicit"), byDefault)
        XCTAssertNotEqual(try finalWeights(OptimizerSpec(kind: .adagrad, lr: 0.1, eps: 1e-8), "adams"), byDefault)
        XCTAssertNotEqual(try finalWeights(OptimizerSpec(kind: .adagrad, lr: 0.1, eps: 10), "large"), byDefault)
    }

    func testFrozenUpstreamLayersStayExactlyAsLoaded() throws {
        let dir = TrainerFixtures.temporaryDirectory("upstream")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let pre = TrainerFixtures.syntheticSpec(csv: csv, epochs: 2)
        var fine = TrainerFixtures.syntheticSpec(csv: csv, seed: 3, lr: 1e-2, epochs: 2)
        fine.initialization = .upstream(taskKey: "pre")
        fine.freeze = ["layers.0"]
        fine.reinitializeHead = true
        let graph = TaskGraph(experiment: "t", tasks: [
            PlannedTask(key: "pre", kind: .train, stage: "pretrain", deps: [], payload: .train(pre)),
            PlannedTask(key: "fine", kind: .train, stage: "finetune", deps: ["pre"], payload: .train(fine)),
        ], trials: [])
        let store = try TaskStore(root: dir + "/store")
        let summary = try Executor(graph: graph, store: store).run()
        XCTAssertTrue(summary.succeeded, "\(summary.failures)")
        let a = try SafetensorsFile(contentsOf: store.path("final.safetensors", for: "pre"))
        let b = try SafetensorsFile(contentsOf: store.path("final.safetensors", for: "fine"))
        XCTAssertEqual(b.names, ["layers.0.weight", "layers.0.bias", "head.weight", "head.bias"])
        XCTAssertEqual(try a.floats("layers.0.weight"), try b.floats("layers.0.weight"))
        XCTAssertEqual(try a.floats("layers.0.bias"), try b.floats("layers.0.bias"))
        XCTAssertNotEqual(try a.floats("head.weight"), try b.floats("head.weight"))
    }

    func testCheckpointShapeMismatchNamesTheTensorAndBothShapes() throws {
        let dir = TrainerFixtures.temporaryDirectory("shape")
        var spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 1)
        let weights = dir + "/w.safetensors"
        try SafetensorsWriter.write([SafetensorsTensor(name: "layers.0.weight", shape: [4, 8], values: [Float](repeating: 0, count: 32))],
                                    to: weights)
        spec.initialization = .checkpoint(path: weights)
        let store = try TaskStore(root: dir + "/store")
        XCTAssertThrowsError(try Trainer(spec: spec, key: "k", store: store, initialWeightsPath: weights).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("layers.0.weight") && text.contains("[4, 8]") && text.contains("[16, 8]"), text)
        }
    }
}

/// A trial on a (tiny, random) pretrained BERT encoder: a frozen-encoder probe
/// whose checkpoint holds only what it trains, then a fine-tune from it that
/// resumes bit-identically.
final class TrainerPretrainedTests: XCTestCase {
    func testProbeThenFineTuneOnAPretrainedEncoder() throws {
        let dir = TrainerFixtures.temporaryDirectory("bert")
        let folder = try ColourBertFolder.write(in: dir)
        func spec(_ freeze: [String], seed: UInt64, initialization: Initialization) -> TrainingSpec {
            TrainingSpec(
                data: DataSpec(source: .csv(path: dir + "/texts.csv"), label: "label", text: "text",
                               split: SplitRule(.stratified(seed: 0), train: 0.7, valid: 0.3)),
                filter: nil,
                model: ModelSpec(input: 0, layers: [], head: .dense(units: 3, activation: nil),
                                 pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: 16, pooling: .mean)),
                initialization: initialization, freeze: freeze, unfreeze: [],
                optimizer: OptimizerSpec(kind: .adamw, lr: 1e-2), schedule: ScheduleSpec(epochs: 3, batchSize: 8),
                loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)), metrics: ["accuracy"], seed: seed, prune: nil)
        }
        let probe = spec(["embeddings.*", "encoder.*"], seed: 1, initialization: .random)
        var fine = spec(["embeddings"], seed: 2, initialization: .upstream(taskKey: "probe"))
        fine.freeze = ["embeddings"]
        let graph = TaskGraph(experiment: "bert", tasks: [
            PlannedTask(key: "probe", kind: .train, stage: "probe", deps: [], payload: .train(probe)),
            PlannedTask(key: "fine", kind: .train, stage: "fine", deps: ["probe"], payload: .train(fine)),
            PlannedTask(key: "fineeval", kind: .eval, stage: "fine", deps: ["fine"], payload: .eval(trainKey: "fine", spec: fine)),
        ], trials: [])
        let straight = try TaskStore(root: dir + "/straight")
        let summary = try Executor(graph: graph, store: straight).run()
        XCTAssertTrue(summary.succeeded, "\(summary.failures)")
        let probeWeights = try SafetensorsFile(contentsOf: straight.path("final.safetensors", for: "probe"))
        XCTAssertEqual(probeWeights.names, ["head.weight", "head.bias"], "a frozen encoder is not copied into checkpoints")
        let fineWeights = try SafetensorsFile(contentsOf: straight.path("final.safetensors", for: "fine"))
        XCTAssertTrue(fineWeights.names.contains("encoder.layer.1.output.dense.weight"))
        XCTAssertFalse(fineWeights.names.contains { $0.hasPrefix("embeddings.") || $0.hasPrefix("pooler.") })
        XCTAssertNotNil(straight.metrics(for: "fineeval")?["metrics"]?["valid.accuracy"]?.doubleValue)

        let killed = Executor(graph: graph, store: try TaskStore(root: dir + "/killed"))
        killed.interruptAfterEpochs = ["fine": 1]
        XCTAssertEqual(try killed.run().statuses["fine"], .running)
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/killed")).run().succeeded)
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/killed"), TrainerFixtures.snapshot(dir + "/straight"))
    }
}
