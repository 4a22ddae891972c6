import Foundation
import Kernels
import Plan
import Support

/// Gradient clipping over the trainable slots of a flat gradient buffer,
/// PyTorch's `clip_grad_norm_` and `clip_grad_value_`.
public enum GradientClipping {
    /// L2 norm of each trainable slot's gradient, as float32 (computed with
    /// float64 partial sums, so it is the correctly rounded norm to within an
    /// ulp; PyTorch's own float32 reduction differs from it by a few ulps).
    public static func slotNorms(_ gradients: UnsafePointer<Float>, group: ParameterGroup) -> [Float] {
        group.slots.filter(\.trainable).map { Float(sumOfSquares(gradients + $0.offset, count: $0.count).squareRoot()) }
    }

    /// PyTorch's total norm: the L2 norm of the per-tensor L2 norms.
    public static func totalNorm(_ gradients: UnsafePointer<Float>, group: ParameterGroup) -> Float {
        var sum = 0.0
        for slot in group.slots where slot.trainable {
            // Each tensor's norm is a float32 in PyTorch before the norm of norms.
            let n = Double(Float(sumOfSquares(gradients + slot.offset, count: slot.count).squareRoot()))
            sum += n * n
        }
        return Float(sum.squareRoot())
    }

    /// `clip_grad_norm_(params, maxNorm)`: total norm `N` over all trainable
    /// slots; `c = maxNorm / (N + 1e-6)` in float32 (PyTorch evaluates it as
    /// `(N + 1e-6)⁻¹ · maxNorm`); if `c < 1` every trainable gradient is
    /// multiplied by `c`. Returns `N`, the norm before clipping.
    @discardableResult
    public static func clipNorm(_ gradients: UnsafeMutablePointer<Float>, group: ParameterGroup, maxNorm: Double) -> Float {
        let total = totalNorm(gradients, group: group)
        let coef = (1 / (total + Float(1e-6))) * Float(maxNorm)
        if coef < 1 {
            for slot in group.slots where slot.trainable {
                vectorScale(alpha: coef, gradients + slot.offset, out: gradients + slot.offset, count: slot.count)
            }
        }
        return total
    }

    /// `clipNorm` on an array.
    @discardableResult
    public static func clipNorm(_ gradients: inout [Float], group: ParameterGroup, maxNorm: Double) -> Float {
        precondition(gradients.count >= group.count)
        return gradients.withUnsafeMutableBufferPointer { clipNorm($0.baseAddress!, group: group, maxNorm: maxNorm) }
    }

    /// `clip_grad_value_(params, clipValue)`: every trainable gradient element
    /// clamped to `[−Float(clipValue), Float(clipValue)]` (NaN stays NaN).
    public static func clipValue(_ gradients: UnsafeMutablePointer<Float>, group: ParameterGroup, clipValue: Double) {
        for slot in group.slots where slot.trainable {
            vectorClamp(gradients + slot.offset, count: slot.count, lo: -Float(clipValue), hi: Float(clipValue))
        }
    }

    /// `clipValue` on an array.
    public static func clipValue(_ gradients: inout [Float], group: ParameterGroup, clipValue value: Double) {
        precondition(gradients.count >= group.count)
        gradients.withUnsafeMutableBufferPointer { clipValue($0.baseAddress!, group: group, clipValue: value) }
    }
}
