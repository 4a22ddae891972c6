import Kernels
import Plan
import Support
/// Layer normalisation over the last dim, forward/backward pair (llm.c's layernorm).
///
/// x, y: (rows, C)  weight, bias: (C)  stats: (rows, 2) = (mean, rstd);
/// y = (x − mean)·rstd·weight + bias, rstd = 1/√(var + eps), var biased (÷C).
public enum LayerNormKernel {
    typealias V = SIMD16<Float>
    typealias M = VectorMath

    /// Forward; writes `stats` for the backward pass.
    public static func forward(rows: Int, cols c: Int, eps: Float, x: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                               y: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>) {
        let inv = 1 / Float(c)
        for r in 0..<rows {
            let xr = x + r * c, yr = y + r * c
            let mean = Elementwise.sum(c, xr) * inv
            var acc = V(repeating: 0)
            var i = 0
            while i + 16 <= c { let d = M.load(xr + i) - mean; acc += d * d; i += 16 }
            var v = acc.sum()
            while i < c { let d = xr[i] - mean; v += d * d; i += 1 }
            let rstd = 1 / (v * inv + eps).squareRoot()
            stats[2 * r] = mean
            stats[2 * r + 1] = rstd
            i = 0
            while i + 16 <= c {
                var o = (M.load(xr + i) - mean) * rstd
                if let weight { o = o * M.load(weight + i) }
                if let bias { o = o + M.load(bias + i) }
                M.store(o, yr + i); i += 16
            }
            while i < c {
                var o = (xr[i] - mean) * rstd
                if let weight { o *= weight[i] }
                if let bias { o += bias[i] }
                yr[i] = o; i += 1
            }
        }
    }

    /// Accumulates dx, dweight, dbias (each optional).
    ///   xhat = (x − mean)·rstd, dn = dy·weight:
    ///   dx += rstd·(dn − mean(dn) − xhat·mean(dn·xhat));  dweight += Σ_rows dy·xhat;  dbias += Σ_rows dy
    public static func backward(rows: Int, cols c: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                stats: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                dbias: UnsafeMutablePointer<Float>?) {
        let inv = 1 / Float(c)
        let one = V(repeating: 1)
        for r in 0..<rows {
            let xr = x + r * c, gr = dy + r * c
            let mean = stats[2 * r], rstd = stats[2 * r + 1]
            if let dbias { Elementwise.axpy(c, 1, gr, dbias) }
            var accD = V(repeating: 0), accDX = V(repeating: 0)
            var sumD: Float = 0, sumDX: Float = 0
            var i = 0
            while i + 16 <= c {
                let g = M.load(gr + i)
                let xhat = (M.load(xr + i) - mean) * rstd
                if let dweight { M.store(M.load(dweight + i) + g * xhat, dweight + i) }
                let dn = g * (weight.map { M.load($0 + i) } ?? one)
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
                let xhat = (M.load(xr + i) - mean) * rstd
                let dn = M.load(gr + i) * (weight.map { M.load($0 + i) } ?? one)
                M.store(M.load(dr + i) + rstd * (dn - sumD - xhat * sumDX), dr + i)
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
}

extension Tape {
    /// Layer norm over the last dim with optional affine weight/bias (C).
    public func layerNorm(_ x: Variable, weight: Variable?, bias: Variable?, eps: Float = 1e-5) -> Variable {
        let xv = value(x)
        let (rows, cols) = xv.rowsAndColumns
        if let weight { precondition(value(weight).count == cols, "layer_norm: weight \(shape(weight)) for \(cols) features") }
        if let bias { precondition(value(bias).count == cols, "layer_norm: bias \(shape(bias)) for \(cols) features") }
        let y = scratch(xv.shape)
        let stats = scratch([rows, 2])
        LayerNormKernel.forward(rows: rows, cols: cols, eps: eps, x: xv.pointer,
                                weight: weight.map { value($0).pointer }, bias: bias.map { value($0).pointer },
                                y: y.pointer, stats: stats.pointer)
        var inputs = [x.id]
        if let weight { inputs.append(weight.id) }
        if let bias { inputs.append(bias.id) }
        let needs = gradientsEnabled && inputs.contains { nodes[$0].requiresGrad }
        nodes.append(Node(value: y, grad: nil, requiresGrad: needs,
                          op: needs ? .layerNorm(x: x.id, w: weight?.id, b: bias?.id, stats: stats) : .leaf))
        return Variable(id: nodes.count - 1)
    }
}

/// A layer-norm layer bound to `{prefix}.weight` and `{prefix}.bias` (C) in a store.
public struct LayerNorm {
    /// The store holding the parameters.
    public let store: ParameterStore
    /// Slots of the gain and shift.
    public let weight: Int, bias: Int
    /// Added to the variance inside the square root.
    public let eps: Float

    /// Binds `{prefix}.weight` / `{prefix}.bias`.
    public init(store: ParameterStore, prefix: String, eps: Float = 1e-5) {
        guard let w = store.index(of: prefix + ".weight"), let b = store.index(of: prefix + ".bias") else {
            preconditionFailure("no parameters \(prefix).weight / \(prefix).bias")
        }
        self.store = store; self.weight = w; self.bias = b; self.eps = eps
    }

    /// Normalises `x` over its last dim.
    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.layerNorm(x, weight: tape.parameter(store, weight), bias: tape.parameter(store, bias), eps: eps)
    }
}
