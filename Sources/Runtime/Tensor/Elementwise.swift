import Foundation
import Kernels
import Plan
import Support

/// Contiguous elementwise kernels on raw buffers: a `SIMD16<Float>` main loop
/// and a scalar tail. Forward kernels write `y`; backward kernels *accumulate*
/// into `dx` (`dx += …`), which is what reverse accumulation needs.
///
/// Shapes: every buffer holds `n` floats; `x`, `y`, `dy`, `dx` are the op's
/// input, output, output gradient and input gradient.
public enum Elementwise {
    public typealias V = SIMD16<Float>
    typealias M = VectorMath

    @inline(always)
    static func map(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                    _ v: (V) -> V, _ s: (Float) -> Float) {
        var i = 0
        while i + 16 <= n { M.store(v(M.load(x + i)), y + i); i += 16 }
        while i < n { y[i] = s(x[i]); i += 1 }
    }

    @inline(always)
    static func zip(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                    _ v: (V, V) -> V, _ s: (Float, Float) -> Float) {
        var i = 0
        while i + 16 <= n { M.store(v(M.load(a + i), M.load(b + i)), y + i); i += 16 }
        while i < n { y[i] = s(a[i], b[i]); i += 1 }
    }

    /// dx[i] += g(dy[i], t[i]) where `t` is the saved input or output.
    @inline(always)
    static func accumulate(_ n: Int, _ dy: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                           _ v: (V, V) -> V, _ s: (Float, Float) -> Float) {
        var i = 0
        while i + 16 <= n { M.store(M.load(dx + i) + v(M.load(dy + i), M.load(t + i)), dx + i); i += 16 }
        while i < n { dx[i] += s(dy[i], t[i]); i += 1 }
    }

    // MARK: arithmetic

    /// y = a + b
    public static func add(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        zip(n, a, b, y, { $0 + $1 }, { $0 + $1 })
    }
    /// y = a − b
    public static func sub(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        zip(n, a, b, y, { $0 - $1 }, { $0 - $1 })
    }
    /// y = a ⊙ b
    public static func mul(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        zip(n, a, b, y, { $0 * $1 }, { $0 * $1 })
    }
    /// y = k · x
    public static func scale(_ n: Int, _ x: UnsafePointer<Float>, _ k: Float, _ y: UnsafeMutablePointer<Float>) {
        map(n, x, y, { $0 * k }, { $0 * k })
    }
    /// y += α · x
    public static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 16 <= n { M.store(M.load(y + i) + alpha * M.load(x + i), y + i); i += 16 }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }
    /// dx += dy ⊙ w (product rule for y = x ⊙ w)
    public static func mulAccumulate(_ n: Int, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        accumulate(n, dy, w, dx, { $0 * $1 }, { $0 * $1 })
    }
    /// Σ x (Double accumulation across SIMD partial sums).
    public static func sum(_ n: Int, _ x: UnsafePointer<Float>) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += M.load(x + i); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }
    /// out[c] += Σ_r x[r, c] for x (rows, cols): the bias gradient.
    public static func columnSumAccumulate(rows: Int, cols: Int, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { axpy(cols, 1, x + r * cols, out) }
    }

    // MARK: activations (forward / backward pairs)

    /// y = max(x, 0)
    public static func reluForward(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        map(n, x, y, { pointwiseMax($0, V(repeating: 0)) }, { $0 > 0 ? $0 : 0 })
    }
    /// dx += dy · [x > 0]   (x: the forward input or output; both give the same mask)
    public static func reluBackward(_ n: Int, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        accumulate(n, dy, x, dx, { g, x in V(repeating: 0).replacing(with: g, where: x .> 0) }, { g, x in x > 0 ? g : 0 })
    }

    // The transcendental activations are the kernels' (Kernels/PointwiseKernels.swift),
    // accumulating into dx as everything here does.

    /// y = ½ x (1 + erf(x/√2))   (GELU, exact form)
    public static func geluForward(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Kernels.geluForward(x, out: y, count: n)
    }
    /// dx += dy · (Φ(x) + x φ(x))
    public static func geluBackward(_ n: Int, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        Kernels.geluBackward(x, dout: dy, dx: dx, count: n, accumulate: true)
    }
    /// y = ½ x (1 + tanh(√(2/π)(x + 0.044715 x³)))   (GELU, tanh form)
    public static func geluTanhForward(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Kernels.geluTanhForward(x, out: y, count: n)
    }
    /// dx += dy · d/dx[tanh-GELU](x)
    public static func geluTanhBackward(_ n: Int, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        Kernels.geluTanhBackward(x, dout: dy, dx: dx, count: n, accumulate: true)
    }
    /// y = tanh(x)
    public static func tanhForward(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Kernels.tanhForward(x, out: y, count: n)
    }
    /// dx += dy · (1 − y²)   (y: the forward output)
    public static func tanhBackward(_ n: Int, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        Kernels.tanhBackward(y, dout: dy, dx: dx, count: n, accumulate: true)
    }
    /// y = 1 / (1 + e^−x)
    public static func sigmoidForward(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        Kernels.sigmoidForward(x, out: y, count: n)
    }
    /// dx += dy · y (1 − y)   (y: the forward output)
    public static func sigmoidBackward(_ n: Int, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        Kernels.sigmoidBackward(y, dout: dy, dx: dx, count: n, accumulate: true)
    }
}

/// Plain scalar twins of the activation kernels, in Double where it matters;
/// the reference the SIMD kernels are tested against.
public enum ScalarReference {
    /// ½ x (1 + erf(x/√2)) in Double.
    public static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot())) }
    /// GELU tanh form in Double.
    public static func geluTanh(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
    /// Sigmoid in Double.
    public static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
}
