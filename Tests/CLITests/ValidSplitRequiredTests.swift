import Foundation
import XCTest

/// Issue 14: settings that act on the valid split after each epoch are rejected by `check`
/// (and so by `run`) when the stage's data has no valid split, instead of silently doing
/// nothing: `lr = plateau(…)` ran as a constant rate.
final class ValidSplitRequiredTests: XCTestCase {
    static func experiment(split: String, schedule: String, stage: String = "") -> String {
        ExperimentText.file([
            ExperimentText.header("nosplit"), ExperimentText.iris(split: split),
            ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu)]", head: 3),
            ExperimentText.stage("train", ["model = mlp", "data = iris", "optimizer = sgd(lr: 0.1)"],
                                 schedule: ["epochs = 2", "batch_size = 40", schedule], after: [stage]),
        ])
    }

    static let noValid = "random(train: 0.8, test: 0.2, seed: 0)"

    /// Each setting, on data without a valid split: `check` and `run` fail with the code, naming the data and the fix.
    func testIssue14SettingsThatNeedAValidSplitAreRejectedWithout() throws {
        let cases: [(schedule: String, stage: String, code: String, says: String)] = [
            ("lr = plateau(factor: 0.5, patience: 1)", "", "E0185", "add `valid:` to the split of data `iris`"),
            ("", "sweep grid {\n    schedule.lr = [constant(), plateau(factor: 0.5)]\n  }", "E0185", "add `valid:` to the split of data `iris`"),
            ("early_stop = {metric: valid.loss, patience: 1}", "", "E0123", "give data `iris` a valid fraction"),
            ("keep_best = valid.accuracy", "", "E0123", "give data `iris` a valid fraction"),
            ("", "prune = asha(metric: valid.loss, min_epochs: 1, reduction: 2)", "E0123", "give data `iris` a valid fraction"),
        ]
        for c in cases {
            let workspace = try Workspace()
            let file = try workspace.write("nosplit.ftx", Self.experiment(split: Self.noValid, schedule: c.schedule, stage: c.stage))
            for command in ["check", "run"] {
                let out = ftx(command == "run" ? ["run", "--store", workspace.url.appendingPathComponent("store").path, file] : ["check", file])
                XCTAssertNotEqual(out.status, 0, "\(command) accepts \(c.schedule)\(c.stage)")
                XCTAssertTrue(out.err.contains("error[\(c.code)]"), "\(c.schedule)\(c.stage): \(out.err)")
                XCTAssertTrue(out.err.contains(c.says), "\(c.schedule)\(c.stage): \(out.err)")
                XCTAssertTrue(out.err.contains("nosplit.ftx:"), "the diagnostic names the file and place: \(out.err)")
            }
            // With a valid split the same file runs.
            let fixed = try workspace.write("fixed.ftx", Self.experiment(split: "random(train: 0.6, valid: 0.2, test: 0.2, seed: 0)",
                                                                         schedule: c.schedule, stage: c.stage))
            let check = ftx(["check", fixed])
            XCTAssertEqual(check.status, 0, check.err)
        }
    }

    /// With a valid split, `plateau` acts: a patience of 0 and a learning rate that makes
    /// `valid.loss` worse halves the rate after the first epoch that does not improve.
    func testPlateauWithAValidSplitReducesTheRate() throws {
        let run = try ExperimentRun(try Workspace(), Self.experiment(
            split: "random(train: 0.8, valid: 0.2, seed: 0)",
            schedule: "lr = plateau(factor: 0.5, patience: 0)").replacingOccurrences(of: "epochs = 2", with: "epochs = 6")
            .replacingOccurrences(of: "sgd(lr: 0.1)", with: "sgd(lr: 3.0)"))
        let trial = try run.trial("train")
        let losses = trial.perEpoch("valid.loss"), rates = trial.perEpoch("lr")
        XCTAssertEqual(rates.count, 6)
        // The rate of epoch e+1 is halved exactly when epoch e's valid.loss did not beat the best before it (threshold 1e-4, rel).
        var best = Double.infinity
        var expected = 3.0
        for e in 0..<6 {
            XCTAssertEqual(rates[e], expected, accuracy: 1e-12, "epoch \(e + 1)")
            if losses[e] < best * (1 - 1e-4) { best = losses[e] } else { expected *= 0.5 }
        }
        XCTAssertLessThan(rates.last ?? 3, 3.0, "the rate was reduced at least once")
    }
}
