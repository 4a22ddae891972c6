import Foundation
import Kernels
import Plan
import Support

/// Scaled dot-product attention with heads packed in the feature dim, as
/// `scaled_dot_product_attention` after BERT's `view(B,T,H,hd).transpose(1,2)`:
/// head h of token t is features `h·hd ..< (h+1)·hd`, so no transpose is ever
/// materialised — each (batch, head) is a strided GEMM with row stride C.
///
/// q, k, v, out: (B, T, C), C = H·hd   probs: (B, H, T, T)   keyMask: (B, T), 0 = padding.
/// probs = softmax(q·kᵀ/√hd + M) with M = −∞ on padded keys (probability exactly 0);
/// out = probs·v. A query row whose keys are all padding gets probabilities 0.
public enum AttentionKernel {
    /// Forward; writes `probs` for the backward pass.
    public static func forward(batch b: Int, time t: Int, channels c: Int, heads h: Int,
                               q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               keyMask: UnsafePointer<Float>?, probs: UnsafeMutablePointer<Float>,
                               out: UnsafeMutablePointer<Float>) {
        let hd = c / h
        let scale = 1 / Float(hd).squareRoot()
        for bi in 0..<b {
            for hi in 0..<h {
                let base = bi * t * c + hi * hd
                let p = probs + (bi * h + hi) * t * t
                gemm(transA: false, transB: true, m: t, n: t, k: hd, alpha: scale,
                     a: q + base, lda: c, b: k + base, ldb: c, beta: 0, c: p, ldc: t)
                if let keyMask {
                    let mrow = keyMask + bi * t
                    for r in 0..<t {
                        let pr = p + r * t
                        var mx = -Float.infinity
                        for j in 0..<t where mrow[j] != 0 { mx = max(mx, pr[j]) }
                        if mx == -Float.infinity { pr.update(repeating: 0, count: t); continue }
                        var s: Float = 0
                        for j in 0..<t {
                            if mrow[j] != 0 { let e = KernelMath.exp(pr[j] - mx); pr[j] = e; s += e } else { pr[j] = 0 }
                        }
                        vectorScale(alpha: 1 / s, pr, out: pr, count: t)
                    }
                } else {
                    softmaxRows(p, out: p, rows: t, cols: t)
                }
                gemm(transA: false, transB: false, m: t, n: hd, k: t, alpha: 1,
                     a: p, lda: t, b: v + base, ldb: c, beta: 0, c: out + base, ldc: c)
            }
        }
    }

    /// Accumulates dq, dk, dv (each optional); `scratch` holds T·T floats.
    public static func backward(batch b: Int, time t: Int, channels c: Int, heads h: Int,
                                q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                probs: UnsafePointer<Float>, dout: UnsafePointer<Float>,
                                dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?,
                                dv: UnsafeMutablePointer<Float>?, scratch dp: UnsafeMutablePointer<Float>) {
        let hd = c / h
        let scale = 1 / Float(hd).squareRoot()
        for bi in 0..<b {
            for hi in 0..<h {
                let base = bi * t * c + hi * hd
                let p = probs + (bi * h + hi) * t * t
                // dv += pᵀ·dout
                if let dv {
                    gemm(transA: true, transB: false, m: t, n: hd, k: t, alpha: 1,
                         a: p, lda: t, b: dout + base, ldb: c, beta: 1, c: dv + base, ldc: c)
                }
                guard dq != nil || dk != nil else { continue }
                // dp = dout·vᵀ, then ds = p ⊙ (dp − ⟨dp, p⟩) in place
                gemm(transA: false, transB: true, m: t, n: t, k: hd, alpha: 1,
                     a: dout + base, lda: c, b: v + base, ldb: c, beta: 0, c: dp, ldc: t)
                softmaxRowsBackward(p, dout: dp, dx: dp, rows: t, cols: t)
                if let dq {
                    gemm(transA: false, transB: false, m: t, n: hd, k: t, alpha: scale,
                         a: dp, lda: t, b: k + base, ldb: c, beta: 1, c: dq + base, ldc: c)
                }
                if let dk {
                    gemm(transA: true, transB: false, m: t, n: hd, k: t, alpha: scale,
                         a: dp, lda: t, b: q + base, ldb: c, beta: 1, c: dk + base, ldc: c)
                }
            }
        }
    }
}

extension Tape {
    /// Multi-head scaled dot-product attention over already-projected q, k, v
    /// (B, T, C) with `heads` heads packed in C; `keyMask` (B, T), nonzero = real token.
    public func attention(query q: Variable, key k: Variable, value v: Variable, heads: Int, keyMask: Tensor? = nil) -> Variable {
        let qv = value(q), kv = value(k), vv = value(v)
        precondition(qv.rank == 3 && qv.shape == kv.shape && qv.shape == vv.shape,
                     "attention: q \(qv.shape), k \(kv.shape), v \(vv.shape) must all be (B, T, C)")
        let (b, t, c) = (qv.shape[0], qv.shape[1], qv.shape[2])
        precondition(heads > 0 && c % heads == 0, "attention: \(c) features do not split into \(heads) heads")
        if let keyMask { precondition(keyMask.count == b * t, "attention: key mask \(keyMask.shape) for (B, T) = (\(b), \(t))") }
        let probs = scratch([b, heads, t, t])
        let y = scratch([b, t, c])
        AttentionKernel.forward(batch: b, time: t, channels: c, heads: heads, q: qv.pointer, k: kv.pointer, v: vv.pointer,
                                keyMask: keyMask?.pointer, probs: probs.pointer, out: y.pointer)
        return record(y, .attention(q: q.id, k: k.id, v: v.id, heads: heads, probs: probs), inputs: q.id, k.id, v.id)
    }

    /// The attention probabilities (B, H, T, T) saved by attention node `v`, if it recorded them.
    public func attentionProbabilities(_ v: Variable) -> Tensor? {
        if case .attention(_, _, _, _, let probs) = nodes[v.id].op { return probs }
        return nil
    }
}

/// Multi-head self-attention with separate query/key/value/output projections
/// (BERT's parametrisation; each a `Dense` bound by name prefix), e.g. BERT's
/// `attention.self.query`, `attention.self.key`, `attention.self.value`, `attention.output.dense`.
public struct MultiHeadSelfAttention {
    /// The four projections.
    public let query: Dense, key: Dense, value: Dense, output: Dense
    /// Number of heads; the model dim must be divisible by it.
    public let heads: Int

    /// Binds the four projections by their name prefixes.
    public init(store: ParameterStore, query: String, key: String, value: String, output: String, heads: Int) {
        self.query = Dense(store: store, prefix: query)
        self.key = Dense(store: store, prefix: key)
        self.value = Dense(store: store, prefix: value)
        self.output = Dense(store: store, prefix: output)
        self.heads = heads
    }

    /// Specs for the four (C, C) projections with biases.
    public static func parameterSpecs(query: String, key: String, value: String, output: String, modelDim c: Int) -> [ParameterSpec] {
        [query, key, value, output].flatMap { ModelCatalog.dense(prefix: $0, inFeatures: c, outFeatures: c) }
    }

    /// out = W_o · attention(W_q x, W_k x, W_v x) + b_o.   x: (B, T, C)  keyMask: (B, T)
    public func callAsFunction(_ x: Variable, keyMask: Tensor?, on tape: Tape) -> Variable {
        let q = query(x, on: tape), k = key(x, on: tape), v = value(x, on: tape)
        return output(tape.attention(query: q, key: k, value: v, heads: heads, keyMask: keyMask), on: tape)
    }
}
