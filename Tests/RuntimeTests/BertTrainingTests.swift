import Foundation
import Kernels
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Hoisted frozen-encoder features: a `features` task encodes the texts once and
/// the trials that depend on it train from the stored vectors, with results
/// identical to computing the encoder inline.
final class BertTrainingTests: XCTestCase {
    func testHoistedFeaturesTrainLikeInlineEncoding() throws {
        let dir = TrainerFixtures.temporaryDirectory("hoist")
        let folder = try ColourBertFolder.write(in: dir)
        func spec(lr: Double) -> TrainingSpec {
            TrainingSpec(
                data: DataSpec(source: .csv(path: dir + "/texts.csv"), label: "label", text: "text",
                               split: SplitRule(.stratified(seed: 0), train: 0.6, valid: 0.2, test: 0.2)),
                filter: nil,
                model: ModelSpec(input: 0, layers: [], head: .dense(units: 3, activation: nil),
                                 pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: 16, pooling: .mean)),
                initialization: .random, freeze: ["embeddings.*", "encoder.*"], unfreeze: [],
                optimizer: OptimizerSpec(kind: .adamw, lr: lr), schedule: ScheduleSpec(epochs: 3, batchSize: 8),
                loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)), metrics: ["accuracy", "loss"], seed: 1, prune: nil)
        }
        let specs = [spec(lr: 1e-2), spec(lr: 3e-2)]
        func graph(hoisted: Bool) -> TaskGraph {
            var tasks: [PlannedTask] = []
            if hoisted { tasks.append(PlannedTask(key: "feat", kind: .features, stage: "probe", deps: [], payload: .features(specs[0]))) }
            for (i, s) in specs.enumerated() {
                tasks.append(PlannedTask(key: "t\(i)", kind: .train, stage: "probe", deps: hoisted ? ["feat"] : [], payload: .train(s)))
                tasks.append(PlannedTask(key: "e\(i)", kind: .eval, stage: "probe", deps: ["t\(i)"], payload: .eval(trainKey: "t\(i)", spec: s)))
            }
            return TaskGraph(experiment: "hoist", tasks: tasks, trials: [])
        }
        let hoistedStore = try TaskStore(root: dir + "/hoisted")
        XCTAssertTrue(try Executor(graph: graph(hoisted: true), store: hoistedStore).run().succeeded)
        XCTAssertTrue(try Executor(graph: graph(hoisted: false), store: try TaskStore(root: dir + "/inline")).run().succeeded)

        let features = try SafetensorsFile(contentsOf: hoistedStore.path("features.safetensors", for: "feat"))
        XCTAssertEqual(features.names, ["train", "valid", "test"])
        XCTAssertEqual(features.info("train")?.shape.last, 8)
        XCTAssertEqual(features.names.compactMap { features.info($0)?.shape.first }.reduce(0, +), 60)
        XCTAssertEqual(hoistedStore.completedStatus("feat"), .done)

        let a = TrainerFixtures.snapshot(dir + "/hoisted"), b = TrainerFixtures.snapshot(dir + "/inline")
        XCTAssertEqual(a.keys.filter { !$0.hasPrefix("feat/") }.sorted(), b.keys.sorted())
        for (k, v) in b { XCTAssertEqual(a[k], v, "\(k) differs between hoisted and inline features") }

        // The trainer really reads the stored features: zero vectors give a different trial.
        let zeros = dir + "/zeros.safetensors"
        try SafetensorsWriter.write(features.names.map { n in
            SafetensorsTensor(name: n, shape: features.info(n)!.shape, values: [Float](repeating: 0, count: features.info(n)!.elementCount))
        }, to: zeros)
        let trainer = Trainer(spec: specs[0], key: "t0", store: try TaskStore(root: dir + "/zeros"))
        trainer.featuresPath = zeros
        _ = try trainer.run()
        XCTAssertNotEqual(FileManager.default.contents(atPath: dir + "/zeros/tasks/t0/final.safetensors"), a["t0/final.safetensors"])
    }
}
