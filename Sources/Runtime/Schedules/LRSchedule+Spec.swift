import Foundation
import Kernels
import Plan
import Support

extension LRSchedule {
    /// The schedule a lowered `LRScheduleSpec` denotes, with step counts in
    /// epochs resolved to optimizer steps. A warm-up fraction stays a fraction
    /// (`W = f·T`, real-valued, per LANGUAGE.md's `t/W`).
    public init(_ spec: LRScheduleSpec, stepsPerEpoch: Int, totalSteps: Int) {
        func steps(_ c: StepCount) -> Int { c.resolve(stepsPerEpoch: max(stepsPerEpoch, 1), totalSteps: totalSteps) }
        func warmup(_ c: StepCount) -> Warmup {
            if case let .fraction(f) = c { return .fraction(f) }
            return .steps(steps(c))
        }
        switch spec {
        case .constant: self = .constant
        case let .step(every, gamma): self = .step(every: steps(every), gamma: gamma)
        case let .multistep(milestones, gamma): self = .multistep(milestones: milestones.map(steps), gamma: gamma)
        case let .exponential(gamma): self = .exponential(gamma: gamma)
        case let .cosine(w, minLR): self = .cosine(warmup: warmup(w), min: minLR)
        case let .linear(w): self = .linear(warmup: warmup(w))
        case let .cosineRestarts(period, multiplier, minLR):
            self = .cosineRestarts(period: steps(period), multiplier: multiplier, min: minLR)
        case let .oneCycle(maxLR, pctStart, anneal, divFactor, finalDivFactor, threePhase):
            self = .oneCycle(OneCycle(maxLR: maxLR, pctStart: pctStart, anneal: anneal == "linear" ? .linear : .cos,
                                      divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase))
        case let .plateau(factor, patience, threshold, cooldown, minLR):
            self = .plateau(.init(factor: factor, patience: patience, threshold: threshold, cooldown: cooldown, minLR: minLR))
        }
    }
}
