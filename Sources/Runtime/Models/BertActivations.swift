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

/// What one encoder layer keeps for its backward pass.
///
/// x (its input) is the previous layer's `output`.  Rows N = B·T, C hidden, I intermediate.
///   q, k, v, context: (N, C)        probs: (B, H, T, T) softmax before dropout
///   probsMask: (B, H, T, T)         attention dropout mask (0 or 1/(1−p)), training only
///   sum1: (N, C) = drop(context·Woᵀ + bo) + x     stats1: (N, 2) LayerNorm (mean, rstd)
///   hidden1: (N, C) = LN1(sum1)
///   inter: (N, I) = hidden1·W1ᵀ + b1 (before GELU)   act: (N, I) = gelu(inter)
///   sum2: (N, C) = drop(act·W2ᵀ + b2) + hidden1      stats2: (N, 2)
///   mask1, mask2: (N, C) hidden dropout masks, training only
///   output: (N, C) = LN2(sum2)
final class BertLayerActivations {
    let q = GrowableBuffer(), k = GrowableBuffer(), v = GrowableBuffer(), context = GrowableBuffer()
    let probs = GrowableBuffer(), probsMask = GrowableBuffer()
    let sum1 = GrowableBuffer(), stats1 = GrowableBuffer(), hidden1 = GrowableBuffer()
    let inter = GrowableBuffer(), act = GrowableBuffer()
    let sum2 = GrowableBuffer(), stats2 = GrowableBuffer()
    let mask1 = GrowableBuffer(), mask2 = GrowableBuffer()
    let output = GrowableBuffer()

    var floatsHeld: Int {
        [q, k, v, context, probs, probsMask, sum1, stats1, hidden1, inter, act, sum2, stats2, mask1, mask2, output]
            .reduce(0) { $0 + $1.capacity }
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
    let embeddingMask = GrowableBuffer(), embeddingOutput = GrowableBuffer()
    /// Input hidden state when the forward starts from features (a frozen prefix's output).
    let features = GrowableBuffer()
    var layers: [BertLayerActivations] = []
    /// Evaluation's second hidden-state buffer (ping-pong with layers[0].output).
    let spare = GrowableBuffer()
    let pooled = GrowableBuffer()

    // Backward scratch, shared by all layers: (N, C) ×5, (N, I), per-worker (T, T) ×2.
    let gradA = GrowableBuffer(), gradB = GrowableBuffer(), gradC = GrowableBuffer()
    let gradQ = GrowableBuffer(), gradK = GrowableBuffer(), gradV = GrowableBuffer()
    let gradInter = GrowableBuffer()
    let attentionScratch = GrowableBuffer()

    func layer(_ i: Int) -> BertLayerActivations {
        while layers.count <= i { layers.append(BertLayerActivations()) }
        return layers[i]
    }

    /// Floats held by every buffer.
    var floatsHeld: Int {
        layers.reduce(0) { $0 + $1.floatsHeld }
            + [keyMask, embeddingSum, embeddingStats, embeddingMask, embeddingOutput, features, spare, pooled,
               gradA, gradB, gradC, gradQ, gradK, gradV, gradInter, attentionScratch].reduce(0) { $0 + $1.capacity }
    }
}
