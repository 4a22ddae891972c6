import Foundation
import Kernels
import Plan
import Support

extension BertModel {
    /// Back-propagates `pooledGradient` (B, C) — dLoss/d(pooled output of the last
    /// `forward(…, training: true, …)`) — through the encoder, *accumulating* into
    /// `parameters.gradients` (zeroed or discarded before the step: see ParameterStore+StaleGradients.swift).
    ///
    /// Frozen parameters get no gradient work (their dW GEMMs are skipped), and
    /// the pass stops below the lowest trainable layer: a frozen prefix costs
    /// nothing. A forward started from features stops at its first layer.
    public func backward(pooledGradient: Tensor) {
        let a = activations
        precondition(a.recorded, "BertModel.backward needs a preceding forward(…, training: true, …)")
        let (b, t, c) = (a.batch, a.length, config.hiddenSize)
        let n = b * t
        precondition(pooledGradient.count == b * c, "pooled gradient \(pooledGradient.shape) for (\(b), \(c))")

        let embeddingTrainable = a.firstLayer == 0 && !a.ids.isEmpty &&
            [wordEmbeddings, positionEmbeddings, typeEmbeddings, embeddingNorm, embeddingNormBias].contains { trainable($0) }
        // needBelow[l]: something at or below layer l − 1 (or the embeddings) wants a gradient.
        var needBelow = [Bool](repeating: false, count: config.numHiddenLayers + 1)
        var any = embeddingTrainable
        for l in a.firstLayer...config.numHiddenLayers {
            needBelow[l] = any
            if l < config.numHiddenLayers && layers[l].all.contains(where: { trainable($0) }) { any = true }
        }
        guard any else { return }

        let g = a.gradA.pointer(n * c)
        BertKernels.poolBackward(a.pooling, batch: b, length: t, c: c, keyMask: a.keyMask.storage.pointer,
                                 dPooled: pooledGradient.pointer, dx: g)
        for l in stride(from: config.numHiddenLayers - 1, through: a.firstLayer, by: -1) {
            let here = layers[l].all.contains { trainable($0) }
            guard here || needBelow[l] else { return }
            backwardLayer(l, needInputGradient: needBelow[l])
        }
        if embeddingTrainable { backwardEmbeddings() }
    }

    /// One layer's backward: reads dL/d(output) from gradA, leaves dL/d(input) in
    /// gradA (if `needInputGradient`), and accumulates the trainable weights' gradients.
    func backwardLayer(_ l: Int, needInputGradient: Bool) {
        let a = activations, s = layers[l], p = parameters, acts = a.layer(l)
        let (b, t, c, ic, h) = (a.batch, a.length, config.hiddenSize, config.intermediateSize, config.numAttentionHeads)
        let n = b * t
        func w(_ slot: Int) -> UnsafeMutablePointer<Float> { p.value(at: slot).pointer }
        func grad(_ slot: Int) -> UnsafeMutablePointer<Float>? { trainable(slot) ? p.accumulationTarget(slot) : nil }
        // A weight's gradient is one GEMM's output: a discarded slot is overwritten (β = 0)
        // instead of zero-filled first and added to (a serial pass over every weight).
        func weightGrad(_ slot: Int) -> (c: UnsafeMutablePointer<Float>, beta: Float)? {
            guard trainable(slot) else { return nil }
            let target = p.gradientTarget(slot)
            return (target.pointer, target.beta)
        }
        let hiddenDrop = a.training && config.hiddenDropout > 0
        let gOut = a.gradA.pointer(n * c), gB = a.gradB.pointer(n * c), gC = a.gradC.pointer(n * c)

        // LN2: dSum2 (gB) from dOut (gA).   sum2 = drop(f) + hidden1
        gB.update(repeating: 0, count: n * c)
        layerNormBackward(rows: n, cols: c, x: acts.sum2.storage.pointer, weight: w(s.norm2), stats: acts.stats2.storage.pointer,
                          dy: gOut, dx: gB, dweight: grad(s.norm2), dbias: grad(s.norm2Bias))
        var dF = gB
        let keep = dropoutKeepFactor(p: config.hiddenDropout)
        if hiddenDrop { dropoutMultiply(gB, mask: acts.mask2.pointer, keep: keep, out: gC, count: n * c); dF = gC }

        // FFN output dense: f = act·W2ᵀ + b2.   W2: (C, I)  act: (N, I)
        // The forward kept only gelu's input: the activation is recomputed into the shared
        // (N, I) buffer for W2's gradient, which dInter then overwrites (β = 0).
        let inter = acts.inter.storage.pointer, dInter = a.intermediate.pointer(n * ic)
        if let dW = weightGrad(s.output) {
            BertKernels.gelu(n * ic, x: inter, y: dInter)
            gemm(transA: true, transB: false, m: c, n: ic, k: n, alpha: 1, a: dF, lda: c, b: dInter, ldb: ic, beta: dW.beta, c: dW.c, ldc: ic)
        }
        if let db = grad(s.outputBias) { columnSums(dF, out: db, rows: n, cols: c, accumulate: true) }
        gemm(transA: false, transB: false, m: n, n: ic, k: c, alpha: 1, a: dF, lda: c, b: w(s.output), ldb: ic, beta: 0, c: dInter, ldc: ic)
        BertKernels.geluBackwardInPlace(n * ic, g: dInter, x: inter)

        // Intermediate dense: inter = hidden1·W1ᵀ + b1.   W1: (I, C); hidden1 = LN1(sum1) recomputed.
        if let dW = weightGrad(s.intermediate) {
            let hidden1 = a.hidden1.pointer(n * c)
            BertKernels.layerNorm(rows: n, c: c, eps: config.layerNormEps, x: acts.sum1.storage.pointer, weight: w(s.norm1),
                                  bias: w(s.norm1Bias), y: hidden1, stats: a.recomputedStats.pointer(2 * n))
            gemm(transA: true, transB: false, m: ic, n: c, k: n, alpha: 1, a: dInter, lda: ic, b: hidden1, ldb: c, beta: dW.beta, c: dW.c, ldc: c)
        }
        if let db = grad(s.intermediateBias) { columnSums(dInter, out: db, rows: n, cols: ic, accumulate: true) }
        // dHidden1 = dSum2 (residual) + dInter·W1, accumulated in gB.
        gemm(transA: false, transB: false, m: n, n: c, k: ic, alpha: 1, a: dInter, lda: ic, b: w(s.intermediate), ldb: c, beta: 1, c: gB, ldc: c)

        // LN1: dSum1 (gOut) from dHidden1 (gB).   sum1 = drop(o) + x
        gOut.update(repeating: 0, count: n * c)
        layerNormBackward(rows: n, cols: c, x: acts.sum1.storage.pointer, weight: w(s.norm1), stats: acts.stats1.storage.pointer,
                          dy: gB, dx: gOut, dweight: grad(s.norm1), dbias: grad(s.norm1Bias))
        var dO = gOut
        if hiddenDrop { dropoutMultiply(gOut, mask: acts.mask1.pointer, keep: keep, out: gC, count: n * c); dO = gC }

        // Attention output dense: o = context·Woᵀ + bo.
        let context = acts.context.storage.pointer
        if let dW = weightGrad(s.attentionOut) {
            gemm(transA: true, transB: false, m: c, n: c, k: n, alpha: 1, a: dO, lda: c, b: context, ldb: c, beta: dW.beta, c: dW.c, ldc: c)
        }
        if let db = grad(s.attentionOutBias) { columnSums(dO, out: db, rows: n, cols: c, accumulate: true) }
        let projections = [(s.query, s.queryBias), (s.key, s.keyBias), (s.value, s.valueBias)]
        guard needInputGradient || projections.contains(where: { trainable($0.0) || trainable($0.1) }) else { return }
        gemm(transA: false, transB: false, m: n, n: c, k: c, alpha: 1, a: dO, lda: c, b: w(s.attentionOut), ldb: c, beta: 0, c: gB, ldc: c)

        // Attention core: dq, dk, dv from dContext (gB).
        let dq = a.gradQ.pointer(n * c), dk = a.gradK.pointer(n * c), dv = a.gradV.pointer(n * c)
        let dropMask = a.training && config.attentionDropout > 0 ? UnsafePointer(acts.probsMask.pointer) : nil
        BertKernels.attentionBackward(batch: b, length: t, c: c, heads: h, q: acts.q.storage.pointer, k: acts.k.storage.pointer,
                                      v: acts.v.storage.pointer, probs: acts.probs.storage.pointer, dropMask: dropMask,
                                      dropP: config.attentionDropout,
                                      dContext: gB, scratch: a.attentionScratch.pointer(ParallelChunks.workers * 2 * t * t),
                                      dq: dq, dk: dk, dv: dv)

        // Projections q/k/v = x·Wᵀ + b; dx = dSum1 (residual, in gOut) + Σ d·W.
        let x = projections.contains(where: { trainable($0.0) }) ? layerInput(l) : outputStorage(afterLayer: l).pointer
        for ((weight, bias), d) in zip(projections, [dq, dk, dv]) {
            if let dW = weightGrad(weight) {
                gemm(transA: true, transB: false, m: c, n: c, k: n, alpha: 1, a: d, lda: c, b: x, ldb: c, beta: dW.beta, c: dW.c, ldc: c)
            }
            if let db = grad(bias) { columnSums(d, out: db, rows: n, cols: c, accumulate: true) }
            if needInputGradient {
                gemm(transA: false, transB: false, m: n, n: c, k: c, alpha: 1, a: d, lda: c, b: w(weight), ldb: c, beta: 1, c: gOut, ldc: c)
            }
        }
    }

    /// Layer `l`'s input for its weight gradients: the embeddings' (or features') output when it
    /// is the first layer run, else the layer below's LN2(sum2), recomputed into `layerInput` by
    /// the forward's kernel (the forward kept only the last layer's output).
    func layerInput(_ l: Int) -> UnsafeMutablePointer<Float> {
        let a = activations
        if l == a.firstLayer { return outputStorage(afterLayer: l).pointer }
        let n = a.batch * a.length, c = config.hiddenSize
        let below = a.layer(l - 1), s = layers[l - 1], p = parameters
        let x = a.layerInput.pointer(n * c)
        BertKernels.layerNorm(rows: n, c: c, eps: config.layerNormEps, x: below.sum2.storage.pointer, weight: p.value(at: s.norm2).pointer,
                              bias: p.value(at: s.norm2Bias).pointer, y: x, stats: a.recomputedStats.pointer(2 * n))
        return x
    }

    /// Embeddings' backward from dL/d(embedding output) in gradA.
    func backwardEmbeddings() {
        let a = activations, p = parameters
        let (t, c) = (a.length, config.hiddenSize)
        let n = a.batch * t
        let gOut = a.gradA.pointer(n * c), gB = a.gradB.pointer(n * c), gC = a.gradC.pointer(n * c)
        var dy = gOut
        if a.training && config.hiddenDropout > 0 {
            dropoutMultiply(gOut, mask: a.embeddingMask.pointer, keep: dropoutKeepFactor(p: config.hiddenDropout), out: gC, count: n * c)
            dy = gC
        }
        func grad(_ slot: Int) -> UnsafeMutablePointer<Float>? { trainable(slot) ? p.accumulationTarget(slot) : nil }
        gB.update(repeating: 0, count: n * c)
        layerNormBackward(rows: n, cols: c, x: a.embeddingSum.storage.pointer, weight: p.value(at: embeddingNorm).pointer,
                          stats: a.embeddingStats.storage.pointer, dy: dy, dx: gB,
                          dweight: grad(embeddingNorm), dbias: grad(embeddingNormBias))
        let mask = a.keyMask.storage.pointer
        let word = grad(wordEmbeddings), position = grad(positionEmbeddings), type = grad(typeEmbeddings)
        for r in 0..<n where mask[r] != 0 {
            let d = gB + r * c
            if let word, Int(a.ids[r]) != config.padTokenID { vectorAxpy(alpha: 1, d, word + Int(a.ids[r]) * c, count: c) }
            if let position { vectorAxpy(alpha: 1, d, position + (r % t) * c, count: c) }
            if let type { vectorAxpy(alpha: 1, d, type + Int(a.tokenTypes[r]) * c, count: c) }
        }
    }
}
