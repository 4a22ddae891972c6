import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Issue 14: task adaptation layers on a pretrained encoder. The composition the trainer
/// runs — BERT's pooled vector, then `layers`, then the head, cross-entropy, the tape's
/// backward to the pooled vector and BERT's backward from there — against central finite
/// differences, for parameters of the head, the adaptation layers and the encoder.
final class AdaptationLayersGradientTests: XCTestCase {
    func testGradientsThroughAdaptationLayersMatchFiniteDifferences() throws {
        let folder = try BertGradientTests.writeTinyModel()
        let spec = ModelSpec(input: 0, layers: [.dense(units: 6, activation: .gelu), .layerNorm(eps: 1e-5), .dense(units: 5, activation: .tanh)],
                             head: .dense(units: 3, activation: nil),
                             pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: 12, pooling: .mean))
        let model = try MLPModel(spec: spec)
        var g = SeededGenerator(seed: 3)
        try model.initialize(generator: &g)
        let bert = try XCTUnwrap(model.encoder).bert
        let targets = [0, 2]

        /// The loss as the trainer computes it (dropout masks of a fixed seed); with `backward`, its gradients in the store.
        func loss(backward: Bool = false) -> Double {
            var dropout = SeededGenerator(seed: 42)
            let pooled = bert.forward(BertGradientTests.batch, tokenTypes: BertGradientTests.types, pooling: .mean,
                                      training: true, generator: &dropout)
            let tape = Tape()
            let x = tape.input(pooled.copy(), requiresGradient: true)
            var rng = SeededGenerator(seed: 1)
            let l = tape.crossEntropy(model.forward(x, on: tape, training: false, rng: &rng), targets: targets)
            if backward {
                model.parameters.zeroGradients()
                model.parameters.discardGradients()
                tape.backward(l)
                if let gx = tape.gradient(x) { bert.backward(pooledGradient: gx) }
                model.parameters.settleGradients()
            }
            return Double(tape.value(l).scalar)
        }

        _ = loss(backward: true)
        let names = ["head.weight", "head.bias", "layers.2.weight", "layers.1.weight", "layers.1.bias", "layers.0.weight", "layers.0.bias",
                     "encoder.layer.1.output.dense.weight", "encoder.layer.0.attention.self.query.weight", "embeddings.LayerNorm.weight"]
        var checked = 0
        var worst = 0.0
        for name in names {
            let value = model.parameters.value(name), grad = model.parameters.gradient(name).toArray()
            XCTAssertTrue(grad.contains { $0 != 0 }, "\(name) gets a gradient")
            for i in Set([0, 1, value.count / 2, value.count - 1]) {
                let saved = value[flat: i]
                let eps: Float = 1e-2
                value[flat: i] = saved + eps
                let up = loss()
                value[flat: i] = saved - eps
                let down = loss()
                value[flat: i] = saved
                let numeric = (up - down) / (2 * Double(eps))
                // Float32 central differences at eps 1e-2: about 1e-4 absolute on these gradients.
                let err = abs(numeric - Double(grad[i])) / max(0.05, abs(numeric))
                XCTAssertLessThan(err, 2e-3, "\(name)[\(i)]: analytic \(grad[i]), numeric \(numeric)")
                worst = max(worst, err)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 30)
        print("adaptation layers gradcheck: worst relative error \(worst) over \(checked) elements")
    }
}
