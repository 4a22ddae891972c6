import Foundation
import Kernels
import Plan
import Support

/// How long a stage is, in optimizer steps: what step-based schedules need.
public struct ScheduleTiming: Sendable, Hashable {
    /// `T` = epochs × batches per epoch.
    public var totalSteps: Int
    /// Batches per epoch (`1 epochs` in step units).
    public var stepsPerEpoch: Int

    public init(totalSteps: Int, stepsPerEpoch: Int) {
        self.totalSteps = max(totalSteps, 0)
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
    }
}

/// A warm-up length: a step count, or a fraction of all optimizer steps.
public enum Warmup: Sendable, Hashable {
    case steps(Int)
    /// `fraction · T` steps, kept real (LANGUAGE.md's `t/W` with `W = f·T`, not rounded).
    case fraction(Double)

    /// `W` in steps.
    public func length(totalSteps: Int) -> Double {
        switch self {
        case let .steps(n): return Double(max(n, 0))
        case let .fraction(f): return max(f, 0) * Double(totalSteps)
        }
    }
}

/// A learning-rate schedule: the lr of optimizer step `t` (0-based over the
/// whole stage) as a pure function of `t`, the base lr and the stage timing,
/// exactly as the language specification's "Exact training semantics" (spec/LANGUAGE.md) defines it. Step counts
/// are already resolved to optimizer steps (`every: 2 epochs` → `2 · stepsPerEpoch`).
///
/// PyTorch equivalents (the lr PyTorch uses at step `t` is the one after `t`
/// `scheduler.step()` calls):
/// - `step` ↔ `StepLR`, `multistep` ↔ `MultiStepLR`, `exponential` ↔
///   `ExponentialLR` stepped per epoch, `cosine(warmup: 0, min:)` ↔
///   `CosineAnnealingLR(T_max: T, eta_min:)`, `linear`/`cosine` with warm-up ↔
///   Hugging Face's `get_linear/cosine_schedule_with_warmup`, `linearRamp` ↔
///   `LinearLR`, `cosineRestarts` ↔ `CosineAnnealingWarmRestarts`, `oneCycle`
///   ↔ `OneCycleLR(total_steps: T)`, `plateau` ↔ `ReduceLROnPlateau` (stateful:
///   see `ReduceLROnPlateau` and `LRScheduler`).
public enum LRSchedule: Sendable, Hashable {
    /// `f(t) = 1`.
    case constant
    /// `f(t) = γ^⌊t/E⌋`, `E` in steps.
    case step(every: Int, gamma: Double)
    /// `f(t) = γ^|{m ∈ milestones : m ≤ t}|` (a repeated milestone counts twice, as PyTorch's Counter).
    case multistep(milestones: [Int], gamma: Double)
    /// `f(t) = γ^⌊t / stepsPerEpoch⌋` (the epoch index).
    case exponential(gamma: Double)
    /// `t/W` for `t < W`, then `(m + (lr − m)·½(1 + cos(π(t − W)/(T − W))))/lr`; `min` is an absolute lr.
    case cosine(warmup: Warmup, min: Double)
    /// `t/W` for `t < W`, then `max(0, (T − t)/(T − W))`; step 0 uses lr 0 when `W > 0`.
    case linear(warmup: Warmup)
    /// PyTorch `LinearLR`: factor `start + (end − start)·min(t, n)/n`.
    case linearRamp(start: Double, end: Double, steps: Int)
    /// PyTorch `CosineAnnealingWarmRestarts(T_0: period, T_mult: multiplier, eta_min: min)`.
    case cosineRestarts(period: Int, multiplier: Int, min: Double)
    /// PyTorch `OneCycleLR` over `T` steps (lr and momentum).
    case oneCycle(OneCycle)
    /// PyTorch `ReduceLROnPlateau`, fed once per epoch; as a pure function it is the base lr.
    case plateau(ReduceLROnPlateau.Config)

    /// The lr of step `t` for an optimizer whose configured lr is `base`.
    public func learningRate(step t: Int, base: Double, timing: ScheduleTiming) -> Double {
        let T = Double(timing.totalSteps)
        let t = max(t, 0)
        let td = Double(t)
        switch self {
        case .constant, .plateau:
            return base
        case let .step(every, gamma):
            return base * pow(gamma, Double(t / max(every, 1)))
        case let .multistep(milestones, gamma):
            return base * pow(gamma, Double(milestones.filter { $0 <= t }.count))
        case let .exponential(gamma):
            return base * pow(gamma, Double(t / timing.stepsPerEpoch))
        case let .linear(warmup):
            let w = warmup.length(totalSteps: timing.totalSteps)
            if td < w { return base * td / w }
            return base * max(0, (T - td) / max(1, T - w))
        case let .cosine(warmup, minLR):
            let w = warmup.length(totalSteps: timing.totalSteps)
            if td < w { return base * td / w }
            let progress = (td - w) / max(1, T - w)
            return minLR + (base - minLR) * 0.5 * (1 + cos(Double.pi * progress))
        case let .linearRamp(start, end, steps):
            let n = max(steps, 1)
            return base * (start + (end - start) * Double(min(t, n)) / Double(n))
        case let .cosineRestarts(period, multiplier, minLR):
            // Walk the cycles in integers: exact, unlike PyTorch's log-based closed form.
            var tCur = t, tI = max(period, 1)
            while tCur >= tI {
                tCur -= tI
                tI *= max(multiplier, 1)
            }
            return minLR + (base - minLR) * (1 + cos(Double.pi * Double(tCur) / Double(tI))) / 2
        case let .oneCycle(cycle):
            return cycle.learningRate(step: t, base: base, totalSteps: timing.totalSteps)
        }
    }

    /// `learningRate / base`: LANGUAGE.md's `f(t)`.
    public func factor(step t: Int, base: Double, timing: ScheduleTiming) -> Double {
        base == 0 ? 0 : learningRate(step: t, base: base, timing: timing) / base
    }

    /// The momentum (SGD momentum / Adam β₁) the schedule sets at step `t`;
    /// nil when it leaves momentum alone (everything but a cycling `oneCycle`).
    public func momentum(step t: Int, timing: ScheduleTiming) -> Double? {
        guard case let .oneCycle(cycle) = self, cycle.cycleMomentum else { return nil }
        return cycle.momentum(step: max(t, 0), totalSteps: timing.totalSteps)
    }
}
