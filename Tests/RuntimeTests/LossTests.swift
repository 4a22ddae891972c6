import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class LossTests: XCTestCase {
    func testPenaltiesCoverTrainableWeightsOnly() {
        let store = ParameterStore([
            ParameterSpec(name: "layers.0.weight", shape: [2], role: .weight),
            ParameterSpec(name: "layers.0.bias", shape: [2], role: .bias),
            ParameterSpec(name: "layers.1.weight", shape: [1], role: .norm),
            ParameterSpec(name: "emb", shape: [2], role: .embedding),
            ParameterSpec(name: "head.weight", shape: [1], role: .weight),
        ])
        store.value("layers.0.weight").assign(Tensor(shape: [2], data: [1, -2]))
        store.value("layers.0.bias").assign(Tensor(shape: [2], data: [100, 100]))
        store.value("layers.1.weight").assign(Tensor(shape: [1], data: [100]))
        store.value("emb").assign(Tensor(shape: [2], data: [0, 3]))
        store.value("head.weight").assign(Tensor(shape: [1], data: [5]))
        store.freeze(matching: "head")
        let tape = Tape()
        let l2 = tape.penalty(store, .l2, coefficient: 0.5)
        let l1 = tape.penalty(store, .l1, coefficient: 2)
        XCTAssertEqual(tape.value(l2).scalar, 0.5 * (1 + 4 + 0 + 9))
        XCTAssertEqual(tape.value(l1).scalar, 2 * (1 + 2 + 0 + 3))
        tape.backward(tape.add(l1, l2))
        XCTAssertEqual(store.gradient("layers.0.weight").toArray(), [2 + 1, -2 - 2])
        XCTAssertEqual(store.gradient("emb").toArray(), [0, 2 + 3])  // |w|' at 0 is 0, as PyTorch
        XCTAssertEqual(store.gradient("layers.0.bias").toArray(), [0, 0])
        XCTAssertEqual(store.gradient("layers.1.weight").toArray(), [0])
        XCTAssertEqual(store.gradient("head.weight").toArray(), [0])
    }

    /// loss = CE + k·l2: the penalty's gradient lands in the same flat buffer.
    func testLossPlusPenaltyComposes() {
        var rng = SeededGenerator(seed: 4)
        let model = Sequential(inputSize: 3, layers: [], head: .dense(units: 2, activation: nil), rng: &rng)
        let s = model.parameters
        let tape = Tape()
        let x = tape.input(Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 1]))
        let ce = tape.crossEntropy(model.forward(x, on: tape, training: true, rng: &rng), targets: [1, 0])
        s.zeroGradients()
        tape.backward(ce)
        let ceGrad = s.gradient("head.weight").copy()
        let ceBias = s.gradient("head.bias").copy()
        tape.reset()
        s.zeroGradients()
        let x2 = tape.input(Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 1]))
        let total = tape.add(tape.crossEntropy(model.forward(x2, on: tape, training: true, rng: &rng), targets: [1, 0]),
                             tape.penalty(s, .l2, coefficient: 1e-2))
        tape.backward(total)
        let w = s.value("head.weight")
        for i in 0..<6 { XCTAssertEqual(s.gradient("head.weight")[flat: i], ceGrad[flat: i] + 2e-2 * w[flat: i], accuracy: 1e-6) }
        XCTAssertEqual(s.gradient("head.bias").toArray(), ceBias.toArray())
    }

    func testStableForExtremeLogits() {
        let tape = Tape()
        let x = tape.input(Tensor(shape: [2, 3], data: [1000, -1000, 0, -500, 500, 499]), requiresGradient: true)
        let ce = tape.crossEntropy(x, targets: [0, 2])
        XCTAssertEqual(tape.value(ce).scalar, 0.5 * (0 + 1.3132616), accuracy: 1e-5)
        tape.backward(ce)
        XCTAssertTrue(tape.gradient(x)!.toArray().allSatisfy(\.isFinite))
        let b = tape.binaryCrossEntropyWithLogits(tape.input(Tensor(shape: [2], data: [100, -100]), requiresGradient: true),
                                                  tape.input(Tensor(shape: [2], data: [0, 0])))
        XCTAssertEqual(tape.value(b).scalar, 50, accuracy: 1e-4)
    }

    func testLabelSmoothingMatchesFormula() {
        let logits: [Float] = [0.3, -1, 2]
        let tape = Tape()
        let v = tape.crossEntropy(tape.input(Tensor(shape: [1, 3], data: logits)), targets: [1], labelSmoothing: 0.2)
        let z = logits.map { Foundation.exp(Double($0)) }.reduce(0, +)
        let logp = logits.map { Double($0) - Foundation.log(z) }
        let want = 0.8 * -logp[1] + 0.2 / 3 * logp.map { -$0 }.reduce(0, +)
        XCTAssertEqual(Double(tape.value(v).scalar), want, accuracy: 1e-6)
    }
}
