import Foundation
import Kernels
import Plan
import Support

/// A stage's schedule bound to its base lr and timing, plus the plateau state
/// when the schedule is `plateau`: what the trainer asks for the lr (and
/// momentum) of every step and tells about every epoch's `valid.loss`.
///
/// ```swift
/// var s = LRScheduler(.cosine(warmup: .fraction(0.05), min: 0), base: 1e-3,
///                     timing: ScheduleTiming(totalSteps: 200, stepsPerEpoch: 20))
/// let lr = s.learningRate(step: t)
/// s.epochEnded(validLoss: loss)
/// ```
public struct LRScheduler: Sendable, Hashable {
    public let schedule: LRSchedule
    public let base: Double
    public let timing: ScheduleTiming
    /// Present exactly when `schedule` is `plateau`.
    public private(set) var plateau: ReduceLROnPlateau?

    public init(_ schedule: LRSchedule, base: Double, timing: ScheduleTiming) {
        self.schedule = schedule
        self.base = base
        self.timing = timing
        if case let .plateau(config) = schedule { plateau = ReduceLROnPlateau(config: config, lr: base) }
    }

    /// The lr of optimizer step `t`.
    public func learningRate(step t: Int) -> Double {
        plateau?.lr ?? schedule.learningRate(step: t, base: base, timing: timing)
    }

    /// The momentum / β₁ for step `t`, when the schedule cycles it.
    public func momentum(step t: Int) -> Double? { schedule.momentum(step: t, timing: timing) }

    /// Feeds an epoch's `valid.loss` (only `plateau` uses it); true if the lr dropped.
    @discardableResult
    public mutating func epochEnded(validLoss: Double) -> Bool {
        plateau?.step(metric: validLoss) ?? false
    }

    /// Schedule state for a resume checkpoint (`null` when stateless).
    public var stateJSON: JSONValue { plateau?.stateJSON ?? .null }

    /// Restores `stateJSON`.
    public mutating func restore(stateJSON: JSONValue) throws {
        guard case let .plateau(config) = schedule else { return }
        plateau = try ReduceLROnPlateau(config: config, stateJSON: stateJSON)
    }
}
