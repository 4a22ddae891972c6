import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Shared helpers of the Store/Executor/Trainer/Trajectory tests.
enum TrainerFixtures {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The golden trajectories, `golden/trajectories`.
    static let trajectories = Golden.path("trajectories")

    /// A fresh empty directory under the temporary directory.
    static func temporaryDirectory(_ name: String) -> String {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("ftx-\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A small synthetic classification CSV: `rows` rows, 8 features in 0…16, 3 classes
    /// loosely separable from the features (deterministic).
    static func syntheticCSV(in dir: String, rows: Int = 150) -> String {
        var g = SeededGenerator(seed: 42)
        var text = (0..<8).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        for _ in 0..<rows {
            let label = g.nextInt(below: 3)
            let features = (0..<8).map { j -> String in
                let centre = Double((j + label * 3) % 8) * 2
                return String(Int(min(16, max(0, centre + g.nextGaussian() * 3)).rounded()))
            }
            text += features.joined(separator: ",") + ",\(label)\n"
        }
        let path = (dir as NSString).appendingPathComponent("synthetic.csv")
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A training spec on the synthetic data.
    static func syntheticSpec(csv: String, seed: UInt64 = 7, lr: Double = 3e-3, epochs: Int = 3, dropout: Double = 0.2,
                              shuffle: Bool = true, schedule: LRScheduleSpec = .cosine(warmup: .steps(3), min: 0),
                              prune: PruneSpec? = nil) -> TrainingSpec {
        TrainingSpec(
            data: DataSpec(source: .csv(path: csv), label: "label", normalize: .scale(1.0 / 16),
                           split: SplitRule(.random(seed: 1), train: 0.7, valid: 0.2, test: 0.1)),
            filter: nil,
            model: ModelSpec(input: 8, layers: [.dense(units: 16, activation: .relu), .dropout(p: dropout)],
                             head: .dense(units: 3, activation: nil)),
            initialization: .random, freeze: [], unfreeze: [],
            optimizer: OptimizerSpec(kind: .adamw, lr: lr, weightDecay: 0.01),
            schedule: ScheduleSpec(epochs: epochs, batchSize: 16, shuffle: shuffle, lr: schedule, clipGradNorm: 1.0),
            loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0.05), penalties: [.init(.l2, weight: 1e-4)]),
            metrics: ["accuracy", "f1", "loss"], seed: seed, prune: prune)
    }

    /// A plan: one train + eval task per spec (stage `fit`), then select and ensemble.
    static func graph(_ specs: [TrainingSpec], tag: String = "t", select: Bool = true) -> TaskGraph {
        var tasks: [PlannedTask] = []
        var trials: [PlannedTrial] = []
        var evals: [String] = []
        for (i, s) in specs.enumerated() {
            let t = "\(tag)train\(i)", e = "\(tag)eval\(i)"
            tasks.append(PlannedTask(key: t, kind: .train, stage: "fit", deps: [], payload: .train(s)))
            tasks.append(PlannedTask(key: e, kind: .eval, stage: "fit", deps: [t], payload: .eval(trainKey: t, spec: s)))
            trials.append(PlannedTrial(id: t, stage: "fit", settings: [("optimizer.lr", .number(s.optimizer.lr))], evalKey: e))
            evals.append(e)
        }
        if select {
            tasks.append(PlannedTask(key: "\(tag)select", kind: .select, stage: "fit", deps: evals,
                                     payload: .select(metric: "valid.accuracy", minimize: false, candidates: evals)))
            tasks.append(PlannedTask(key: "\(tag)ensemble", kind: .ensemble, stage: "fit", deps: evals,
                                     payload: .ensemble(metric: "valid.accuracy", minimize: false, k: 2, candidates: evals)))
        }
        return TaskGraph(experiment: "test", tasks: tasks, trials: trials)
    }

    /// Every file of every task entry of a store, by "key/file" (locks and temp files excluded).
    static func snapshot(_ store: String, files: [String] = ["final.safetensors", "history.jsonl", "metrics.json"]) -> [String: Data] {
        var out: [String: Data] = [:]
        let tasks = (store as NSString).appendingPathComponent("tasks")
        for key in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
            for f in files {
                if let d = FileManager.default.contents(atPath: "\(tasks)/\(key)/\(f)") { out["\(key)/\(f)"] = d }
            }
        }
        return out
    }
}

/// Collects executor events from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ExecutionEvent] = []
    func append(_ e: ExecutionEvent) { lock.lock(); events.append(e); lock.unlock() }
    var all: [ExecutionEvent] { lock.lock(); defer { lock.unlock() }; return events }
    var warnings: [String] { all.compactMap { if case .warning(let w) = $0 { return w } else { return nil } } }
    /// Keys of train tasks that started (fresh or resumed).
    var startedTrains: [String] {
        all.compactMap { if case let .started(key, kind, _, _) = $0, kind == .train { return key } else { return nil } }
    }
}
