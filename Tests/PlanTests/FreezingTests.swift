import Plan
import XCTest

/// `TrainingSpec.trains(_:duringEpoch:)`: the one reading of `freeze` and `unfreeze`.
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
        XCTAssertTrue(s.trains("head.weight", duringEpoch: 0), "not frozen")
        XCTAssertFalse(s.trains("head.bias", duringEpoch: 3), "frozen, never released")
        XCTAssertFalse(s.everTrains("head.bias"))
        XCTAssertFalse(s.trains("layers.0.weight", duringEpoch: 1))
        XCTAssertTrue(s.trains("layers.0.weight", duringEpoch: 2), "released at epoch 2")
        XCTAssertFalse(s.trains("layers.0.bias", duringEpoch: 3), "the unfreeze pattern does not select it")
        XCTAssertTrue(s.everTrains("layers.0.weight"))
    }
}
