import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Optimizers and clipping against PyTorch (golden/optimizers.json) and their own scalar twins.
final class OptimizerTests: XCTestCase {
    static let goldenPath = Golden.path("optimizers.json")
    /// Largest |error| / tolerance seen by `assertClose` (printed: the margin left).
    private var worstFraction: Float = 0

    private func golden() throws -> JSONValue {
        try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: Self.goldenPath)))
    }

    /// The golden rule: |x − ref| ≤ rtol·|ref| + atol·S, S = max(1, max|ref|).
    private func assertClose(_ x: [Float], _ ref: [Float], rtol: Float = 1e-5, atol: Float = 1e-6, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.count, ref.count, what, file: file, line: line)
        let s = max(1, ref.map(abs).max() ?? 0)
        for (a, b) in zip(x, ref) { worstFraction = max(worstFraction, abs(a - b) / (rtol * abs(b) + atol * s)) }
        for (i, (a, b)) in zip(x, ref).enumerated() where !(abs(a - b) <= rtol * abs(b) + atol * s) {
            XCTFail("\(what)[\(i)]: \(a) vs PyTorch \(b)", file: file, line: line)
            return
        }
    }

    /// How to build one optimizer over a group.
    typealias Factory = @Sendable (ParameterGroup) throws -> Optimizer

    /// Maps a golden entry's PyTorch class + kwargs to our optimizer.
    private func factory(_ entry: JSONValue) throws -> Factory {
        let cls = try XCTUnwrap(entry["class"]?.stringValue)
        let kw = try XCTUnwrap(entry["kwargs"])
        func num(_ k: String, _ d: Double) -> Double { kw[k]?.doubleValue ?? d }
        func flag(_ k: String) -> Bool { kw[k]?.boolValue ?? false }
        let known: Set<String> = ["lr", "momentum", "nesterov", "weight_decay", "amsgrad", "dampening", "alpha", "eps",
                                  "centered", "lr_decay", "initial_accumulator_value", "betas"]
        for k in kw.keys ?? [] { XCTAssertTrue(known.contains(k), "unmapped kwarg \(k)") }
        let betas = kw["betas"]?.doubleArray ?? [0.9, 0.999]
        switch cls {
        case "SGD":
            let c = SGDOptimizer.Config(lr: num("lr", 1e-3), momentum: num("momentum", 0), dampening: num("dampening", 0),
                                        nesterov: flag("nesterov"), weightDecay: num("weight_decay", 0))
            return { try SGDOptimizer(group: $0, config: c) }
        case "Adam", "AdamW":
            let c = AdamOptimizer.Config(lr: num("lr", 1e-3), beta1: betas[0], beta2: betas[1], eps: num("eps", 1e-8),
                                         weightDecay: num("weight_decay", cls == "AdamW" ? 0.01 : 0), amsgrad: flag("amsgrad"),
                                         decoupledWeightDecay: cls == "AdamW")
            return { try AdamOptimizer(group: $0, config: c) }
        case "RMSprop":
            let c = RMSpropOptimizer.Config(lr: num("lr", 1e-2), alpha: num("alpha", 0.99), eps: num("eps", 1e-8),
                                            weightDecay: num("weight_decay", 0), momentum: num("momentum", 0), centered: flag("centered"))
            return { try RMSpropOptimizer(group: $0, config: c) }
        case "Adagrad":
            let c = AdagradOptimizer.Config(lr: num("lr", 1e-2), lrDecay: num("lr_decay", 0), weightDecay: num("weight_decay", 0),
                                            initialAccumulatorValue: num("initial_accumulator_value", 0), eps: num("eps", 1e-10))
            return { try AdagradOptimizer(group: $0, config: c) }
        default:
            throw XCTSkip("unknown optimizer class \(cls)")
        }
    }

    /// Every optimizer in the golden file, every step, and its final state.
    func testEveryGoldenOptimizerTrajectory() throws {
        let g = try golden()
        let p0 = try XCTUnwrap(g["initial_param"]?["data"]?.floatArray)
        let grads = try XCTUnwrap(g["grads"]?["data"]?.floatArray)
        let entries = try XCTUnwrap(g["optimizers"]?.objectValue)
        XCTAssertEqual(entries.count, 9)
        for (name, entry) in entries {
            let make = try factory(entry)
            let cls = try XCTUnwrap(entry["class"]?.stringValue)
            let expected = try XCTUnwrap(entry["params_after_step"]?["data"]?.floatArray)
            // Copies = 1 runs the scalar path; 5 copies (40 floats) run the SIMD16 path plus a tail.
            for copies in [1, 5] {
                let n = 8 * copies
                let opt = try make(.packed([(name: "p", count: n)]))
                var p = Array(repeating: p0, count: copies).flatMap { $0 }
                for k in 0..<10 {
                    let gk = Array(grads[(8 * k)..<(8 * k + 8)])
                    opt.step(parameters: &p, gradients: Array(repeating: gk, count: copies).flatMap { $0 })
                    let ref = Array(expected[(8 * k)..<(8 * k + 8)])
                    for c in 0..<copies {
                        assertClose(Array(p[(8 * c)..<(8 * c + 8)]), ref, "\(name) ×\(copies) step \(k + 1) copy \(c)")
                    }
                }
                XCTAssertEqual(opt.stepCount(slot: "p"), 10)
                XCTAssertEqual(opt.kind, cls.lowercased())
                // Final state tensors match PyTorch's.
                for (stateName, value) in try XCTUnwrap(entry["final_state"]?.objectValue) {
                    if stateName == "step" {
                        XCTAssertEqual(value.doubleValue, 10, name)
                        continue
                    }
                    let ref = try XCTUnwrap(value["data"]?.floatArray)
                    let ours = try XCTUnwrap(opt.stateValues(stateName, slot: "p"), "\(name) has no state '\(stateName)'")
                    for c in 0..<copies {
                        assertClose(Array(ours[(8 * c)..<(8 * c + 8)]), ref, "\(name) state \(stateName)")
                    }
                }
                XCTAssertEqual(Set(opt.stateBufferNames), Set((entry["final_state"]?.keys ?? []).filter { $0 != "step" }), name)
            }
        }
        print("optimizers.json: worst error is \(worstFraction) of the tolerance")
    }

    func testGoldenClipping() throws {
        let clipping = try XCTUnwrap(try golden()["clipping"])
        let order = try XCTUnwrap(clipping["order"]?.arrayValue?.compactMap(\.stringValue))
        let cases = try XCTUnwrap(clipping["cases"]?.objectValue)
        XCTAssertEqual(cases.count, 3)
        for (name, c) in cases {
            var flat = [Float]()
            var tensors = [(name: String, count: Int)]()
            for t in order {
                let values = try XCTUnwrap(c["grads_before"]?[t]?["data"]?.floatArray)
                tensors.append((name: t, count: values.count))
                flat += values
            }
            // A frozen slot in between must be ignored entirely.
            let frozenJunk: [Float] = [100, -100, 50]
            var slots = [ParameterSlot]()
            var offset = 0
            for (i, t) in tensors.enumerated() {
                slots.append(ParameterSlot(name: t.name, offset: offset, count: t.count))
                offset += t.count
                if i == 0 {
                    slots.append(ParameterSlot(name: "frozen", offset: offset, count: 3, trainable: false))
                    flat.insert(contentsOf: frozenJunk, at: offset)
                    offset += 3
                }
            }
            let group = try ParameterGroup(slots: slots)
            switch c["call"]?.stringValue {
            case "clip_grad_norm_":
                let total = GradientClipping.clipNorm(&flat, group: group, maxNorm: try XCTUnwrap(c["max_norm"]?.doubleValue))
                let ref = Float(try XCTUnwrap(c["total_norm"]?.doubleValue))
                XCTAssertLessThanOrEqual(abs(total - ref), 1e-5 * ref, "\(name) total_norm \(total) vs \(ref)")
            case "clip_grad_value_":
                GradientClipping.clipValue(&flat, group: group, clipValue: try XCTUnwrap(c["clip_value"]?.doubleValue))
            default:
                XCTFail("unknown call in \(name)")
            }
            for s in group.slots {
                let ours = Array(flat[s.range])
                if !s.trainable { XCTAssertEqual(ours, frozenJunk, "\(name): frozen gradient touched"); continue }
                let ref = try XCTUnwrap(c["grads_after"]?[s.name]?["data"]?.floatArray)
                assertClose(ours, ref, "\(name) \(s.name)")
                if name == "value_clipped" {
                    // Clipped entries equal Float(0.5) exactly, as in PyTorch.
                    XCTAssertEqual(ours.map(\.bitPattern), ref.map(\.bitPattern), "\(name) \(s.name)")
                }
            }
        }
    }

    /// The MLP runs' first step: PyTorch's step-1 gradients through our
    /// clipping and optimizer reproduce its step-1 weights (multi-slot, SIMD path).
    func testMLPTrajectoryFirstStep() throws {
        let dir = Golden.path("mlp_trajectory")
        let names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
        let initial = try SafetensorsFile(contentsOf: "\(dir)/init.safetensors")
        let group = ParameterGroup.packed(try names.map { (name: $0, count: try initial.requireInfo($0).elementCount) })
        for (file, make, clip) in [
            ("checkpoints", { try AdamOptimizer(group: group, config: .adamW(lr: 1e-3, weightDecay: 0.01)) } as () throws -> Optimizer, nil as Double?),
            ("sgd_checkpoints", { try SGDOptimizer(group: group, config: .init(lr: 0.5, momentum: 0.9)) }, 1.0),
        ] {
            let ck = try SafetensorsFile(contentsOf: "\(dir)/\(file).safetensors")
            var p = try names.flatMap { try initial.floats($0) }
            var g = try names.flatMap { try ck.floats("grad_step1.\($0)") }
            if let clip {
                let norm = GradientClipping.clipNorm(&g, group: group, maxNorm: clip)
                XCTAssertGreaterThan(norm, 0)
            }
            let opt = try make()
            opt.step(parameters: &p, gradients: g)
            for slot in group.slots {
                assertClose(Array(p[slot.range]), try ck.floats("step1.\(slot.name)"), "\(file) step1 \(slot.name)")
            }
        }
    }

    /// Clipping on large and awkward slot sizes (SIMD path) against a float64 reference.
    func testClippingOnLargeBuffers() throws {
        var rng = SeededGenerator(seed: 21)
        let group = ParameterGroup.packed([(name: "a", count: 100_003), (name: "b", count: 17), (name: "c", count: 4096)])
        let g0 = randomBuffer(group.count, &rng, scale: 0.01)
        var ref = 0.0
        for slot in group.slots {
            let n = Float(slot.range.reduce(0.0) { $0 + Double(g0[$1]) * Double(g0[$1]) }.squareRoot())
            ref += Double(n) * Double(n)
        }
        var g = g0
        let norm = GradientClipping.clipNorm(&g, group: group, maxNorm: 0.5)
        XCTAssertEqual(Double(norm), ref.squareRoot(), accuracy: 2e-7 * ref.squareRoot())
        let coef = (1 / (norm + Float(1e-6))) * Float(0.5)
        XCTAssertLessThan(coef, 1)
        XCTAssertEqual(g, g0.map { $0 * coef })
        var unclipped = g0
        GradientClipping.clipNorm(&unclipped, group: group, maxNorm: 1e6)
        XCTAssertEqual(unclipped, g0)

        var v = g0
        v[5] = .nan
        GradientClipping.clipValue(&v, group: group, clipValue: 0.01)
        XCTAssertTrue(v[5].isNaN)
        for i in v.indices where i != 5 {
            XCTAssertEqual(v[i], min(max(g0[i], -Float(0.01)), Float(0.01)))
        }
    }

    // MARK: scalar twin, layout, state

    static let allSpecs: [(String, Factory)] = [
        ("sgd", { try SGDOptimizer(group: $0, config: .init(lr: 0.1)) }),
        ("sgd_wd", { try SGDOptimizer(group: $0, config: .init(lr: 0.1, weightDecay: 0.01)) }),
        ("sgd_momentum_dampening", { try SGDOptimizer(group: $0, config: .init(lr: 0.1, momentum: 0.9, dampening: 0.1)) }),
        ("sgd_nesterov_wd", { try SGDOptimizer(group: $0, config: .init(lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)) }),
        ("adam", { try AdamOptimizer(group: $0, config: .init(lr: 1e-3)) }),
        ("adam_l2_amsgrad", { try AdamOptimizer(group: $0, config: .init(lr: 1e-3, weightDecay: 0.01, amsgrad: true)) }),
        ("adamw", { try AdamOptimizer(group: $0, config: .adamW(lr: 1e-3)) }),
        ("adamw_amsgrad", { try AdamOptimizer(group: $0, config: .adamW(lr: 1e-3, amsgrad: true)) }),
        ("rmsprop", { try RMSpropOptimizer(group: $0, config: .init(lr: 0.01)) }),
        ("rmsprop_centered_momentum_wd", { try RMSpropOptimizer(group: $0, config: .init(lr: 0.01, weightDecay: 0.01, momentum: 0.9, centered: true)) }),
        ("adagrad", { try AdagradOptimizer(group: $0, config: .init(lr: 0.1)) }),
        ("adagrad_decay_init_wd", { try AdagradOptimizer(group: $0, config: .init(lr: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1)) }),
    ]

    private func randomBuffer(_ n: Int, _ rng: inout SeededGenerator, scale: Double = 1) -> [Float] {
        (0..<n).map { _ in Float(rng.nextGaussian() * scale) }
    }

    /// The SIMD16 path and the plain scalar loop agree bit for bit on awkward sizes.
    func testSIMDMatchesScalarTwinBitExactly() throws {
        let sizes = [1, 7, 16, 17, 33, 100]
        let group = ParameterGroup.packed(sizes.enumerated().map { (name: "t\($0.offset)", count: $0.element) })
        for (name, spec) in Self.allSpecs {
            var rng = SeededGenerator(seed: 11)
            let p0 = randomBuffer(group.count, &rng)
            let fast = try spec(group)
            let slow = try spec(group)
            slow.vectorized = false
            var pf = p0, ps = p0
            for _ in 0..<6 {
                let g = randomBuffer(group.count, &rng, scale: 0.5)
                fast.step(parameters: &pf, gradients: g)
                slow.step(parameters: &ps, gradients: g)
            }
            XCTAssertEqual(pf.map(\.bitPattern), ps.map(\.bitPattern), name)
            XCTAssertNotEqual(pf, p0, name)
            XCTAssertEqual(fast.exportState(), slow.exportState(), name)
        }
    }

    /// A group large enough to be stepped on all cores gives, bit for bit, what each of its
    /// slots gives stepped alone on one thread: every element updated exactly once, on the
    /// same SIMD-or-tail path.
    func testGroupSharedBetweenThreadsMatchesSlotsSteppedAlone() throws {
        let sizes = [17, 30_001, 9_000, 5, 33]  // 39,056 floats: threaded; each slot alone is not
        let group = ParameterGroup.packed(sizes.enumerated().map { (name: "t\($0.offset)", count: $0.element) })
        for (name, spec) in Self.allSpecs {
            var rng = SeededGenerator(seed: 5)
            let p0 = randomBuffer(group.count, &rng)
            let gradients = (0..<4).map { _ in randomBuffer(group.count, &rng, scale: 0.5) }
            let whole = try spec(group)
            var pw = p0
            for g in gradients { whole.step(parameters: &pw, gradients: g) }
            var alone = [Float]()
            var offset = 0
            for (i, size) in sizes.enumerated() {
                let single = try spec(ParameterGroup.packed([(name: "t\(i)", count: size)]))
                var p = Array(p0[offset..<offset + size])
                for g in gradients { single.step(parameters: &p, gradients: Array(g[offset..<offset + size])) }
                alone += p
                offset += size
            }
            XCTAssertEqual(pw.map(\.bitPattern), alone.map(\.bitPattern), name)
            XCTAssertNotEqual(pw, p0, name)
        }
    }

    /// Frozen slots: parameters untouched (no update, no decay), no state.
    func testFrozenSlotsGetNoUpdateDecayOrState() throws {
        let group = try ParameterGroup(slots: [
            ParameterSlot(name: "a", offset: 0, count: 20),
            ParameterSlot(name: "frozen", offset: 20, count: 37, trainable: false),
            ParameterSlot(name: "b", offset: 57, count: 5),
        ])
        for (name, spec) in Self.allSpecs {
            let opt = try spec(group)
            XCTAssertEqual(opt.stateFloatCount, 25 * opt.stateBufferNames.count, name)
            XCTAssertNil(opt.stateValues(opt.stateBufferNames.first ?? "", slot: "frozen"))
            var rng = SeededGenerator(seed: 3)
            let p0 = randomBuffer(group.count, &rng)
            var p = p0
            for _ in 0..<3 { opt.step(parameters: &p, gradients: randomBuffer(group.count, &rng)) }
            XCTAssertEqual(Array(p[20..<57]), Array(p0[20..<57]), "\(name): frozen slot changed")
            XCTAssertNotEqual(Array(p[0..<20]), Array(p0[0..<20]), name)
            XCTAssertEqual(opt.stepCount(slot: "frozen"), 0)
            XCTAssertEqual(opt.exportState().slotNames, ["a", "b"])
        }
        let allFrozen = try ParameterGroup(slots: [ParameterSlot(name: "x", offset: 0, count: 4, trainable: false)])
        let opt = try AdamOptimizer(group: allFrozen, config: .adamW())
        XCTAssertEqual(opt.stateFloatCount, 0)
        var p: [Float] = [1, 2, 3, 4]
        opt.step(parameters: &p, gradients: [1, 1, 1, 1])
        XCTAssertEqual(p, [1, 2, 3, 4])
    }

    /// `decays = false` skips weight decay; `lrScale` acts as a per-slot lr.
    func testDecayFlagAndLayerwiseLRScale() throws {
        // AdamW with zero gradients changes p only through decay.
        let group = try ParameterGroup(slots: [
            ParameterSlot(name: "w", offset: 0, count: 3),
            ParameterSlot(name: "b", offset: 3, count: 3, decays: false),
        ])
        let opt = try AdamOptimizer(group: group, config: .adamW(lr: 0.1, weightDecay: 0.5))
        var p: [Float] = [1, 2, 3, 1, 2, 3]
        opt.step(parameters: &p, gradients: [Float](repeating: 0, count: 6))
        XCTAssertEqual(Array(p[0..<3]), [1, 2, 3].map { $0 * Float(1 - 0.1 * 0.5) })
        XCTAssertEqual(Array(p[3..<6]), [1, 2, 3])

        // A slot with lrScale s moves exactly as a separate optimizer with lr·s.
        for (name, spec) in Self.allSpecs {
            var scaled = ParameterGroup.packed([(name: "lo", count: 19), (name: "hi", count: 19)])
            scaled.setLRScale(0.25, forSlotNamed: "lo")
            let single = ParameterGroup.packed([(name: "lo", count: 19)])
            let a = try spec(scaled)
            let b = try spec(single)
            var rng = SeededGenerator(seed: 5)
            var pa = randomBuffer(38, &rng)
            var pb = Array(pa[0..<19])
            for _ in 0..<4 {
                let g = randomBuffer(38, &rng)
                a.step(parameters: &pa, gradients: g, learningRate: 0.02)
                b.step(parameters: &pb, gradients: Array(g[0..<19]), learningRate: 0.02 * 0.25)
            }
            XCTAssertEqual(Array(pa[0..<19]), pb, name)
        }
    }

    /// Export after k steps, write to safetensors, import into a fresh
    /// optimizer: the resumed run equals the uninterrupted one bit for bit.
    func testStateRoundTripResumesBitExactly() throws {
        let group = try ParameterGroup(slots: [
            ParameterSlot(name: "layers.0.weight", offset: 0, count: 40),
            ParameterSlot(name: "layers.0.bias", offset: 40, count: 8, trainable: false),
            ParameterSlot(name: "head.weight", offset: 48, count: 21),
        ])
        for (name, spec) in Self.allSpecs {
            var rng = SeededGenerator(seed: 9)
            let p0 = randomBuffer(group.count, &rng)
            let grads = (0..<8).map { _ in randomBuffer(group.count, &rng) }
            let straight = try spec(group)
            var ps = p0
            for g in grads { straight.step(parameters: &ps, gradients: g) }

            let first = try spec(group)
            var pr = p0
            for g in grads[0..<3] { first.step(parameters: &pr, gradients: g) }
            let state = first.exportState()
            let image = try SafetensorsWriter.encode(state.tensors(), metadata: state.metadata())
            // The checkpoint streams the same bytes from the live buffers.
            let streamed = NSTemporaryDirectory() + "ftx-optimizer-views-\(name).safetensors"
            try first.withStateViews { try SafetensorsWriter.write(views: $0, metadata: $1, to: streamed, durable: false) }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: streamed)), image, name)
            let file = try SafetensorsFile(data: image)
            let loaded = try OptimizerState(file: file)
            XCTAssertEqual(loaded, state, name)
            let resumed = try spec(group)
            try resumed.importState(loaded)
            for g in grads[3...] { resumed.step(parameters: &pr, gradients: g) }
            XCTAssertEqual(pr.map(\.bitPattern), ps.map(\.bitPattern), name)
            XCTAssertEqual(resumed.exportState(), straight.exportState(), name)
        }
        // Mismatched kind or layout is refused with a reason.
        let adam = try AdamOptimizer(group: group)
        XCTAssertThrowsError(try SGDOptimizer(group: group, config: .init(momentum: 0.9)).importState(adam.exportState())) {
            XCTAssertTrue("\($0)".contains("adam"), "\($0)")
        }
        var other = group
        other.setTrainable(true) { $0.name == "layers.0.bias" }
        XCTAssertThrowsError(try AdamOptimizer(group: other).importState(adam.exportState()))
    }

    /// Gradual unfreezing keeps the state of slots that stay trainable.
    func testRegroupKeepsStateOfStillTrainableSlots() throws {
        var group = ParameterGroup.packed([(name: "enc", count: 10), (name: "head", count: 6)])
        group.setTrainable(false) { $0.name == "enc" }
        let opt = try AdamOptimizer(group: group, config: .adamW())
        var p = [Float](repeating: 1, count: 16)
        let g = [Float](repeating: 0.5, count: 16)
        opt.step(parameters: &p, gradients: g)
        opt.step(parameters: &p, gradients: g)
        let headState = opt.stateValues("exp_avg", slot: "head")
        group.setTrainable(true) { _ in true }
        opt.regroup(group)
        XCTAssertEqual(opt.stateValues("exp_avg", slot: "head"), headState)
        XCTAssertEqual(opt.stateValues("exp_avg", slot: "enc"), [Float](repeating: 0, count: 10))
        XCTAssertEqual(opt.stepCount(slot: "head"), 2)
        XCTAssertEqual(opt.stepCount(slot: "enc"), 0)
        opt.step(parameters: &p, gradients: g)
        // enc's first step: bias-corrected Adam moves by ≈ lr·sign(g) (plus decay).
        XCTAssertEqual(p[0], 1 * Float(1 - 1e-3 * 0.01) - 1e-3, accuracy: 1e-6)
        XCTAssertEqual(opt.stepCount(slot: "head"), 3)
    }

    func testConfigValidationAndDefaults() throws {
        let one = ParameterGroup.packed([(name: "p", count: 1)])
        XCTAssertEqual(AdamOptimizer.Config.adamW(), .init(weightDecay: 0.01, decoupledWeightDecay: true))
        XCTAssertEqual(try AdamOptimizer(group: one, config: .adamW()).kind, "adamw")
        XCTAssertEqual(try AdamOptimizer(group: one).kind, "adam")
        XCTAssertEqual(RMSpropOptimizer.Config().alpha, 0.99)
        XCTAssertEqual(AdagradOptimizer.Config().eps, 1e-10)
        XCTAssertThrowsError(try SGDOptimizer(group: one, config: .init(nesterov: true)))
        XCTAssertThrowsError(try SGDOptimizer(group: one, config: .init(lr: -1)))
        XCTAssertThrowsError(try AdamOptimizer(group: one, config: .init(beta1: 1.0)))
        XCTAssertThrowsError(try ParameterGroup(slots: [ParameterSlot(name: "a", offset: 0, count: 4), ParameterSlot(name: "b", offset: 2, count: 4)]))
        XCTAssertThrowsError(try ParameterGroup(slots: [ParameterSlot(name: "a", offset: 0, count: 4), ParameterSlot(name: "a", offset: 4, count: 4)]))
        XCTAssertThrowsError(try ParameterGroup(slots: [ParameterSlot(name: "a", offset: 0, count: 4)], count: 3))
    }

}
