import Compiler
import DSL
import Foundation
import Plan
import XCTest

/// Issue 14, losses: `weights:`, `pos_weight:`, `focal` and weighted sums of criteria
/// lower to `LossSpec` terms; a single unweighted criterion lowers (and so hashes)
/// exactly as before; `check` rejects what the trainer could not honour.
final class LossLoweringTests: XCTestCase {
    /// Digits (10 classes) or, with `binary`, digits 0 and 1 only with one output, trained with `loss`.
    func experiment(_ loss: String, binary: Bool = false, sweep: String = "") -> String {
        """
        \(ExperimentText.header("losses"))

        \(ExperimentText.digits)

        model mlp {
          layers = [dense(16, activation: relu)]
          head = dense(\(binary ? 1 : 10))
        }

        stage fit {
          model = mlp
          data = digits\(binary ? " where label < 2" : "")
          optimizer = adam(lr: 1e-2)
          schedule {
            epochs = 1
            batch_size = 64
          }
          loss = \(loss)\(sweep.isEmpty ? "" : "\n  sweep grid {\n    \(sweep)\n  }")
        }

        """
    }

    func lowered(_ loss: String, binary: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> (LossSpec, String) {
        let sandbox = try PlanSandbox()
        let plan = try makePlan(try sandbox.write(experiment(loss, binary: binary)), file: file, line: line)
        let trial = try XCTUnwrap(plan.graph.trials.first, file: file, line: line)
        guard case .train(let spec)? = plan.graph.task(trial.id)?.payload else { throw PlanError("no train payload") }
        return (spec.loss, trial.id)
    }

    func diagnostics(_ loss: String, binary: Bool = false, sweep: String = "") -> [Diagnostic] {
        checkSource(SourceFile(path: TestPaths.root + "/experiments/losses.ftx", text: experiment(loss, binary: binary, sweep: sweep))).diagnostics
    }

    func testNewSettingsLowerToTerms() throws {
        let ce = LossSpec.Criterion.crossEntropy(labelSmoothing: 0)
        XCTAssertEqual(try lowered("cross_entropy(weights: balanced)").0, LossSpec(terms: [.init(ce, classWeights: .balanced)]))
        XCTAssertEqual(try lowered("cross_entropy(label_smoothing: 0.1, weights: [1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5])").0,
                       LossSpec(terms: [.init(.crossEntropy(labelSmoothing: 0.1), classWeights: .values([1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5]))]))
        XCTAssertEqual(try lowered("focal()").0, LossSpec(criterion: .focal(gamma: 2)))
        XCTAssertEqual(try lowered("focal(gamma: 0.5, weights: balanced)").0, LossSpec(terms: [.init(.focal(gamma: 0.5), classWeights: .balanced)]))
        XCTAssertEqual(try lowered("bce(pos_weight: 3)", binary: true).0, LossSpec(terms: [.init(.bce, classWeights: .values([3]))]))
        XCTAssertEqual(try lowered("bce(pos_weight: balanced)", binary: true).0, LossSpec(terms: [.init(.bce, classWeights: .balanced)]))
        XCTAssertEqual(try lowered("0.7 * cross_entropy() + 0.3 * focal(gamma: 2) + 1e-4 * l2()").0,
                       LossSpec(terms: [.init(ce, weight: 0.7), .init(.focal(gamma: 2), weight: 0.3)], penalties: [.init(.l2, weight: 1e-4)]))
        XCTAssertEqual(try lowered("focal() * 0.5").0, LossSpec(terms: [.init(.focal(gamma: 2), weight: 0.5)]))
    }

    /// A single unweighted criterion is the loss as it was: same spec, same key, whichever way it is written.
    func testOneUnweightedCriterionLowersAsBefore() throws {
        let (plain, key) = try lowered("cross_entropy()")
        XCTAssertEqual(plain, LossSpec(criterion: .crossEntropy(labelSmoothing: 0)))
        XCTAssertEqual(try lowered("1 * cross_entropy()").1, key)
        XCTAssertEqual(try lowered("cross_entropy(label_smoothing: 0)").1, key)
        // Each new setting is part of the trial's identity.
        let keys = try ["cross_entropy(weights: balanced)", "cross_entropy(weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, 2])", "focal(gamma: 0)",
                        "0.5 * cross_entropy()", "cross_entropy() + focal()", "0.5 * cross_entropy() + 0.5 * focal()"].map { try lowered($0).1 }
        XCTAssertEqual(Set(keys + [key]).count, keys.count + 1, "\(keys)")
        let bce = try lowered("bce()", binary: true).1
        XCTAssertNotEqual(try lowered("bce(pos_weight: 2)", binary: true).1, bce)
        XCTAssertNotEqual(try lowered("bce(pos_weight: balanced)", binary: true).1, bce)
    }

    func testCheckRejectsWhatCannotRun() {
        func codes(_ loss: String, binary: Bool = false) -> [String] { diagnostics(loss, binary: binary).map(\.code.rawValue) }
        XCTAssertEqual(codes("mse() + cross_entropy()"), ["E0175"])
        XCTAssertEqual(codes("bce() + focal()", binary: true), ["E0175"])
        XCTAssertEqual(codes("cross_entropy(weights: [1, 2, 3])"), ["E0176"])
        XCTAssertEqual(codes("0.5 * cross_entropy() + 0.5 * focal(weights: [1])"), ["E0176"])
        XCTAssertEqual(codes("cross_entropy(weights: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0])"), ["E0177"])
        XCTAssertEqual(codes("cross_entropy(weights: [1, 1, 1, 1, 1, 1, 1, 1, 1, -1])"), ["E0133"])
        XCTAssertEqual(codes("focal(gamma: -1)"), ["E0133"])
        XCTAssertEqual(codes("bce(pos_weight: 0)", binary: true), ["E0133"])
        XCTAssertEqual(codes("cross_entropy(weights: uniform)"), ["E0152"])
        XCTAssertEqual(codes("-1 * cross_entropy()"), ["E0133"])
        XCTAssertEqual(codes("focal()", binary: true), ["E0116"])
        XCTAssertEqual(codes("bce(pos_weight: balanced)"), ["E0116"])
        XCTAssertEqual(codes("cross_entropy() - focal()"), ["E0121"])
        XCTAssertEqual(codes("0.7 * cross_entropy() + 0.3 * focal(gamma: 2) + 1e-4 * l2()"), [])
    }

    /// Swept class weights are checked like written ones; a sum's criteria cannot be swept argument by argument
    /// (the sweep would set an argument the sum does not have, and nothing would read it).
    func testSweptLossesAreCheckedToo() throws {
        func codes(_ loss: String, _ sweep: String) -> [String] { diagnostics(loss, sweep: sweep).map(\.code.rawValue) }
        XCTAssertEqual(codes("cross_entropy()", "loss.weights = [balanced, [1, 2]]"), ["E0176"])
        XCTAssertEqual(codes("cross_entropy()", "loss = [focal(), focal(weights: [1, 2])]"), ["E0176"])
        XCTAssertEqual(codes("0.5 * cross_entropy() + 0.5 * focal()", "loss.gamma = [1, 2]"), ["E0139"])
        XCTAssertEqual(codes("cross_entropy()", "loss = [focal(), 0.5 * focal() + 0.5 * cross_entropy()]\n    loss.weights = [balanced]"), ["E0139"])
        XCTAssertEqual(codes("0.5 * cross_entropy() + 0.5 * focal()", "loss.l2 = [1e-4, 1e-3]"), [])
        // `loss` itself swept: the stage's sum is replaced in every trial, so the criteria's arguments are sweepable.
        XCTAssertEqual(codes("0.5 * cross_entropy() + 0.5 * focal()", "loss = [cross_entropy(), focal()]\n    loss.weights = [balanced, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]]"), [])
        let sandbox = try PlanSandbox()
        let plan = try makePlan(try sandbox.write(experiment("0.5 * cross_entropy() + 0.5 * focal()",
                                                             sweep: "loss = [cross_entropy(), focal()]\n    loss.weights = [balanced, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]]")))
        var losses: [LossSpec] = []
        for trial in plan.graph.trials {
            if case .train(let spec)? = plan.graph.task(trial.id)?.payload { losses.append(spec.loss) }
        }
        let ce = LossSpec.Criterion.crossEntropy(labelSmoothing: 0), weights = LossSpec.ClassWeights.values([1, 1, 1, 1, 1, 1, 1, 1, 1, 2])
        XCTAssertEqual(Set(losses), [LossSpec(terms: [.init(ce, classWeights: .balanced)]), LossSpec(terms: [.init(ce, classWeights: weights)]),
                                     LossSpec(terms: [.init(.focal(gamma: 2), classWeights: .balanced)]), LossSpec(terms: [.init(.focal(gamma: 2), classWeights: weights)])])
    }
}
