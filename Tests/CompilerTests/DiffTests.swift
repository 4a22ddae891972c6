import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// `ExperimentDiff` on in-memory sources (no git): which edits are changes,
/// their paths, and the trial impact.
final class DiffTests: XCTestCase {
    /// digits-transfer's text, read from the examples.
    private func example() throws -> String {
        try String(contentsOfFile: TestPaths.root + "/experiments/digits-transfer.ftx", encoding: .utf8)
    }

    /// Both texts as if they stood at experiments/ (so `../data/digits.csv` resolves), compared.
    private func compare(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) throws -> ExperimentDiff {
        let path = TestPaths.root + "/experiments/diff-under-test.ftx"
        let a = try DiffSide.source(Array(old.utf8), at: path, label: "old")
        let b = try DiffSide.source(Array(new.utf8), at: path, label: "new")
        return try ExperimentDiff.compare(old: a, new: b)
    }

    private func edited(_ text: String, _ edits: [(String, String)], file: StaticString = #filePath, line: UInt = #line) -> String {
        var out = text
        for (find, replacement) in edits {
            XCTAssertTrue(out.contains(find), "`\(find)` not found", file: file, line: line)
            out = out.replacingOccurrences(of: find, with: replacement)
        }
        return out
    }

    private func summary(_ diff: ExperimentDiff) -> [String] {
        diff.changes.map { "\($0.kind.rawValue) \($0.path)" }
    }

    func testIdenticalSourcesHaveNoDifference() throws {
        let text = try example()
        let diff = try compare(text, text)
        XCTAssertTrue(diff.changes.isEmpty)
        XCTAssertFalse(diff.hasSemanticDifference)
        XCTAssertEqual(diff.trials, TrialImpact(reused: 13))
        XCTAssertTrue(diff.recompute.isEmpty)
        XCTAssertTrue(diff.text().hasPrefix("no semantic difference\n"), diff.text())
    }

    /// Issue 15: cluster resources are settings (reported field by field, canonically spelled)
    /// that move no task key, so the edit invalidates no trial and recomputes nothing.
    func testResourcesEditsInvalidateNoTrial() throws {
        let text = try example()
        let old = edited(text, [("seed = 0\n}", "seed = 0\n  resources {\n    cpus = 2\n    time = \"90m\"\n  }\n}")])
        let new = edited(text, [
            ("seed = 0\n}", "seed = 0\n  resources {\n    cpus = 4\n    time = \"1h30m\"\n  }\n}"),
            ("  select = best", "  resources {\n    memory = \"16G\"\n  }\n  select = best"),
        ])
        let diff = try compare(old, new)
        // `"90m"` and `"1h30m"` are one time limit: no change.
        XCTAssertEqual(diff.changes.map(\.text), ["~ experiment.resources.cpus: 2 → 4", "+ stage.finetune.resources.memory: \"16G\""])
        XCTAssertTrue(diff.changes.allSatisfy(\.isResources))
        XCTAssertEqual(diff.trials, TrialImpact(reused: 13))
        XCTAssertTrue(diff.recompute.isEmpty)
        XCTAssertTrue(diff.hasSemanticDifference, "a setting changed")
        XCTAssertEqual(diff.text(), """
            ~ experiment.resources.cpus: 2 → 4
            + stage.finetune.resources.memory: "16G"
            (`resources` only decide what cluster jobs ask for: they change no result and no task key)

            trials: 13 reused, 0 invalidated, 0 added, 0 removed (pretrain: 1 reused; finetune: 12 reused)
            to recompute: nothing
            files of old: ../data/digits.csv from disk
            files of new: ../data/digits.csv from disk

            """)
        // Removing the experiment's block is one removal per field.
        XCTAssertEqual(summary(try compare(old, text)), ["removed experiment.resources.cpus", "removed experiment.resources.time"])
        // Declarations named `resources` are not the block.
        XCTAssertFalse(DiffChange(.changed, .setting, path: "stage.resources.seed", old: nil, new: nil).isResources)
        XCTAssertFalse(DiffChange(.changed, .setting, path: "data.resources.split", old: nil, new: nil).isResources)
    }

    func testNestedSettingsHaveDottedPaths() throws {
        let text = try example()
        let diff = try compare(text, edited(text, [
            ("layers = [dense(128, activation: relu), dropout(0.1)", "layers = [dense(256, activation: relu), dropout(0.2)"),
            ("seed = 0\n}", "seed = 1\n}"),
            ("early_stop = {metric: valid.loss, patience: 2}", "early_stop = {metric: valid.loss, patience: 3}"),
        ]))
        XCTAssertEqual(summary(diff), ["changed experiment.seed", "changed model.mlp.layers.0.units", "changed model.mlp.layers.1.p",
                                       "changed stage.finetune.schedule.early_stop.patience"])
        let units = try XCTUnwrap(diff.changes.first { $0.path == "model.mlp.layers.0.units" })
        XCTAssertEqual(units.old, Value(.number(128)))
        XCTAssertEqual(units.new, Value(.number(256)))
        XCTAssertEqual(units.text, "~ model.mlp.layers.0.units: 128 → 256")
        XCTAssertEqual(diff.trials.invalidated, 13)
    }

    func testAddedSettingAndRemovedDeclarations() throws {
        let text = try example()
        let diff = try compare(text, edited(text, [
            ("    clip_grad_norm = 1.0\n", ""),
            ("  ensemble = top(3, by: valid.accuracy)\n", ""),
        ]))
        XCTAssertEqual(summary(diff), ["removed stage.finetune.schedule.clip_grad_norm", "removed stage.finetune.ensemble"])
        XCTAssertEqual(diff.changes.first?.text, "- stage.finetune.schedule.clip_grad_norm: 1")
    }

    func testAddedStageAddsItsTrials() throws {
        let text = try example()
        let extra = text + """

        stage probe {
          init = pretrain
          data = digits where label >= 5
          freeze = ["layers.0", "layers.2"]
          head = dense(10)
          optimizer = sgd(lr: 0.01)
          schedule {
            epochs = 3
            batch_size = 32
          }
        }

        """
        let diff = try compare(text, extra)
        XCTAssertEqual(summary(diff), ["added stage.probe"])
        XCTAssertEqual(diff.changes.first?.text, "+ stage probe")
        XCTAssertEqual(diff.trials, TrialImpact(reused: 13, added: 1))
        XCTAssertEqual(diff.trialsByStage.map(\.stage), ["pretrain", "finetune", "probe"])
        let removed = try compare(extra, text)
        XCTAssertEqual(summary(removed), ["removed stage.probe"])
        XCTAssertEqual(removed.trials, TrialImpact(reused: 13, removed: 1))
    }

    func testSweepOrderAndAxes() throws {
        let text = try example()
        let reordered = try compare(text, edited(text, [("optimizer.lr = [3e-4, 1e-3, 3e-3]", "optimizer.lr = [1e-3, 3e-4, 3e-3]")]))
        XCTAssertEqual(reordered.changes.map(\.subject), [.sweepOrder])
        XCTAssertEqual(reordered.trials, TrialImpact(reused: 13), "the same points, in another order")

        let axis = try compare(text, edited(text, [("    freeze = [[], [\"layers.0\"]]\n", "")]))
        XCTAssertEqual(summary(axis), ["removed stage.finetune.sweep.freeze"])
        // Without the axis, finetune's base `freeze = ["layers.0"]` holds: its 6 points match no old point.
        XCTAssertEqual(axis.trials.reused + axis.trials.invalidated, 1)
        XCTAssertEqual(axis.trials.added, 6)
        XCTAssertEqual(axis.trials.removed, 12)
    }

    func testRandomSweepGrowingKeepsEarlierDraws() throws {
        let random = try edited(example(), [
            ("sweep grid {\n    optimizer.lr = [3e-4, 1e-3, 3e-3]\n    schedule.batch_size = [16, 32]\n    freeze = [[], [\"layers.0\"]]\n  }",
             "sweep random(trials: 4, seed: 7) {\n    optimizer.lr = loguniform(1e-4, 1e-2)\n  }"),
        ])
        let diff = try compare(random, random.replacingOccurrences(of: "trials: 4", with: "trials: 6"))
        XCTAssertEqual(summary(diff), ["changed stage.finetune.sweep.trials"])
        XCTAssertEqual(diff.trials, TrialImpact(reused: 5, added: 2), "draws are per trial: the first 4 stay")
    }

    func testJSONHasTheContractFieldsFirst() throws {
        let text = try example()
        let diff = try compare(text, edited(text, [("epochs = 12", "epochs = 20")]))
        let json = diff.json()
        XCTAssertTrue(json.hasPrefix(#"{"changes":[{"kind":"changed","path":"stage.finetune.schedule.epochs","old":12,"new":20,"#), json)
        XCTAssertTrue(json.contains(#""trials":{"reused":1,"invalidated":12,"added":0,"removed":0}"#), json)
    }
}
