import Foundation
import Kernels
import Plan
import Support

/// Cross-entropy of logits against class ids, mean over rows, with PyTorch's
/// label smoothing: loss_i = (1 − s)·(−log p[i, y_i]) + (s/C)·Σ_c(−log p[i, c]).
///
/// logits, probs, dlogits: (N, C)  targets: (N)
public enum CrossEntropyKernel {
    /// The mean loss; writes softmax(logits) to `probs`.
    public static func forward(rows n: Int, classes c: Int, logits: UnsafePointer<Float>, targets: [Int],
                               smoothing s: Float, probs: UnsafeMutablePointer<Float>) -> Float {
        var total: Double = 0
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

    /// dlogits += g/N · (p − (1 − s)·onehot(y) − s/C)
    public static func backward(rows n: Int, classes c: Int, probs: UnsafePointer<Float>, targets: [Int],
                                smoothing s: Float, upstream g: Float, dlogits: UnsafeMutablePointer<Float>) {
        let k = g / Float(max(n, 1))
        let off = s / Float(c)
        for r in 0..<n {
            let p = probs + r * c, d = dlogits + r * c
            for j in 0..<c { d[j] += k * (p[j] - off) }
            d[targets[r]] -= k * (1 - s)
        }
    }
}

extension Tape {
    /// Mean cross-entropy of `logits` (N, C) against class ids `targets` (N),
    /// PyTorch's `F.cross_entropy(logits, targets, label_smoothing: s)`.
    public func crossEntropy(_ logits: Variable, targets: [Int], labelSmoothing s: Float = 0) -> Variable {
        let lv = value(logits)
        let (n, c) = lv.rowsAndColumns
        precondition(targets.count == n, "cross_entropy: \(targets.count) targets for \(n) rows")
        let probs = scratch([n, c])
        let y = scratch([])
        y.pointer[0] = CrossEntropyKernel.forward(rows: n, classes: c, logits: lv.pointer, targets: targets,
                                                  smoothing: s, probs: probs.pointer)
        return record(y, .crossEntropy(logits: logits.id, targets: targets, smoothing: s, probs: probs), inputs: logits.id)
    }
}
