import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Every op's gradient against central finite differences on awkward shapes
/// (1, 7, 17, 33: SIMD tails, single elements, odd strides).
final class GradCheckTests: XCTestCase {
    var rng = SeededGenerator(seed: 2024)
    let sizes = [1, 7, 17, 33]

    func r(_ shape: [Int], scale: Double = 1) -> Tensor { randomTensor(shape, &rng, scale: scale) }

    /// Random values kept at least `gap` away from 0 (for kinks such as relu, |x|).
    func awayFromZero(_ shape: [Int], gap: Float = 0.05) -> Tensor {
        let t = r(shape)
        for i in 0..<t.count { let v = t[flat: i]; t[flat: i] = v + (v < 0 ? -gap : gap) }
        return t
    }

    func testLinear() {
        for (n, i, o) in [(1, 1, 1), (7, 17, 33), (33, 7, 17), (17, 33, 1)] {
            checkGradients("linear \(n)x\(i)->\(o)", inputs: [r([n, i]), r([o, i]), r([o])]) { t, v in
                t.linear(v[0], weight: v[1], bias: v[2])
            }
            checkGradients("linear no bias, 3-D x", inputs: [r([2, n, i]), r([o, i])]) { t, v in t.linear(v[0], weight: v[1]) }
        }
    }

    func testActivations() {
        for n in sizes {
            checkGradients("relu \(n)", inputs: [awayFromZero([n])]) { t, v in t.relu(v[0]) }
            checkGradients("gelu \(n)", inputs: [r([n], scale: 2)]) { t, v in t.gelu(v[0]) }
            checkGradients("gelu_tanh \(n)", inputs: [r([n], scale: 2)]) { t, v in t.gelu(v[0], approximate: true) }
            checkGradients("tanh \(n)", inputs: [r([n], scale: 2)]) { t, v in t.tanh(v[0]) }
            checkGradients("sigmoid \(n)", inputs: [r([n], scale: 3)]) { t, v in t.sigmoid(v[0]) }
        }
    }

    func testSoftmaxAndLogSoftmax() {
        for (rows, cols) in [(1, 1), (7, 17), (3, 33), (1, 7)] {
            checkGradients("softmax \(rows)x\(cols)", inputs: [r([rows, cols], scale: 2)]) { t, v in t.softmax(v[0]) }
            checkGradients("log_softmax \(rows)x\(cols)", inputs: [r([rows, cols], scale: 2)]) { t, v in t.logSoftmax(v[0]) }
        }
    }

    func testLayerNorm() {
        for (rows, cols) in [(1, 7), (7, 17), (3, 33), (2, 1)] where cols > 1 {
            checkGradients("layer_norm \(rows)x\(cols)", inputs: [r([rows, cols]), r([cols]), r([cols])]) { t, v in
                t.layerNorm(v[0], weight: v[1], bias: v[2], eps: 1e-5)
            }
            checkGradients("layer_norm no affine", inputs: [r([rows, cols])]) { t, v in
                t.layerNorm(v[0], weight: nil, bias: nil, eps: 1e-5)
            }
        }
    }

    func testEmbedding() {
        for (vocab, d) in [(1, 1), (7, 17), (33, 7)] {
            let idx = (0..<11).map { ($0 * 5) % vocab }
            checkGradients("embedding \(vocab)x\(d)", inputs: [r([vocab, d])]) { t, v in
                t.embedding(v[0], indices: idx, shape: [1, 11])
            }
        }
    }

    func testDropout() {
        for n in sizes {
            checkGradients("dropout \(n)", inputs: [r([n])]) { t, v in
                var g = SeededGenerator(seed: 5)  // the same mask in every evaluation
                return t.dropout(v[0], p: 0.3, training: true, rng: &g)
            }
        }
    }

    func testMatmulBroadcast() {
        for (m, k, n) in [(1, 1, 1), (7, 17, 1), (17, 7, 33)] {
            checkGradients("matmul [2,1,\(m),\(k)]x[3,\(k),\(n)]", inputs: [r([2, 1, m, k]), r([3, k, n])]) { t, v in t.matmul(v[0], v[1]) }
            checkGradients("matmul 2-D", inputs: [r([m, k]), r([k, n])]) { t, v in t.matmul(v[0], v[1]) }
            checkGradients("matmul [\(m),\(k)]x[2,\(k),\(n)]", inputs: [r([m, k]), r([2, k, n])]) { t, v in t.matmul(v[0], v[1]) }
        }
    }

    func testBroadcastArithmetic() {
        for n in sizes {
            let shapes: [([Int], [Int])] = [([7, n], [7, n]), ([7, n], [n]), ([n], [3, 1]), ([2, 1, n], [1, 5, 1]), ([7, n], [1])]
            for (a, b) in shapes {
                checkGradients("add \(a)+\(b)", inputs: [r(a), r(b)]) { t, v in t.add(v[0], v[1]) }
                checkGradients("sub \(a)-\(b)", inputs: [r(a), r(b)]) { t, v in t.sub(v[0], v[1]) }
                checkGradients("mul \(a)*\(b)", inputs: [r(a), r(b)]) { t, v in t.mul(v[0], v[1]) }
            }
            checkGradients("scale \(n)", inputs: [r([n])]) { t, v in t.scale(v[0], by: -1.7) }
            checkGradients("reshape \(n)", inputs: [r([n, 2])]) { t, v in t.relu(t.reshape(v[0], [2, n])) }
            checkGradients("sum \(n)", inputs: [r([n, 3])]) { t, v in t.sum(v[0]) }
            checkGradients("mean \(n)", inputs: [r([3, n])]) { t, v in t.mean(v[0]) }
        }
    }

    func testAttention() {
        for (b, tt, heads, hd) in [(1, 1, 1, 1), (2, 7, 2, 17), (1, 17, 3, 7), (2, 5, 1, 33)] {
            let c = heads * hd
            let mask = Tensor(shape: [b, tt], data: (0..<(b * tt)).map { i in (i % tt) == tt - 1 && tt > 1 && i >= tt ? 0 : 1 })
            checkGradients("attention b\(b) t\(tt) h\(heads) hd\(hd)", inputs: [r([b, tt, c]), r([b, tt, c]), r([b, tt, c])]) { t, v in
                t.attention(query: v[0], key: v[1], value: v[2], heads: heads, keyMask: mask)
            }
        }
        // The full layer, through its parameters (x, weights and biases as inputs).
        let c = 6
        checkGradients("self-attention block", inputs: [r([2, 7, c])] + (0..<4).flatMap { _ in [r([c, c]), r([c])] }) { t, v in
            let q = t.linear(v[0], weight: v[1], bias: v[2]), k = t.linear(v[0], weight: v[3], bias: v[4])
            let val = t.linear(v[0], weight: v[5], bias: v[6])
            let mask = Tensor(shape: [2, 7], data: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
            return t.linear(t.attention(query: q, key: k, value: val, heads: 2, keyMask: mask), weight: v[7], bias: v[8])
        }
    }

    func testMaskedMeanPool() {
        let mask = Tensor(shape: [2, 7], data: [1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
        checkGradients("masked mean pool", inputs: [r([2, 7, 17])]) { t, v in t.maskedMeanPool(v[0], mask: mask) }
        checkGradients("time slice", inputs: [r([2, 7, 17])]) { t, v in t.timeSlice(v[0], at: 3) }
    }

    func testLosses() {
        for (n, c) in [(1, 1), (7, 17), (33, 7), (1, 33)] {
            let targets = (0..<n).map { ($0 * 3) % c }
            for s: Float in [0, 0.1] {
                checkGradients("cross_entropy \(n)x\(c) s\(s)", inputs: [r([n, c], scale: 2)]) { t, v in
                    t.crossEntropy(v[0], targets: targets, labelSmoothing: s)
                }
            }
        }
        for n in sizes {
            checkGradients("mse \(n)", inputs: [r([n]), r([n])]) { t, v in t.mse(v[0], v[1]) }
            let target = Tensor(shape: [n], data: (0..<n).map { i in i % 3 == 0 ? 1 : (i % 3 == 1 ? 0 : 0.3) })
            checkGradients("bce \(n)", inputs: [r([n], scale: 3), target]) { t, v in t.binaryCrossEntropyWithLogits(v[0], v[1]) }
        }
    }

    /// l1/l2 penalties act on the store directly: check them by perturbing the store.
    func testPenalties() {
        let store = ParameterStore([
            ParameterSpec(name: "layers.0.weight", shape: [7, 17], role: .weight),
            ParameterSpec(name: "layers.0.bias", shape: [7], role: .bias),
            ParameterSpec(name: "emb.weight", shape: [33, 1], role: .embedding),
        ])
        for i in 0..<store.slots.count { store.value(at: i).assign(awayFromZero(store.slots[i].shape)) }
        for kind in [PenaltyKind.l1, .l2] {
            store.zeroGradients()
            let tape = Tape()
            tape.backward(tape.penalty(store, kind, coefficient: 0.3))
            let h: Float = 1e-2
            for s in store.slots {
                let v = store.value(s.name), g = store.gradient(s.name)
                for i in 0..<s.count {
                    let keep = v[flat: i]
                    v[flat: i] = keep + h
                    let lp = Double(PenaltyKernel.value(store, kind, coefficient: 0.3))
                    v[flat: i] = keep - h
                    let lm = Double(PenaltyKernel.value(store, kind, coefficient: 0.3))
                    v[flat: i] = keep
                    let fd = (lp - lm) / Double(2 * h)
                    XCTAssertEqual(Double(g[flat: i]), fd, accuracy: 2e-3 * max(1, abs(fd)), "\(kind) \(s.name)[\(i)]")
                }
            }
        }
    }

    /// A small MLP end to end (dense + layer norm + activations + CE), every parameter.
    func testComposedNetwork() {
        checkGradients("mlp", inputs: [r([7, 5]), r([17, 5], scale: 0.5), r([17]), r([17]), r([17]), r([3, 17], scale: 0.5), r([3])],
                       differentiable: [true, true, true, true, true, true, true]) { t, v in
            var h = t.linear(v[0], weight: v[1], bias: v[2])
            h = t.layerNorm(h, weight: v[3], bias: v[4])
            h = t.gelu(h)
            h = t.linear(h, weight: v[5], bias: v[6])
            return t.add(t.crossEntropy(h, targets: [0, 1, 2, 0, 1, 2, 0], labelSmoothing: 0.1), t.mean(t.tanh(h)))
        }
    }
}
