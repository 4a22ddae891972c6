import Foundation
import XCTest

/// Issue 14, metrics: what a rule names is computed, and the classification metrics land
/// in `ftx results`. Each experiment is checked clean, run through `ftx run` and read
/// back through `ftx results` (iris, a small MLP, a few epochs).
final class MetricsRunTests: XCTestCase {
    static let header = [
        ExperimentText.header("metrics"), ExperimentText.iris(), ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu)]", head: 3),
    ]

    /// A stage `name` that trains the MLP on iris with adam(lr: 1e-2): `schedule`'s lines, then `after`.
    static func stage(_ name: String, schedule: [String], after: [String] = []) -> String {
        ExperimentText.stage(name, ["model = mlp", "data = iris", "optimizer = adam(lr: 1e-2)"], schedule: schedule, after: after)
    }

    /// The bug: `early_stop` on `train.accuracy` was accepted, but train accuracy was never
    /// computed per epoch, so patience never ran out and all 8 epochs trained. With
    /// `min_delta: 0.5` no epoch after the first can improve, so patience 2 stops after
    /// epoch 3; the last epoch's train.accuracy is the eval task's on the final weights.
    func testIssue14EarlyStopOnTrainAccuracyFires() throws {
        let json = try runExperiment(Self.stage("train", schedule: [
            "epochs = 8", "batch_size = 16", "early_stop = {metric: train.accuracy, patience: 2, min_delta: 0.5}",
        ]))
        let trial = try XCTUnwrap(trials(json).first)
        XCTAssertEqual(trial["status"] as? String, "done")
        XCTAssertEqual(trial["epochs"] as? Int, 3, "early stopping on train.accuracy fired after epoch 3")
        let history = try XCTUnwrap(trial["history"] as? [[String: Any]])
        XCTAssertEqual(history.count, 3)
        for line in history {
            let a = try XCTUnwrap(line["train.accuracy"] as? Double, "train.accuracy in every epoch's record")
            XCTAssertTrue((0...1).contains(a))
        }
        let metrics = try XCTUnwrap(trial["metrics"] as? [String: Any])
        XCTAssertEqual(history.last?["train.accuracy"] as? Double, metrics["train.accuracy"] as? Double,
                       "the epoch's train.accuracy is the whole train split's, as the eval task computes it")
    }

    /// The bug: ASHA on `train.accuracy` ranked NaNs and kept the first trials in plan order.
    /// The two trials with the highest train.accuracy at the rung (epoch 1) survive; the
    /// learning rates put the better ones last in plan order.
    func testIssue14ASHAOnTrainAccuracyPrunesByRealValues() throws {
        let json = try runExperiment(Self.stage("tune", schedule: ["epochs = 2", "batch_size = 16"], after: [
            "prune = asha(metric: train.accuracy, min_epochs: 1, reduction: 2)", "sweep grid {\n  optimizer.lr = [1e-6, 1e-5, 3e-2, 1e-1]\n}",
        ]))
        let all = try trials(json)
        XCTAssertEqual(all.count, 4)
        let atRung = try all.map { t -> Double in
            let first = try XCTUnwrap((t["history"] as? [[String: Any]])?.first { $0["epoch"] as? Int == 1 })
            return try XCTUnwrap(first["train.accuracy"] as? Double, "train.accuracy at the rung")
        }
        // Top 2 by value, ties in plan order (ASHACohort's rule), computed here from the records.
        let keep = Set(atRung.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            .prefix(2).map(\.offset))
        XCTAssertNotEqual(keep, [0, 1], "the test needs survivors other than plan order's first two: \(atRung)")
        for (i, t) in all.enumerated() {
            XCTAssertEqual(t["status"] as? String, keep.contains(i) ? "done" : "pruned", "trial \(i): train.accuracy at rung \(atRung)")
            XCTAssertEqual(t["epochs"] as? Int, keep.contains(i) ? 2 : 1)
        }
    }

    /// The new metrics of one trial land in `--json` (scalars in `metrics`, the matrix and
    /// per-class scores in `classification`), agree with each other, and the text output
    /// prints the matrix under class-label headers.
    func testClassificationMetricsInResults() throws {
        let workspace = try Workspace()
        let (json, file, store) = try run(in: workspace, Self.stage("train", schedule: ["epochs = 3", "batch_size = 16"], after: [
            "metrics = [accuracy, loss, precision, recall, f1, f1_micro, roc_auc, confusion]",
        ]))
        let trial = try XCTUnwrap(trials(json).first)
        let metrics = try XCTUnwrap(trial["metrics"] as? [String: Any])
        let classification = try XCTUnwrap(trial["classification"] as? [String: Any])
        XCTAssertEqual(Set(classification.keys), ["train", "valid", "test"].filter { metrics["\($0).accuracy"] != nil }.reduce(into: Set()) { $0.insert($1) })
        for (split, value) in classification {
            let table = try XCTUnwrap(value as? [String: Any])
            XCTAssertEqual(table["labels"] as? [String], ["0", "1", "2"])
            let confusion = try XCTUnwrap(table["confusion"] as? [[Int]])
            let total = confusion.joined().reduce(0, +)
            let accuracy = try XCTUnwrap(metrics["\(split).accuracy"] as? Double)
            XCTAssertEqual(Double((0..<3).map { confusion[$0][$0] }.reduce(0, +)) / Double(total), accuracy, accuracy: 1e-12, split)
            XCTAssertEqual(metrics["\(split).f1_micro"] as? Double ?? -1, accuracy, accuracy: 1e-12, "micro F1 = accuracy")
            let perClass = try XCTUnwrap(table["per_class"] as? [String: Any])
            XCTAssertEqual(perClass["support"] as? [Int], confusion.map { $0.reduce(0, +) })
            let present = (0..<3).filter { c in confusion[c].reduce(0, +) > 0 || confusion.map { $0[c] }.reduce(0, +) > 0 }
            for name in ["precision", "recall", "f1"] {
                let per = try XCTUnwrap(perClass[name] as? [Double], name)
                let macro = present.map { per[$0] }.reduce(0, +) / Double(present.count)
                XCTAssertEqual(metrics["\(split).\(name)"] as? Double ?? -1, macro, accuracy: 1e-12, "\(split).\(name) is the macro mean")
            }
            let auc = try XCTUnwrap(metrics["\(split).roc_auc"] as? Double)
            XCTAssertTrue((0...1).contains(auc))
        }
        XCTAssertNil(metrics["valid.confusion"], "the matrix is not a scalar metric")

        let text = ftx(["results", "--store", store, file])
        XCTAssertEqual(text.status, 0, text.err)
        let lines = text.out.components(separatedBy: "\n")
        let title = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("train trial ") && $0.hasSuffix(", valid split: confusion matrix (rows: true class, columns: predicted)") },
                                  text.out)
        let header = lines[title + 1].split(separator: " ").map(String.init)
        XCTAssertEqual(header, ["true", "\\", "predicted", "0", "1", "2", "|", "precision", "recall", "f1", "roc_auc", "support"])
        let valid = try XCTUnwrap((classification["valid"] as? [String: Any])?["confusion"] as? [[Int]])
        for c in 0..<3 {
            let cells = lines[title + 2 + c].split(separator: " ").map(String.init)
            XCTAssertEqual(cells.first, String(c))
            XCTAssertEqual(Array(cells[1...3]).compactMap { Int($0) }, valid[c], "row \(c) of the printed matrix")
        }
    }

    /// Two classes, with one sigmoid output (`bce()`) and with two softmax outputs: check
    /// accepts the `_binary` metrics, the unsuffixed ones score class 1 as they do, and
    /// each scalar is its class-1 entry in `per_class`.
    func testBinaryMetricsScoreClassOne() throws {
        let workspace = try Workspace()
        let stages = [("sigmoid", 1, ["loss = bce()"]), ("softmax", 2, [String]())].map { name, units, loss in
            ExperimentText.mlp("\(name)_mlp", input: 30, layers: "[dense(8, activation: relu)]", head: units) + "\n\n"
                + ExperimentText.stage(name, ["model = \(name)_mlp", "data = cancer", "optimizer = adam(lr: 1e-2)"], schedule: ["epochs = 2", "batch_size = 32"],
                                       after: loss + ["metrics = [accuracy, loss, precision, recall, f1, precision_binary, recall_binary, f1_binary, roc_auc]"])
        }
        let run = try ExperimentRun(workspace, name: "binary.ftx", ExperimentText.file([ExperimentText.header("binary"), ExperimentText.cancer] + stages))
        let all = try trials(run.results)
        XCTAssertEqual(all.count, 2)
        for t in all {
            let stage = t["stage"] as? String ?? "?"
            let metrics = try XCTUnwrap(t["metrics"] as? [String: Any])
            let perClass = try XCTUnwrap(((t["classification"] as? [String: Any])?["valid"] as? [String: Any])?["per_class"] as? [String: Any])
            for name in ["precision", "recall", "f1"] {
                let one = try XCTUnwrap((perClass[name] as? [Double])?[1], "\(stage) \(name)")
                XCTAssertEqual(metrics["valid.\(name)"] as? Double, one, "\(stage): \(name) of two classes is class 1's")
                XCTAssertEqual(metrics["valid.\(name)_binary"] as? Double, one, "\(stage): \(name)_binary")
            }
            let auc = try XCTUnwrap(metrics["valid.roc_auc"] as? Double)
            XCTAssertEqual((perClass["roc_auc"] as? [Double])?[1] ?? -1, auc, accuracy: 1e-12, stage)
            XCTAssertGreaterThan(auc, 0.9, "\(stage): a trained classifier on breast_cancer ranks well")
        }
    }

    // MARK: Helpers

    func runExperiment(_ stage: String) throws -> [String: Any] {
        let workspace = try Workspace()
        return try run(in: workspace, stage).json
    }

    /// Checks the experiment (the header, then `stage`) clean, runs it, returns `results --json`, the file and the store.
    func run(in workspace: Workspace, _ stage: String) throws -> (json: [String: Any], file: String, store: String) {
        let run = try ExperimentRun(workspace, name: "metrics.ftx", ExperimentText.file(Self.header + [stage]))
        return (run.results, run.file, run.store)
    }

    func trials(_ json: [String: Any]) throws -> [[String: Any]] {
        try XCTUnwrap(json["trials"] as? [[String: Any]])
    }
}
