import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// Task keys are content identities: they change exactly when what a task
/// computes changes, and never with spelling, layout, comments or location.
final class PlanKeyTests: XCTestCase {
    private func keys(_ plan: Plan) -> [String] { plan.graph.tasks.map(\.key) }

    private func plan(_ text: String, in sandbox: PlanSandbox, as relativePath: String = "experiments/x.ftx", digests: FileDigests = FileDigests()) throws -> Plan {
        try makePlan(try sandbox.write(text, as: relativePath), digests: digests)
    }

    private func replacing(_ text: String, _ pairs: [(String, String)]) -> String {
        var out = text
        for (old, new) in pairs {
            XCTAssertTrue(out.contains(old), "the example no longer contains \(old)")
            out = out.replacingOccurrences(of: old, with: new)
        }
        return out
    }

    func testKeysAreStableAndWellFormed() throws {
        let sandbox = try PlanSandbox()
        let text = try PlanSandbox.example("digits-transfer")
        let a = try plan(text, in: sandbox), b = try plan(text, in: sandbox)
        XCTAssertEqual(keys(a), keys(b))
        XCTAssertEqual(Set(keys(a)).count, keys(a).count, "every task has its own key")
        for key in keys(a) {
            XCTAssertEqual(key.count, 64)
            XCTAssertTrue(key.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }

    func testSpellingOrderLayoutAndCommentsDoNotChangeKeys() throws {
        let sandbox = try PlanSandbox()
        let original = try PlanSandbox.example("digits-transfer")
        let base = keys(try plan(original, in: sandbox))
        // Number spelling.
        let spelled = replacing(original, [("lr: 1e-3", "lr: 0.001"), ("optimizer.lr = [3e-4, 1e-3, 3e-3]", "optimizer.lr = [0.0003, 0.001, 0.003]"),
                                           ("1e-4 * l2()", "0.0001 * l2()"), ("scale(1 / 16)", "scale(0.0625)")])
        XCTAssertEqual(keys(try plan(spelled, in: sandbox)), base)
        // Key order inside blocks and calls.
        let reordered = replacing(original, [
            ("    epochs = 10\n    batch_size = 64\n", "    batch_size = 64\n    epochs = 10\n"),
            ("adamw(lr: 3e-4, weight_decay: 0.01)", "adamw(weight_decay: 0.01, lr: 3e-4)"),
            ("  label = \"label\"\n  normalize = scale(1 / 16)\n", "  normalize = scale(1 / 16)\n  label = \"label\"\n"),
            ("loss = cross_entropy(label_smoothing: 0.1) + 1e-4 * l2()", "loss = 1e-4 * l2() + cross_entropy(label_smoothing: 0.1)"),
        ])
        XCTAssertEqual(keys(try plan(reordered, in: sandbox)), base)
        // Layout and comments.
        let relaid = replacing(original, [
            ("data digits {", "# the data\ndata digits {   # inline comment"),
            ("layers = [dense(128, activation: relu), dropout(0.1), dense(128, activation: relu)]",
             "layers = [\n    dense(128, activation: relu),\n    dropout(0.1),\n    dense(128, activation: relu),\n  ]"),
            ("stage pretrain {", "\n\n# pretraining\nstage pretrain {"),
        ])
        XCTAssertEqual(keys(try plan(relaid, in: sandbox)), base)
        // Defaults written out are the defaults.
        let explicit = replacing(original, [("    lr = cosine(warmup: 0.05)\n", "    lr = cosine(warmup: 0.05, min: 0)\n    shuffle = true\n")])
        XCTAssertEqual(keys(try plan(explicit, in: sandbox)), base)
    }

    func testDeclarationOrderDoesNotChangeKeys() throws {
        let sandbox = try PlanSandbox()
        let original = try PlanSandbox.example("digits-transfer")
        let base = Set(keys(try plan(original, in: sandbox)))
        // Move the model declaration after the stages.
        let start = try XCTUnwrap(original.range(of: "model mlp {"))
        let end = try XCTUnwrap(original.range(of: "}\n", range: start.upperBound..<original.endIndex))
        let model = String(original[start.lowerBound..<end.upperBound])
        let moved = original.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "") + "\n" + model
        XCTAssertEqual(Set(keys(try plan(moved, in: sandbox))), base)
    }

    func testChangingOneSweepValueChangesOnlyItsTrialsAndDownstream() throws {
        let sandbox = try PlanSandbox()
        let original = try PlanSandbox.example("digits-transfer")
        let before = try plan(original, in: sandbox)
        let after = try plan(replacing(original, [("optimizer.lr = [3e-4, 1e-3, 3e-3]", "optimizer.lr = [3e-4, 1e-3, 5e-3]")]), in: sandbox)
        XCTAssertEqual(before.graph.trials.count, after.graph.trials.count)

        let old = Set(keys(before)), new = Set(keys(after))
        let removed = old.subtracting(new)
        let changedTrials = before.graph.trials.filter { $0.settings[setting: "optimizer.lr"] == .number(3e-3) }
        XCTAssertEqual(changedTrials.count, 4)
        // Exactly: their train and eval tasks, plus the select and ensemble over the stage.
        var expected = Set(changedTrials.flatMap { [$0.id, $0.evalKey] })
        expected.formUnion(before.graph.tasks.filter { $0.kind == .select || $0.kind == .ensemble }.map(\.key))
        XCTAssertEqual(removed, expected)
        XCTAssertEqual(new.subtracting(old).count, expected.count)
        // The other trials keep their ids, in the same order.
        let kept = before.graph.trials.filter { $0.settings[setting: "optimizer.lr"] != .number(3e-3) }.map(\.id)
        XCTAssertEqual(after.graph.trials.filter { $0.settings[setting: "optimizer.lr"] != .number(5e-3) }.map(\.id), kept)
    }

    func testChangingAnUpstreamSettingChangesEveryDownstreamKey() throws {
        let sandbox = try PlanSandbox()
        let original = try PlanSandbox.example("digits-transfer")
        let before = try plan(original, in: sandbox)
        let after = try plan(replacing(original, [("    epochs = 10\n", "    epochs = 11\n")]), in: sandbox)
        let unchanged = Set(keys(before)).intersection(keys(after))
        XCTAssertEqual(unchanged, Set(before.graph.tasks.filter { $0.kind == .data }.map(\.key)), "only the data task survives")
    }

    /// `min_delta` reaches the trials' spec and their keys; spelled 0 it is the default, and
    /// keys stay what they were before the setting was honoured.
    func testEarlyStopMinDeltaIsLoweredAndKeyed() throws {
        let sandbox = try PlanSandbox()
        let original = try PlanSandbox.example("digits-transfer")
        let line = "early_stop = {metric: valid.loss, patience: 2}"
        let before = try plan(original, in: sandbox)
        let zero = try plan(replacing(original, [(line, "early_stop = {metric: valid.loss, patience: 2, min_delta: 0}")]), in: sandbox)
        XCTAssertEqual(keys(zero), keys(before))
        let set = try plan(replacing(original, [(line, "early_stop = {metric: valid.loss, patience: 2, min_delta: 0.01}")]), in: sandbox)
        let finetune = set.graph.tasks.compactMap { task -> EarlyStopSpec? in
            if case .train(let spec) = task.payload { return spec.schedule.earlyStop }
            return nil
        }
        XCTAssertFalse(finetune.isEmpty)
        XCTAssertEqual(finetune.first?.minDelta, 0.01)
        let changed = Set(set.graph.tasks.filter { task in
            if case .train(let spec) = task.payload { return spec.schedule.earlyStop != nil }
            return false
        }.map(\.key))
        XCTAssertTrue(changed.isDisjoint(with: keys(before)), "the trials that stop early have new keys")
    }

    func testChangingDataBytesChangesDataAndTrainKeys() throws {
        let sandbox = try PlanSandbox()
        let text = try PlanSandbox.example("wine-search")
        let digests = FileDigests()
        let before = try plan(text, in: sandbox, digests: digests)
        try sandbox.appendRow("13.0,2.0,2.4,19.0,100.0,2.3,2.1,0.36,1.6,5.0,0.96,2.6,700.0,1", to: "wine.csv")
        let after = try plan(text, in: sandbox)
        let beforeData = before.graph.tasks.filter { $0.kind == .data }.map(\.key)
        let afterData = after.graph.tasks.filter { $0.kind == .data }.map(\.key)
        XCTAssertEqual(beforeData.count, 1)
        XCTAssertNotEqual(beforeData, afterData)
        XCTAssertTrue(Set(before.graph.trials.map(\.id)).isDisjoint(with: after.graph.trials.map(\.id)))
        XCTAssertTrue(Set(keys(before)).isDisjoint(with: keys(after)))
        // With the shared cache too: the edit changed the file's size, so it is hashed again.
        XCTAssertEqual(try plan(text, in: sandbox, digests: digests).graph.trials.map(\.id), after.graph.trials.map(\.id))
    }

    func testMovingTheExperimentKeepsKeys() throws {
        let sandbox = try PlanSandbox()
        let text = try PlanSandbox.example("digits-transfer")
        let here = try plan(text, in: sandbox)
        // Another folder, another file name, the same data content.
        let elsewhere = try PlanSandbox()
        let moved = replacing(text, [("csv(\"../data/digits.csv\")", "csv(\"../../inputs/digits-copy.csv\")")])
        let dataCopy = elsewhere.root.appendingPathComponent("inputs/digits-copy.csv")
        try FileManager.default.createDirectory(at: dataCopy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contentsOf: sandbox.data.appendingPathComponent("digits.csv")).write(to: dataCopy)
        let there = try plan(moved, in: elsewhere, as: "projects/transfer/renamed.ftx")
        XCTAssertEqual(keys(there), keys(here))
        XCTAssertEqual(there.graph.trials.map(\.id), here.graph.trials.map(\.id))
    }

    func testPretrainedModelFilesArePartOfTheKey() throws {
        let sandbox = try PlanSandbox()
        let text = try PlanSandbox.example("glosses-minilm")
        let before = try plan(text, in: sandbox)
        try Data("other weights".utf8).write(to: sandbox.root.appendingPathComponent("models/all-MiniLM-L6-v2/model.safetensors"))
        let after = try plan(text, in: sandbox)
        XCTAssertEqual(before.graph.tasks.filter { $0.kind == .data }.map(\.key), after.graph.tasks.filter { $0.kind == .data }.map(\.key))
        XCTAssertTrue(Set(before.graph.trials.map(\.id)).isDisjoint(with: after.graph.trials.map(\.id)))
    }

    func testEachFileIsHashedOncePerPlan() throws {
        let sandbox = try PlanSandbox()
        let digests = FileDigests()
        _ = try plan(try PlanSandbox.example("glosses-minilm"), in: sandbox, digests: digests)
        // The CSV and the model folder's three files.
        XCTAssertEqual(digests.filesHashed, 4)
        _ = try plan(try PlanSandbox.example("glosses-minilm"), in: sandbox, digests: digests)
        XCTAssertEqual(digests.filesHashed, 4, "a second plan with the same cache reads nothing again")
    }

    func testCanonicalEncodingNamesNumbersByValue() throws {
        let digests = FileDigests()
        var a = CanonicalEncoder(digests: digests), b = CanonicalEncoder(digests: digests), c = CanonicalEncoder(digests: digests)
        a.encode(OptimizerSpec(kind: .adamw, lr: 1e-3, weightDecay: 0.01))
        b.encode(OptimizerSpec(kind: .adamw, lr: 0.001, weightDecay: 1e-2))
        c.encode(OptimizerSpec(kind: .adamw, lr: 0.0010000000000000002, weightDecay: 0.01))
        XCTAssertEqual(a.bytes, b.bytes)
        XCTAssertNotEqual(a.bytes, c.bytes, "numbers are encoded by their exact bits")
        var zero = CanonicalEncoder(digests: digests), negativeZero = CanonicalEncoder(digests: digests)
        zero.number(0)
        negativeZero.number(-0.0)
        XCTAssertEqual(zero.bytes, negativeZero.bytes)
    }
}
