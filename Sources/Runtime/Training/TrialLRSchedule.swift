import Foundation

/// The learning rate of every optimizer step of a stage: `lr · f(t)` with `f`
/// per LANGUAGE.md "Exact training semantics" (`t` 0-based over the whole
/// stage, `T` = epochs × batches per epoch), times the ReduceLROnPlateau
/// factor when the schedule is `plateau`.
public struct TrialLRSchedule: Sendable {
    /// The schedule.
    public let spec: LRScheduleSpec
    /// The optimizer's configured lr.
    public let baseLR: Double
    /// Batches per epoch.
    public let stepsPerEpoch: Int
    /// All optimizer steps of the stage.
    public let totalSteps: Int

    public init(spec: LRScheduleSpec, baseLR: Double, stepsPerEpoch: Int, totalSteps: Int) {
        self.spec = spec
        self.baseLR = baseLR
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
        self.totalSteps = totalSteps
    }

    private func resolve(_ c: StepCount) -> Int { c.resolve(stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps) }

    /// The learning rate of step `t` (plateau schedules: the base lr; apply `PlateauState.lr`).
    public func learningRate(step t: Int) -> Double {
        let T = totalSteps
        switch spec {
        case .constant, .plateau:
            return baseLR
        case let .step(every, gamma):
            let e = max(resolve(every), 1)
            return baseLR * pow(gamma, Double(t / e))
        case let .multistep(milestones, gamma):
            let passed = milestones.map(resolve).filter { $0 <= t }.count
            return baseLR * pow(gamma, Double(passed))
        case let .exponential(gamma):
            return baseLR * pow(gamma, Double(t / stepsPerEpoch))
        case let .linear(warmup):
            let w = resolve(warmup)
            if t < w { return baseLR * Double(t) / Double(max(1, w)) }
            return baseLR * max(0, Double(T - t) / Double(max(1, T - w)))
        case let .cosine(warmup, minLR):
            let w = resolve(warmup)
            if t < w { return baseLR * Double(t) / Double(max(1, w)) }
            let progress = Double(t - w) / Double(max(1, T - w))
            return minLR + (baseLR - minLR) * 0.5 * (1 + cos(Double.pi * progress))
        case let .cosineRestarts(period, multiplier, minLR):
            // PyTorch CosineAnnealingWarmRestarts stepped once per optimizer step.
            let t0 = max(resolve(period), 1)
            var tCur = Double(t), tI = Double(t0)
            if multiplier == 1 {
                tCur = Double(t % t0)
            } else if t >= t0 {
                let m = Double(multiplier)
                let n = floor(log(Double(t) / Double(t0) * (m - 1) + 1) / log(m))
                tCur = Double(t) - Double(t0) * (pow(m, n) - 1) / (m - 1)
                tI = Double(t0) * pow(m, n)
            }
            return minLR + (baseLR - minLR) * (1 + cos(Double.pi * tCur / tI)) / 2
        case let .oneCycle(maxLR, pctStart, anneal, divFactor, finalDivFactor, threePhase):
            // PyTorch OneCycleLR (lr only; momentum cycling is not applied).
            let initial = maxLR / divFactor, minimum = initial / finalDivFactor
            let phases: [(end: Double, start: Double, stop: Double)] = threePhase
                ? [(pctStart * Double(T) - 1, initial, maxLR), (2 * pctStart * Double(T) - 2, maxLR, initial),
                   (Double(T) - 1, initial, minimum)]
                : [(pctStart * Double(T) - 1, initial, maxLR), (Double(T) - 1, maxLR, minimum)]
            var startStep = 0.0
            for (i, phase) in phases.enumerated() {
                if Double(t) <= phase.end || i == phases.count - 1 {
                    let pct = (Double(t) - startStep) / max(phase.end - startStep, 1e-12)
                    if anneal == "linear" { return (phase.stop - phase.start) * pct + phase.start }
                    return phase.stop + (phase.start - phase.stop) / 2 * (cos(Double.pi * pct) + 1)
                }
                startStep = phase.end
            }
            return minimum
        }
    }
}

/// PyTorch's `ReduceLROnPlateau` (mode min, relative threshold) on `valid.loss`,
/// stepped once per epoch; its state is part of a trial's resume checkpoint.
public struct PlateauState: Sendable, Equatable {
    /// The current learning rate.
    public var lr: Double
    /// Best metric seen (∞ initially).
    public var best: Double = .infinity
    public var badEpochs: Int = 0
    public var cooldownCounter: Int = 0

    public init(lr: Double) { self.lr = lr }

    /// Feeds one epoch's metric.
    public mutating func step(metric: Double, factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double) {
        if metric < best * (1 - threshold) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let newLR = max(lr * factor, minLR)
            if lr - newLR > 1e-8 { lr = newLR }
            cooldownCounter = cooldown
            badEpochs = 0
        }
    }
}
