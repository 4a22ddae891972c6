import Foundation
import XCTest

/// Issue 14: `schedule { keep_best = METRIC }` (Hugging Face's `load_best_model_at_end`).
/// A learning rate too high for the data makes later epochs worse than an earlier one; the
/// trial's checkpoint is then the best epoch's weights — bit for bit those of the same trial
/// trained for exactly that many epochs — and its reported metrics are that epoch's.
final class KeepBestRunTests: XCTestCase {
    static func experiment(_ stages: [String]) -> String {
        ExperimentText.file([
            ExperimentText.header("keep_best"), ExperimentText.iris(split: "random(train: 0.6, valid: 0.4, seed: 0)"),
            ExperimentText.mlp(input: 4, layers: "[dense(16, activation: relu)]", head: 3),
        ] + stages)
    }

    static func stage(_ name: String, epochs: Int, rules: [String]) -> String {
        ExperimentText.stage(name, ["model = mlp", "data = iris", "optimizer = sgd(lr: \(lr), momentum: 0.9)"],
                             schedule: ["epochs = \(epochs)", "batch_size = 8"] + rules)
    }

    static let lr = "0.5"
    static let epochs = 8

    func testIssue14KeepBestKeepsTheBestEpochsWeights() throws {
        let workspace = try Workspace()
        let first = try ExperimentRun(workspace, name: "keep.ftx", Self.experiment([
            Self.stage("last", epochs: Self.epochs, rules: []),
            Self.stage("keep", epochs: Self.epochs, rules: ["keep_best = valid.loss"]),
            Self.stage("keep_acc", epochs: Self.epochs, rules: ["keep_best = valid.accuracy"]),
            Self.stage("keep_train", epochs: Self.epochs, rules: ["keep_best = train.accuracy"]),
            Self.stage("stopped", epochs: Self.epochs, rules: ["keep_best = valid.loss", "early_stop = {metric: valid.accuracy, patience: 2}"]),
        ]))
        let keep = try first.trial("keep")
        let losses = keep.perEpoch("valid.loss")
        XCTAssertEqual(losses.count, Self.epochs)
        XCTAssertEqual(keep.history.count, try first.trial("last").history.count)
        // The kept epoch: the first with the lowest valid.loss; the test needs a later, worse epoch.
        let best = try XCTUnwrap(losses.min())
        let kept = try XCTUnwrap(losses.firstIndex(of: best)) + 1
        XCTAssertLessThan(kept, Self.epochs, "the last epoch must be worse than an earlier one: \(losses)")
        XCTAssertEqual(keep.keptEpoch, kept)
        XCTAssertNil(try first.trial("last").keptEpoch, "without keep_best no epoch is named")
        XCTAssertNotEqual(try first.weights("keep"), try first.weights("last"))
        // Reported metrics are the kept epoch's.
        XCTAssertEqual(keep.metrics["valid.loss"] ?? .nan, best, accuracy: 1e-9)
        XCTAssertEqual(keep.metrics["valid.accuracy"] ?? .nan, keep.perEpoch("valid.accuracy")[kept - 1], accuracy: 1e-9)

        let accuracies = try first.trial("keep_acc").perEpoch("valid.accuracy")
        let keptAcc = try XCTUnwrap(accuracies.firstIndex(of: try XCTUnwrap(accuracies.max()))) + 1
        XCTAssertEqual(try first.trial("keep_acc").keptEpoch, keptAcc, "accuracy is maximised; a tie keeps the earliest epoch: \(accuracies)")

        // A train metric other than train.loss is scored each epoch when keep_best watches it
        // (issue 14: it was not, so keep_best on it kept the last epoch).
        let trainAccuracies = try first.trial("keep_train").perEpoch("train.accuracy")
        XCTAssertFalse(trainAccuracies.contains { $0.isNaN }, "train.accuracy in every epoch's history: \(trainAccuracies)")
        let keptTrain = try XCTUnwrap(trainAccuracies.firstIndex(of: try XCTUnwrap(trainAccuracies.max()))) + 1
        XCTAssertEqual(try first.trial("keep_train").keptEpoch, keptTrain, "\(trainAccuracies)")

        // Early stopping ends the trial; the kept epoch is the best of those it ran.
        let stopped = try first.trial("stopped")
        let stoppedLosses = stopped.perEpoch("valid.loss")
        let keptStopped = try XCTUnwrap(stoppedLosses.firstIndex(of: try XCTUnwrap(stoppedLosses.min()))) + 1
        XCTAssertEqual(stopped.keptEpoch, keptStopped)

        // The same trials trained for exactly the kept number of epochs (a constant rate, so the
        // first epochs are the same steps): their final weights are the kept ones, bit for bit.
        let second = try ExperimentRun(workspace, name: "upto.ftx", Self.experiment([
            Self.stage("upto", epochs: kept, rules: []),
            Self.stage("upto_acc", epochs: keptAcc, rules: []),
            Self.stage("upto_stopped", epochs: keptStopped, rules: []),
        ]))
        XCTAssertEqual(try first.weights("keep"), try second.weights("upto"))
        XCTAssertEqual(try first.weights("keep_acc"), try second.weights("upto_acc"))
        XCTAssertEqual(try first.weights("stopped"), try second.weights("upto_stopped"))
        XCTAssertEqual(try second.trial("upto").perEpoch("valid.loss"), Array(losses.prefix(kept)))
    }
}
