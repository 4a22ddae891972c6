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
            for slot in group.slots where slot.trainable { scale(gradients + slot.offset, count: slot.count, by: coef) }
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
        let hi = Float(clipValue), lo = -Float(clipValue)
        let vhi = SIMD16<Float>(repeating: hi), vlo = SIMD16<Float>(repeating: lo)
        for slot in group.slots where slot.trainable {
            let g = gradients + slot.offset
            let n = slot.count
            var i = 0
            while i + 16 <= n {
                let v = OptimVec.load(g, i)
                // Keep NaN lanes (PyTorch's clamp propagates NaN).
                let clamped = v.replacing(with: vhi, where: v .> vhi).replacing(with: vlo, where: v .< vlo)
                OptimVec.store(g, i, clamped)
                i += 16
            }
            while i < n {
                if g[i] > hi { g[i] = hi } else if g[i] < lo { g[i] = lo }
                i += 1
            }
        }
    }

    /// `clipValue` on an array.
    public static func clipValue(_ gradients: inout [Float], group: ParameterGroup, clipValue value: Double) {
        precondition(gradients.count >= group.count)
        gradients.withUnsafeMutableBufferPointer { clipValue($0.baseAddress!, group: group, clipValue: value) }
    }

    /// Σx² with float32 SIMD partial sums flushed to float64 every 1024 elements.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
        var total = 0.0
        var i = 0
        while i + 16 <= n {
            let blockEnd = min(n & ~15, i + 1024)
            var acc = SIMD16<Float>()
            while i < blockEnd {
                let v = OptimVec.load(x, i)
                acc = acc.addingProduct(v, v)
                i += 16
            }
            // Widen the 16 lanes before adding them up.
            for lane in 0..<16 { total += Double(acc[lane]) }
        }
        while i < n {
            total += Double(x[i]) * Double(x[i])
            i += 1
        }
        return total
    }

    private static func scale(_ x: UnsafeMutablePointer<Float>, count n: Int, by c: Float) {
        let vc = SIMD16<Float>(repeating: c)
        var i = 0
        while i + 16 <= n {
            OptimVec.store(x, i, OptimVec.load(x, i) * vc)
            i += 16
        }
        while i < n {
            x[i] *= c
            i += 1
        }
    }
}
