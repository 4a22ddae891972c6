import Foundation
import Kernels
import Plan
import Support

extension Tape {
    /// mean((prediction − target)²), PyTorch's `F.mse_loss` (same shapes).
    public func mse(_ prediction: Variable, _ target: Variable) -> Variable {
        let a = value(prediction), b = value(target)
        precondition(a.count == b.count, "mse: prediction \(a.shape) vs target \(b.shape)")
        var s: Double = 0
        for i in 0..<a.count { let d = Double(a.pointer[i] - b.pointer[i]); s += d * d }
        let y = scratch([])
        y.pointer[0] = Float(s / Double(max(a.count, 1)))
        return record(y, .mse(prediction.id, target.id), inputs: prediction.id, target.id)
    }

    /// mean(max(x, 0) − x·t + log(1 + e^−|x|)): binary cross-entropy with logits in
    /// its stable form, PyTorch's `F.binary_cross_entropy_with_logits` (same element count).
    /// With `posWeight` pw ≠ 1, PyTorch's `pos_weight`: mean(pw·t·softplus(−x) + (1 − t)·softplus(x)).
    public func binaryCrossEntropyWithLogits(_ logits: Variable, _ target: Variable, posWeight pw: Float = 1) -> Variable {
        let x = value(logits), t = value(target)
        precondition(x.count == t.count, "bce: logits \(x.shape) vs target \(t.shape)")
        var s: Double = 0
        for i in 0..<x.count {
            let xi = x.pointer[i], ti = t.pointer[i]
            if pw == 1 {
                s += Double(max(xi, 0) - xi * ti + log1p(Foundation.exp(-abs(xi))))
            } else {
                let softplus = Double(BinaryCrossEntropy.softplus(xi))  // −log(1 − σ(x)); softplus(−x) = softplus(x) − x
                s += Double(pw * ti) * (softplus - Double(xi)) + Double(1 - ti) * softplus
            }
        }
        let y = scratch([])
        y.pointer[0] = Float(s / Double(max(x.count, 1)))
        return record(y, .bceWithLogits(logits.id, target.id, posWeight: pw), inputs: logits.id, target.id)
    }
}

/// The stable pieces of binary cross-entropy with logits.
enum BinaryCrossEntropy {
    /// log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|) = −log(1 − σ(x)).
    static func softplus(_ x: Float) -> Float { max(x, 0) + log1p(Foundation.exp(-abs(x))) }
}
