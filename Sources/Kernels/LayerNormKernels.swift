import Foundation

// Layer normalisation over the last dim, a forward/backward pair (llm.c's layernorm), each with
// a plain scalar twin. `Lanes` bodies with scalar tails; the row sums add the lanes in order,
// then the tail.
//
//   y = (x − mean)·rstd·weight + bias,  rstd = 1/√(var + eps),  var biased (÷C)

/// Forward; writes (mean, rstd) per row to `stats` for the backward pass. No weight or bias
/// means 1 and 0.
// x: (R,C)  weight, bias: (C)  y: (R,C)  stats: (R,2)
public func layerNormForward(rows: Int, cols c: Int, eps: Float, x: UnsafePointer<Float>,
                             weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                             y: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>) {
    let inv = 1 / Float(c)
    for r in 0..<rows {
        let xr = x + r * c, yr = y + r * c
        let mean = vectorSum(xr, count: c) * inv
        var acc = Lanes(repeating: 0)
        var i = 0
        while i + 16 <= c { let d = Lanes.load(xr + i) - mean; acc += d * d; i += 16 }
        var v = acc.sum()
        while i < c { let d = xr[i] - mean; v += d * d; i += 1 }
        let rstd = 1 / (v * inv + eps).squareRoot()
        stats[2 * r] = mean
        stats[2 * r + 1] = rstd
        i = 0
        while i + 16 <= c {
            var o = (Lanes.load(xr + i) - mean) * rstd
            if let weight { o = o * Lanes.load(weight + i) }
            if let bias { o = o + Lanes.load(bias + i) }
            o.store(to: yr + i); i += 16
        }
        while i < c {
            var o = (xr[i] - mean) * rstd
            if let weight { o *= weight[i] }
            if let bias { o += bias[i] }
            yr[i] = o; i += 1
        }
    }
}

/// Backward: accumulates dx, dweight, dbias (each optional) with
///   xhat = (x − mean)·rstd, dn = dy·weight:
///   dx += rstd·(dn − mean(dn) − xhat·mean(dn·xhat));  dweight += Σ_rows dy·xhat;  dbias += Σ_rows dy
// x, dy, dx: (R,C)  weight, dweight, dbias: (C)  stats: (R,2) from the forward
public func layerNormBackward(rows: Int, cols c: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                              stats: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                              dbias: UnsafeMutablePointer<Float>?) {
    let inv = 1 / Float(c)
    let one = Lanes(repeating: 1)
    for r in 0..<rows {
        let xr = x + r * c, gr = dy + r * c
        let mean = stats[2 * r], rstd = stats[2 * r + 1]
        if let dbias { vectorAxpy(alpha: 1, gr, dbias, count: c) }
        var accD = Lanes(repeating: 0), accDX = Lanes(repeating: 0)
        var sumD: Float = 0, sumDX: Float = 0
        var i = 0
        while i + 16 <= c {
            let g = Lanes.load(gr + i)
            let xhat = (Lanes.load(xr + i) - mean) * rstd
            if let dweight { (Lanes.load(dweight + i) + g * xhat).store(to: dweight + i) }
            let dn = g * (weight.map { Lanes.load($0 + i) } ?? one)
            accD += dn
            accDX += dn * xhat
            i += 16
        }
        while i < c {
            let g = gr[i]
            let xhat = (xr[i] - mean) * rstd
            dweight?[i] += g * xhat
            let dn = g * (weight?[i] ?? 1)
            sumD += dn
            sumDX += dn * xhat
            i += 1
        }
        guard let dx else { continue }
        sumD = (sumD + accD.sum()) * inv
        sumDX = (sumDX + accDX.sum()) * inv
        let dr = dx + r * c
        i = 0
        while i + 16 <= c {
            let xhat = (Lanes.load(xr + i) - mean) * rstd
            let dn = Lanes.load(gr + i) * (weight.map { Lanes.load($0 + i) } ?? one)
            (Lanes.load(dr + i) + rstd * (dn - sumD - xhat * sumDX)).store(to: dr + i)
            i += 16
        }
        while i < c {
            let xhat = (xr[i] - mean) * rstd
            let dn = gr[i] * (weight?[i] ?? 1)
            dr[i] += rstd * (dn - sumD - xhat * sumDX)
            i += 1
        }
    }
}

// MARK: - Scalar twins (float64 statistics)

/// Scalar twin of `layerNormForward`, with the mean and variance in float64.
public func layerNormForwardReference(rows: Int, cols c: Int, eps: Float, x: UnsafePointer<Float>,
                                      weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                      y: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let xr = x + r * c
        var mean = 0.0, variance = 0.0
        for i in 0..<c { mean += Double(xr[i]) }
        mean /= Double(c)
        for i in 0..<c { variance += (Double(xr[i]) - mean) * (Double(xr[i]) - mean) }
        let rstd = 1 / (variance / Double(c) + Double(eps)).squareRoot()
        stats[2 * r] = Float(mean)
        stats[2 * r + 1] = Float(rstd)
        for i in 0..<c {
            let xhat = (Double(xr[i]) - mean) * rstd
            y[r * c + i] = Float(xhat * Double(weight?[i] ?? 1) + Double(bias?[i] ?? 0))
        }
    }
}

/// Scalar twin of `layerNormBackward`, with the row means in float64.
public func layerNormBackwardReference(rows: Int, cols c: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                       stats: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                       dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                       dbias: UnsafeMutablePointer<Float>?) {
    for r in 0..<rows {
        let mean = Double(stats[2 * r]), rstd = Double(stats[2 * r + 1])
        var meanD = 0.0, meanDX = 0.0
        for i in 0..<c {
            let g = Double(dy[r * c + i]), xhat = (Double(x[r * c + i]) - mean) * rstd
            dbias?[i] += Float(g)
            dweight?[i] += Float(g * xhat)
            let dn = g * Double(weight?[i] ?? 1)
            meanD += dn
            meanDX += dn * xhat
        }
        guard let dx else { continue }
        meanD /= Double(c)
        meanDX /= Double(c)
        for i in 0..<c {
            let xhat = (Double(x[r * c + i]) - mean) * rstd
            let dn = Double(dy[r * c + i]) * Double(weight?[i] ?? 1)
            dx[r * c + i] += Float(rstd * (dn - meanD - xhat * meanDX))
        }
    }
}
