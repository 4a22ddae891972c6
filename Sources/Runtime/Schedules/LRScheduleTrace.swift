import Foundation
import Kernels
import Plan
import Support

extension LRScheduler {
    /// The scheduler a trial trains with: its `schedule.lr` over `epochs × stepsPerEpoch`
    /// optimizer steps from its optimizer's base lr. The trainer builds its scheduler here,
    /// and so does every reader that redraws the schedule (`ftx report`), so both agree.
    public init(spec: TrainingSpec, stepsPerEpoch: Int) {
        let total = spec.schedule.epochs * stepsPerEpoch
        self.init(LRSchedule(spec.schedule.lr, stepsPerEpoch: stepsPerEpoch, totalSteps: total),
                  base: spec.optimizer.lr, timing: ScheduleTiming(totalSteps: total, stepsPerEpoch: stepsPerEpoch))
    }
}

/// The learning rate of every optimizer step a trial took, recomputed from its spec and
/// its history as the trainer computed it: steps per epoch from the first epoch's record
/// (its `step`), the scheduler of `LRScheduler(spec:stepsPerEpoch:)`, and for `plateau`
/// each epoch's `valid.loss` fed at the epoch's end, as the trainer feeds it.
public struct LRScheduleTrace: Sendable {
    /// The lr of steps 0, 1, … up to the last step the history records.
    public var learningRates: [Double]
    /// Optimizer steps per epoch.
    public var stepsPerEpoch: Int
    /// Steps the whole stage would take had it not stopped early.
    public var plannedSteps: Int

    /// Nil when the history is empty (the trial has not finished an epoch).
    public init?(spec: TrainingSpec, history: [EpochRecord]) {
        guard let first = history.first, first.epoch == 1, first.step > 0 else { return nil }
        stepsPerEpoch = first.step
        plannedSteps = spec.schedule.epochs * first.step
        var scheduler = LRScheduler(spec: spec, stepsPerEpoch: first.step)
        var rates: [Double] = []
        var step = 0
        for record in history {
            while step < record.step {
                rates.append(scheduler.learningRate(step: step))
                step += 1
            }
            if let v = record.value("valid.loss") { scheduler.epochEnded(validLoss: v) }
        }
        learningRates = rates
    }
}
