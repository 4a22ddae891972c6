import Foundation

// Activation kernels, forward/backward pairs over contiguous float32 buffers: a `Lanes` body
// and a partial-vector tail (computed with the same SIMD code, so an element's result does not
// depend on its position), each with a plain scalar twin named `…Reference` for tests.
//
// Conventions: `count` elements; `out` may alias an input (in-place is fine); backward
// kernels write `dx = local gradient` or, with `accumulate: true`, `dx += local gradient`.
// Twins use Foundation's libm (expf/tanhf/erff); fast kernels use KernelMath's
// approximations (see KernelMath.swift for their error bounds).

/// A lane-wise function as a type. The kernels map with these instead of closures: a closure
/// is not always inlined into the loop (GELU's never is) but called once per vector, with its
/// argument split into four 128-bit halves — measured 4× slower.
private protocol LaneFunction { static func apply(_ x: Lanes) -> Lanes }
/// A lane-wise function of (saved forward value, output gradient), for backward kernels.
private protocol LaneGradient { static func apply(_ x: Lanes, _ g: Lanes) -> Lanes }

@inline(always)
private func map<F: LaneFunction>(_: F.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
        F.apply(Lanes.load(x + i)).store(to: out + i)
        i += 16
    }
    if i < count { F.apply(Lanes.load(x + i, count: count - i)).store(to: out + i, count: count - i) }
}

@inline(always)
private func map<F: LaneGradient>(_: F.Type, _ x: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                  _ dx: UnsafeMutablePointer<Float>, _ count: Int, _ accumulate: Bool) {
    var i = 0
    while i + 16 <= count {
        let d = F.apply(Lanes.load(x + i), Lanes.load(dout + i))
        (accumulate ? Lanes.load(dx + i) + d : d).store(to: dx + i)
        i += 16
    }
    if i < count {
        let n = count - i
        let d = F.apply(Lanes.load(x + i, count: n), Lanes.load(dout + i, count: n))
        (accumulate ? Lanes.load(dx + i, count: n) + d : d).store(to: dx + i, count: n)
    }
}

// MARK: - Activations (forward: out = f(x); backward: dx (+)= f'(·) ⊙ dout)

/// out = x > 0 ? x : 0 (+0 for −0 and NaN, as `pointwiseMax(x, 0)`: checked over all 2³²
/// inputs).   // x: (N)  out: (N)
public func reluForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(ReLU.self, x, out, count)
}

/// dx (+)= dout ⊙ [x > 0].   // x: (N) the forward input  dout: (N)  dx: (N)
public func reluBackward(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         count: Int, accumulate: Bool = false) {
    map(ReLU.self, x, dout, dx, count, accumulate)
}

private enum ReLU: LaneFunction, LaneGradient {
    @inline(always) static func apply(_ x: Lanes) -> Lanes { Lanes(repeating: 0).replacing(with: x, where: x .> 0) }

    @inline(always) static func apply(_ x: Lanes, _ g: Lanes) -> Lanes { g.replacing(with: 0, where: .!(x .> 0)) }
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
    @inline(always) static func apply(_ x: Lanes) -> Lanes { 0.5 * x * (1 + KernelMath.erf(x * invSqrt2)) }

    @inline(always) static func apply(_ x: Lanes, _ g: Lanes) -> Lanes {
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
    @inline(always) static func apply(_ x: Lanes) -> Lanes {
        0.5 * x * (1 + KernelMath.tanh(sqrt2OverPi * (x + geluC * x * x * x)))
    }

    @inline(always) static func apply(_ x: Lanes, _ g: Lanes) -> Lanes {
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

private enum Tanh: LaneFunction, LaneGradient {
    @inline(always) static func apply(_ x: Lanes) -> Lanes { KernelMath.tanh(x) }

    /// y: the forward output.
    @inline(always) static func apply(_ y: Lanes, _ g: Lanes) -> Lanes { g * (1 - y * y) }
}

/// dx (+)= dout ⊙ (1 − y²).   // y: (N) the forward OUTPUT tanh(x)  dout: (N)  dx: (N)
public func tanhBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         count: Int, accumulate: Bool = false) {
    map(Tanh.self, y, dout, dx, count, accumulate)
}

/// out = 1/(1 + e^(−x)).   // x: (N)  out: (N)
public func sigmoidForward(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    map(Sigmoid.self, x, out, count)
}

private enum Sigmoid: LaneFunction, LaneGradient {
    @inline(always) static func apply(_ x: Lanes) -> Lanes { KernelMath.sigmoid(x) }

    /// y: the forward output.
    @inline(always) static func apply(_ y: Lanes, _ g: Lanes) -> Lanes { g * y * (1 - y) }
}

/// dx (+)= dout ⊙ y(1 − y).   // y: (N) the forward OUTPUT sigmoid(x)  dout: (N)  dx: (N)
public func sigmoidBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                            count: Int, accumulate: Bool = false) {
    map(Sigmoid.self, y, dout, dx, count, accumulate)
}

// MARK: - Scalar twins (same contracts; libm for transcendental functions)

@inline(always)
private func backwardReference(_ dx: UnsafeMutablePointer<Float>, _ i: Int, _ v: Float, _ accumulate: Bool) {
    dx[i] = accumulate ? dx[i] + v : v
}

/// Scalar twin of `reluForward`.
public func reluForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] > 0 ? x[i] : 0 }
}

/// Scalar twin of `reluBackward`.
public func reluBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, x[i] > 0 ? dout[i] : 0, accumulate) }
}

/// Scalar twin of `geluForward`.
public func geluForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = 0.5 * x[i] * (1 + Foundation.erf(x[i] * invSqrt2)) }
}

/// Scalar twin of `geluBackward`.
public func geluBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count {
        let v = x[i]
        let d = 0.5 * (1 + Foundation.erf(v * invSqrt2)) + v * Foundation.exp(-0.5 * v * v) * invSqrt2Pi
        backwardReference(dx, i, dout[i] * d, accumulate)
    }
}

/// Scalar twin of `geluTanhForward`.
public func geluTanhForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count {
        let v = x[i]
        out[i] = 0.5 * v * (1 + Foundation.tanh(sqrt2OverPi * (v + geluC * v * v * v)))
    }
}

/// Scalar twin of `geluTanhBackward`.
public func geluTanhBackwardReference(_ x: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                      count: Int, accumulate: Bool = false) {
    for i in 0..<count {
        let v = x[i]
        let t = Foundation.tanh(sqrt2OverPi * (v + geluC * v * v * v))
        let d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * sqrt2OverPi * (1 + 3 * geluC * v * v)
        backwardReference(dx, i, dout[i] * d, accumulate)
    }
}

/// Scalar twin of `tanhForward`.
public func tanhForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = Foundation.tanh(x[i]) }
}

/// Scalar twin of `tanhBackward`.
public func tanhBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                  count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, dout[i] * (1 - y[i] * y[i]), accumulate) }
}

/// Scalar twin of `sigmoidForward`.
public func sigmoidForwardReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = 1 / (1 + Foundation.exp(-x[i])) }
}

/// Scalar twin of `sigmoidBackward`.
public func sigmoidBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                     count: Int, accumulate: Bool = false) {
    for i in 0..<count { backwardReference(dx, i, dout[i] * y[i] * (1 - y[i]), accumulate) }
}
