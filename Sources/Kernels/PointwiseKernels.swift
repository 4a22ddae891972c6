import Foundation

// Elementwise kernels over contiguous float32 buffers: a SIMD16 body and a partial-vector
// tail (computed with the same SIMD code, so an element's result does not depend on its
// position), each with a plain scalar twin named `…Reference` for tests.
//
// Conventions: `count` elements; `out` may alias an input (in-place is fine); backward
// kernels write `dx = local gradient` or, with `accumulate: true`, `dx += local gradient`.
// Twins use Foundation's libm (expf/tanhf/erff); fast kernels use KernelMath's
// approximations (see KernelMath.swift for their error bounds).

private typealias V = SIMD16<Float>

@inline(always)
private func mapUnary(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
                      _ f: (V) -> V) {
    var i = 0
    while i + 16 <= count {
        KernelMath.store(f(KernelMath.load(x + i)), out + i)
        i += 16
    }
    if i < count { KernelMath.store(f(KernelMath.load(x + i, count - i)), out + i, count - i) }
}

@inline(always)
private func mapBinary(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                       _ count: Int, _ f: (V, V) -> V) {
    var i = 0
    while i + 16 <= count {
        KernelMath.store(f(KernelMath.load(x + i), KernelMath.load(y + i)), out + i)
        i += 16
    }
    if i < count {
        let n = count - i
        KernelMath.store(f(KernelMath.load(x + i, n), KernelMath.load(y + i, n)), out + i, n)
    }
}

/// dx = g(x or y, dout) or dx += g(…): the shape of every activation backward.
@inline(always)
private func mapBackward(_ x: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         _ count: Int, _ accumulate: Bool, _ f: (V, V) -> V) {
    var i = 0
    if accumulate {
        while i + 16 <= count {
            KernelMath.store(KernelMath.load(dx + i) + f(KernelMath.load(x + i), KernelMath.load(dout + i)), dx + i)
            i += 16
        }
        if i < count {
            let n = count - i
            KernelMath.store(KernelMath.load(dx + i, n) + f(KernelMath.load(x + i, n), KernelMath.load(dout + i, n)), dx + i, n)
        }
    } else {
        mapBinary(x, dout, dx, count, f)
    }
}

/// A lane-wise function as a type. The transcendental kernels map with these instead of
/// closures: a closure as large as GELU's is not inlined into the loop but called once per
/// vector with its argument split into four 128-bit halves — measured 4× slower.
private protocol LaneFunction { static func apply(_ x: V) -> V }
/// A lane-wise function of (saved forward value, output gradient), for backward kernels.
private protocol LaneGradient { static func apply(_ x: V, _ g: V) -> V }

@inline(always)
private func map<F: LaneFunction>(_: F.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
        KernelMath.store(F.apply(KernelMath.load(x + i)), out + i)
        i += 16
    }
    if i < count { KernelMath.store(F.apply(KernelMath.load(x + i, count - i)), out + i, count - i) }
}

@inline(always)
private func map<F: LaneGradient>(_: F.Type, _ x: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                  _ dx: UnsafeMutablePointer<Float>, _ count: Int, _ accumulate: Bool) {
    var i = 0
    while i + 16 <= count {
        let d = F.apply(KernelMath.load(x + i), KernelMath.load(dout + i))
        KernelMath.store(accumulate ? KernelMath.load(dx + i) + d : d, dx + i)
        i += 16
    }
    if i < count {
        let n = count - i
        let d = F.apply(KernelMath.load(x + i, n), KernelMath.load(dout + i, n))
        KernelMath.store(accumulate ? KernelMath.load(dx + i, n) + d : d, dx + i, n)
    }
}

// MARK: - Arithmetic

/// out = x + y.   // x: (N)  y: (N)  out: (N)
public func vectorAdd(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    mapBinary(x, y, out, count) { $0 + $1 }
}

/// out = x − y.   // x: (N)  y: (N)  out: (N)
public func vectorSub(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    mapBinary(x, y, out, count) { $0 - $1 }
}

/// out = x ⊙ y.   // x: (N)  y: (N)  out: (N)
public func vectorMul(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    mapBinary(x, y, out, count) { $0 * $1 }
}

/// y += alpha · x (fused multiply-add per element).   // x: (N)  y: (N)
public func vectorAxpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let a = V(repeating: alpha)
    mapBinary(x, y, y, count) { $1.addingProduct(a, $0) }
}

/// out = alpha · x.   // x: (N)  out: (N)
public func vectorScale(alpha: Float, _ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    let a = V(repeating: alpha)
    mapUnary(x, out, count) { $0 * a }
}

/// out[r, c] = x[r, c] + bias[c].   // x: (R,C)  bias: (C)  out: (R,C), rows contiguous
public func biasAddRows(_ x: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                        rows: Int, cols: Int) {
    for r in 0..<rows {
        mapBinary(x + r * cols, bias, out + r * cols, cols) { $0 + $1 }
    }
}

// MARK: - Activations (forward: out = f(x); backward: dx (+)= f'(·) ⊙ dout)

/// out = max(x, 0).   // x: (N)  out: (N)
public func reluForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    mapUnary(x, out, count) { $0.replacing(with: 0, where: $0 .< 0) }
}

/// dx (+)= dout ⊙ [x > 0].   // x: (N) the forward input  dout: (N)  dx: (N)
public func reluBackward(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         count: Int, accumulate: Bool = false) {
    mapBackward(x, dout, dx, count, accumulate) { x, g in g.replacing(with: 0, where: .!(x .> 0)) }
}

private let invSqrt2: Float = 0.707_106_781_186_547_5
private let invSqrt2Pi: Float = 0.398_942_280_401_432_7
private let sqrt2OverPi: Float = 0.797_884_560_802_865_4
private let geluC: Float = 0.044_715

/// Exact GELU: out = x · Φ(x) = ½x(1 + erf(x/√2)).   // x: (N)  out: (N)
public func geluForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(GELU.self, x, out, count)
}

/// dx (+)= dout ⊙ (Φ(x) + x·φ(x)).   // x: (N) the forward input  dout: (N)  dx: (N)
public func geluBackward(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         count: Int, accumulate: Bool = false) {
    map(GELU.self, x, dout, dx, count, accumulate)
}

private enum GELU: LaneFunction, LaneGradient {
    @inline(always) static func apply(_ x: V) -> V { 0.5 * x * (1 + KernelMath.erf(x * invSqrt2)) }

    @inline(always) static func apply(_ x: V, _ g: V) -> V {
        let cdf = 0.5 * (1 + KernelMath.erf(x * invSqrt2))
        let pdf = KernelMath.exp(-0.5 * x * x) * invSqrt2Pi
        return g * (cdf + x * pdf)
    }
}

/// tanh-approximated GELU: out = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).   // x: (N)  out: (N)
public func geluTanhForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(GELUTanh.self, x, out, count)
}

/// dx (+)= dout ⊙ d/dx[tanh-GELU](x).   // x: (N) the forward input  dout: (N)  dx: (N)
public func geluTanhBackward(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                             count: Int, accumulate: Bool = false) {
    map(GELUTanh.self, x, dout, dx, count, accumulate)
}

private enum GELUTanh: LaneFunction, LaneGradient {
    @inline(always) static func apply(_ x: V) -> V {
        0.5 * x * (1 + KernelMath.tanh(sqrt2OverPi * (x + geluC * x * x * x)))
    }

    @inline(always) static func apply(_ x: V, _ g: V) -> V {
        let x2 = x * x
        let t = KernelMath.tanh(sqrt2OverPi * (x + geluC * x2 * x))
        let du = sqrt2OverPi * (1 + 3 * geluC * x2)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
    }
}

/// out = tanh(x).   // x: (N)  out: (N)
public func tanhForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(Tanh.self, x, out, count)
}

private enum Tanh: LaneFunction {
    @inline(always) static func apply(_ x: V) -> V { KernelMath.tanh(x) }
}

/// dx (+)= dout ⊙ (1 − y²).   // y: (N) the forward OUTPUT tanh(x)  dout: (N)  dx: (N)
public func tanhBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         count: Int, accumulate: Bool = false) {
    mapBackward(y, dout, dx, count, accumulate) { y, g in g * (1 - y * y) }
}

/// out = 1/(1 + e^(−x)).   // x: (N)  out: (N)
public func sigmoidForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(Sigmoid.self, x, out, count)
}

private enum Sigmoid: LaneFunction {
    @inline(always) static func apply(_ x: V) -> V { KernelMath.sigmoid(x) }
}

/// dx (+)= dout ⊙ y(1 − y).   // y: (N) the forward OUTPUT sigmoid(x)  dout: (N)  dx: (N)
public func sigmoidBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                            count: Int, accumulate: Bool = false) {
    mapBackward(y, dout, dx, count, accumulate) { y, g in g * y * (1 - y) }
}

// MARK: - Scalar twins (same contracts; libm for transcendental functions)

public func vectorAddReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] + y[i] }
}

public func vectorSubReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] - y[i] }
}

public func vectorMulReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] * y[i] }
}

public func vectorAxpyReference(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] += alpha * x[i] }
}

public func vectorScaleReference(alpha: Float, _ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = alpha * x[i] }
}

public func biasAddRowsReference(_ x: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                 rows: Int, cols: Int) {
    for r in 0..<rows { for c in 0..<cols { out[r * cols + c] = x[r * cols + c] + bias[c] } }
}

@inline(always)
private func backwardReference(_ dx: UnsafeMutablePointer<Float>, _ i: Int, _ v: Float, _ accumulate: Bool) {
    dx[i] = accumulate ? dx[i] + v : v
}

public func reluForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] < 0 ? 0 : x[i] }  // NaN propagates
}

public func reluBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, x[i] > 0 ? dout[i] : 0, accumulate) }
}

public func geluForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = 0.5 * x[i] * (1 + Foundation.erf(x[i] * invSqrt2)) }
}

public func geluBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count {
        let v = x[i]
        let d = 0.5 * (1 + Foundation.erf(v * invSqrt2)) + v * Foundation.exp(-0.5 * v * v) * invSqrt2Pi
        backwardReference(dx, i, dout[i] * d, accumulate)
    }
}

public func geluTanhForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count {
        let v = x[i]
        out[i] = 0.5 * v * (1 + Foundation.tanh(sqrt2OverPi * (v + geluC * v * v * v)))
    }
}

public func geluTanhBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                      count: Int, accumulate: Bool = false) {
    for i in 0..<count {
        let v = x[i]
        let t = Foundation.tanh(sqrt2OverPi * (v + geluC * v * v * v))
        let d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * sqrt2OverPi * (1 + 3 * geluC * v * v)
        backwardReference(dx, i, dout[i] * d, accumulate)
    }
}

public func tanhForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = Foundation.tanh(x[i]) }
}

public func tanhBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, dout[i] * (1 - y[i] * y[i]), accumulate) }
}

public func sigmoidForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = 1 / (1 + Foundation.exp(-x[i])) }
}

public func sigmoidBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                     count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, dout[i] * y[i] * (1 - y[i]), accumulate) }
}
