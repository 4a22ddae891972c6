import Foundation
import Plan
import XCTest

/// The one reading of `param_groups`, `lr_decay` and `no_decay` (`TrainingSpec.optimization`)
/// and of a parameter's depth (`ModelCatalog.lrDecayDepth`), against values written out by hand.
final class ParameterOptimizationTests: XCTestCase {
    private func spec(_ optimizer: OptimizerSpec, model: ModelSpec, groups: [ParameterGroupSpec] = []) -> TrainingSpec {
        var s = TrainingSpec(data: DataSpec(source: .csv(path: "/d.csv"), label: "y", split: SplitRule(.ordered, train: 1, valid: 0)),
                             filter: nil, model: model, initialization: .random, freeze: [], unfreeze: [], optimizer: optimizer,
                             schedule: ScheduleSpec(epochs: 1, batchSize: 8), loss: LossSpec(criterion: .mse), metrics: [], seed: 0, prune: nil)
        s.parameterGroups = groups
        return s
    }

    static let bert = ModelSpec(input: 0, layers: [], head: .dense(units: 2, activation: nil),
                                pretrained: PretrainedSpec(architecture: .bert, directory: "/m", maxLength: 16, pooling: .mean))

    func testBertDepthsCountFromTheHead() {
        let depth = { ModelCatalog.lrDecayDepth(of: $0, model: Self.bert, bertLayers: 6) }
        XCTAssertEqual(depth("head.weight"), 0)
        XCTAssertEqual(depth("encoder.layer.5.attention.self.query.weight"), 1)
        XCTAssertEqual(depth("encoder.layer.0.output.LayerNorm.bias"), 6)
        XCTAssertEqual(depth("embeddings.word_embeddings.weight"), 7)
        XCTAssertEqual(depth("embeddings.LayerNorm.weight"), 7)
        // Task layers on top of an encoder train with the head.
        XCTAssertEqual(depth("layers.0.weight"), 0)
    }

    func testMLPDepthsCountParameterCarryingBlocks() {
        let mlp = ModelSpec(input: 4, layers: [.dense(units: 8, activation: .relu), .dropout(p: 0.1), .layerNorm(eps: 1e-5),
                                               .activation(.tanh), .dense(units: 8, activation: nil)],
                            head: .dense(units: 2, activation: nil))
        let depth = { ModelCatalog.lrDecayDepth(of: $0, model: mlp, bertLayers: nil) }
        XCTAssertEqual(depth("head.bias"), 0)
        XCTAssertEqual(depth("layers.4.weight"), 1)
        XCTAssertEqual(depth("layers.2.weight"), 2)
        XCTAssertEqual(depth("layers.0.bias"), 3)
    }

    func testFirstMatchingGroupSetsRateAndDecayAndNoDecayExemptsBiasesAndNorms() {
        var o = OptimizerSpec(kind: .adamw, lr: 1e-4, weightDecay: 0.01, layerLRDecay: 0.5)
        o.noDecay = .biasAndNorm
        let s = spec(o, model: Self.bert, groups: [
            ParameterGroupSpec(patterns: ["head"], lr: 1e-3),
            ParameterGroupSpec(patterns: ["encoder.layer.*.attention", "head"], lr: 1e-5, weightDecay: 0.1),
        ])
        func check(_ name: String, _ role: ParameterRole, depth: Int, scale: Double, decay: Double?, line: UInt = #line) {
            let o = s.optimization(of: name, role: role, decayDepth: depth)
            XCTAssertEqual(o.lrScale, scale, accuracy: scale * 1e-12, name, line: line)
            XCTAssertEqual(o.weightDecay, decay, name, line: line)
        }
        check("head.weight", .weight, depth: 0, scale: 10, decay: nil)  // the first group; the second also names head
        check("head.bias", .bias, depth: 0, scale: 10, decay: 0)
        check("encoder.layer.3.attention.self.key.weight", .weight, depth: 3, scale: 0.1 * 0.125, decay: 0.1)
        check("encoder.layer.3.attention.output.LayerNorm.weight", .norm, depth: 3, scale: 0.1 * 0.125, decay: 0.1)  // the group's wins
        check("encoder.layer.3.output.LayerNorm.weight", .norm, depth: 3, scale: 0.125, decay: 0)
        check("embeddings.word_embeddings.weight", .embedding, depth: 7, scale: 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5 * 0.5, decay: nil)
    }

    func testDefaultsLeaveEveryParameterAtTheOptimizersSettings() {
        let s = spec(OptimizerSpec(kind: .sgd, lr: 0.1, weightDecay: 0.01), model: Self.bert)
        for (name, role) in [("head.bias", ParameterRole.bias), ("embeddings.LayerNorm.weight", .norm), ("encoder.layer.0.output.dense.weight", .weight)] {
            XCTAssertEqual(s.optimization(of: name, role: role, decayDepth: 5), .init(lrScale: 1, weightDecay: nil), name)
        }
    }
}
