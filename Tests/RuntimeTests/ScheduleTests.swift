import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// LR schedules against PyTorch (golden/schedules.json) and LANGUAGE.md's formulas.
final class ScheduleTests: XCTestCase {
    static let goldenPath = Golden.path("schedules.json")

    private func golden() throws -> JSONValue {
        try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: Self.goldenPath)))
    }

    private func close(_ a: Double, _ ref: Double) -> Bool { abs(a - ref) <= 1e-5 * abs(ref) + 1e-12 }

    /// A PyTorch scheduler + kwargs as our schedule and timing (100 steps, one step per epoch).
    private func ours(_ name: String, _ kw: JSONValue, steps: Int) throws -> (LRSchedule, ScheduleTiming) {
        func num(_ k: String, _ d: Double) -> Double { kw[k]?.doubleValue ?? d }
        func int(_ k: String, _ d: Int) -> Int { kw[k]?.intValue ?? d }
        let timing = ScheduleTiming(totalSteps: steps, stepsPerEpoch: 1)
        switch name {
        case "StepLR":
            return (.step(every: int("step_size", 1), gamma: num("gamma", 0.1)), timing)
        case "MultiStepLR":
            return (.multistep(milestones: try XCTUnwrap(kw["milestones"]?.arrayValue).compactMap(\.intValue), gamma: num("gamma", 0.1)), timing)
        case "ExponentialLR":
            return (.exponential(gamma: try XCTUnwrap(kw["gamma"]?.doubleValue)), timing)
        case "CosineAnnealingLR":
            return (.cosine(warmup: .steps(0), min: num("eta_min", 0)), ScheduleTiming(totalSteps: int("T_max", 0), stepsPerEpoch: 1))
        case "CosineAnnealingWarmRestarts":
            return (.cosineRestarts(period: int("T_0", 1), multiplier: int("T_mult", 1), min: num("eta_min", 0)), timing)
        case "LinearLR":
            return (.linearRamp(start: num("start_factor", 1.0 / 3), end: num("end_factor", 1), steps: int("total_iters", 5)), timing)
        case "OneCycleLR":
            let total = kw["total_steps"]?.intValue ?? (int("epochs", 0) * int("steps_per_epoch", 0))
            let cycle = OneCycle(maxLR: try XCTUnwrap(kw["max_lr"]?.doubleValue), pctStart: num("pct_start", 0.3),
                                 anneal: kw["anneal_strategy"]?.stringValue == "linear" ? .linear : .cos,
                                 divFactor: num("div_factor", 25), finalDivFactor: num("final_div_factor", 1e4),
                                 threePhase: kw["three_phase"]?.boolValue ?? false,
                                 cycleMomentum: kw["cycle_momentum"]?.boolValue ?? true,
                                 baseMomentum: num("base_momentum", 0.85), maxMomentum: num("max_momentum", 0.95))
            return (.oneCycle(cycle), ScheduleTiming(totalSteps: total, stepsPerEpoch: 1))
        case "ReduceLROnPlateau":
            let config = ReduceLROnPlateau.Config(
                mode: kw["mode"]?.stringValue == "max" ? .max : .min, factor: num("factor", 0.1), patience: int("patience", 10),
                threshold: num("threshold", 1e-4), thresholdMode: kw["threshold_mode"]?.stringValue == "abs" ? .abs : .rel,
                cooldown: int("cooldown", 0), minLR: num("min_lr", 0), eps: num("eps", 1e-8))
            return (.plateau(config), timing)
        case "hf_linear_with_warmup":
            return (.linear(warmup: .steps(int("num_warmup_steps", 0))),
                    ScheduleTiming(totalSteps: int("num_training_steps", steps), stepsPerEpoch: 1))
        case "hf_cosine_with_warmup":
            XCTAssertEqual(num("num_cycles", 0.5), 0.5, "only half a cosine cycle is a language schedule")
            return (.cosine(warmup: .steps(int("num_warmup_steps", 0)), min: 0),
                    ScheduleTiming(totalSteps: int("num_training_steps", steps), stepsPerEpoch: 1))
        default:
            throw XCTSkip("no mapping for \(name)")
        }
    }

    /// Every golden schedule: lr at every step (and OneCycle's momentum);
    /// ReduceLROnPlateau reduces at exactly PyTorch's steps.
    func testEveryGoldenSchedule() throws {
        let g = try golden()
        let base = try XCTUnwrap(g["base_lr"]?.doubleValue)
        let steps = try XCTUnwrap(g["steps"]?.intValue)
        let entries = try XCTUnwrap(g["schedules"]?.objectValue)
        XCTAssertEqual(entries.count, 10)
        for (name, entry) in entries {
            let kw = try XCTUnwrap(entry["kwargs"])
            let (schedule, timing) = try ours(name, kw, steps: steps)
            let expected = [try XCTUnwrap(entry["lr_initial"]?.doubleValue)] + (try XCTUnwrap(entry["lr_after_step"]?.doubleArray))
            XCTAssertEqual(expected.count, steps + 1)
            var scheduler = LRScheduler(schedule, base: base, timing: timing)
            let metrics = entry["metrics"]?.doubleArray
            var ourReductions = [Int](), theirReductions = [Int]()
            for t in 0...steps {
                if t > 0, let metrics {
                    if scheduler.epochEnded(validLoss: metrics[t - 1]) { ourReductions.append(t) }
                    if expected[t] != expected[t - 1] { theirReductions.append(t) }
                }
                let lr = scheduler.learningRate(step: t)
                XCTAssertTrue(close(lr, expected[t]), "\(name) t=\(t): \(lr) vs PyTorch \(expected[t])")
            }
            if metrics != nil {
                XCTAssertEqual(ourReductions, theirReductions, "\(name): reduction steps")
                XCTAssertEqual(ourReductions.count, entry["num_reductions"]?.intValue, name)
                XCTAssertEqual(scheduler.plateau?.reductions, entry["num_reductions"]?.intValue, name)
            }
            if let momenta = entry["momentum_after_step"]?.doubleArray {
                let all = [try XCTUnwrap(entry["momentum_initial"]?.doubleValue)] + momenta
                for t in 0...steps {
                    let m = try XCTUnwrap(scheduler.momentum(step: t), name)
                    XCTAssertTrue(close(m, all[t]), "\(name) momentum t=\(t): \(m) vs PyTorch \(all[t])")
                }
            } else {
                XCTAssertNil(scheduler.momentum(step: 3), name)
            }
        }
    }

    /// LANGUAGE.md's definitions, spelled out on small cases.
    func testLanguageFormulas() {
        let timing = ScheduleTiming(totalSteps: 20, stepsPerEpoch: 4)
        func lr(_ s: LRSchedule, _ t: Int) -> Double { s.learningRate(step: t, base: 0.5, timing: timing) }
        XCTAssertEqual((0..<20).map { lr(.constant, $0) }, Array(repeating: 0.5, count: 20))
        // step(every: 1 epochs = 4 steps, gamma 0.5)
        XCTAssertEqual([0, 3, 4, 7, 8, 19].map { lr(.step(every: 4, gamma: 0.5), $0) }, [0.5, 0.5, 0.25, 0.25, 0.125, 0.5 / 16])
        // exponential is per epoch index
        XCTAssertEqual([0, 3, 4, 9].map { lr(.exponential(gamma: 0.1), $0) }, [0.5, 0.5, 0.05, 0.5 * 0.1 * 0.1].map { $0 }, accuracy: 1e-15)
        // linear(warmup: 4 steps): step 0 uses lr 0, then t/W, then (T−t)/(T−W)
        let linear = LRSchedule.linear(warmup: .steps(4))
        XCTAssertEqual([0, 1, 2, 4, 12, 19].map { linear.factor(step: $0, base: 0.5, timing: timing) }, [0, 0.25, 0.5, 1, 0.5, 1.0 / 16])
        // warm-up fraction of T: W = 0.1·20 = 2
        XCTAssertEqual(LRSchedule.linear(warmup: .fraction(0.1)).factor(step: 1, base: 0.5, timing: timing), 0.5)
        // fractional W stays real: W = 0.05·20 = 1 → t=0 gives 0; W = 0.075·20 = 1.5 → t=1 gives 1/1.5
        XCTAssertEqual(LRSchedule.linear(warmup: .fraction(0.075)).factor(step: 1, base: 0.5, timing: timing), 1 / 1.5, accuracy: 1e-12)
        // cosine(warmup: 4, min: 0.1): halfway through the decay it is (m + (lr−m)/2)
        let cosine = LRSchedule.cosine(warmup: .steps(4), min: 0.1)
        XCTAssertEqual(lr(cosine, 2), 0.25, accuracy: 1e-15)
        XCTAssertEqual(lr(cosine, 4), 0.5, accuracy: 1e-15)
        XCTAssertEqual(lr(cosine, 12), 0.1 + 0.4 * 0.5, accuracy: 1e-15)
        XCTAssertEqual(lr(cosine, 20), 0.1, accuracy: 1e-15)
        // multistep counts milestones ≤ t (a repeated milestone twice)
        XCTAssertEqual([0, 4, 5, 10].map { lr(.multistep(milestones: [5, 10, 10], gamma: 0.5), $0) }, [0.5, 0.5, 0.25, 0.0625])
        // cosine restarts with T_0 = 3, T_mult = 2: cycles [0,3), [3,9), [9,21)
        let restarts = LRSchedule.cosineRestarts(period: 3, multiplier: 2, min: 0)
        XCTAssertEqual(lr(restarts, 3), 0.5, accuracy: 1e-15)
        XCTAssertEqual(lr(restarts, 9), 0.5, accuracy: 1e-15)
        XCTAssertEqual(lr(restarts, 6), 0.25, accuracy: 1e-15)
        XCTAssertEqual(lr(.linearRamp(start: 0.5, end: 1, steps: 2), 1), 0.375)
    }

    func testOneCycleVariants() {
        let timing = ScheduleTiming(totalSteps: 100, stepsPerEpoch: 10)
        let cos = LRSchedule.oneCycle(OneCycle())
        // Starts at max/25 with max momentum, peaks at step 29, ends near max/25/1e4.
        XCTAssertEqual(cos.learningRate(step: 0, base: 1, timing: timing), 1.0 / 25, accuracy: 1e-15)
        XCTAssertEqual(cos.learningRate(step: 29, base: 1, timing: timing), 1, accuracy: 1e-15)
        XCTAssertEqual(cos.learningRate(step: 99, base: 1, timing: timing), 1.0 / 25 / 1e4, accuracy: 1e-15)
        XCTAssertEqual(cos.momentum(step: 0, timing: timing), 0.95)
        XCTAssertEqual(cos.momentum(step: 29, timing: timing)!, 0.85, accuracy: 1e-15)
        // Linear anneal is linear: at the middle of phase 1 the lr is the midpoint.
        let lin = LRSchedule.oneCycle(OneCycle(maxLR: 2, pctStart: 0.5, anneal: .linear))
        XCTAssertEqual(lin.learningRate(step: 0, base: 1, timing: ScheduleTiming(totalSteps: 21, stepsPerEpoch: 1)), 0.08, accuracy: 1e-15)
        XCTAssertEqual(lin.learningRate(step: 19, base: 9, timing: ScheduleTiming(totalSteps: 40, stepsPerEpoch: 1)), 2, accuracy: 1e-15)
        // Three phases: back to initial at 2·pct·T − 2, then down to min.
        let three = LRSchedule.oneCycle(OneCycle(threePhase: true))
        XCTAssertEqual(three.learningRate(step: 58, base: 1, timing: timing), 1.0 / 25, accuracy: 1e-15)
        XCTAssertEqual(three.momentum(step: 58, timing: timing)!, 0.95, accuracy: 1e-15)
        XCTAssertEqual(three.learningRate(step: 99, base: 1, timing: timing), 1.0 / 25 / 1e4, accuracy: 1e-15)
        XCTAssertNil(LRSchedule.oneCycle(OneCycle(cycleMomentum: false)).momentum(step: 5, timing: timing))
    }

    /// Plateau state survives a checkpoint round trip and continues identically.
    func testPlateauStateRoundTripAndModes() throws {
        let config = ReduceLROnPlateau.Config(factor: 0.5, patience: 1, cooldown: 1, minLR: 0.01)
        let metrics = [1.0, 0.9, 0.95, 0.97, 0.96, 0.99, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        var straight = ReduceLROnPlateau(config: config, lr: 0.1)
        var reducedAt = [Int]()
        for (i, m) in metrics.enumerated() where straight.step(metric: m) { reducedAt.append(i) }
        XCTAssertEqual(reducedAt, [3, 8, 11])  // traced by hand with PyTorch's algorithm
        XCTAssertEqual(straight.lr, 0.0125, accuracy: 1e-15)

        var first = ReduceLROnPlateau(config: config, lr: 0.1)
        for m in metrics[0..<4] { first.step(metric: m) }
        let text = JSONWriter.encode(first.stateJSON)
        var resumed = try ReduceLROnPlateau(config: config, stateJSON: try JSONParser.parse(text))
        XCTAssertEqual(resumed, first)
        for m in metrics[4...] { resumed.step(metric: m) }
        XCTAssertEqual(resumed, straight)

        // min_lr floors the lr; eps stops pointless reductions.
        var floor = ReduceLROnPlateau(config: .init(factor: 0.1, patience: 0, minLR: 0.05), lr: 0.1)
        for _ in 0..<5 { floor.step(metric: 1) }
        XCTAssertEqual(floor.lr, 0.05)
        XCTAssertEqual(floor.reductions, 1)
        // mode max for accuracy-like metrics.
        var maxMode = ReduceLROnPlateau(config: .init(mode: .max, patience: 0), lr: 1)
        XCTAssertFalse(maxMode.step(metric: 0.5))
        XCTAssertFalse(maxMode.step(metric: 0.6))
        XCTAssertTrue(maxMode.step(metric: 0.55))
        // A fresh state (best = ∞) survives JSON, which has no infinity.
        let fresh = ReduceLROnPlateau(config: config, lr: 0.3)
        XCTAssertEqual(try ReduceLROnPlateau(config: config, stateJSON: try JSONParser.parse(JSONWriter.encode(fresh.stateJSON))), fresh)
        XCTAssertThrowsError(try ReduceLROnPlateau(config: config, stateJSON: ["lr": 1]))

        var scheduler = LRScheduler(.plateau(config), base: 0.1, timing: ScheduleTiming(totalSteps: 10, stepsPerEpoch: 1))
        for m in metrics[0..<4] { scheduler.epochEnded(validLoss: m) }
        XCTAssertEqual(scheduler.learningRate(step: 7), 0.05)
        var restored = LRScheduler(.plateau(config), base: 0.1, timing: ScheduleTiming(totalSteps: 10, stepsPerEpoch: 1))
        try restored.restore(stateJSON: scheduler.stateJSON)
        XCTAssertEqual(restored, scheduler)
        XCTAssertEqual(LRScheduler(.constant, base: 1, timing: ScheduleTiming(totalSteps: 1, stepsPerEpoch: 1)).stateJSON, .null)
    }

    /// The compiler's lowered spec maps onto these schedules (epochs → steps).
    func testFromLoweredSpec() {
        let timing = ScheduleTiming(totalSteps: 26, stepsPerEpoch: 13)
        let step = LRSchedule(.step(every: .epochs(1), gamma: 0.5), stepsPerEpoch: 13, totalSteps: 26)
        XCTAssertEqual(step, .step(every: 13, gamma: 0.5))
        XCTAssertEqual(step.learningRate(step: 13, base: 0.05, timing: timing), 0.025)
        XCTAssertEqual(LRSchedule(.linear(warmup: .steps(4)), stepsPerEpoch: 13, totalSteps: 26), .linear(warmup: .steps(4)))
        XCTAssertEqual(LRSchedule(.cosine(warmup: .fraction(0.05), min: 0), stepsPerEpoch: 13, totalSteps: 26),
                       .cosine(warmup: .fraction(0.05), min: 0))
        XCTAssertEqual(LRSchedule(.plateau(factor: 0.5, patience: 2, threshold: 1e-4, cooldown: 0, minLR: 0), stepsPerEpoch: 1, totalSteps: 1),
                       .plateau(.init(factor: 0.5, patience: 2)))
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
