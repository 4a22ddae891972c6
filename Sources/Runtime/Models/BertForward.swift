import Foundation
import Kernels
import Plan
import Support

extension BertModel {
    // MARK: public forward passes

    /// Evaluation forward (no dropout, nothing kept for backward): the pooled
    /// sentence vectors (B, C). The tensor views the model's buffers and is valid
    /// until the next call on this model; `copy()` what must outlive it.
    public func forward(_ batch: TokenBatch, tokenTypes: [Int32]? = nil, pooling: PretrainedSpec.Pooling) -> Tensor {
        var unused = SeededGenerator(seed: 0)
        return forward(batch, tokenTypes: tokenTypes, pooling: pooling, training: false, generator: &unused)
    }

    /// Forward pass returning the pooled vectors (B, C). With `training` the
    /// config's dropouts are active (masks drawn from `generator`) and every
    /// activation is kept so `backward(pooledGradient:)` can follow. The result
    /// is valid until the next call on this model.
    public func forward(_ batch: TokenBatch, tokenTypes: [Int32]? = nil, pooling: PretrainedSpec.Pooling,
                        training: Bool, generator: inout SeededGenerator) -> Tensor {
        begin(batch.count, batch.length, mask: batch.mask, ids: batch.ids, tokenTypes: tokenTypes,
              firstLayer: 0, training: training, pooling: pooling)
        runEmbeddings(generator: &generator)
        runLayers(from: 0, to: config.numHiddenLayers, generator: &generator)
        return pool()
    }

    /// The prefix a planner computes once for a frozen bottom of the encoder:
    /// the hidden states (B, T, C) after the embeddings and `layers` encoder
    /// layers (0 = the embeddings' output), in evaluation mode, as a fresh tensor.
    /// Rows of padding positions are not meaningful. Real-token rows do not depend
    /// on the padding, so they can be stored per example and re-padded later.
    public func encodeFrozenPrefix(_ batch: TokenBatch, tokenTypes: [Int32]? = nil, layers k: Int) -> Tensor {
        precondition(k >= 0 && k <= config.numHiddenLayers, "encodeFrozenPrefix: \(k) layers of \(config.numHiddenLayers)")
        var unused = SeededGenerator(seed: 0)
        begin(batch.count, batch.length, mask: batch.mask, ids: batch.ids, tokenTypes: tokenTypes,
              firstLayer: 0, training: false, pooling: .mean)
        runEmbeddings(generator: &unused)
        let out = runLayers(from: 0, to: k, generator: &unused)
        return Tensor(shape: [batch.count, batch.length, config.hiddenSize],
                      data: Array(UnsafeBufferPointer(start: out, count: batch.count * batch.length * config.hiddenSize)))
    }

    /// Forward from a frozen prefix's output: `features` (B, T, C) are the hidden
    /// states after `layers` layers (from `encodeFrozenPrefix`, re-padded to
    /// `mask`'s shape (B, T), 1 = real token); runs the remaining layers and the
    /// pooling. `backward(pooledGradient:)` then stops at layer `layers`.
    public func forward(features: Tensor, mask: [Int32], afterLayers k: Int, pooling: PretrainedSpec.Pooling,
                        training: Bool, generator: inout SeededGenerator) -> Tensor {
        precondition(features.rank == 3 && features.shape[2] == config.hiddenSize, "features \(features.shape) must be (B, T, \(config.hiddenSize))")
        precondition(k >= 0 && k <= config.numHiddenLayers, "forward(features:): \(k) layers of \(config.numHiddenLayers)")
        let (b, t) = (features.shape[0], features.shape[1])
        precondition(mask.count == b * t, "mask of \(mask.count) for features \(features.shape)")
        begin(b, t, mask: mask, ids: [], tokenTypes: nil, firstLayer: k, training: training, pooling: pooling)
        let start = activations.features.pointer(features.count)
        start.update(from: features.pointer, count: features.count)
        runLayers(from: k, to: config.numHiddenLayers, generator: &generator)
        return pool()
    }

    /// The last forward's final hidden states (B, T, C) (`last_hidden_state`),
    /// valid until the next call on this model.
    public var lastHiddenState: Tensor {
        let a = activations
        return Tensor(storage: outputStorage(afterLayer: config.numHiddenLayers), offset: 0,
                      shape: [a.batch, a.length, config.hiddenSize])
    }

    /// Bytes held by the model's activation and scratch buffers (the training step's memory beside the
    /// parameters, gradients and optimizer moments).
    public var activationBytes: Int { activations.bytesHeld }

    // MARK: the pass

    func begin(_ b: Int, _ t: Int, mask: [Int32], ids: [Int32], tokenTypes: [Int32]?, firstLayer: Int,
               training: Bool, pooling: PretrainedSpec.Pooling) {
        precondition(mask.count == b * t, "mask of \(mask.count) for batch \(b)×\(t)")
        let a = activations
        a.batch = b; a.length = t; a.training = training; a.recorded = training
        a.firstLayer = firstLayer; a.pooling = pooling
        a.ids = ids
        a.tokenTypes = tokenTypes ?? [Int32](repeating: 0, count: ids.count)
        if let tokenTypes { precondition(tokenTypes.count == ids.count, "token types of \(tokenTypes.count) for \(ids.count) ids") }
        let m = a.keyMask.pointer(b * t)
        for i in 0..<(b * t) { m[i] = mask[i] != 0 ? 1 : 0 }
    }

    /// The buffer holding the hidden state after `layer` layers (0 = embeddings/features).
    func outputStorage(afterLayer layer: Int) -> TensorStorage {
        let a = activations
        if layer == a.firstLayer { return a.firstLayer == 0 && !a.ids.isEmpty ? a.embeddingOutput.storage : a.features.storage }
        return (layer - a.firstLayer) % 2 == 1 ? a.hiddenStates.0.storage : a.hiddenStates.1.storage
    }

    func runEmbeddings(generator: inout SeededGenerator) {
        let a = activations, c = config.hiddenSize, n = a.batch * a.length
        let p = parameters
        for (i, id) in a.ids.enumerated() {
            precondition(id >= 0 && Int(id) < config.vocabSize, "token id \(id) outside the vocabulary of \(config.vocabSize)")
            precondition(a.tokenTypes[i] >= 0 && Int(a.tokenTypes[i]) < config.typeVocabSize, "token type \(a.tokenTypes[i]) outside \(config.typeVocabSize)")
        }
        precondition(a.length <= config.maxPositionEmbeddings, "sequence length \(a.length) exceeds max_position_embeddings \(config.maxPositionEmbeddings)")
        let sum = a.embeddingSum.pointer(n * c), out = a.embeddingOutput.pointer(n * c), stats = a.embeddingStats.pointer(2 * n)
        BertKernels.embeddingSum(rows: n, length: a.length, c: c, ids: a.ids, types: a.tokenTypes,
                                 word: p.value(at: wordEmbeddings).pointer, position: p.value(at: positionEmbeddings).pointer,
                                 type: p.value(at: typeEmbeddings).pointer, sum: sum)
        BertKernels.layerNorm(rows: n, c: c, eps: config.layerNormEps, x: sum, weight: p.value(at: embeddingNorm).pointer,
                              bias: p.value(at: embeddingNormBias).pointer, y: out, stats: stats)
        if a.training && config.hiddenDropout > 0 {
            let mask = a.embeddingMask.pointer(n * c)
            BertKernels.dropoutMask(n * c, p: config.hiddenDropout, generator: &generator, into: mask)
            dropoutMultiply(out, mask: mask, keep: dropoutKeepFactor(p: config.hiddenDropout), out: out, count: n * c)
        }
    }

    /// Runs encoder layers `from..<to` and returns the final hidden state's buffer.
    @discardableResult
    func runLayers(from: Int, to: Int, generator: inout SeededGenerator) -> UnsafeMutablePointer<Float> {
        let a = activations
        var x = outputStorage(afterLayer: from).pointer
        guard from < to else { return x }
        for l in from..<to {
            let acts = a.recorded ? a.layer(l) : a.layer(0)
            let out = ((l + 1 - a.firstLayer) % 2 == 1 ? a.hiddenStates.0 : a.hiddenStates.1)
                .pointer(a.batch * a.length * config.hiddenSize)
            runLayer(l, x: x, acts: acts, out: out, generator: &generator)
            x = out
        }
        return x
    }

    /// One post-LN encoder layer.   x, out: (N, C)
    func runLayer(_ l: Int, x: UnsafeMutablePointer<Float>, acts: BertLayerActivations, out: UnsafeMutablePointer<Float>,
                  generator: inout SeededGenerator) {
        let a = activations, s = layers[l], p = parameters
        let (b, t, c, ic, h) = (a.batch, a.length, config.hiddenSize, config.intermediateSize, config.numAttentionHeads)
        let n = b * t
        func w(_ slot: Int) -> UnsafeMutablePointer<Float> { p.value(at: slot).pointer }
        let q = acts.q.pointer(n * c), k = acts.k.pointer(n * c), v = acts.v.pointer(n * c)
        LinearKernel.forward(rows: n, inFeatures: c, outFeatures: c, x: x, w: w(s.query), b: w(s.queryBias), y: q)
        LinearKernel.forward(rows: n, inFeatures: c, outFeatures: c, x: x, w: w(s.key), b: w(s.keyBias), y: k)
        LinearKernel.forward(rows: n, inFeatures: c, outFeatures: c, x: x, w: w(s.value), b: w(s.valueBias), y: v)

        let dropping = a.training && config.attentionDropout > 0
        let probs = a.recorded ? acts.probs.pointer(b * h * t * t) : nil
        var dropMask: UnsafeMutablePointer<UInt8>?
        if dropping {
            dropMask = acts.probsMask.pointer(b * h * t * t)
            BertKernels.dropoutMask(b * h * t * t, p: config.attentionDropout, generator: &generator, into: dropMask!)
        }
        let context = acts.context.pointer(n * c)
        let scratch = a.attentionScratch.pointer(ParallelChunks.workers * 2 * t * t)
        BertKernels.attentionForward(batch: b, length: t, c: c, heads: h, q: q, k: k, v: v, keyMask: a.keyMask.storage.pointer,
                                     probs: probs, dropMask: dropMask, dropP: config.attentionDropout, scratch: scratch, context: context)

        let hiddenDrop = a.training && config.hiddenDropout > 0
        let sum1 = acts.sum1.pointer(n * c), stats1 = acts.stats1.pointer(2 * n), hidden1 = a.hidden1.pointer(n * c)
        if hiddenDrop {
            let mask1 = acts.mask1.pointer(n * c)
            // sum1 = drop(context·Woᵀ + bo) + x; the product goes to hidden1 first (LN1 writes it
            // below), so the byte-mask kernel does not run in place (its scalar path).
            LinearKernel.forward(rows: n, inFeatures: c, outFeatures: c, x: context, w: w(s.attentionOut), b: w(s.attentionOutBias), y: hidden1)
            BertKernels.dropoutMask(n * c, p: config.hiddenDropout, generator: &generator, into: mask1)
            BertKernels.maskedResidual(n * c, a: hidden1, mask: mask1, p: config.hiddenDropout, x: x, y: sum1)
        } else {
            // sum1 = x + bo, then += context·Woᵀ (bias and residual fused into the GEMM's C)
            BertKernels.residualPlusBias(rows: n, c: c, x: x, bias: w(s.attentionOutBias), y: sum1)
            gemm(transA: false, transB: true, m: n, n: c, k: c, alpha: 1, a: context, lda: c, b: w(s.attentionOut), ldb: c,
                 beta: 1, c: sum1, ldc: c)
        }
        BertKernels.layerNorm(rows: n, c: c, eps: config.layerNormEps, x: sum1, weight: w(s.norm1), bias: w(s.norm1Bias),
                              y: hidden1, stats: stats1)

        let inter = acts.inter.pointer(n * ic)
        let act = a.recorded ? a.intermediate.pointer(n * ic) : inter
        if a.recorded {  // backward needs the pre-activation (and recomputes gelu from it)
            LinearKernel.forward(rows: n, inFeatures: c, outFeatures: ic, x: hidden1, w: w(s.intermediate), b: w(s.intermediateBias), y: inter)
            BertKernels.gelu(n * ic, x: inter, y: act)
        } else {  // GELU in the GEMM's store: no second pass over the (N, 1536) activations
            LinearKernel.forward(rows: n, inFeatures: c, outFeatures: ic, x: hidden1, w: w(s.intermediate), b: w(s.intermediateBias),
                                 y: act, activation: .gelu)
        }

        let sum2 = acts.sum2.pointer(n * c), stats2 = acts.stats2.pointer(2 * n)
        if hiddenDrop {
            let mask2 = acts.mask2.pointer(n * c)
            // The product goes to `out` first (LN2 writes it below): not in place, as above.
            LinearKernel.forward(rows: n, inFeatures: ic, outFeatures: c, x: act, w: w(s.output), b: w(s.outputBias), y: out)
            BertKernels.dropoutMask(n * c, p: config.hiddenDropout, generator: &generator, into: mask2)
            BertKernels.maskedResidual(n * c, a: out, mask: mask2, p: config.hiddenDropout, x: hidden1, y: sum2)
        } else {
            BertKernels.residualPlusBias(rows: n, c: c, x: hidden1, bias: w(s.outputBias), y: sum2)
            gemm(transA: false, transB: true, m: n, n: c, k: ic, alpha: 1, a: act, lda: ic, b: w(s.output), ldb: ic,
                 beta: 1, c: sum2, ldc: c)
        }
        BertKernels.layerNorm(rows: n, c: c, eps: config.layerNormEps, x: sum2, weight: w(s.norm2), bias: w(s.norm2Bias),
                              y: out, stats: stats2)
    }

    func pool() -> Tensor {
        let a = activations, c = config.hiddenSize
        let x = outputStorage(afterLayer: config.numHiddenLayers).pointer
        let pooled = a.pooled.pointer(a.batch * c)
        BertKernels.pool(a.pooling, batch: a.batch, length: a.length, c: c, x: x, keyMask: a.keyMask.storage.pointer, pooled: pooled)
        return Tensor(storage: a.pooled.storage, offset: 0, shape: [a.batch, c])
    }
}
