import Plan
import XCTest

/// `TrainingSpec.trains(_:atStep:epoch:)`: the one reading of `freeze` and `unfreeze`.
final class FreezingTests: XCTestCase {
    private func spec(freeze: [String], unfreeze: [UnfreezeStep]) -> TrainingSpec {
        TrainingSpec(data: DataSpec(source: .csv(path: "rows.csv"), label: "y", split: SplitRule(.random(seed: 0), train: 0.8, valid: 0.2)),
                     filter: nil, model: ModelSpec(input: 4, layers: [.dense(units: 3, activation: nil)], head: .dense(units: 2, activation: nil), pretrained: nil),
                     initialization: .random, freeze: freeze, unfreeze: unfreeze,
                     optimizer: OptimizerSpec(kind: .sgd, lr: 0.1), schedule: ScheduleSpec(epochs: 4, batchSize: 2, shuffle: false),
                     loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)), metrics: [], seed: 0, prune: nil)
    }

    func testFrozenParametersTrainFromTheirUnfreezeEpochOn() {
        let s = spec(freeze: ["layers.0", "head.bias"], unfreeze: [UnfreezeStep(epoch: 2, patterns: ["layers.*.weight"])])
        XCTAssertTrue(s.trains("head.weight", atStep: 0, epoch: 0), "not frozen")
        XCTAssertFalse(s.trains("head.bias", atStep: 100, epoch: 3), "frozen, never released")
        XCTAssertFalse(s.everTrains("head.bias"))
        XCTAssertFalse(s.trains("layers.0.weight", atStep: 1_000, epoch: 1), "an epoch entry ignores the step count")
        XCTAssertTrue(s.trains("layers.0.weight", atStep: 0, epoch: 2), "released at epoch 2")
        XCTAssertFalse(s.trains("layers.0.bias", atStep: 100, epoch: 3), "the unfreeze pattern does not select it")
        XCTAssertTrue(s.everTrains("layers.0.weight"))
        XCTAssertFalse(s.unfreezes(atStep: 0), "epoch entries take effect at epoch starts, not at a step")
    }

    /// `unfreeze = [{at: 30 steps, …}]`: from optimizer step 30 (0-based over the stage) on, whatever the epoch.
    func testFrozenParametersTrainFromTheirUnfreezeStepOn() {
        let s = spec(freeze: ["layers.0"], unfreeze: [UnfreezeStep(at: .step(30), patterns: ["layers.0.weight"])])
        XCTAssertFalse(s.trains("layers.0.weight", atStep: 29, epoch: 5), "a step entry ignores the epoch")
        XCTAssertTrue(s.trains("layers.0.weight", atStep: 30, epoch: 0))
        XCTAssertTrue(s.trains("layers.0.weight", atStep: 31, epoch: 0))
        XCTAssertFalse(s.trains("layers.0.bias", atStep: 31, epoch: 0))
        XCTAssertTrue(s.everTrains("layers.0.weight"))
        XCTAssertFalse(s.everTrains("layers.0.bias"))
        XCTAssertTrue(s.unfreezes(atStep: 30))
        XCTAssertFalse(s.unfreezes(atStep: 29))
        XCTAssertFalse(s.unfreezes(atStep: 31))
    }
}
