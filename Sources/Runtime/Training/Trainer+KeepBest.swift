import Foundation
import Plan
import Support

/// `keep_best = METRIC`: after each epoch whose value of the metric beats every earlier
/// epoch's (strictly: a tie keeps the earlier epoch; NaN never counts), the weights a
/// checkpoint stores are copied aside; the trial is sealed with that copy instead of the
/// last epoch's weights. The copy is part of the resume state (`best.safetensors`,
/// checksummed in `last-state.json`), so a resumed trial keeps the same epoch bit for bit.
/// Separate from the epoch loop because checkpoint, resume, sealing and pruning all read it.
extension Trainer {
    /// The weights of the best epoch so far: the checkpointed parameters, copied out of the
    /// model's buffer into one block of their own.
    final class KeptWeights {
        private let layout: [(name: String, shape: [Int], offset: Int, count: Int)]
        private let buffer: UnsafeMutableBufferPointer<Float>

        /// An empty copy of the parameters of `model` that `keep` selects.
        init(model: MLPModel, keep: (String) -> Bool) {
            var offset = 0
            layout = model.tensorViews(keep: keep).map { v in
                defer { offset += v.values.count }
                return (v.name, v.shape, offset, v.values.count)
            }
            buffer = .allocate(capacity: offset)
            buffer.initialize(repeating: 0)
        }

        deinit { buffer.deallocate() }

        /// Copies the model's current values of the kept parameters.
        func capture(_ model: MLPModel) {
            let views = model.tensorViews(keep: Set(layout.map(\.name)).contains)
            for (slot, view) in zip(layout, views) {
                (buffer.baseAddress! + slot.offset).update(from: view.values.baseAddress!, count: slot.count)
            }
        }

        /// The copy as views for `TaskStore.writeTensors`, valid while this object is.
        var views: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] {
            layout.map { ($0.name, $0.shape, UnsafeBufferPointer(start: buffer.baseAddress! + $0.offset, count: $0.count)) }
        }

        /// Reads a copy written by `views` back (a resumed trial).
        func load(from file: SafetensorsFile) throws {
            for slot in layout {
                try file.copyFloats(slot.name, into: UnsafeMutableBufferPointer(rebasing: buffer[slot.offset..<(slot.offset + slot.count)]))
            }
        }
    }

    /// The resume-state file holding the kept weights.
    static let keptWeightsFile = "best.safetensors"
}

extension Trainer.Counters {
    /// The best `keep_best` value before the first epoch: any real value improves on it.
    static func noKeptBest(_ keep: KeepBestSpec?) -> Double {
        (keep?.minimize ?? true) ? .infinity : -.infinity
    }

    /// Whether a completed epoch's record is the new best under `keep`; if so, records it.
    mutating func recordForKeepBest(_ record: EpochRecord, keep: KeepBestSpec?) -> Bool {
        guard let keep, let v = record.value(EpochRecord.qualified(keep.metric)), !v.isNaN, keep.improves(v, on: keptBest) else {
            return false
        }
        keptBest = v
        keptEpoch = record.epoch
        return true
    }
}
