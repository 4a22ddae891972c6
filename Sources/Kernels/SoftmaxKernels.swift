import Foundation

// Row-wise softmax and log-softmax over contiguous row-major float32 buffers, max-subtracted
// as PyTorch, forward/backward pairs, each with a plain scalar twin `…Reference` (libm exp and
// log). Reductions run in a fixed order, not the twins' one: tests compare with a tolerance.
//
// Two forward families, because recorded results depend on which one computed them:
// - `softmaxRows` and `logSoftmaxRows` (the tape's ops, cross-entropy, attention without a key
//   mask): a `Lanes` body and a scalar tail, whose exp is KernelMath's scalar form;
// - `maskedSoftmaxRows` (BERT's fused attention): a partial-vector tail, so every element
//   takes the SIMD exp.

/// y = e^(x − shift), body in `Lanes` and a scalar tail; returns Σ y (lanes in order, then
/// the tail).   // x: (N)  y: (N)
@inline(__always)
private func expShifted(_ n: Int, _ x: UnsafePointer<Float>, _ shift: Float, _ y: UnsafeMutablePointer<Float>) -> Float {
    var acc = Lanes(repeating: 0)
    var i = 0
    while i + 16 <= n { let e = KernelMath.exp(Lanes.load(x + i) - shift); e.store(to: y + i); acc += e; i += 16 }
    var s = acc.sum()
    while i < n { let e = KernelMath.exp(x[i] - shift); y[i] = e; s += e; i += 1 }
    return s
}

/// Softmax of each row: out[r, :] = e^(x − max) / Σ e^(x − max). With `logNormalizers` it also
/// writes each row's max + log Σ e^(x − max) (cross-entropy's log Z).
// x: (R,C)  out: (R,C) (may alias x)  logNormalizers: (R)
public func softmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                        logNormalizers: UnsafeMutablePointer<Float>? = nil) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = out + r * cols
        let m = vectorMax(xr, count: cols)
        let s = expShifted(cols, xr, m, yr)
        logNormalizers?[r] = m + Foundation.log(s)
        vectorScale(alpha: 1 / s, yr, out: yr, count: cols)
    }
}

/// dx (+)= y ⊙ (dout − ⟨dout, y⟩) per row; dx may alias dout (attention's backward computes
/// dS in place of dP).
// y: (R,C) the forward OUTPUT  dout: (R,C)  dx: (R,C)
public func softmaxRowsBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let yr = y + r * cols, gr = dout + r * cols, dr = dx + r * cols
        let d = vectorDot(gr, yr, count: cols)
        var i = 0
        if accumulate {
            while i + 16 <= cols { (Lanes.load(dr + i) + Lanes.load(yr + i) * (Lanes.load(gr + i) - d)).store(to: dr + i); i += 16 }
            while i < cols { dr[i] += yr[i] * (gr[i] - d); i += 1 }
        } else {
            while i + 16 <= cols { (Lanes.load(yr + i) * (Lanes.load(gr + i) - d)).store(to: dr + i); i += 16 }
            while i < cols { dr[i] = yr[i] * (gr[i] - d); i += 1 }
        }
    }
}

/// Log-softmax of each row: out[r, :] = x − max − log Σ e^(x − max).
// x: (R,C)  out: (R,C), not aliasing x (it holds e^(x − max) until the last pass)
public func logSoftmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, yr = out + r * cols
        let m = vectorMax(xr, count: cols)
        let shift = m + Foundation.log(expShifted(cols, xr, m, yr))
        var i = 0
        while i + 16 <= cols { (Lanes.load(xr + i) - shift).store(to: yr + i); i += 16 }
        while i < cols { yr[i] = xr[i] - shift; i += 1 }
    }
}

/// dx (+)= dout − e^y · Σ_c dout per row. Accumulating, the body computes (dx + dout) − e^y·Σ
/// and the tail dx + (dout − e^y·Σ): the association the recorded trajectories have.
// y: (R,C) the forward OUTPUT (log-probabilities)  dout: (R,C)  dx: (R,C)
public func logSoftmaxRowsBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                   rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let yr = y + r * cols, gr = dout + r * cols, dr = dx + r * cols
        let s = vectorSum(gr, count: cols)
        var i = 0
        if accumulate {
            while i + 16 <= cols {
                (Lanes.load(dr + i) + Lanes.load(gr + i) - KernelMath.exp(Lanes.load(yr + i)) * s).store(to: dr + i)
                i += 16
            }
            while i < cols { dr[i] += gr[i] - KernelMath.exp(yr[i]) * s; i += 1 }
        } else {
            while i + 16 <= cols { (Lanes.load(gr + i) - KernelMath.exp(Lanes.load(yr + i)) * s).store(to: dr + i); i += 16 }
            while i < cols { dr[i] = gr[i] - KernelMath.exp(yr[i]) * s; i += 1 }
        }
    }
}

// MARK: - Masked softmax (attention over padded keys)

/// The largest lane, in half-width steps (`.max()` on SIMD16 compiles to a per-lane loop).
@inline(__always) private func horizontalMax(_ m: Lanes) -> Float {
    let half = m.lowHalf.replacing(with: m.highHalf, where: m.highHalf .> m.lowHalf)
    let quarter = half.lowHalf.replacing(with: half.highHalf, where: half.highHalf .> half.lowHalf)
    var best = -Float.infinity
    for i in 0..<4 where quarter[i] > best { best = quarter[i] }
    return best
}

/// max of the row's x[i] where mask[i] ≠ 0; −∞ when none.   // x: (N)  mask: (N)
@inline(__always) private func maskedRowMax(_ x: UnsafePointer<Float>, _ n: Int, mask: UnsafePointer<Float>) -> Float {
    var m = Lanes(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
        var v = Lanes.load(x + i)
        v.replace(with: -.infinity, where: Lanes.load(mask + i) .== 0)
        m.replace(with: v, where: v .> m)  // (pointwiseMax is not vectorised by the compiler)
        i += 16
    }
    if i < n {
        var v = Lanes.load(x + i, count: n - i, fill: -.infinity)
        v.replace(with: -.infinity, where: Lanes.load(mask + i, count: n - i) .== 0)
        m.replace(with: v, where: v .> m)
    }
    return horizontalMax(m)
}

/// out[i] = e^(x[i] − shift) · mask[i] (masked entries exactly 0); returns Σ out[i].
// x: (N)  out: (N)  mask: (N)
@inline(__always) private func maskedRowExpSum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                                               shift: Float, mask: UnsafePointer<Float>) -> Float {
    let s = Lanes(repeating: shift)
    var acc = Lanes()
    var i = 0
    while i + 16 <= n {
        let e = KernelMath.exp(Lanes.load(x + i) - s) * Lanes.load(mask + i)
        e.store(to: out + i)
        acc += e
        i += 16
    }
    if i < n {
        var e = KernelMath.exp(Lanes.load(x + i, count: n - i) - s)
        e.replace(with: 0, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(n - i))
        e *= Lanes.load(mask + i, count: n - i)
        e.store(to: out + i, count: n - i)
        acc += e
    }
    return acc.sum()
}

/// Softmax of each row over the keys `keyMask` keeps (1 = keep, 0 = mask; the same for every
/// row, as attention's keys): masked entries are exactly 0, and a row with every key masked
/// is all zeros.
// x: (R,C)  out: (R,C) (may alias x)  keyMask: (C)
public func maskedSoftmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                              keyMask: UnsafePointer<Float>) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        let mx = maskedRowMax(xr, cols, mask: keyMask)
        if mx == -.infinity {
            orow.update(repeating: 0, count: cols)
            continue
        }
        let sum = maskedRowExpSum(xr, orow, cols, shift: mx, mask: keyMask)
        vectorScale(alpha: 1 / sum, orow, out: orow, count: cols)
    }
}

// MARK: - Scalar twins

/// Scalar twin of `softmaxRows`.
public func softmaxRowsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                 logNormalizers: UnsafeMutablePointer<Float>? = nil) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        var m = -Float.infinity
        for c in 0..<cols { m = max(m, xr[c]) }
        var s: Float = 0
        for c in 0..<cols { orow[c] = Foundation.exp(xr[c] - m); s += orow[c] }
        logNormalizers?[r] = m + Foundation.log(s)
        for c in 0..<cols { orow[c] /= s }
    }
}

/// Scalar twin of `maskedSoftmaxRows`.
public func maskedSoftmaxRowsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                       keyMask: UnsafePointer<Float>) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        var m = -Float.infinity
        for c in 0..<cols where keyMask[c] != 0 { m = max(m, xr[c]) }
        if m == -.infinity {
            for c in 0..<cols { orow[c] = 0 }
            continue
        }
        var s: Float = 0
        for c in 0..<cols { orow[c] = keyMask[c] != 0 ? Foundation.exp(xr[c] - m) : 0; s += orow[c] }
        for c in 0..<cols { orow[c] /= s }
    }
}

/// Scalar twin of `softmaxRowsBackward`.
public func softmaxRowsBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                         rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let o = r * cols
        var dot: Float = 0
        for c in 0..<cols { dot += y[o + c] * dout[o + c] }
        for c in 0..<cols {
            let v = y[o + c] * (dout[o + c] - dot)
            dx[o + c] = accumulate ? dx[o + c] + v : v
        }
    }
}

/// Scalar twin of `logSoftmaxRows`.
public func logSoftmaxRowsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        var m = -Float.infinity
        for c in 0..<cols { m = max(m, xr[c]) }
        var s: Float = 0
        for c in 0..<cols { s += Foundation.exp(xr[c] - m) }
        let l = m + Foundation.log(s)
        for c in 0..<cols { orow[c] = xr[c] - l }
    }
}

/// Scalar twin of `logSoftmaxRowsBackward`.
public func logSoftmaxRowsBackwardReference(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                            rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let o = r * cols
        var total: Float = 0
        for c in 0..<cols { total += dout[o + c] }
        for c in 0..<cols {
            let v = dout[o + c] - Foundation.exp(y[o + c]) * total
            dx[o + c] = accumulate ? dx[o + c] + v : v
        }
    }
}
