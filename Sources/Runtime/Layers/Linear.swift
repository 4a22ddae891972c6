import Kernels
import Plan
import Support
/// Linear (dense) layer kernels: a forward/backward pair over `gemm`.
///
/// x: (N, in)  w: (out, in)  b: (out)  y: (N, out);  y = x·Wᵀ + b  (PyTorch layout).
public enum LinearKernel {
    /// y = x·Wᵀ + b (bias optional), then `activation` elementwise if given (in the GEMM's store).
    public static func forward(rows n: Int, inFeatures k: Int, outFeatures m: Int,
                               x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                               y: UnsafeMutablePointer<Float>, activation: GEMMActivation? = nil) {
        gemm(transA: false, transB: true, m: n, n: m, k: k, alpha: 1,
             a: x, lda: k, b: w, ldb: k, beta: 0, c: y, ldc: m, bias: b, activation: activation)
    }

    /// dx = β·dx + dy·W   (dy: (N, out), dx: (N, in))
    public static func backwardInput(rows n: Int, inFeatures k: Int, outFeatures m: Int,
                                     dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>, beta: Float) {
        gemm(transA: false, transB: false, m: n, n: k, k: m, alpha: 1,
             a: dy, lda: m, b: w, ldb: k, beta: beta, c: dx, ldc: k)
    }

    /// dW = β·dW + dyᵀ·x   (dW: (out, in))
    public static func backwardWeight(rows n: Int, inFeatures k: Int, outFeatures m: Int,
                                      dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                      dw: UnsafeMutablePointer<Float>, beta: Float) {
        gemm(transA: true, transB: false, m: m, n: k, k: n, alpha: 1,
             a: dy, lda: m, b: x, ldb: k, beta: beta, c: dw, ldc: k)
    }

    /// db += Σ_rows dy
    public static func backwardBias(rows n: Int, outFeatures m: Int, dy: UnsafePointer<Float>, db: UnsafeMutablePointer<Float>) {
        columnSums(dy, out: db, rows: n, cols: m, accumulate: true)
    }
}

extension Tape {
    /// y = x·Wᵀ + b over the last dim of x.   x: (…, in)  weight: (out, in)  bias: (out)  → (…, out)
    public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil) -> Variable {
        let xv = value(x), wv = value(weight)
        precondition(wv.rank == 2 && xv.shape.last == wv.shape[1],
                     "linear: x \(xv.shape) does not match weight \(wv.shape) ([out, in])")
        let outF = wv.shape[0], inF = wv.shape[1]
        if let bias { precondition(value(bias).count == outF, "linear: bias \(value(bias).shape) for \(outF) outputs") }
        let rows = inF == 0 ? 0 : xv.count / inF
        let y = scratch(Array(xv.shape.dropLast()) + [outF])
        LinearKernel.forward(rows: rows, inFeatures: inF, outFeatures: outF, x: xv.pointer, w: wv.pointer,
                             b: bias.map { value($0).pointer }, y: y.pointer)
        if let bias { return record(y, .linear(x: x.id, w: weight.id, b: bias.id), inputs: x.id, weight.id, bias.id) }
        return record(y, .linear(x: x.id, w: weight.id, b: nil), inputs: x.id, weight.id)
    }
}

/// A dense layer bound to a parameter store: `{prefix}.weight` (out, in),
/// optional `{prefix}.bias` (out), then an optional activation.
public struct Dense {
    /// The store holding the parameters.
    public let store: ParameterStore
    /// Slot of the weight.
    public let weight: Int
    /// Slot of the bias, if any.
    public let bias: Int?
    /// Applied after the affine map.
    public let activation: Activation?

    /// Binds `{prefix}.weight` and (if present) `{prefix}.bias` in `store`.
    public init(store: ParameterStore, prefix: String, activation: Activation? = nil) {
        guard let w = store.index(of: prefix + ".weight") else { preconditionFailure("no parameter \(prefix).weight") }
        self.store = store
        self.weight = w
        self.bias = store.index(of: prefix + ".bias")
        self.activation = activation
    }

    /// activation(x·Wᵀ + b)
    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        let y = tape.linear(x, weight: tape.parameter(store, weight), bias: bias.map { tape.parameter(store, $0) })
        guard let activation else { return y }
        return tape.activation(y, activation)
    }
}
