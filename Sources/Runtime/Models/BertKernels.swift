import Foundation
import Kernels
import Plan
import Support

/// The fused kernels of `BertModel`, as forward/backward pairs on raw buffers.
///
/// Shapes: B batch, T padded length, C hidden, H heads, hd = C/H, N = B·T rows,
/// keyMask (B, T) with 1 = real token, 0 = padding.
enum BertKernels {
    // MARK: dropout

    /// mask[i] = 1 (kept, scaled by 1/(1−p) where applied) with probability 1−p, else 0: one
    /// `nextFloat()` per element in order (kept iff u ≥ p), the convention of `Tape.dropout`.
    static func dropoutMask(_ n: Int, p: Float, generator: inout SeededGenerator, into mask: UnsafeMutablePointer<UInt8>) {
        // nextFloat() is u = (r >> 40)·2⁻²⁴ with r >> 40 an integer below 2²⁴, and p·2²⁴ is exact,
        // so u ≥ p exactly when r >> 40 ≥ ⌈p·2²⁴⌉: the same decisions without a conversion.
        let threshold = UInt64((p * 16_777_216).rounded(.up))
        for i in 0..<n { mask[i] = generator.next() >> 40 >= threshold ? 1 : 0 }
    }

    /// y = a ⊙ drop(mask) + x   (mask nil: y = a + x).   a, x, y: (n)
    static func maskedResidual(_ n: Int, a: UnsafePointer<Float>, mask: UnsafePointer<UInt8>?, p: Float, x: UnsafePointer<Float>,
                               y: UnsafeMutablePointer<Float>) {
        if let mask {
            dropoutMultiplyAdd(a, mask: mask, keep: dropoutKeepFactor(p: p), x, out: y, count: n)
        } else {
            vectorAdd(a, x, out: y, count: n)
        }
    }

    /// y[r] = x[r] + bias for each of `rows` rows of `c` floats, over all cores: a post-LN
    /// layer's residual and output bias, written before the GEMM adds its product (β = 1).
    static func residualPlusBias(rows: Int, c: Int, x: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 y: UnsafeMutablePointer<Float>) {
        ParallelChunks.run(rows, minimum: ParallelChunks.elementwiseMinimum / max(c, 1)) { _, range in
            for r in range { vectorAdd(x + r * c, bias, out: y + r * c, count: c) }
        }
    }

    // MARK: embeddings

    /// sum[r] = word[ids[r]] + position[r mod T] + type[types[r]].   tables: (V, C), (P, C), (S, C); sum: (N, C)
    static func embeddingSum(rows n: Int, length t: Int, c: Int, ids: [Int32], types: [Int32],
                             word: UnsafePointer<Float>, position: UnsafePointer<Float>, type: UnsafePointer<Float>,
                             sum: UnsafeMutablePointer<Float>) {
        for r in 0..<n {
            vectorAdd3(word + Int(ids[r]) * c, position + (r % t) * c, type + Int(types[r]) * c, out: sum + r * c, count: c)
        }
    }

    // MARK: layer norm on all cores

    /// `layerNormForward` split over row chunks.   x, y: (N, C)  stats: (N, 2)
    static func layerNorm(rows n: Int, c: Int, eps: Float, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, stats: UnsafeMutablePointer<Float>) {
        ParallelChunks.run(n, minimum: 256) { _, rows in
            layerNormForward(rows: rows.count, cols: c, eps: eps, x: x + rows.lowerBound * c, weight: weight, bias: bias,
                             y: y + rows.lowerBound * c, stats: stats + rows.lowerBound * 2)
        }
    }

    // MARK: GELU

    /// y = gelu(x) (exact erf form) over all cores (in place allowed).   x, y: (n)
    static func gelu(_ n: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        ParallelChunks.vectors(n) { r in geluForward(x + r.lowerBound, out: y + r.lowerBound, count: r.count) }
    }

    /// g = g ⊙ gelu′(x) in place.   g, x: (n)
    static func geluBackwardInPlace(_ n: Int, g: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>) {
        ParallelChunks.vectors(n) { r in
            geluBackward(x + r.lowerBound, dout: g + r.lowerBound, dx: g + r.lowerBound, count: r.count)
        }
    }

    // MARK: attention

    /// Multi-head self-attention over projected q, k, v (N, C), heads packed in C
    /// (head h = features h·hd ..< (h+1)·hd, BERT's `view(B,T,H,hd)`):
    ///   P = softmax(q·kᵀ/√hd + padding mask)  (padded keys get probability exactly 0)
    ///   context = drop(P)·v
    /// With `probs` (B, H, T, T) P is kept for backward (and `dropMask` (B, H, T, T) bytes
    /// applied if given, at rate `dropP`); without, each worker uses `scratch` (2·T·T per worker).
    static func attentionForward(batch b: Int, length t: Int, c: Int, heads h: Int,
                                 q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                 keyMask: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>?,
                                 dropMask: UnsafePointer<UInt8>?, dropP: Float, scratch: UnsafeMutablePointer<Float>,
                                 context: UnsafeMutablePointer<Float>) {
        let hd = c / h, tt = t * t, keep = dropoutKeepFactor(p: dropP)
        let scale = 1 / Float(hd).squareRoot()
        ParallelChunks.run(b * h, minimum: 2) { worker, tasks in
            let mine = scratch + worker * 2 * tt
            for task in tasks {
                let bi = task / h, hi = task % h
                let base = bi * t * c + hi * hd
                let p = probs.map { $0 + task * tt } ?? mine
                gemm(transA: false, transB: true, m: t, n: t, k: hd, alpha: scale,
                     a: q + base, lda: c, b: k + base, ldb: c, beta: 0, c: p, ldc: t, threads: 1)
                maskedSoftmaxRows(p, out: p, rows: t, cols: t, keyMask: keyMask + bi * t)
                var pv = UnsafePointer(p)
                if let dropMask {
                    dropoutMultiply(p, mask: dropMask + task * tt, keep: keep, out: mine + tt, count: tt)
                    pv = UnsafePointer(mine + tt)
                }
                gemm(transA: false, transB: false, m: t, n: hd, k: t, alpha: 1,
                     a: pv, lda: t, b: v + base, ldb: c, beta: 0, c: context + base, ldc: c, threads: 1)
            }
        }
    }

    /// Backward of `attentionForward` with kept `probs`: writes (β = 0) dq, dk, dv (N, C)
    ///   dv = drop(P)ᵀ·dctx;  dP = drop(dctx·vᵀ);  dS = P ⊙ (dP − rowsum(dP ⊙ P));
    ///   dq = dS·k/√hd;  dk = dSᵀ·q/√hd.   `scratch`: 2·T·T per worker.
    static func attentionBackward(batch b: Int, length t: Int, c: Int, heads h: Int,
                                  q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                  probs: UnsafePointer<Float>, dropMask: UnsafePointer<UInt8>?, dropP: Float,
                                  dContext: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                  dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>) {
        let hd = c / h, tt = t * t, keep = dropoutKeepFactor(p: dropP)
        let scale = 1 / Float(hd).squareRoot()
        ParallelChunks.run(b * h, minimum: 2) { worker, tasks in
            let dp = scratch + worker * 2 * tt, pd = dp + tt
            for task in tasks {
                let base = (task / h) * t * c + (task % h) * hd
                let p = probs + task * tt
                var pv = p
                if let dropMask {
                    dropoutMultiply(p, mask: dropMask + task * tt, keep: keep, out: pd, count: tt)
                    pv = UnsafePointer(pd)
                }
                gemm(transA: true, transB: false, m: t, n: hd, k: t, alpha: 1,
                     a: pv, lda: t, b: dContext + base, ldb: c, beta: 0, c: dv + base, ldc: c, threads: 1)
                gemm(transA: false, transB: true, m: t, n: t, k: hd, alpha: 1,
                     a: dContext + base, lda: c, b: v + base, ldb: c, beta: 0, c: dp, ldc: t, threads: 1)
                // drop(dP) goes to pd (free once dv is written): in place, LLVM's overlap check
                // would send the byte-mask loop down its scalar path.
                var dP = UnsafePointer(dp)
                if let dropMask {
                    dropoutMultiply(dp, mask: dropMask + task * tt, keep: keep, out: pd, count: tt)
                    dP = UnsafePointer(pd)
                }
                softmaxRowsBackward(p, dout: dP, dx: dp, rows: t, cols: t)
                gemm(transA: false, transB: false, m: t, n: hd, k: t, alpha: scale,
                     a: dp, lda: t, b: k + base, ldb: c, beta: 0, c: dq + base, ldc: c, threads: 1)
                gemm(transA: true, transB: false, m: t, n: hd, k: t, alpha: scale,
                     a: dp, lda: t, b: q + base, ldb: c, beta: 0, c: dk + base, ldc: c, threads: 1)
            }
        }
    }

    // MARK: pooling

    /// mean: pooled[b] = Σ_t m[b,t]·x[b,t] / max(Σ_t m[b,t], 1e-9) (sentence-transformers);
    /// cls: pooled[b] = x[b, 0].   x: (B, T, C)  pooled: (B, C)
    static func pool(_ pooling: PretrainedSpec.Pooling, batch b: Int, length t: Int, c: Int, x: UnsafePointer<Float>,
                     keyMask: UnsafePointer<Float>, pooled: UnsafeMutablePointer<Float>) {
        for bi in 0..<b {
            let out = pooled + bi * c
            switch pooling {
            case .cls:
                out.update(from: x + bi * t * c, count: c)
            case .mean:
                out.update(repeating: 0, count: c)
                var n: Float = 0
                for j in 0..<t where keyMask[bi * t + j] != 0 {
                    vectorAxpy(alpha: keyMask[bi * t + j], x + (bi * t + j) * c, out, count: c)
                    n += keyMask[bi * t + j]
                }
                vectorScale(alpha: 1 / max(n, 1e-9), out, out: out, count: c)
            }
        }
    }

    /// Writes dx (B, T, C) for the pooling's gradient dPooled (B, C) (zeros where it reads nothing).
    static func poolBackward(_ pooling: PretrainedSpec.Pooling, batch b: Int, length t: Int, c: Int,
                             keyMask: UnsafePointer<Float>, dPooled: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: b * t * c)
        for bi in 0..<b {
            let g = dPooled + bi * c
            switch pooling {
            case .cls:
                (dx + bi * t * c).update(from: g, count: c)
            case .mean:
                var n: Float = 0
                for j in 0..<t { n += keyMask[bi * t + j] }
                let inv = 1 / max(n, 1e-9)
                for j in 0..<t where keyMask[bi * t + j] != 0 {
                    vectorAxpy(alpha: keyMask[bi * t + j] * inv, g, dx + (bi * t + j) * c, count: c)
                }
            }
        }
    }
}
