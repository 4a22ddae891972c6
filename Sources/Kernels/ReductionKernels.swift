import Foundation

// Reductions over contiguous float32 buffers: a `Lanes` accumulator over the body, its lanes
// added in order, then the scalar tail. The order is fixed (independent of threads) but not
// the twins' plain left-to-right one: tests compare with a tolerance.

/// Σ x[i] (0 for count 0): one `Lanes` accumulator, then the tail.   // x: (N)
public func vectorSum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var acc = Lanes(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += Lanes.load(x + i); i += 16 }
    var s = acc.sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Σ x[i]·y[i] (products rounded, then added: not fused).   // x: (N)  y: (N)
public func vectorDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
    var acc = Lanes(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += Lanes.load(x + i) * Lanes.load(y + i); i += 16 }
    var s = acc.sum()
    while i < n { s += x[i] * y[i]; i += 1 }
    return s
}

/// max x[i] (−∞ for count 0; inputs must not contain NaN).   // x: (N)
public func vectorMax(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var i = 0
    var m = -Float.infinity
    if n >= 16 {
        var mv = Lanes.load(x)
        i = 16
        while i + 16 <= n { mv = pointwiseMax(mv, Lanes.load(x + i)); i += 16 }
        m = mv.max()
    }
    while i < n { m = max(m, x[i]); i += 1 }
    return m
}

/// Σ x[i]² in float64: float32 `Lanes` partial sums of fused squares, widened and added
/// every 1024 elements (a gradient norm correctly rounded to within an ulp).   // x: (N)
public func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    blockedSum(x, count: n, { acc, v in acc.addingProduct(v, v) }, { Double($0) * Double($0) })
}

/// Σ|x[i]| in float64, blocked as `sumOfSquares` (an L1 penalty's value).   // x: (N)
public func sumOfAbsolutes(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    blockedSum(x, count: n, { acc, v in acc + v.replacing(with: -v, where: v .< 0) }, { Double(abs($0)) })
}

/// Σ term(x[i]) in float64: `add` folds 16 elements into float32 lane sums, which are widened
/// and added every 1024 elements; the tail goes through `scalar`. One fixed order on every
/// machine.
@inline(__always)
private func blockedSum(_ x: UnsafePointer<Float>, count n: Int, _ add: (Lanes, Lanes) -> Lanes,
                        _ scalar: (Float) -> Double) -> Double {
    var total = 0.0
    var i = 0
    while i + 16 <= n {
        let blockEnd = min(n & ~15, i + 1024)
        var acc = Lanes()
        while i < blockEnd {
            acc = add(acc, Lanes.load(x + i))
            i += 16
        }
        // Widen the 16 lanes before adding them up.
        for lane in 0..<16 { total += Double(acc[lane]) }
    }
    while i < n {
        total += scalar(x[i])
        i += 1
    }
    return total
}

/// Whether every x[i] is finite: x − x is 0 for finite x and NaN for ±∞ or NaN, and one NaN
/// makes the sum NaN.   // x: (N)
public func vectorIsFinite(_ x: UnsafePointer<Float>, count n: Int) -> Bool {
    var acc = Lanes(repeating: 0)
    var i = 0
    while i + 16 <= n {
        let v = Lanes.load(x + i)
        acc += v - v
        i += 16
    }
    var tail: Float = 0
    while i < n { tail += x[i] - x[i]; i += 1 }
    return (acc.sum() + tail).isFinite
}

// MARK: - Scalar twins

/// Scalar twin of `vectorSum` (left to right).
public func vectorSumReference(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var s: Float = 0
    for i in 0..<count { s += x[i] }
    return s
}

/// Scalar twin of `vectorDot` (left to right).
public func vectorDotReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    var s: Float = 0
    for i in 0..<count { s += x[i] * y[i] }
    return s
}

/// Scalar twin of `vectorMax`.
public func vectorMaxReference(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var m = -Float.infinity
    for i in 0..<count { m = max(m, x[i]) }
    return m
}

/// Scalar twin of `sumOfSquares` (float64 throughout).
public func sumOfSquaresReference(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(x[i]) * Double(x[i]) }
    return s
}

/// Scalar twin of `sumOfAbsolutes`.
public func sumOfAbsolutesReference(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(abs(x[i])) }
    return s
}

/// Scalar twin of `vectorIsFinite`.
public func vectorIsFiniteReference(_ x: UnsafePointer<Float>, count: Int) -> Bool {
    (0..<count).allSatisfy { x[$0].isFinite }
}
