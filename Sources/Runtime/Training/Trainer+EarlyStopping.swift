import Foundation
import Plan

/// Early stopping (`early_stop = {metric:, patience:, min_delta:}`): after each epoch the
/// monitored metric either improves on the best so far (patience resets; the epoch becomes
/// `best_epoch`) or uses up one epoch of patience; a NaN never counts. Separate from the
/// epoch loop because its state is part of the checkpoint and its rule is its own.
extension Trainer.Counters {
    /// The best value before the first epoch: any real value improves on it.
    static func noEarlyBest(_ early: EarlyStopSpec?) -> Double {
        (early?.minimize ?? true) ? .infinity : -.infinity
    }

    /// Updates the early-stopping state with a completed epoch's record.
    mutating func recordForEarlyStop(_ record: EpochRecord, early: EarlyStopSpec?) {
        guard let early, let v = record.value(EpochRecord.qualified(early.metric)), !v.isNaN else { return }
        if early.improves(v, on: earlyBest) {
            earlyBest = v
            earlyBad = 0
            bestEpoch = record.epoch
        } else {
            earlyBad += 1
        }
    }

    /// Whether patience ran out (never before the first epoch).
    func earlyStops(_ early: EarlyStopSpec?) -> Bool {
        guard let early else { return false }
        return epoch > 0 && earlyBad >= early.patience
    }
}
