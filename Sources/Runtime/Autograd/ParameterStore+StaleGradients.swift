import Foundation
import Kernels
import Plan
import Support

/// Gradients cleared by marking, not by writing: a training step over W2's MLP cleared
/// 7.4 MB with memset and then had each weight-gradient GEMM read those zeros back to add
/// to them. `discardGradients()` only marks the trainable slots stale; the first writer
/// of each slot in the next backward overwrites it (a GEMM with beta 0) or zero-fills it
/// first (a rule that adds), and `settleGradients()` zero-fills the slots no rule reached
/// before anything reads the gradients as a whole (clipping, the optimizer).
///
/// Contract for code that writes a slot's gradient: take the pointer from
/// `gradientTarget(_:)` (overwrite when its beta is 0) or `accumulationTarget(_:)`
/// (always add), never from `gradients` directly, between a discard and a settle.
extension ParameterStore {
    /// Marks every trainable slot's gradient as zero without writing it (frozen slots'
    /// gradients are zero already and read by nothing).
    public func discardGradients() {
        for i in slots.indices where slots[i].trainable { staleGradients[i] = true }
    }

    /// Slot `i`'s gradient and the beta to write it with: 0 when it was discarded (the
    /// writer must then overwrite every element), 1 to add to what is there.
    public func gradientTarget(_ i: Int) -> (pointer: UnsafeMutablePointer<Float>, beta: Float) {
        let p = gradients.pointer + slots[i].offset
        if staleGradients[i] {
            staleGradients[i] = false
            return (p, 0)
        }
        return (p, 1)
    }

    /// Slot `i`'s gradient, ready to be added to (zero-filled first if it was discarded).
    public func accumulationTarget(_ i: Int) -> UnsafeMutablePointer<Float> {
        let p = gradients.pointer + slots[i].offset
        if staleGradients[i] {
            p.update(repeating: 0, count: slots[i].count)
            staleGradients[i] = false
        }
        return p
    }

    /// Zero-fills the slots discarded and not written since: afterwards `gradients` holds
    /// this step's gradient everywhere.
    public func settleGradients() {
        for i in slots.indices where staleGradients[i] { _ = accumulationTarget(i) }
    }

    /// Whether a slot's gradient is discarded and unwritten (tests).
    public func gradientIsDiscarded(_ i: Int) -> Bool { staleGradients[i] }
}
