import Foundation

// Elementwise arithmetic over contiguous float32 buffers: a `Lanes` body and a scalar tail
// (one IEEE add, subtract or multiply per element either way, so an element's bits do not
// depend on its position), each kernel with a plain scalar twin named `…Reference`.
//
// Conventions: `count` elements; `out` may alias an input (in place is fine). Nothing here is
// fused: y + α·x is a multiply, then an add, as every recorded trajectory computed it. The
// loops are written out, not passed as closures: a closure is not always inlined into the
// loop, and then it costs a call per vector.

/// out = x + y.   // x: (N)  y: (N)  out: (N)
public func vectorAdd(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { (Lanes.load(x + i) + Lanes.load(y + i)).store(to: out + i); i += 16 }
    while i < count { out[i] = x[i] + y[i]; i += 1 }
}

/// out = x − y.   // x: (N)  y: (N)  out: (N)
public func vectorSub(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { (Lanes.load(x + i) - Lanes.load(y + i)).store(to: out + i); i += 16 }
    while i < count { out[i] = x[i] - y[i]; i += 1 }
}

/// out = x ⊙ y.   // x: (N)  y: (N)  out: (N)
public func vectorMul(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { (Lanes.load(x + i) * Lanes.load(y + i)).store(to: out + i); i += 16 }
    while i < count { out[i] = x[i] * y[i]; i += 1 }
}

/// out = x · alpha.   // x: (N)  out: (N)
public func vectorScale(alpha: Float, _ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { (Lanes.load(x + i) * alpha).store(to: out + i); i += 16 }
    while i < count { out[i] = x[i] * alpha; i += 1 }
}

/// y += alpha · x (a multiply, then an add: not fused).   // x: (N)  y: (N)
public func vectorAxpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { (Lanes.load(y + i) + alpha * Lanes.load(x + i)).store(to: y + i); i += 16 }
    while i < count { y[i] += alpha * x[i]; i += 1 }
}

/// y += x ⊙ w: the product rule's gradient for out = x ⊙ w.   // x: (N)  w: (N)  y: (N)
public func vectorMulAccumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                count n: Int) {
    var i = 0
    while i + 16 <= n { (Lanes.load(y + i) + Lanes.load(x + i) * Lanes.load(w + i)).store(to: y + i); i += 16 }
    while i < n { y[i] += x[i] * w[i]; i += 1 }
}

/// out = x ⊙ w + y (a residual through a dropout mask `w`).   // x, w, y, out: (N)
public func vectorMulAdd(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 16 <= n { (Lanes.load(x + i) * Lanes.load(w + i) + Lanes.load(y + i)).store(to: out + i); i += 16 }
    while i < n { out[i] = x[i] * w[i] + y[i]; i += 1 }
}

/// out = (x + y) + z.   // x, y, z, out: (N)
public func vectorAdd3(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafePointer<Float>,
                       out: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 16 <= n { (Lanes.load(x + i) + Lanes.load(y + i) + Lanes.load(z + i)).store(to: out + i); i += 16 }
    while i < n { out[i] = x[i] + y[i] + z[i]; i += 1 }
}

/// Each element clamped to [lo, hi]; NaN stays NaN (PyTorch's clamp).   // x: (N) in place
public func vectorClamp(_ x: UnsafeMutablePointer<Float>, count n: Int, lo: Float, hi: Float) {
    let vhi = Lanes(repeating: hi), vlo = Lanes(repeating: lo)
    var i = 0
    while i + 16 <= n {
        let v = Lanes.load(x + i)
        v.replacing(with: vhi, where: v .> vhi).replacing(with: vlo, where: v .< vlo).store(to: x + i)
        i += 16
    }
    while i < n {
        if x[i] > hi { x[i] = hi } else if x[i] < lo { x[i] = lo }
        i += 1
    }
}

/// out[r, c] = x[r, c] + bias[c].   // x: (R,C)  bias: (C)  out: (R,C), rows contiguous
public func biasAddRows(_ x: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                        rows: Int, cols: Int) {
    for r in 0..<rows { vectorAdd(x + r * cols, bias, out: out + r * cols, count: cols) }
}

/// Column sums, e.g. a bias gradient: out[c] (+)= Σ_r x[r, c], rows added in order
/// (bit-identical to the scalar twin).   // x: (R,C)  out: (C)
public func columnSums(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                       accumulate: Bool = false) {
    if !accumulate { out.update(repeating: 0, count: cols) }
    for r in 0..<rows { vectorAdd(out, x + r * cols, out: out, count: cols) }
}

// MARK: - Scalar twins (same contracts)

/// Scalar twin of `vectorAdd`.
public func vectorAddReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] + y[i] }
}

/// Scalar twin of `vectorSub`.
public func vectorSubReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] - y[i] }
}

/// Scalar twin of `vectorMul`.
public func vectorMulReference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] * y[i] }
}

/// Scalar twin of `vectorScale`.
public func vectorScaleReference(alpha: Float, _ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = alpha * x[i] }
}

/// Scalar twin of `vectorAxpy`.
public func vectorAxpyReference(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] += alpha * x[i] }
}

/// Scalar twin of `vectorMulAccumulate`.
public func vectorMulAccumulateReference(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                         count: Int) {
    for i in 0..<count { y[i] += x[i] * w[i] }
}

/// Scalar twin of `vectorMulAdd`.
public func vectorMulAddReference(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                  out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] * w[i] + y[i] }
}

/// Scalar twin of `vectorAdd3`.
public func vectorAdd3Reference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafePointer<Float>,
                                out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] + y[i] + z[i] }
}

/// Scalar twin of `vectorClamp`.
public func vectorClampReference(_ x: UnsafeMutablePointer<Float>, count: Int, lo: Float, hi: Float) {
    for i in 0..<count { x[i] = x[i] > hi ? hi : (x[i] < lo ? lo : x[i]) }
}

/// Scalar twin of `biasAddRows`.
public func biasAddRowsReference(_ x: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                 rows: Int, cols: Int) {
    for r in 0..<rows { for c in 0..<cols { out[r * cols + c] = x[r * cols + c] + bias[c] } }
}

/// Scalar twin of `columnSums`.
public func columnSumsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                accumulate: Bool = false) {
    for c in 0..<cols {
        var s: Float = accumulate ? out[c] : 0
        for r in 0..<rows { s += x[r * cols + c] }
        out[c] = s
    }
}
