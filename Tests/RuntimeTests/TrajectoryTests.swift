import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// The golden end-to-end runs of golden/trajectories: each spec is
/// built by hand exactly as its `NAME.ftx` declares it (the compiler is not
/// needed), trained by `Trainer`, and compared with PyTorch: final weights within
/// 1e-4 of each tensor's largest magnitude, per-step losses within 1e-4 relative.
final class TrajectoryTests: XCTestCase {
    private func spec(_ name: String, layer: LayerSpec, optimizer: OptimizerSpec, batch: Int, lr: LRScheduleSpec,
                      clip: Double? = nil, smoothing: Double = 0) -> TrainingSpec {
        let dir = TrainerFixtures.trajectories
        return TrainingSpec(
            data: DataSpec(source: .csv(path: "\(dir)/\(name).csv"), label: "label", normalize: .scale(1.0 / 16),
                           split: SplitRule(.ordered, train: 0.8, valid: 0.2)),
            filter: nil,
            model: ModelSpec(input: 64, layers: [layer], head: .dense(units: 10, activation: nil)),
            initialization: .checkpoint(path: "\(dir)/\(name)_init.safetensors"), freeze: [], unfreeze: [],
            optimizer: optimizer,
            schedule: ScheduleSpec(epochs: 2, batchSize: batch, shuffle: false, lr: lr, clipGradNorm: clip),
            loss: LossSpec(criterion: .crossEntropy(labelSmoothing: smoothing)),
            metrics: ["accuracy", "loss"], seed: 0, prune: nil)
    }

    /// Trains `spec` and checks it against NAME_final.safetensors and NAME.json.
    private func check(_ name: String, _ spec: TrainingSpec) throws {
        let dir = TrainerFixtures.trajectories
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("traj"))
        var losses: [Float] = []
        let outcome = try Trainer(spec: spec, key: name, store: store, initialWeightsPath: "\(dir)/\(name)_init.safetensors")
            .run(Trainer.Options(onStep: { _, loss in losses.append(loss) }))
        XCTAssertEqual(outcome, .finished(epochs: 2, earlyStopped: false))
        XCTAssertEqual(store.status(of: name), .done)

        let golden = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).json")))
        let expected = try XCTUnwrap(golden["losses"]?.doubleArray)
        XCTAssertEqual(losses.count, expected.count, "\(name): number of optimizer steps")
        var lossErr = 0.0
        for (a, b) in zip(losses, expected) { lossErr = max(lossErr, abs(Double(a) - b) / abs(b)) }
        XCTAssertLessThanOrEqual(lossErr, 1e-4, "\(name): per-step losses")

        let ours = try SafetensorsFile(contentsOf: store.path("final.safetensors", for: name))
        let ref = try SafetensorsFile(contentsOf: "\(dir)/\(name)_final.safetensors")
        XCTAssertEqual(Set(ours.names), Set(ref.names), "\(name): parameter names")
        var weightErr = 0.0
        for t in ref.names {
            try ours.checkShape(t, expected: try ref.requireInfo(t).shape)
            let a = try ours.floats(t), b = try ref.floats(t)
            let scale = Double(b.map { abs($0) }.max() ?? 1)
            for (x, y) in zip(a, b) { weightErr = max(weightErr, abs(Double(x) - Double(y)) / scale) }
        }
        XCTAssertLessThanOrEqual(weightErr, 1e-4, "\(name): final weights")
        print("trajectory \(name): max weight error \(weightErr) (relative to tensor max), max loss error \(lossErr) (relative)")

        // The history records both epochs with valid metrics.
        let history = store.history(for: name).compactMap(EpochRecord.init(json:))
        XCTAssertEqual(history.map(\.epoch), [1, 2])
        XCTAssertEqual(history.last?.step, expected.count)
        XCTAssertNotNil(history.last?.value("valid.loss"))
        XCTAssertNotNil(history.last?.value("valid.accuracy"))
    }

    func testTrajectoryP1AdamWConstant() throws {
        try check("traj_p1", spec("traj_p1", layer: .dense(units: 32, activation: .relu),
                                  optimizer: OptimizerSpec(kind: .adamw, lr: 1e-3, weightDecay: 0.01), batch: 20, lr: .constant))
    }

    func testTrajectoryP2SGDMomentumStepClip() throws {
        try check("traj_p2", spec("traj_p2", layer: .dense(units: 32, activation: .tanh),
                                  optimizer: OptimizerSpec(kind: .sgd, lr: 0.05, momentum: 0.9), batch: 32,
                                  lr: .step(every: .epochs(1), gamma: 0.5), clip: 1.0))
    }

    func testTrajectoryP3AdamWLinearWarmupSmoothing() throws {
        try check("traj_p3", spec("traj_p3", layer: .dense(units: 48, activation: .gelu),
                                  optimizer: OptimizerSpec(kind: .adamw, lr: 2e-3, weightDecay: 0), batch: 25,
                                  lr: .linear(warmup: .steps(4)), smoothing: 0.1))
    }
}
