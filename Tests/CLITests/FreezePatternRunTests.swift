import Foundation
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Issue 13: `freeze` patterns mean the same in `ftx check` and in training. For each
/// pattern, an experiment that `check` accepts is run through `ftx run` (1 epoch) and
/// freezes exactly the parameters the pattern selects — written out here by hand, not
/// by the matcher under test: their final values are bit-identical to the initial ones,
/// and every other trainable parameter changed.
final class FreezePatternRunTests: XCTestCase {
    // MARK: MLP

    /// The MLP's parameters: `layers.0` dense, `layers.1` dropout, `layers.2` dense, `layers.3` layer norm, head.
    static let mlpSpecs = ModelCatalog.mlp(inputSize: 4, layers: [.dense(units: 8, activation: .relu), .dropout(p: 0.1), .dense(units: 8, activation: .tanh), .layerNorm(eps: 1e-5)],
                                           head: .dense(units: 3, activation: nil)).specs

    func testMLPPatternsFreezeExactlyWhatTheySelect() throws {
        let patterns: [(pattern: String, frozen: Set<String>)] = [
            ("layers.0", ["layers.0.weight", "layers.0.bias"]),
            ("layers.*.bias", ["layers.0.bias", "layers.2.bias", "layers.3.bias"]),
            ("head", ["head.weight", "head.bias"]),
            ("layers.?.weight", ["layers.0.weight", "layers.2.weight", "layers.3.weight"]),
            ("*.bias", ["layers.0.bias", "layers.2.bias", "layers.3.bias", "head.bias"]),
            ("layers.3", ["layers.3.weight", "layers.3.bias"]),
        ]
        let workspace = try Workspace()
        // Known initial values for every parameter, loaded by `init = checkpoint(...)`.
        var g = SeededGenerator(seed: 13)
        let initial = Self.mlpSpecs.map { s in
            SafetensorsTensor(name: s.name, shape: s.shape, values: (0..<s.shape.reduce(1, *)).map { _ in Float(g.nextGaussian() * 0.3) })
        }
        try SafetensorsWriter.write(initial, to: workspace.experiments.appendingPathComponent("init.safetensors").path)
        let stages = patterns.enumerated().map { i, p in
            oneEpochStage("s\(i)", ["model = mlp", "init = checkpoint(\"init.safetensors\")", "data = iris", "freeze = [\"\(p.pattern)\"]"],
                          batchSize: 16)
        }
        let checkpoints = try ExperimentRun(workspace, name: "patterns.ftx", ExperimentText.file([
            ExperimentText.header("mlp_patterns"), ExperimentText.iris(),
            ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu), dropout(0.1), dense(8, activation: tanh), layer_norm]", head: 3),
        ] + stages)).checkpoints
        for (i, p) in patterns.enumerated() {
            let final = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints["s\(i)"], "s\(i)"))
            XCTAssertEqual(Set(final.names), Set(Self.mlpSpecs.map(\.name)), p.pattern)
            for t in initial {
                try assertFrozen(p.frozen.contains(t.name), t.name, initial: t.values, final: final.floats(t.name), pattern: p.pattern)
            }
        }
    }

    // MARK: BERT

    func testBertPatternsFreezeExactlyWhatTheySelect() throws {
        func layer(_ name: String) -> Int? {
            let p = name.split(separator: ".")
            return p.count > 3 && p[0] == "encoder" && p[1] == "layer" ? Int(p[2]) : nil
        }
        try runBert([
            ("embeddings", { $0.hasPrefix("embeddings.") }),
            ("encoder.layer.*.attention", { layer($0) != nil && $0.contains(".attention.") }),
            ("encoder.layer.?.attention", { (layer($0) ?? 99) <= 9 && $0.contains(".attention.") }),
            ("encoder.layer.1*", { [1, 10, 11].contains(layer($0) ?? -1) }),
            ("encoder.layer.1", { layer($0) == 1 }),
            ("*LayerNorm", { $0.contains(".LayerNorm.") }),
        ])
    }

    /// The bug: `freeze = ["encoder.layer.*.attention"]` passed `check` and the trainer
    /// (whole-name globs only) froze nothing. It freezes every layer's attention block.
    func testIssue13EncoderLayerStarAttentionFreezesEveryLayersAttention() throws {
        let attention = ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm"]
        let frozen = Set((0..<12).flatMap { i in attention.flatMap { ["encoder.layer.\(i).\($0).weight", "encoder.layer.\(i).\($0).bias"] } })
        XCTAssertEqual(frozen.count, 120)
        try runBert([("encoder.layer.*.attention", { frozen.contains($0) })])
    }

    /// Runs, for each pattern on a 12-layer tiny BERT, a stage `plain` with `freeze = [P]`
    /// and a stage `held` that also lists P in an `unfreeze` step after the last epoch.
    /// `plain`'s checkpoint holds exactly the parameters that trained (a frozen encoder
    /// parameter is reloaded from the model folder), each changed; `held`'s holds them
    /// all, so the frozen ones' values after training are compared bit for bit.
    func runBert(_ patterns: [(pattern: String, frozen: (String) -> Bool)]) throws {
        let workspace = try Workspace()
        let config = BertConfig(hiddenSize: 8, numHiddenLayers: 12, numAttentionHeads: 2, intermediateSize: 16,
                                maxPositionEmbeddings: 16, typeVocabSize: 2, vocabSize: 15)
        let folder = try ColourBertFolder.write(config: config, in: workspace.url.path)
        let weights = try SafetensorsFile(contentsOf: folder + "/model.safetensors")
        let encoder = ModelCatalog.bert(config).map(\.name).filter { !$0.hasPrefix("pooler.") }
        XCTAssertEqual(encoder.count, 5 + 12 * 16)
        var stages: [String] = []
        for (i, p) in patterns.enumerated() {
            for held in [false, true] {
                let unfreeze = held ? ["unfreeze = [{at: 1 epochs, layers: [\"\(p.pattern)\"]}]  # ftx: allow(W0205)"] : []
                stages.append(oneEpochStage("\(held ? "held" : "plain")\(i)",
                                            ["model = tiny", "data = texts", "freeze = [\"\(p.pattern)\"]"] + unfreeze, batchSize: 8))
            }
        }
        let checkpoints = try ExperimentRun(workspace, name: "patterns.ftx", bertTextExperiment("bert_patterns", csv: "../texts.csv", train: 0.8, valid: 0.2, model: "tiny",
                                                                folder: "../tiny-bert", maxLength: 16, classes: 3, stages: stages)).checkpoints
        for (i, p) in patterns.enumerated() {
            let frozen = Set(encoder.filter(p.frozen))
            XCTAssertFalse(frozen.isEmpty, p.pattern)
            let plain = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints["plain\(i)"]))
            XCTAssertEqual(Set(plain.names), Set(encoder).subtracting(frozen).union(["head.weight", "head.bias"]),
                           "\(p.pattern): the checkpoint holds exactly the parameters that trained")
            for name in plain.names where !name.hasPrefix("head.") {
                try assertFrozen(false, name, initial: weights.floats(name), final: plain.floats(name), pattern: p.pattern)
            }
            let held = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints["held\(i)"]))
            XCTAssertEqual(Set(held.names), Set(encoder).union(["head.weight", "head.bias"]), p.pattern)
            for name in encoder {
                try assertFrozen(frozen.contains(name), name, initial: weights.floats(name), final: held.floats(name), pattern: p.pattern)
            }
        }
    }

    // MARK: Helpers

    /// A stage `name` with `settings` (one a line) that trains with adam(lr: 1e-2) for one epoch of batches of `batchSize`.
    func oneEpochStage(_ name: String, _ settings: [String], batchSize: Int) -> String {
        ExperimentText.stage(name, settings + ["optimizer = adam(lr: 1e-2)"], schedule: ["epochs = 1", "batch_size = \(batchSize)"])
    }

    /// Frozen: every bit as it started. Trained: some value moved.
    func assertFrozen(_ frozen: Bool, _ name: String, initial: [Float], final: [Float], pattern: String,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(initial.count, final.count, "\(pattern): \(name)", file: file, line: line)
        let moved = zip(initial, final).filter { $0.bitPattern != $1.bitPattern }.count
        if frozen {
            XCTAssertEqual(moved, 0, "\(pattern) freezes \(name), but \(moved) of its \(initial.count) values changed", file: file, line: line)
        } else {
            XCTAssertGreaterThan(moved, 0, "\(pattern) does not select \(name), which did not train", file: file, line: line)
        }
    }
}
