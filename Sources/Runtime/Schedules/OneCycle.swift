import Foundation
import Kernels
import Plan
import Support

/// PyTorch's `OneCycleLR` (Smith & Topin, super-convergence) over `T` steps.
///
/// `initial = max/div_factor`, `min = initial/final_div_factor`. Two phases
/// (default): `initial → max` until step `pct_start·T − 1`, then `max → min`
/// until `T − 1`; with `three_phase`: `initial → max`, `max → initial` until
/// `2·pct_start·T − 2`, `initial → min`. Within a phase starting at step `s₀`
/// and ending at `s₁`, `pct = (t − s₀)/(s₁ − s₀)` and
/// `anneal(a, b, pct) = b + (a − b)/2·(1 + cos(π·pct))` (cos) or
/// `a + (b − a)·pct` (linear). Momentum runs the other way between
/// `max_momentum` and `base_momentum`. Like PyTorch, step `T` itself
/// extrapolates the last phase (`pct > 1`).
public struct OneCycle: Sendable, Hashable {
    /// How a phase interpolates.
    public enum Anneal: String, Sendable, Hashable { case cos, linear }

    /// Peak lr; nil means the optimizer's configured lr.
    public var maxLR: Double?
    public var pctStart: Double
    public var anneal: Anneal
    public var divFactor: Double
    public var finalDivFactor: Double
    public var threePhase: Bool
    public var cycleMomentum: Bool
    public var baseMomentum: Double
    public var maxMomentum: Double

    /// PyTorch's defaults.
    public init(maxLR: Double? = nil, pctStart: Double = 0.3, anneal: Anneal = .cos, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, threePhase: Bool = false, cycleMomentum: Bool = true,
                baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        self.maxLR = maxLR
        self.pctStart = pctStart
        self.anneal = anneal
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.threePhase = threePhase
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
    }

    private struct Phase {
        var end: Double
        var lr: (Double, Double)
        var momentum: (Double, Double)
    }

    private func phases(base: Double, totalSteps T: Int) -> [Phase] {
        let peak = maxLR ?? base
        let initial = peak / divFactor
        let minimum = initial / finalDivFactor
        let total = Double(T)
        if threePhase {
            return [
                Phase(end: pctStart * total - 1, lr: (initial, peak), momentum: (maxMomentum, baseMomentum)),
                Phase(end: 2 * pctStart * total - 2, lr: (peak, initial), momentum: (baseMomentum, maxMomentum)),
                Phase(end: total - 1, lr: (initial, minimum), momentum: (maxMomentum, maxMomentum)),
            ]
        }
        return [
            Phase(end: pctStart * total - 1, lr: (initial, peak), momentum: (maxMomentum, baseMomentum)),
            Phase(end: total - 1, lr: (peak, minimum), momentum: (baseMomentum, maxMomentum)),
        ]
    }

    private func interpolate(_ a: Double, _ b: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return b + (a - b) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (b - a) * pct + a
        }
    }

    /// The phase containing `t` and the position within it.
    private func locate(_ t: Int, _ phases: [Phase]) -> (Phase, Double) {
        var start = 0.0
        let s = Double(t)
        for (i, phase) in phases.enumerated() {
            if s <= phase.end || i == phases.count - 1 {
                let span = phase.end - start
                // A zero-length phase (tiny T) is already complete.
                return (phase, span == 0 ? 1 : (s - start) / span)
            }
            start = phase.end
        }
        return (phases[phases.count - 1], 1)
    }

    /// lr at step `t` of `totalSteps`.
    public func learningRate(step t: Int, base: Double, totalSteps: Int) -> Double {
        let (phase, pct) = locate(t, phases(base: base, totalSteps: totalSteps))
        return interpolate(phase.lr.0, phase.lr.1, pct)
    }

    /// Momentum (or Adam β₁) at step `t` of `totalSteps`.
    public func momentum(step t: Int, totalSteps: Int) -> Double {
        let (phase, pct) = locate(t, phases(base: 1, totalSteps: totalSteps))
        return interpolate(phase.momentum.0, phase.momentum.1, pct)
    }
}
