import Kernels
import Plan
import Support
/// Every derivative rule, in one place (tinygrad's mlops, micrograd's `_backward`s).
///
/// `propagate(i, g)` pushes node i's gradient `g` to its inputs. Rules ask
/// `accumulator(id)` (a zero-filled `+=` target) or `gemmTarget(id)` (target
/// plus GEMM beta, so a first write needs no zero-fill) and get nil for inputs
/// that need no gradient — that is how frozen weights skip their dW GEMM and a
/// first layer skips its dX.
extension Tape {
    func propagate(_ i: Int, _ g: Tensor) {
        let out = nodes[i].value
        switch nodes[i].op {
        case .leaf:
            return

        case let .linear(x, w, b):
            // x: (N, in)  w: (out, in)  g: (N, out)
            let xv = nodes[x].value, wv = nodes[w].value
            let outF = wv.shape[0], inF = wv.shape[1], rows = inF == 0 ? 0 : xv.count / inF
            if let (dx, beta) = gemmTarget(x) {
                LinearKernel.backwardInput(rows: rows, inFeatures: inF, outFeatures: outF, dy: g.pointer, w: wv.pointer, dx: dx, beta: beta)
            }
            if let (dw, beta) = gemmTarget(w) {
                LinearKernel.backwardWeight(rows: rows, inFeatures: inF, outFeatures: outF, dy: g.pointer, x: xv.pointer, dw: dw, beta: beta)
            }
            if let b, let db = accumulator(b) {
                LinearKernel.backwardBias(rows: rows, outFeatures: outF, dy: g.pointer, db: db)
            }

        case let .matmul(a, b):
            // a: (…, m, k)  b: (…, k, n)  g: (…, m, n)
            let av = nodes[a].value, bv = nodes[b].value
            let m = av.shape[av.rank - 2], k = av.shape[av.rank - 1], n = bv.shape[bv.rank - 1]
            let da = accumulator(a), db = accumulator(b)
            MatmulKernel.forEachBatch(av.shape, bv.shape) { o, ia, ib in
                let go = g.pointer + o * m * n
                if let da {  // da += g·bᵀ
                    gemm(transA: false, transB: true, m: m, n: k, k: n, alpha: 1, a: go, lda: n,
                         b: bv.pointer + ib * k * n, ldb: n, beta: 1, c: da + ia * m * k, ldc: k)
                }
                if let db {  // db += aᵀ·g
                    gemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: av.pointer + ia * m * k, lda: k,
                         b: go, ldb: n, beta: 1, c: db + ib * k * n, ldc: n)
                }
            }

        case let .binary(op, a, b):
            let av = nodes[a].value, bv = nodes[b].value
            if let da = accumulator(a) {
                Broadcast.reduceAccumulate(g, times: op == .mul ? bv : nil, inputShape: av.shape, into: da)
            }
            if let db = accumulator(b) {
                Broadcast.reduceAccumulate(g, times: op == .mul ? av : nil, scale: op == .sub ? -1 : 1, inputShape: bv.shape, into: db)
            }

        case let .scale(x, k):
            if let dx = accumulator(x) { vectorAxpy(alpha: k, g.pointer, dx, count: g.count) }

        case let .activation(x, f):
            if let dx = accumulator(x) {
                activationBackward(f, g.count, dy: g.pointer, x: nodes[x].value.pointer, y: out.pointer, dx: dx)
            }

        case let .softmax(x):
            if let dx = accumulator(x) {
                let (rows, cols) = out.rowsAndColumns
                softmaxRowsBackward(out.pointer, dout: g.pointer, dx: dx, rows: rows, cols: cols, accumulate: true)
            }

        case let .logSoftmax(x):
            if let dx = accumulator(x) {
                let (rows, cols) = out.rowsAndColumns
                logSoftmaxRowsBackward(out.pointer, dout: g.pointer, dx: dx, rows: rows, cols: cols, accumulate: true)
            }

        case let .layerNorm(x, w, b, stats):
            let xv = nodes[x].value
            let (rows, cols) = xv.rowsAndColumns
            layerNormBackward(rows: rows, cols: cols, x: xv.pointer, weight: w.map { nodes[$0].value.pointer },
                              stats: stats.pointer, dy: g.pointer, dx: accumulator(x),
                              dweight: w.flatMap { accumulator($0) }, dbias: b.flatMap { accumulator($0) })

        case let .embedding(table, indices):
            if let dt = accumulator(table) {
                EmbeddingKernel.backward(indices: indices, dim: nodes[table].value.shape[1], dy: g.pointer, dTable: dt)
            }

        case let .dropout(x, mask):
            if let dx = accumulator(x) { vectorMulAccumulate(g.pointer, mask.pointer, dx, count: g.count) }

        case let .reshape(x):
            if let dx = accumulator(x) { vectorAxpy(alpha: 1, g.pointer, dx, count: g.count) }

        case let .attention(q, k, v, heads, probs):
            let qv = nodes[q].value
            let (b, t, c) = (qv.shape[0], qv.shape[1], qv.shape[2])
            let dp = gradArena.take(t * t)
            AttentionKernel.backward(batch: b, time: t, channels: c, heads: heads, q: qv.pointer, k: nodes[k].value.pointer,
                                     v: nodes[v].value.pointer, probs: probs.pointer, dout: g.pointer,
                                     dq: accumulator(q), dk: accumulator(k), dv: accumulator(v), scratch: dp.pointer)

        case let .maskedMeanPool(x, mask):
            if let dx = accumulator(x) {
                let xv = nodes[x].value
                let (b, t, c) = (xv.shape[0], xv.shape[1], xv.shape[2])
                for i in 0..<b {
                    var n: Float = 0
                    for j in 0..<t { n += mask.pointer[i * t + j] }
                    let inv = 1 / max(n, 1e-9)
                    for j in 0..<t where mask.pointer[i * t + j] != 0 {
                        vectorAxpy(alpha: mask.pointer[i * t + j] * inv, g.pointer + i * c, dx + (i * t + j) * c, count: c)
                    }
                }
            }

        case let .timeSlice(x, index):
            if let dx = accumulator(x) {
                let xv = nodes[x].value
                let (b, t, c) = (xv.shape[0], xv.shape[1], xv.shape[2])
                for i in 0..<b { vectorAxpy(alpha: 1, g.pointer + i * c, dx + (i * t + index) * c, count: c) }
            }

        case let .sum(x, mean):
            if let dx = accumulator(x) {
                let n = nodes[x].value.count
                let v = g.pointer[0] / (mean ? Float(max(n, 1)) : 1)
                for j in 0..<n { dx[j] += v }
            }

        case let .crossEntropy(logits, targets, s, weights, probs):
            if let dl = accumulator(logits) {
                let (n, c) = probs.rowsAndColumns
                CrossEntropyKernel.backward(rows: n, classes: c, probs: probs.pointer, targets: targets,
                                            smoothing: s, weights: weights, upstream: g.pointer[0], dlogits: dl)
            }

        case let .focal(logits, targets, gamma, weights, probs):
            if let dl = accumulator(logits) {
                let (n, c) = probs.rowsAndColumns
                FocalLossKernel.backward(rows: n, classes: c, logits: nodes[logits].value.pointer, probs: probs.pointer,
                                         targets: targets, gamma: gamma, weights: weights, upstream: g.pointer[0], dlogits: dl)
            }

        case let .mse(a, b):
            let av = nodes[a].value, bv = nodes[b].value
            let k = 2 * g.pointer[0] / Float(max(av.count, 1))
            if let da = accumulator(a) { for j in 0..<av.count { da[j] += k * (av.pointer[j] - bv.pointer[j]) } }
            if let db = accumulator(b) { for j in 0..<av.count { db[j] -= k * (av.pointer[j] - bv.pointer[j]) } }

        case let .bceWithLogits(x, t, pw):
            let xv = nodes[x].value, tv = nodes[t].value
            let k = g.pointer[0] / Float(max(xv.count, 1))
            if let dx = accumulator(x) {
                if pw == 1 {
                    for j in 0..<xv.count { dx[j] += k * (KernelMath.sigmoid(xv.pointer[j]) - tv.pointer[j]) }
                } else {  // σ·(1 − t + pw·t) − pw·t
                    for j in 0..<xv.count {
                        let tj = tv.pointer[j]
                        dx[j] += k * (KernelMath.sigmoid(xv.pointer[j]) * (1 - tj + pw * tj) - pw * tj)
                    }
                }
            }
            // d/dt of pw·t·softplus(−x) − t·softplus(x) + softplus(x) = pw·softplus(−x) − softplus(x) (= −x when pw = 1)
            if let dt = accumulator(t) {
                for j in 0..<xv.count {
                    let xj = xv.pointer[j]
                    if pw == 1 { dt[j] -= k * xj } else {
                        let sp = BinaryCrossEntropy.softplus(xj)
                        dt[j] += k * (pw * (sp - xj) - sp)
                    }
                }
            }

        case let .penalty(store, kind, coefficient):
            PenaltyKernel.backward(store, kind, coefficient: coefficient, upstream: g.pointer[0])
        }
    }
}
