import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Issue 14, losses, end to end: every new loss setting that `ftx check` accepts moves
/// the trial's key, its trained weights and its `valid.loss` under `ftx run`, against
/// the same stage with the plain loss (same seed: same initial weights, same batches).
final class LossRunTests: XCTestCase {
    /// Stage → loss, on digits (10 classes) and on breast_cancer (0/1) with one output (bce).
    static let classStages: [(name: String, loss: String)] = [
        ("plain", "cross_entropy()"),
        ("balanced", "cross_entropy(weights: balanced)"),
        ("weighted", "cross_entropy(weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 4])"),
        ("smoothed_weighted", "cross_entropy(label_smoothing: 0.1, weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 4])"),
        ("focal", "focal(gamma: 2)"),
        ("focal_weighted", "focal(gamma: 2, weights: balanced)"),
        ("focal0", "focal(gamma: 0)"),
        ("sum", "0.7 * cross_entropy() + 0.3 * focal(gamma: 2) + 1e-4 * l2()"),
    ]
    static let binaryStages: [(name: String, loss: String)] = [
        ("bce", "bce()"),
        ("bce_pos", "bce(pos_weight: 3)"),
        ("bce_balanced", "bce(pos_weight: balanced)"),
    ]

    func stage(_ name: String, loss: String, model: String, data: String) -> String {
        ExperimentText.stage(name, ["model = \(model)", "data = \(data)", "loss = \(loss)", "metrics = [accuracy, loss]", "optimizer = adam(lr: 1e-2)"],
                             schedule: ["epochs = 1", "batch_size = 64"])
    }

    func testEveryLossSettingChangesKeyWeightsAndMetrics() throws {
        let workspace = try Workspace()
        let stages = Self.classStages.map { stage($0.name, loss: $0.loss, model: "mlp", data: "digits") }
            + Self.binaryStages.map { stage($0.name, loss: $0.loss, model: "mlp1", data: "cancer") }
        let run = try ExperimentRun(workspace, name: "losses.ftx", ExperimentText.file([
            ExperimentText.header("losses"), ExperimentText.digits, ExperimentText.cancer,
            ExperimentText.mlp(input: nil, layers: "[dense(16, activation: relu)]", head: 10),
            ExperimentText.mlp("mlp1", input: nil, layers: "[dense(16, activation: relu)]", head: 1),
        ] + stages))
        var trials: [String: (key: String, checkpoint: String, validLoss: Double)] = [:]
        for trial in run.allTrials.map(\.json) {
            guard let stage = trial["stage"] as? String, let key = trial["id"] as? String, let checkpoint = trial["checkpoint"] as? String,
                  let loss = (trial["metrics"] as? [String: Any])?["valid.loss"] as? Double else { continue }
            trials[stage] = (key, checkpoint, loss)
        }
        XCTAssertEqual(Set(trials.keys), Set((Self.classStages + Self.binaryStages).map(\.name)), "\(run.results)")
        XCTAssertEqual(Set(trials.values.map(\.key)).count, trials.count, "every loss setting is part of the key")
        for (stages, reference) in [(Self.classStages, "plain"), (Self.binaryStages, "bce")] {
            let base = try XCTUnwrap(trials[reference])
            let baseWeights = try SafetensorsFile(contentsOf: base.checkpoint)
            for (name, loss) in stages where name != reference && name != "focal0" {
                let t = try XCTUnwrap(trials[name], name)
                let weights = try SafetensorsFile(contentsOf: t.checkpoint)
                let moved = try baseWeights.names.contains { n in
                    zip(try baseWeights.floats(n), try weights.floats(n)).contains { $0.bitPattern != $1.bitPattern }
                }
                XCTAssertTrue(moved, "`loss = \(loss)` trains the same weights as `\(reference)`")
                XCTAssertNotEqual(t.validLoss, base.validLoss, "`loss = \(loss)` reports the same valid.loss as `\(reference)`")
            }
        }
        // focal(gamma: 0) is cross-entropy: the same training (its own key), the same valid.loss.
        XCTAssertEqual(try XCTUnwrap(trials["focal0"]).validLoss, try XCTUnwrap(trials["plain"]).validLoss, accuracy: 1e-6)
    }
}
