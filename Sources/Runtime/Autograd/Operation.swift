import Kernels
import Plan
import Support
/// Which penalty a `penalty` node computes.
public enum PenaltyKind: Sendable {
    /// Σ|w|
    case l1
    /// Σw²
    case l2
}

/// How a tape node was produced: its inputs (node ids) and whatever the
/// backward rule needs that is not an input's value. Rules live in
/// `Derivatives.swift`; forward kernels next to their op.
enum Operation {
    /// An input, a parameter, or any node nothing needs to differentiate through.
    case leaf
    /// y = x·Wᵀ + b.   x: (N, in)  w: (out, in)  b: (out)  y: (N, out)
    case linear(x: Int, w: Int, b: Int?)
    /// Batched matmul with broadcast batch dims.   a: (…, m, k)  b: (…, k, n)
    case matmul(a: Int, b: Int)
    /// Broadcasting a + b, a − b, a ⊙ b.
    case binary(Broadcast.BinaryOp, Int, Int)
    /// y = k·x
    case scale(Int, Float)
    /// y = f(x)
    case activation(Int, Activation)
    /// Row-wise softmax over the last dim.
    case softmax(Int)
    /// Row-wise log-softmax over the last dim.
    case logSoftmax(Int)
    /// Layer norm over the last dim; `stats` holds (mean, rstd) per row.
    case layerNorm(x: Int, w: Int?, b: Int?, stats: Tensor)
    /// Rows of `table` picked by `indices`.
    case embedding(table: Int, indices: [Int])
    /// y = x ⊙ mask  (mask holds 0 or 1/(1−p))
    case dropout(Int, mask: Tensor)
    /// Same elements, new shape.
    case reshape(Int)
    /// Scaled dot-product attention over heads packed in the last dim.
    case attention(q: Int, k: Int, v: Int, heads: Int, probs: Tensor)
    /// Mean over time of (B, T, C) weighted by a 0/1 mask (B, T).
    case maskedMeanPool(Int, mask: Tensor)
    /// y[b, :] = x[b, index, :]  (CLS pooling).
    case timeSlice(Int, index: Int)
    /// Σx or mean(x) to a scalar.
    case sum(Int, mean: Bool)
    /// Cross-entropy (mean, or weighted mean with class weights) of logits (N, C) against class ids; `probs` = softmax(logits).
    case crossEntropy(logits: Int, targets: [Int], smoothing: Float, weights: [Float]?, probs: Tensor)
    /// Softmax focal loss (mean over rows) of logits (N, C) against class ids; `probs` = softmax(logits).
    case focal(logits: Int, targets: [Int], gamma: Float, weights: [Float]?, probs: Tensor)
    /// mean((a − b)²)
    case mse(Int, Int)
    /// mean(pw·t·softplus(−x) + (1 − t)·softplus(x)), pw the positive-class weight (1: plain bce).
    case bceWithLogits(Int, Int, posWeight: Float)
    /// coefficient · Σ|w| or Σw² over the store's trainable penalised slots.
    case penalty(ParameterStore, PenaltyKind, Float)
}
