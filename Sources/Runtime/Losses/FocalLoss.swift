import Foundation
import Kernels
import Plan
import Support

/// Softmax focal loss (Lin et al. 2017) over logits against class ids:
///
///   L = (1/N)·Σ_i −w[y_i]·(1 − p_i)^γ·log p_i,   p_i = softmax(x_i)[y_i]
///
/// a plain mean over rows — unlike weighted cross-entropy, which divides by
/// Σ_i w[y_i]. With γ = 0 and no weights it is cross-entropy.
///
/// logits, probs, dlogits: (N, C)  targets: (N)  weights: (C) or nil
public enum FocalLossKernel {
    /// The mean loss; writes softmax(logits) to `probs`.
    public static func forward(rows n: Int, classes c: Int, logits: UnsafePointer<Float>, targets: [Int],
                               gamma: Float, weights: [Float]?, probs: UnsafeMutablePointer<Float>) -> Float {
        if let weights { precondition(weights.count == c, "focal: \(weights.count) class weights for \(c) classes") }
        var total: Double = 0
        for r in 0..<n {
            let x = logits + r * c, p = probs + r * c
            let t = targets[r]
            precondition(t >= 0 && t < c, "focal: target \(t) outside 0..<\(c)")
            var logZ: Float = 0
            softmaxRows(x, out: p, rows: 1, cols: c, logNormalizers: &logZ)
            let logP = Double(x[t] - logZ)
            let q = complement(p, classes: c, target: t)
            total += -Double(weights?[t] ?? 1) * modulation(q, gamma) * logP
        }
        return Float(total / Double(max(n, 1)))
    }

    /// With q = 1 − p_y and ℓ = log p_y, d/dx_j of −w·q^γ·ℓ is
    /// w·(p_j − onehot_j)·(q^γ − γ·q^(γ−1)·p_y·ℓ); dlogits += g/N · that.
    public static func backward(rows n: Int, classes c: Int, logits: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                                targets: [Int], gamma: Float, weights: [Float]?, upstream g: Float, dlogits: UnsafeMutablePointer<Float>) {
        let k = Double(g) / Double(max(n, 1))
        for r in 0..<n {
            let p = probs + r * c, d = dlogits + r * c, t = targets[r]
            let py = Double(p[t])
            let logP = Double(logits[r * c + t]) - logSumExp(logits + r * c, count: c)
            let q = complement(p, classes: c, target: t)
            let factor: Double
            if gamma == 0 {
                factor = 1
            } else if q == 0 {
                factor = 0  // the limit for every γ > 0: q^(γ−1)·p·ℓ ~ −q^γ → 0
            } else {
                factor = Foundation.pow(q, Double(gamma)) - Double(gamma) * Foundation.pow(q, Double(gamma) - 1) * py * logP
            }
            let scale = Float(k * Double(weights?[t] ?? 1) * factor)
            for j in 0..<c { d[j] += scale * p[j] }
            d[t] -= scale
        }
    }

    /// 1 − p_y as Σ_{c≠y} p_c, exact where p_y rounds to 1.
    static func complement(_ p: UnsafePointer<Float>, classes c: Int, target t: Int) -> Double {
        var q = 0.0
        for j in 0..<c where j != t { q += Double(p[j]) }
        return q
    }

    /// (1 − p)^γ, with 0^0 = 1.
    static func modulation(_ q: Double, _ gamma: Float) -> Double {
        gamma == 0 ? 1 : Foundation.pow(q, Double(gamma))
    }

    /// log Σ e^x over one row, in float64 (the backward's log p_y, which the stored
    /// float probabilities would lose where p_y underflows).
    static func logSumExp(_ x: UnsafePointer<Float>, count c: Int) -> Double {
        var m = -Float.infinity
        for j in 0..<c { m = max(m, x[j]) }
        var s: Double = 0
        for j in 0..<c { s += Foundation.exp(Double(x[j] - m)) }
        return Double(m) + Foundation.log(s)
    }
}

extension Tape {
    /// Mean softmax focal loss of `logits` (N, C) against class ids `targets` (N).
    public func focalLoss(_ logits: Variable, targets: [Int], gamma: Float, weights: [Float]? = nil) -> Variable {
        let lv = value(logits)
        let (n, c) = lv.rowsAndColumns
        precondition(targets.count == n, "focal: \(targets.count) targets for \(n) rows")
        let probs = scratch([n, c])
        let y = scratch([])
        y.pointer[0] = FocalLossKernel.forward(rows: n, classes: c, logits: lv.pointer, targets: targets,
                                               gamma: gamma, weights: weights, probs: probs.pointer)
        return record(y, .focal(logits: logits.id, targets: targets, gamma: gamma, weights: weights, probs: probs), inputs: logits.id)
    }
}
