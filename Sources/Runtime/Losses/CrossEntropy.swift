import Foundation
import Kernels
import Plan
import Support

/// Cross-entropy of logits against class ids with PyTorch's label smoothing and
/// class weights, `nn.CrossEntropyLoss(weight: w, label_smoothing: s)` (reduction mean):
///
///   L = [(1 − s)·Σ_i w[y_i]·(−log p[i, y_i]) + (s/C)·Σ_i Σ_c w[c]·(−log p[i, c])] / Σ_i w[y_i]
///
/// Without weights (w = 1) the divisor is N. With weights the mean is PyTorch's
/// weighted mean (divided by the summed weights of the rows' own classes, also for
/// the smoothing part). A batch whose rows all have weight 0 has loss 0 and no
/// gradient (PyTorch returns NaN there, which would stop a trial as diverged).
///
/// logits, probs, dlogits: (N, C)  targets: (N)  weights: (C) or nil
public enum CrossEntropyKernel {
    /// The mean loss; writes softmax(logits) to `probs`.
    public static func forward(rows n: Int, classes c: Int, logits: UnsafePointer<Float>, targets: [Int],
                               smoothing s: Float, weights: [Float]? = nil, probs: UnsafeMutablePointer<Float>) -> Float {
        var total: Double = 0
        if let weights {
            precondition(weights.count == c, "cross_entropy: \(weights.count) class weights for \(c) classes")
            let divisor = weightSum(targets, weights)
            for r in 0..<n {
                let x = logits + r * c, p = probs + r * c
                let t = targets[r]
                precondition(t >= 0 && t < c, "cross_entropy: target \(t) outside 0..<\(c)")
                var logZ: Float = 0
                softmaxRows(x, out: p, rows: 1, cols: c, logNormalizers: &logZ)
                var loss = Double(weights[t]) * Double(logZ - x[t])
                if s != 0 {
                    var smooth = 0.0  // Σ_c w_c·(logZ − x_c)
                    for j in 0..<c { smooth += Double(weights[j]) * Double(logZ - x[j]) }
                    loss = Double(1 - s) * loss + Double(s) / Double(c) * smooth
                }
                total += loss
            }
            return divisor == 0 ? 0 : Float(total / divisor)
        }
        for r in 0..<n {
            let x = logits + r * c, p = probs + r * c
            let t = targets[r]
            precondition(t >= 0 && t < c, "cross_entropy: target \(t) outside 0..<\(c)")
            var logZ: Float = 0
            softmaxRows(x, out: p, rows: 1, cols: c, logNormalizers: &logZ)
            var loss = Double(logZ - x[t])
            if s != 0 {
                // Σ_c −log p_c = C·logZ − Σ_c x_c
                let smooth = Double(c) * Double(logZ) - Double(vectorSum(x, count: c))
                loss = Double(1 - s) * loss + Double(s) / Double(c) * smooth
            }
            total += loss
        }
        return Float(total / Double(max(n, 1)))
    }

    /// Unweighted: dlogits += g/N · (p − (1 − s)·onehot(y) − s/C).
    /// Weighted: dlogits[i] += g/W · ((1 − s)·w[y_i]·(p_i − onehot(y_i)) + (s/C)·(p_i·Σw − w)), W = Σ_i w[y_i].
    public static func backward(rows n: Int, classes c: Int, probs: UnsafePointer<Float>, targets: [Int],
                                smoothing s: Float, weights: [Float]? = nil, upstream g: Float, dlogits: UnsafeMutablePointer<Float>) {
        if let weights {
            let divisor = weightSum(targets, weights)
            guard divisor != 0 else { return }
            let k = g / Float(divisor)
            let total = weights.reduce(0, +)
            let off = s / Float(c)
            for r in 0..<n {
                let p = probs + r * c, d = dlogits + r * c, t = targets[r]
                let wy = (1 - s) * weights[t]
                for j in 0..<c { d[j] += k * (wy * p[j] + off * (p[j] * total - weights[j])) }
                d[t] -= k * wy
            }
            return
        }
        let k = g / Float(max(n, 1))
        let off = s / Float(c)
        for r in 0..<n {
            let p = probs + r * c, d = dlogits + r * c
            for j in 0..<c { d[j] += k * (p[j] - off) }
            d[targets[r]] -= k * (1 - s)
        }
    }

    /// Σ_i w[y_i], the weighted mean's divisor.
    static func weightSum(_ targets: [Int], _ weights: [Float]) -> Double {
        targets.reduce(0) { $0 + Double(weights[$1]) }
    }
}

extension Tape {
    /// Mean cross-entropy of `logits` (N, C) against class ids `targets` (N),
    /// PyTorch's `F.cross_entropy(logits, targets, weight: weights, label_smoothing: s)`.
    public func crossEntropy(_ logits: Variable, targets: [Int], labelSmoothing s: Float = 0, weights: [Float]? = nil) -> Variable {
        let lv = value(logits)
        let (n, c) = lv.rowsAndColumns
        precondition(targets.count == n, "cross_entropy: \(targets.count) targets for \(n) rows")
        let probs = scratch([n, c])
        let y = scratch([])
        y.pointer[0] = CrossEntropyKernel.forward(rows: n, classes: c, logits: lv.pointer, targets: targets,
                                                  smoothing: s, weights: weights, probs: probs.pointer)
        return record(y, .crossEntropy(logits: logits.id, targets: targets, smoothing: s, weights: weights, probs: probs), inputs: logits.id)
    }
}
