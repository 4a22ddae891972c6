import Foundation
import Kernels
import Plan
import Support

/// A grow-only float buffer: reallocated only when a larger size is asked for,
/// so a training loop at a fixed batch shape allocates nothing after step one.
final class GrowableBuffer {
    private(set) var storage = TensorStorage(capacity: 0)

    /// A pointer to at least `count` floats (contents unspecified).
    func pointer(_ count: Int) -> UnsafeMutablePointer<Float> {
        if storage.capacity < count { storage = TensorStorage(capacity: count) }
        return storage.pointer
    }

    /// The floats held.
    var capacity: Int { storage.capacity }
}

/// A grow-only byte buffer (dropout masks: 1 = kept, 0 = dropped), like `GrowableBuffer`.
final class GrowableByteBuffer {
    private(set) var pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    private(set) var capacity = 0

    /// A pointer to at least `count` bytes (contents unspecified).
    func pointer(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity < count {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
        }
        return pointer
    }

    deinit { pointer.deallocate() }
}

/// What one encoder layer keeps for its backward pass.
///
/// x (its input) is the layer below's LN2(sum2), or the embeddings' output.  Rows N = B·T, C hidden, I intermediate.
///   q, k, v, context: (N, C)        probs: (B, H, T, T) softmax before dropout
///   probsMask: (B, H, T, T) bytes   attention dropout mask (1 kept, 0 dropped), training only
///   sum1: (N, C) = drop(context·Woᵀ + bo) + x     stats1: (N, 2) LayerNorm (mean, rstd)
///   hidden1 = LN1(sum1) and output = LN2(sum2) are not kept per layer: backward recomputes
///          each from its sum and the same kernel (bit-identical, one LayerNorm pass each)
///   inter: (N, I) = hidden1·W1ᵀ + b1 (before GELU); gelu(inter) is not kept: backward
///          recomputes it (one GELU pass, ~1% of a step) rather than hold N·I floats per layer
///   sum2: (N, C) = drop(gelu(inter)·W2ᵀ + b2) + hidden1      stats2: (N, 2)
///   mask1, mask2: (N, C) bytes, hidden dropout masks, training only (bytes, not float
///          factors: a quarter of the memory, the same results — Kernels/DropoutKernels.swift)
final class BertLayerActivations {
    let q = GrowableBuffer(), k = GrowableBuffer(), v = GrowableBuffer(), context = GrowableBuffer()
    let probs = GrowableBuffer(), probsMask = GrowableByteBuffer()
    let sum1 = GrowableBuffer(), stats1 = GrowableBuffer()
    let inter = GrowableBuffer()
    let sum2 = GrowableBuffer(), stats2 = GrowableBuffer()
    let mask1 = GrowableByteBuffer(), mask2 = GrowableByteBuffer()

    /// Bytes held by every buffer.
    var bytesHeld: Int {
        [q, k, v, context, probs, sum1, stats1, inter, sum2, stats2].reduce(0) { $0 + 4 * $1.capacity }
            + [probsMask, mask1, mask2].reduce(0) { $0 + $1.capacity }
    }
}

/// The model's activations for one batch, and the backward pass's scratch.
///
/// Training keeps every layer's activations (`layers[i]`); evaluation runs all
/// layers through `layers[0]`'s buffers, ping-ponging the hidden state, so its
/// footprint is one layer's whatever the depth.
final class BertActivations {
    /// Shape of the batch the activations describe.
    var batch = 0, length = 0
    /// Whether the last forward kept what backward needs (training mode).
    var recorded = false
    /// First layer run by the last forward (0, or a frozen prefix's length).
    var firstLayer = 0
    var training = false
    var pooling: PretrainedSpec.Pooling = .mean

    /// The last forward's inputs: ids, token types, key mask (B·T floats, 1 = real).
    var ids: [Int32] = [], tokenTypes: [Int32] = []
    let keyMask = GrowableBuffer()

    // Embeddings: sum (N, C) = word + position + type; stats (N, 2); mask (N, C); output (N, C).
    let embeddingSum = GrowableBuffer(), embeddingStats = GrowableBuffer()
    let embeddingMask = GrowableByteBuffer(), embeddingOutput = GrowableBuffer()
    /// Input hidden state when the forward starts from features (a frozen prefix's output).
    let features = GrowableBuffer()
    var layers: [BertLayerActivations] = []
    /// The hidden state between layers, ping-ponged: the layers from `firstLayer` write
    /// hiddenStates.0, .1, .0, … (training too: backward recomputes a layer's input from the
    /// layer below's sum2). `hidden1` (N, C) is the current layer's LN1 output, shared.
    let hiddenStates = (GrowableBuffer(), GrowableBuffer())
    let hidden1 = GrowableBuffer()
    let pooled = GrowableBuffer()

    // Backward scratch, shared by all layers: (N, C) ×7, (N, 2), per-worker (T, T) ×2.
    /// A layer's recomputed input (the layer below's LN2 output) and LayerNorm statistics.
    let layerInput = GrowableBuffer(), recomputedStats = GrowableBuffer()
    let gradA = GrowableBuffer(), gradB = GrowableBuffer(), gradC = GrowableBuffer()
    let gradQ = GrowableBuffer(), gradK = GrowableBuffer(), gradV = GrowableBuffer()
    /// (N, I), shared by all layers: a training forward's gelu(inter) on its way into the FFN's
    /// output GEMM; in backward the same GELU recomputed for W2's gradient, then dInter.
    let intermediate = GrowableBuffer()
    let attentionScratch = GrowableBuffer()

    func layer(_ i: Int) -> BertLayerActivations {
        while layers.count <= i { layers.append(BertLayerActivations()) }
        return layers[i]
    }

    /// Bytes held by every buffer.
    var bytesHeld: Int {
        layers.reduce(0) { $0 + $1.bytesHeld } + embeddingMask.capacity
            + [keyMask, embeddingSum, embeddingStats, embeddingOutput, features, hiddenStates.0, hiddenStates.1, hidden1, pooled,
               layerInput, recomputedStats, gradA, gradB, gradC, gradQ, gradK, gradV, intermediate, attentionScratch].reduce(0) { $0 + 4 * $1.capacity }
    }
}
