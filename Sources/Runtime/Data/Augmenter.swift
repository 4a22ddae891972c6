import Foundation
import Kernels
import Plan
import Support

/// Train-time augmentation of a gathered batch, drawing only from the generator
/// passed in (seeded per step by `BatchLoader`).
public enum Augmenter {
    /// Applies `augmentation` to the first `batch.count` rows.
    ///
    /// - `noise(std)`: `x += std · N(0, 1)`, one Box–Muller draw per element in
    ///   row-major order.
    /// - `mixup(alpha)`: draws `λ ~ Beta(α, α)` (as `G₁/(G₁+G₂)`, Gamma by
    ///   Marsaglia–Tsang), then a Fisher–Yates permutation π of the batch rows;
    ///   `x[i] ← λ·x[i] + (1 − λ)·x[π(i)]`, `mixLabels[i] ← labels[π(i)]`,
    ///   `targets[i] ← λ·t[i] + (1 − λ)·t[π(i)]`, `mixWeight ← λ·mixWeight`
    ///   (a second mixup would need per-pair weights; `ftx check` and the trainer allow one).
    /// - `tokenDropout` acts on token ids, not features: `apply(_:to:vocabulary:generator:)`.
    public static func apply(_ augmentation: Augmentation, to batch: inout Batch, generator g: inout SeededGenerator) {
        let n = batch.count, f = batch.featureCount
        switch augmentation {
        case let .noise(std):
            batch.x.withUnsafeMutableBufferPointer { x in
                for k in 0..<(n * f) { x[k] += Float(std * g.nextGaussian()) }
            }
        case let .mixup(alpha):
            guard n > 0 else { return }
            let lambda = beta(alpha, alpha, &g)
            if batch.scratchX.count < batch.capacity * f {
                batch.scratchX = [Float](repeating: 0, count: batch.capacity * f)
                batch.scratchPerm = [Int](repeating: 0, count: batch.capacity)
            }
            for i in 0..<n { batch.scratchPerm[i] = i }
            for i in stride(from: n - 1, to: 0, by: -1) { batch.scratchPerm.swapAt(i, g.nextInt(below: i + 1)) }
            let l = Float(lambda), m = Float(1 - lambda)
            batch.scratchX.withUnsafeMutableBufferPointer { copy in
                batch.x.withUnsafeMutableBufferPointer { x in
                    for k in 0..<(n * f) { copy[k] = x[k] }
                    for i in 0..<n {
                        let p = batch.scratchPerm[i]
                        for j in 0..<f { x[i * f + j] = l * copy[i * f + j] + m * copy[p * f + j] }
                    }
                }
            }
            if !batch.labels.isEmpty {
                for i in 0..<n { batch.mixLabels[i] = batch.labels[batch.scratchPerm[i]] }
            }
            if !batch.targets.isEmpty {
                for i in 0..<n { batch.scratchX[i] = batch.targets[i] }
                for i in 0..<n { batch.targets[i] = l * batch.scratchX[i] + m * batch.scratchX[batch.scratchPerm[i]] }
            }
            batch.mixWeight *= l
        case .tokenDropout:
            preconditionFailure("token_dropout acts on token ids; the trainer applies it to the token batch")
        case .synonyms, .randomInsertion, .randomSwap, .randomDeletion, .paraphrases:
            preconditionFailure("\(augmentation) rewrites texts; the trainer applies it before tokenising (TextAugmenter)")
        }
    }

    /// Applies a token-level augmentation (`actsOnTokens`) to a train batch's token ids.
    ///
    /// - `tokenDropout(p)`: visits the real tokens row by row, position by position
    ///   (`0 ..< lengths[i]`), skipping `[CLS]`, `[SEP]` and `[PAD]`; for each, one draw
    ///   `u = g.nextDouble()` in [0, 1), and `u < p` replaces the id with `[MASK]` (with
    ///   `[UNK]` when the vocabulary has no `[MASK]`). Lengths and the attention mask
    ///   do not change: the token is replaced, not removed.
    public static func apply(_ augmentation: Augmentation, to tokens: inout TokenBatch, vocabulary: WordPieceVocabulary,
                             generator g: inout SeededGenerator) {
        guard case let .tokenDropout(p) = augmentation else {
            preconditionFailure("\(augmentation) acts on numeric features, not on tokens (ftx check rejects it on text data)")
        }
        let replacement = vocabulary.maskID ?? vocabulary.unknownID
        let cls = vocabulary.classID, sep = vocabulary.separatorID, pad = vocabulary.paddingID
        for i in 0..<tokens.count {
            for j in 0..<tokens.lengths[i] {
                let k = i * tokens.length + j, id = tokens.ids[k]
                if id == cls || id == sep || id == pad { continue }
                if g.nextDouble() < p { tokens.ids[k] = replacement }
            }
        }
    }

    /// A draw from Beta(a, b) as `G_a / (G_a + G_b)`.
    static func beta(_ a: Double, _ b: Double, _ g: inout SeededGenerator) -> Double {
        let x = gamma(a, &g), y = gamma(b, &g)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// A draw from Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via
    /// `Gamma(shape + 1) · U^(1/shape)`.
    static func gamma(_ shape: Double, _ g: inout SeededGenerator) -> Double {
        if shape < 1 {
            var u = g.nextDouble()
            while u <= 0 { u = g.nextDouble() }
            return gamma(shape + 1, &g) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = g.nextGaussian()
            var v = 1 + c * x
            if v <= 0 { continue }
            v = v * v * v
            let u = g.nextDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}
