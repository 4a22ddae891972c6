import Foundation
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Layer-wise lr decay, `param_groups` and `no_decay` on a pretrained BERT, against a hand
/// computation: one plain SGD step (rate η, no decay) gives each parameter's gradient
/// g = (p₀ − p₁)/η; the same step with the settings must move each parameter by exactly
/// its own rate and weight decay, p₀ − η′·(g + λ′·p₀), written out here per name.
final class LayerwiseDecayTests: XCTestCase {
    func testOneSGDStepMovesEachBertParameterByItsOwnRate() throws {
        let dir = TrainerFixtures.temporaryDirectory("lrdecay")
        let folder = try ColourBertFolder.write(in: dir)  // 2 layers
        // Known head weights; the encoder's come from the folder.
        var g = SeededGenerator(seed: 3)
        let head = [SafetensorsTensor(name: "head.weight", shape: [3, 8], values: (0..<24).map { _ in Float(g.nextGaussian() * 0.3) }),
                    SafetensorsTensor(name: "head.bias", shape: [3], values: (0..<3).map { _ in Float(g.nextGaussian() * 0.3) })]
        let headPath = dir + "/head.safetensors"
        try SafetensorsWriter.write(head, to: headPath)
        func spec(_ optimizer: OptimizerSpec, groups: [ParameterGroupSpec] = []) -> TrainingSpec {
            var s = TrainingSpec(
                data: DataSpec(source: .csv(path: dir + "/texts.csv"), label: "label", text: "text",
                               split: SplitRule(.ordered, train: 0.8, valid: 0.2)),
                filter: nil,
                model: ModelSpec(input: 0, layers: [], head: .dense(units: 3, activation: nil),
                                 pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: 16, pooling: .mean)),
                initialization: .checkpoint(path: headPath), freeze: [], unfreeze: [],
                optimizer: optimizer, schedule: ScheduleSpec(epochs: 1, batchSize: 64, shuffle: false),
                loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)), metrics: ["loss"], seed: 4, prune: nil)
            s.parameterGroups = groups
            return s
        }
        func train(_ s: TrainingSpec, _ name: String) throws -> SafetensorsFile {
            let store = try TaskStore(root: dir + "/" + name)
            XCTAssertEqual(try Trainer(spec: s, key: "k", store: store, initialWeightsPath: headPath).run(), .finished(epochs: 1, earlyStopped: false))
            return try SafetensorsFile(contentsOf: store.path("final.safetensors", for: "k"))
        }
        let plain = try train(spec(OptimizerSpec(kind: .sgd, lr: 0.1)), "plain")
        var o = OptimizerSpec(kind: .sgd, lr: 0.1, weightDecay: 0.01, layerLRDecay: 0.5)
        o.noDecay = .biasAndNorm
        let decayed = try train(spec(o, groups: [ParameterGroupSpec(patterns: ["encoder.layer.0.attention"], lr: 0.3)]), "decayed")

        // The rule, written out by name (L = 2): head × 1, encoder.layer.1 × d, encoder.layer.0 × d², embeddings × d³;
        // layer 0's attention from its group's base rate 0.3; LayerNorms and biases without weight decay.
        func rate(_ name: String) -> Double {
            if name.hasPrefix("head.") { return 0.1 }
            if name.hasPrefix("encoder.layer.1.") { return 0.1 * 0.5 }
            if name.hasPrefix("encoder.layer.0.attention.") { return 0.3 * 0.25 }
            if name.hasPrefix("encoder.layer.0.") { return 0.1 * 0.25 }
            if name.hasPrefix("embeddings.") { return 0.1 * 0.125 }
            XCTFail("unexpected parameter \(name)")
            return 0
        }
        func weightDecay(_ name: String) -> Double { name.hasSuffix(".bias") || name.contains("LayerNorm") ? 0 : 0.01 }

        let weights = try SafetensorsFile(contentsOf: folder + "/model.safetensors")
        XCTAssertEqual(Set(decayed.names), Set(plain.names))
        XCTAssertFalse(decayed.names.contains { $0.hasPrefix("pooler.") }, "the pooler never trains")
        XCTAssertEqual(decayed.names.count, 2 + 5 + 2 * 16)
        var rates = Set<Double>()
        for name in decayed.names {
            let p0 = name.hasPrefix("head.") ? head.first { $0.name == name }!.values : try weights.floats(name)
            let p1 = try plain.floats(name), q1 = try decayed.floats(name)
            let eta = rate(name), lambda = weightDecay(name)
            rates.insert(eta)
            var worst = 0.0, moved = 0.0
            for i in p0.indices {
                let grad = (Double(p0[i]) - Double(p1[i])) / 0.1
                let expected = Double(p0[i]) - eta * (grad + lambda * Double(p0[i]))
                worst = max(worst, abs(Double(q1[i]) - expected))
                moved = max(moved, abs(Double(q1[i]) - Double(p0[i])))
            }
            XCTAssertLessThan(worst, 2e-7, "\(name): moved by rate \(eta) and weight decay \(lambda)")
            // The key bias's gradient is 0 (softmax ignores a shift shared by every key) and it has no weight decay.
            if !name.hasSuffix("attention.self.key.bias") { XCTAssertGreaterThan(moved, 1e-5, "\(name) trained") }
        }
        XCTAssertEqual(rates.count, 5)
    }
}
