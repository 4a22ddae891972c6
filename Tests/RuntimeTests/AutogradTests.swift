import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class AutogradTests: XCTestCase {
    func testReusedVariableAccumulatesGradient() {
        // y = x·x + 3x  → dy/dx = 2x + 3
        let tape = Tape()
        let x = tape.input(Tensor(shape: [3], data: [1, -2, 0.5]), requiresGradient: true)
        let y = tape.sum(tape.add(tape.mul(x, x), tape.scale(x, by: 3)))
        tape.backward(y)
        XCTAssertEqual(tape.gradient(x)!.toArray(), [5, -1, 4])
    }

    func testInputsWithoutGradientRecordNothingToDifferentiate() {
        let tape = Tape()
        let x = tape.input(Tensor(shape: [2], data: [1, 2]))
        let y = tape.relu(x)
        XCTAssertFalse(tape.requiresGradient(y))
        XCTAssertNil(tape.gradient(x))
        tape.backward(tape.sum(y))  // a no-op, not a crash
    }

    func testFrozenParametersGetNoGradientAndFirstLayerNoInputGradient() {
        var rng = SeededGenerator(seed: 0)
        let model = Sequential(inputSize: 4, layers: [.dense(units: 5, activation: .relu), .dense(units: 3, activation: nil)],
                               head: .dense(units: 2, activation: nil), rng: &rng)
        let store = model.parameters
        XCTAssertEqual(store.freeze(matching: "layers.0"), 2)
        XCTAssertEqual(store.freeze(matching: "layers.*.bias"), 2)
        XCTAssertEqual(store.slots.filter(\.trainable).map(\.name), ["layers.1.weight", "head.weight", "head.bias"])
        store.gradients.pointer.update(repeating: 0, count: store.totalCount)
        let tape = Tape()
        let x = tape.input(randomTensor([6, 4], &rng))
        var drop = SeededGenerator(seed: 1)
        let loss = tape.crossEntropy(model.forward(x, on: tape, training: true, rng: &drop), targets: [0, 1, 0, 1, 1, 0])
        tape.backward(loss)
        XCTAssertNil(tape.gradient(x))
        for s in store.slots {
            let g = store.gradient(s.name).toArray()
            if s.trainable {
                XCTAssertTrue(g.contains { $0 != 0 }, "\(s.name) should have a gradient")
            } else {
                XCTAssertTrue(g.allSatisfy { $0 == 0 }, "\(s.name) is frozen")
            }
        }
        let group = store.group
        XCTAssertEqual(group.slots.map(\.name), store.slots.map(\.name))
        XCTAssertEqual(group.slots.map(\.trainable), store.slots.map(\.trainable))
    }

    /// The store freezes exactly what the checker's matcher selects (one matcher, `ParameterPattern`).
    func testFreezeMatchingSelectsWhatThePatternSelects() {
        let store = ParameterStore(ModelCatalog.mlp(inputSize: 4, layers: [.dense(units: 3, activation: nil), .layerNorm(eps: 1e-5), .dense(units: 3, activation: nil)],
                                                    head: .dense(units: 2, activation: nil)).specs)
        let names = store.slots.map(\.name)
        for pattern in ["layers.0", "layers.?.bias", "*.weight", "layers.*", "head"] {
            let fresh = ParameterStore(ModelCatalog.mlp(inputSize: 4, layers: [.dense(units: 3, activation: nil), .layerNorm(eps: 1e-5), .dense(units: 3, activation: nil)],
                                                        head: .dense(units: 2, activation: nil)).specs)
            let count = fresh.freeze(matching: pattern)
            let frozen = fresh.slots.filter { !$0.trainable }.map(\.name)
            XCTAssertEqual(frozen, ParameterPattern.selected(by: pattern, in: names), pattern)
            XCTAssertEqual(count, frozen.count)
        }
    }

    func testParameterGradientsAccumulateUntilZeroed() {
        let store = ParameterStore([ParameterSpec(name: "w", shape: [2, 2], role: .weight)])
        store.value("w").assign(Tensor(shape: [2, 2], data: [1, 2, 3, 4]))
        let tape = Tape()
        for _ in 0..<2 {
            tape.reset()
            let x = tape.input(Tensor(shape: [1, 2], data: [1, 1]))
            tape.backward(tape.sum(tape.linear(x, weight: tape.parameter(store, "w"))))
        }
        XCTAssertEqual(store.gradient("w").toArray(), [2, 2, 2, 2])
        store.zeroGradients()
        XCTAssertEqual(store.gradient("w").toArray(), [0, 0, 0, 0])
    }

    /// A discarded gradient counts as zero: the first GEMM overwrites it, an adding rule or a
    /// penalty zero-fills it first, a slot nothing reached is zeroed by `settleGradients`, and
    /// the result is bit-identical to a step after `zeroGradients()`.
    func testDiscardedGradientsEqualZeroedOnes() {
        var rng = SeededGenerator(seed: 4)
        let specs = [ParameterSpec(name: "w", shape: [5, 3], role: .weight), ParameterSpec(name: "b", shape: [5], role: .bias),
                     ParameterSpec(name: "unused", shape: [7], role: .weight), ParameterSpec(name: "frozen", shape: [2], role: .weight)]
        let x = randomTensor([4, 3], &rng), garbage = randomTensor([40], &rng)
        func step(_ store: ParameterStore, discard: Bool) -> [Float] {
            if discard {
                // A previous step's leftovers in every trainable slot.
                for s in store.slots where s.trainable {
                    for i in 0..<s.count { store.gradients.pointer[s.offset + i] = garbage.toArray()[i] * 1e3 }
                }
                store.discardGradients()
                XCTAssertTrue(store.gradientIsDiscarded(store.index(of: "w")!))
                XCTAssertFalse(store.gradientIsDiscarded(store.index(of: "frozen")!), "frozen slots are never discarded")
            } else {
                store.zeroGradients()
            }
            let tape = Tape()
            // Backward runs in reverse: z's GEMM overwrites w's gradient, y's adds to it, and
            // the l2 penalty (recorded first) adds to w and `unused`; the bias gets a column sum.
            let penalty = tape.penalty(store, .l2, coefficient: 0.1)
            let w = tape.parameter(store, "w"), xv = tape.input(x)
            let y = tape.linear(xv, weight: w, bias: tape.parameter(store, "b"))
            let z = tape.linear(xv, weight: w)
            let loss = tape.add(tape.sum(tape.mul(y, z)), penalty)
            tape.backward(loss)
            store.settleGradients()
            XCTAssertFalse((0..<store.slots.count).contains { store.gradientIsDiscarded($0) })
            return (0..<store.totalCount).map { store.gradients.pointer[$0] }
        }
        func fresh() -> ParameterStore {
            let store = ParameterStore(specs)
            var g = SeededGenerator(seed: 9)
            for i in 0..<store.totalCount { store.values.pointer[i] = Float(g.nextGaussian()) }
            store.setTrainable(false, at: store.index(of: "frozen")!)
            return store
        }
        let zeroed = fresh(), discarded = fresh()
        let reference = step(zeroed, discard: false)
        XCTAssertEqual(step(discarded, discard: true).map(\.bitPattern), reference.map(\.bitPattern))
        XCTAssertTrue(reference.contains { $0 != 0 })
        // `unused` gets the penalty only; a slot no rule reaches is settled to exactly zero.
        let unusedOnly = fresh()
        unusedOnly.discardGradients()
        let tape = Tape()
        tape.backward(tape.sum(tape.linear(tape.input(x), weight: tape.parameter(unusedOnly, "w"))))
        XCTAssertTrue(unusedOnly.gradientIsDiscarded(unusedOnly.index(of: "b")!))
        unusedOnly.settleGradients()
        XCTAssertEqual(unusedOnly.gradient("b").toArray(), [Float](repeating: 0, count: 5))
        XCTAssertEqual(unusedOnly.gradient("unused").toArray(), [Float](repeating: 0, count: 7))
    }

    /// The divergence check reads trainable slots only, in the SIMD body and in the tail.
    func testTrainableValuesAreFiniteSkipsFrozenSlots() {
        let store = ParameterStore([ParameterSpec(name: "frozen", shape: [40], role: .weight),
                                    ParameterSpec(name: "head", shape: [37], role: .weight)])
        store.setTrainable(false, at: 0)
        XCTAssertTrue(store.trainableValuesAreFinite)
        store.value("frozen")[flat: 3] = .infinity
        XCTAssertTrue(store.trainableValuesAreFinite, "a frozen slot cannot diverge")
        for (i, bad) in [(5, Float.infinity), (36, -.infinity), (20, .nan), (33, .nan)] {
            store.value("head")[flat: i] = bad
            XCTAssertFalse(store.trainableValuesAreFinite, "\(bad) at \(i)")
            store.value("head")[flat: i] = 1e38
            XCTAssertTrue(store.trainableValuesAreFinite)
        }
    }

    /// After the first step a reset tape serves every buffer from its arenas.
    func testTrainingStepsReuseTapeMemory() {
        var rng = SeededGenerator(seed: 0)
        let model = Sequential(inputSize: 8, layers: [.dense(units: 16, activation: .gelu), .dropout(p: 0.1), .layerNorm(eps: 1e-5)],
                               head: .dense(units: 3, activation: nil), rng: &rng)
        let tape = Tape()
        let x = randomTensor([5, 8], &rng)
        var held: (Int, Int) = (0, 0)
        for step in 0..<3 {
            tape.reset()
            model.parameters.zeroGradients()
            let loss = tape.crossEntropy(model.forward(tape.input(x), on: tape, training: true, rng: &rng), targets: [0, 1, 2, 0, 1])
            tape.backward(loss)
            if step == 0 { held = tape.floatsHeld } else {
                XCTAssertEqual(tape.floatsHeld.values, held.0)
                XCTAssertEqual(tape.floatsHeld.gradients, held.1)
            }
        }
    }

    func testGradientsDisabledForEvaluation() {
        var rng = SeededGenerator(seed: 0)
        let model = Sequential(inputSize: 3, layers: [.dense(units: 4, activation: .tanh), .dropout(p: 0.5)],
                               head: .dense(units: 2, activation: nil), rng: &rng)
        let tape = Tape()
        tape.gradientsEnabled = false
        let x = tape.input(Tensor(shape: [1, 3], data: [1, 2, 3]))
        let a = tape.value(model.forward(x, on: tape, training: false, rng: &rng)).toArray()
        let out = model.forward(x, on: tape, training: false, rng: &rng)
        XCTAssertEqual(a, tape.value(out).toArray())  // dropout off in eval
        XCTAssertFalse(tape.requiresGradient(out))
    }
}
