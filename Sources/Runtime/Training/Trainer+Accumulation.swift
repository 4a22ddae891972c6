import Foundation
import Plan

/// Gradient accumulation (`schedule { accumulate = k }`): one optimizer step per `k`
/// consecutive batches, whose gradient is the row-weighted mean of the batches'
/// gradients, Σ nₖ·gₖ / Σ nₖ — the gradient of the mean loss over all their rows, so
/// `batch_size = 8, accumulate = 4` updates as `batch_size = 32` does (up to rounding).
/// Separate from the epoch loop, which only says when to add and when to average.
extension Trainer {
    /// Adds `rows · gradients` to `sum` over the trainable slots (`first`: overwrites instead).
    static func accumulate(_ gradients: UnsafeMutablePointer<Float>, rows: Int, into sum: UnsafeMutablePointer<Float>,
                           first: Bool, group: ParameterGroup) {
        let w = Float(rows)
        for s in group.trainableSlots {
            let g = gradients + s.offset, a = sum + s.offset
            if first {
                for i in 0..<s.count { a[i] = w * g[i] }
            } else {
                for i in 0..<s.count { a[i] += w * g[i] }
            }
        }
    }

    /// Writes `sum / rows` into `gradients` over the trainable slots.
    static func averageAccumulated(_ sum: UnsafeMutablePointer<Float>, rows: Int, into gradients: UnsafeMutablePointer<Float>,
                                   group: ParameterGroup) {
        let inv = Float(1 / Double(max(rows, 1)))
        for s in group.trainableSlots {
            let g = gradients + s.offset, a = sum + s.offset
            for i in 0..<s.count { g[i] = a[i] * inv }
        }
    }
}
