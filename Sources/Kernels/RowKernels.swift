import Foundation

// Row-wise and reduction kernels over contiguous row-major float32 buffers, each with a
// plain scalar twin `…Reference` (libm for exp/log). SIMD16 body, masked partial-vector
// tail. Reductions use a fixed order (independent of threads), but a different one from
// the twins: tests compare with a tolerance.

private typealias V = SIMD16<Float>

/// The largest lane, in half-width steps (`.max()` on SIMD16 compiles to a per-lane loop).
@inline(always) private func horizontalMax(_ m: V) -> Float {
    let half = m.lowHalf.replacing(with: m.highHalf, where: m.highHalf .> m.lowHalf)
    let quarter = half.lowHalf.replacing(with: half.highHalf, where: half.highHalf .> half.lowHalf)
    var best = -Float.infinity
    for i in 0..<4 where quarter[i] > best { best = quarter[i] }
    return best
}

/// max of the row's x[i] where mask[i] ≠ 0 (every i without a mask); −∞ when none.
@inline(always) private func rowMax(_ x: UnsafePointer<Float>, _ n: Int, mask: UnsafePointer<Float>? = nil) -> Float {
    var m = V(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
        var v = KernelMath.load(x + i)
        if let mask { v.replace(with: -.infinity, where: KernelMath.load(mask + i) .== 0) }
        m.replace(with: v, where: v .> m)  // (pointwiseMax is not vectorised by the compiler)
        i += 16
    }
    if i < n {
        var v = KernelMath.load(x + i, n - i, fill: -.infinity)
        if let mask { v.replace(with: -.infinity, where: KernelMath.load(mask + i, n - i) .== 0) }
        m.replace(with: v, where: v .> m)
    }
    return horizontalMax(m)
}

/// out[i] = e^(x[i] − shift) for the row (times mask[i], so masked entries are exactly 0);
/// returns Σ out[i].
@inline(always) private func rowExpSum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                                         shift: Float, mask: UnsafePointer<Float>? = nil) -> Float {
    let s = V(repeating: shift)
    var acc = V()
    var i = 0
    while i + 16 <= n {
        var e = KernelMath.exp(KernelMath.load(x + i) - s)
        if let mask { e *= KernelMath.load(mask + i) }
        KernelMath.store(e, out + i)
        acc += e
        i += 16
    }
    if i < n {
        var e = KernelMath.exp(KernelMath.load(x + i, n - i) - s)
        e.replace(with: 0, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(n - i))
        if let mask { e *= KernelMath.load(mask + i, n - i) }
        KernelMath.store(e, out + i, n - i)
        acc += e
    }
    return acc.sum()
}

/// Numerically stable softmax of each row: out[r, :] = e^(x − max) / Σ e^(x − max).
/// With `keyMask` (cols values, 1 = keep, 0 = mask; the same for every row, as attention's
/// keys) masked entries are exactly 0 and a row with every entry masked is all zeros.
// x: (R,C)  out: (R,C)  (out may alias x)  keyMask: (C)
public func softmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                        keyMask: UnsafePointer<Float>? = nil) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        let mx = rowMax(xr, cols, mask: keyMask)
        if mx == -.infinity && keyMask != nil {
            orow.update(repeating: 0, count: cols)
            continue
        }
        let sum = rowExpSum(xr, orow, cols, shift: mx, mask: keyMask)
        vectorScale(alpha: 1 / sum, orow, out: orow, count: cols)
    }
}

/// dx (+)= y ⊙ (dout − Σ_c dout·y) per row.
// y: (R,C) the forward OUTPUT  dout: (R,C)  dx: (R,C)
public func softmaxRowsBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let yr = y + r * cols, gr = dout + r * cols, dr = dx + r * cols
        let dot = V(repeating: rowDot(yr, gr, cols))
        var i = 0
        while i + 16 <= cols {
            var v = KernelMath.load(yr + i) * (KernelMath.load(gr + i) - dot)
            if accumulate { v += KernelMath.load(dr + i) }
            KernelMath.store(v, dr + i)
            i += 16
        }
        if i < cols {
            let n = cols - i
            var v = KernelMath.load(yr + i, n) * (KernelMath.load(gr + i, n) - dot)
            if accumulate { v += KernelMath.load(dr + i, n) }
            KernelMath.store(v, dr + i, n)
        }
    }
}

/// Log-softmax of each row: out[r, :] = x − max − log Σ e^(x − max).
// x: (R,C)  out: (R,C)  (out may alias x)
public func logSoftmaxRows(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        let m = rowMax(xr, cols)
        // e^(x − m) goes to out as scratch, then is overwritten.
        let sum = rowExpSum(xr, orow, cols, shift: m)
        let shift = V(repeating: m + Foundation.log(sum))
        var i = 0
        while i + 16 <= cols { KernelMath.store(KernelMath.load(xr + i) - shift, orow + i); i += 16 }
        if i < cols { KernelMath.store(KernelMath.load(xr + i, cols - i) - shift, orow + i, cols - i) }
    }
}

/// dx (+)= dout − e^y · Σ_c dout per row.
// y: (R,C) the forward OUTPUT (log-probabilities)  dout: (R,C)  dx: (R,C)
public func logSoftmaxRowsBackward(_ y: UnsafePointer<Float>, dout: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                   rows: Int, cols: Int, accumulate: Bool = false) {
    for r in 0..<rows {
        let yr = y + r * cols, gr = dout + r * cols, dr = dx + r * cols
        let total = V(repeating: vectorSum(gr, count: cols))
        var i = 0
        while i + 16 <= cols {
            var v = KernelMath.load(gr + i) - KernelMath.exp(KernelMath.load(yr + i)) * total
            if accumulate { v += KernelMath.load(dr + i) }
            KernelMath.store(v, dr + i)
            i += 16
        }
        if i < cols {
            let n = cols - i
            var v = KernelMath.load(gr + i, n) - KernelMath.exp(KernelMath.load(yr + i, n)) * total
            if accumulate { v += KernelMath.load(dr + i, n) }
            KernelMath.store(v, dr + i, n)
        }
    }
}

@inline(always) private func rowDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var a0 = V(), a1 = V()
    var i = 0
    while i + 32 <= n {
        a0.addProduct(KernelMath.load(x + i), KernelMath.load(y + i))
        a1.addProduct(KernelMath.load(x + i + 16), KernelMath.load(y + i + 16))
        i += 32
    }
    if i + 16 <= n { a0.addProduct(KernelMath.load(x + i), KernelMath.load(y + i)); i += 16 }
    if i < n { a1.addProduct(KernelMath.load(x + i, n - i), KernelMath.load(y + i, n - i)) }
    return (a0 + a1).sum()
}

/// Σ x[i] (0 for count 0). Four SIMD16 partial sums, combined at the end.   // x: (N)
public func vectorSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var a0 = V(), a1 = V(), a2 = V(), a3 = V()
    var i = 0
    while i + 64 <= count {
        a0 += KernelMath.load(x + i); a1 += KernelMath.load(x + i + 16)
        a2 += KernelMath.load(x + i + 32); a3 += KernelMath.load(x + i + 48)
        i += 64
    }
    while i + 16 <= count { a0 += KernelMath.load(x + i); i += 16 }
    if i < count { a1 += KernelMath.load(x + i, count - i) }
    return ((a0 + a1) + (a2 + a3)).sum()
}

/// max x[i] (−∞ for count 0; inputs must not contain NaN).   // x: (N)
public func vectorMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
    rowMax(x, count)
}

/// Column sums, e.g. a bias gradient: out[c] (+)= Σ_r x[r, c], rows added in order
/// (bit-identical to the scalar twin).   // x: (R,C)  out: (C)
public func columnSums(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                       accumulate: Bool = false) {
    if !accumulate { out.update(repeating: 0, count: cols) }
    for r in 0..<rows { vectorAdd(out, x + r * cols, out: out, count: cols) }
}

// MARK: - Scalar twins

public func softmaxRowsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                 keyMask: UnsafePointer<Float>? = nil) {
    for r in 0..<rows {
        let xr = x + r * cols, orow = out + r * cols
        let keep = (0..<cols).map { c in keyMask.map { $0[c] != 0 } ?? true }
        var m = -Float.infinity
        for c in 0..<cols where keep[c] { m = max(m, xr[c]) }
        if m == -.infinity && keyMask != nil {
            for c in 0..<cols { orow[c] = 0 }
            continue
        }
        var s: Float = 0
        for c in 0..<cols { orow[c] = keep[c] ? Foundation.exp(xr[c] - m) : 0; s += orow[c] }
        for c in 0..<cols { orow[c] /= s }
    }
}

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

public func vectorSumReference(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var s: Float = 0
    for i in 0..<count { s += x[i] }
    return s
}

public func vectorMaxReference(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var m = -Float.infinity
    for i in 0..<count { m = max(m, x[i]) }
    return m
}

public func columnSumsReference(_ x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                accumulate: Bool = false) {
    for c in 0..<cols {
        var s: Float = accumulate ? out[c] : 0
        for r in 0..<rows { s += x[r * cols + c] }
        out[c] = s
    }
}
