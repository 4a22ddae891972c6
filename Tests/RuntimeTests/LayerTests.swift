import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// A minimal AdamW over the flat buffers (PyTorch's `torch.optim.AdamW`:
/// p ← p·(1 − lr·λ); m, v moments; p ← p − lr·m̂/(√v̂ + ε)), so these tests do
/// not depend on the optimizer engineer's in-progress API.
struct FlatAdamW {
    var lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01
    var m: [Float], v: [Float], t = 0
    init(count: Int) { m = [Float](repeating: 0, count: count); v = m }

    mutating func step(_ store: ParameterStore) {
        t += 1
        let bc1 = 1 - powf(beta1, Float(t)), bc2 = 1 - powf(beta2, Float(t))
        let p = store.values.pointer, g = store.gradients.pointer
        let stepSize = lr / bc1, bc2Sqrt = bc2.squareRoot()
        for s in store.slots where s.trainable {
            for i in s.offset..<(s.offset + s.count) {
                p[i] *= 1 - lr * weightDecay
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                let denom = v[i].squareRoot() / bc2Sqrt + eps
                p[i] -= stepSize * m[i] / denom
            }
        }
    }
}

final class LayerTests: XCTestCase {
    func testSequentialNamesShapesAndPyTorchInit() {
        var rng = SeededGenerator(seed: 42)
        let model = Sequential(inputSize: 64, layers: [.dense(units: 128, activation: .relu), .dropout(p: 0.1),
                                                       .layerNorm(eps: 1e-5), .dense(units: 33, activation: .gelu)],
                               head: .dense(units: 10, activation: nil), rng: &rng)
        let s = model.parameters
        XCTAssertEqual(s.slots.map(\.name), ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                             "layers.3.weight", "layers.3.bias", "head.weight", "head.bias"])
        XCTAssertEqual(s.slot("layers.0.weight").shape, [128, 64])
        XCTAssertEqual(s.slot("layers.3.weight").shape, [33, 128])
        XCTAssertEqual(s.slot("head.weight").shape, [10, 33])
        XCTAssertEqual(s.slot("layers.2.weight").role, .norm)
        XCTAssertEqual(model.outputSize, 10)
        for slot in s.slots { XCTAssertEqual(slot.offset % 16, 0) }
        // kaiming_uniform(a=√5) ⇒ U(±1/√fan_in); bias U(±1/√fan_in); norm 1 / 0.
        for (name, fanIn) in [("layers.0", 64), ("layers.3", 128), ("head", 33)] {
            let bound = 1 / Float(fanIn).squareRoot()
            for t in [s.value(name + ".weight"), s.value(name + ".bias")] {
                let a = t.toArray()
                XCTAssertLessThanOrEqual(a.map(abs).max()!, bound)
                XCTAssertGreaterThan(a.map(abs).max()!, 0.9 * bound)
                XCTAssertEqual(Double(a.reduce(0, +)) / Double(a.count), 0, accuracy: Double(bound) * 0.2)
            }
        }
        XCTAssertEqual(Set(s.value("layers.2.weight").toArray()), [1])
        XCTAssertEqual(Set(s.value("layers.2.bias").toArray()), [0])
        // Same seed, same weights.
        var again = SeededGenerator(seed: 42)
        let twin = Sequential(inputSize: 64, layers: model.layers, head: model.head, rng: &again)
        XCTAssertEqual(twin.parameters.value("head.weight").toArray(), s.value("head.weight").toArray())
    }

    func testDropoutIsInvertedSeededAndOffInEval() {
        let tape = Tape()
        let x = tape.input(Tensor(shape: [10_000], repeating: 1))
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        let a = tape.value(tape.dropout(x, p: 0.25, training: true, rng: &g1)).toArray()
        let b = tape.value(tape.dropout(x, p: 0.25, training: true, rng: &g2)).toArray()
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set(a), [0, Float(1) / 0.75])
        let kept = Double(a.filter { $0 != 0 }.count) / 10_000
        XCTAssertEqual(kept, 0.75, accuracy: 0.02)
        let e = tape.dropout(x, p: 0.25, training: false, rng: &g1)
        XCTAssertEqual(e, x)
    }

    func testDenseLayerBindsStoreByName() {
        let store = ParameterStore(ModelCatalog.dense(prefix: "pooler.dense", inFeatures: 3, outFeatures: 2))
        store.value("pooler.dense.weight").assign(Tensor(shape: [2, 3], data: [1, 0, 0, 0, 1, 1]))
        store.value("pooler.dense.bias").assign(Tensor(shape: [2], data: [0.5, -10]))
        let layer = Dense(store: store, prefix: "pooler.dense", activation: .relu)
        let tape = Tape()
        let y = layer(tape.input(Tensor(shape: [1, 3], data: [2, 3, 4])), on: tape)
        XCTAssertEqual(tape.value(y).toArray(), [2.5, 0])
    }

    /// golden/mlp_trajectory run 'adamw': step-1 gradients, every
    /// per-step loss, checkpoints after steps 1/10/20 and the final weights.
    func testMLPTrajectoryAdamW() throws {
        let dir = Golden.directory.appendingPathComponent("mlp_trajectory")
        let initial = try SafetensorsFixture(dir.appendingPathComponent("init.safetensors"))
        let data = try SafetensorsFixture(dir.appendingPathComponent("data.safetensors"))
        let checkpoints = try SafetensorsFixture(dir.appendingPathComponent("checkpoints.safetensors"))
        let final = try SafetensorsFixture(dir.appendingPathComponent("final.safetensors"))
        let losses = Golden.numbers(try Golden.json("mlp_trajectory/losses.json")["losses"])
        let batches = (try Golden.json("mlp_trajectory/batches.json")["batches_local"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).intValue } }

        var rng = SeededGenerator(seed: 0)
        let model = Sequential(inputSize: 64, layers: [.dense(units: 32, activation: .relu)],
                               head: .dense(units: 10, activation: nil), rng: &rng)
        let store = model.parameters
        let names = ["fc1.weight": "layers.0.weight", "fc1.bias": "layers.0.bias", "fc2.weight": "head.weight", "fc2.bias": "head.bias"]
        for (torch, ours) in names { store.value(ours).assign(initial.floats[torch]!) }

        let x = data.floats["x"]!, y = data.ints["y"]!
        let batchX = Tensor(zeros: [32, 64])
        var adam = FlatAdamW(count: store.totalCount)
        let tape = Tape()
        var worstLoss: Double = 0, worstWeights: Float = 0
        for (step, rows) in batches.enumerated() {
            for (r, row) in rows.enumerated() { batchX.rows(r..<(r + 1)).assign(x.rows(row..<(row + 1))) }
            tape.reset()
            store.zeroGradients()
            let logits = model.forward(tape.input(batchX), on: tape, training: true, rng: &rng)
            let loss = tape.crossEntropy(logits, targets: rows.map { y[$0] })
            let l = Double(tape.value(loss).scalar)
            XCTAssertEqual(l, losses[step], accuracy: 1e-4 * abs(losses[step]) + 1e-5, "loss at step \(step + 1)")
            worstLoss = max(worstLoss, abs(l - losses[step]) / abs(losses[step]))
            tape.backward(loss)
            if step == 0 {
                for (torch, ours) in names {
                    let r = assertClose(store.gradient(ours), checkpoints.floats["grad_step1." + torch]!, rtol: 1e-4, atol: 1e-6, "step-1 grad \(torch)")
                    print("GOLDEN mlp step-1 grad \(torch): max abs \(r.maxAbs), \(r.ratio) of tol")
                }
            }
            adam.step(store)
            if [1, 10, 20].contains(step + 1) {
                for (torch, ours) in names {
                    let r = assertClose(store.value(ours), checkpoints.floats["step\(step + 1)." + torch]!, rtol: 1e-4, atol: 1e-5, "step \(step + 1) \(torch)")
                    worstWeights = max(worstWeights, r.ratio)
                }
            }
        }
        for (torch, ours) in names {
            let r = assertClose(store.value(ours), final.floats[torch]!, rtol: 1e-4, atol: 1e-5, "final \(torch)")
            worstWeights = max(worstWeights, r.ratio)
        }
        print("GOLDEN mlp trajectory: 40 losses max rel err \(worstLoss); weights worst \(worstWeights) of tol")
    }
}
