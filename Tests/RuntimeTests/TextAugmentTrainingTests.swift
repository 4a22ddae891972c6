import Foundation
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Training with text augmentation (issue 22): a row's text in an epoch is a function of
/// (seed, epoch, row) only, so a run paused at an epoch boundary or stopped in the middle
/// of an epoch and resumed, or run with more jobs, ends bit-identical to a straight run;
/// and the augmentation really changes what trains, through a training encoder and through
/// a frozen one (whose features are then computed per batch).
final class TextAugmentTrainingTests: XCTestCase {
    /// The colour texts, with a table mapping their words onto other words of the tiny vocabulary.
    func spec(in dir: String, folder: String, augment: [Augmentation], frozen: Bool, seed: UInt64 = 1) throws -> TrainingSpec {
        let table = dir + "/synonyms.csv"
        if !FileManager.default.fileExists(atPath: table) {
            try "word,synonym\nbig,small\nsmall,big\ncat,dog\ndog,fish\nfish,cat\nred,green\n".write(toFile: table, atomically: true, encoding: .utf8)
        }
        let augment = augment.map { a -> Augmentation in
            if case .synonyms(let p, _) = a { return .synonyms(p: p, source: .file(table)) }
            return a
        }
        return TrainingSpec(
            data: DataSpec(source: .csv(path: dir + "/texts.csv"), label: "label", text: "text",
                           split: SplitRule(.stratified(seed: 0), train: 0.6, valid: 0.2, test: 0.2), augment: augment),
            filter: nil,
            model: ModelSpec(input: 0, layers: [], head: .dense(units: 3, activation: nil),
                             pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: 16, pooling: .mean)),
            initialization: .random, freeze: frozen ? ["embeddings.*", "encoder.*"] : ["embeddings.*"], unfreeze: [],
            optimizer: OptimizerSpec(kind: .adamw, lr: 1e-2), schedule: ScheduleSpec(epochs: 3, batchSize: 8),
            loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)), metrics: ["accuracy", "loss"], seed: seed, prune: nil)
    }

    let eda: [Augmentation] = [.synonyms(p: 0.5, source: .wordnet), .randomSwap(alpha: 0.4), .randomDeletion(p: 0.2)]

    func testPausedAndStoppedMidEpochRunsResumeBitIdentical() throws {
        let dir = TrainerFixtures.temporaryDirectory("text-augment-resume")
        let folder = try ColourBertFolder.write(in: dir)
        for frozen in [false, true] {
            let spec = try spec(in: dir, folder: folder, augment: eda, frozen: frozen)
            let name = frozen ? "frozen" : "training"
            let straight = try TaskStore(root: dir + "/\(name)-straight")
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: straight).run(), .finished(epochs: 3, earlyStopped: false))

            let paused = try TaskStore(root: dir + "/\(name)-paused")
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: paused).run(.init(epochLimit: 1)), .paused(epochs: 1))
            // Stopped after the third step of epoch 2: that epoch's steps are dropped and redone on resume.
            var options = Trainer.Options()
            let steps = StepCounter()
            options.onStep = { _, _ in steps.count += 1 }
            options.stopRequested = { steps.count >= 3 }
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: paused).run(options), .paused(epochs: 1))
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: paused).run(), .finished(epochs: 3, earlyStopped: false))
            for file in ["final.safetensors", "history.jsonl"] {
                XCTAssertEqual(paused.read(file, for: "k"), straight.read(file, for: "k"), "\(name): \(file) after pausing and resuming")
            }
        }
    }

    func testJobsDoNotChangeAugmentedTrials() throws {
        let dir = TrainerFixtures.temporaryDirectory("text-augment-jobs")
        let folder = try ColourBertFolder.write(in: dir)
        let specs = try [1, 2, 3].map { try spec(in: dir, folder: folder, augment: eda, frozen: $0 == 3, seed: UInt64($0)) }
        var tasks: [PlannedTask] = []
        for (i, s) in specs.enumerated() {
            tasks.append(PlannedTask(key: "t\(i)", kind: .train, stage: "s", deps: [], payload: .train(s)))
            tasks.append(PlannedTask(key: "e\(i)", kind: .eval, stage: "s", deps: ["t\(i)"], payload: .eval(trainKey: "t\(i)", spec: s)))
        }
        let graph = TaskGraph(experiment: "jobs", tasks: tasks, trials: [])
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/one"), jobs: 1).run().succeeded)
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/three"), jobs: 3).run().succeeded)
        let one = TrainerFixtures.snapshot(dir + "/one"), three = TrainerFixtures.snapshot(dir + "/three")
        XCTAssertEqual(one.count, 9)
        XCTAssertEqual(one, three, "--jobs 3 trains what --jobs 1 does")
    }

    func testTextAugmentationChangesWhatTrainsEvenWithAFrozenEncoder() throws {
        let dir = TrainerFixtures.temporaryDirectory("text-augment-effect")
        let folder = try ColourBertFolder.write(in: dir)
        for frozen in [false, true] {
            let plain = try TaskStore(root: dir + "/plain-\(frozen)"), augmented = try TaskStore(root: dir + "/augmented-\(frozen)")
            _ = try Trainer(spec: spec(in: dir, folder: folder, augment: [], frozen: frozen), key: "k", store: plain).run()
            _ = try Trainer(spec: spec(in: dir, folder: folder, augment: eda, frozen: frozen), key: "k", store: augmented).run()
            XCTAssertNotEqual(plain.read("final.safetensors", for: "k"), augmented.read("final.safetensors", for: "k"), "frozen: \(frozen)")
        }
    }
}

/// Steps seen by a trainer's `onStep` (the trainer calls it on its own thread, one at a time).
private final class StepCounter: @unchecked Sendable {
    var count = 0
}
