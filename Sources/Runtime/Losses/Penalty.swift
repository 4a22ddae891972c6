import Kernels
import Plan
import Support
/// Weight penalties over a store's trainable penalised slots (dense and
/// embedding weights; not biases or norm parameters): Σ|w| and Σw².
public enum PenaltyKernel {
    /// coefficient · Σ|w| (l1) or coefficient · Σw² (l2).
    public static func value(_ store: ParameterStore, _ kind: PenaltyKind, coefficient: Float) -> Float {
        // Blocked SIMD sums (a scalar Float loop is one dependent add per weight: digits-transfer's
        // fine-tune spent 7% of its time here).
        var total: Double = 0
        for s in store.slots where s.trainable && s.role.isPenalized {
            let w = store.values.pointer + s.offset
            switch kind {
            case .l1: total += sumOfAbsolutes(w, count: s.count)
            case .l2: total += sumOfSquares(w, count: s.count)
            }
        }
        return Float(Double(coefficient) * total)
    }

    /// grad += g · coefficient · sign(w) (l1, sign(0) = 0) or g · coefficient · 2w (l2).
    public static func backward(_ store: ParameterStore, _ kind: PenaltyKind, coefficient: Float, upstream g: Float) {
        let k = g * coefficient
        for (i, s) in store.slots.enumerated() where s.trainable && s.role.isPenalized {
            let w = store.values.pointer + s.offset, d = store.accumulationTarget(i)
            switch kind {
            case .l1: for i in 0..<s.count { d[i] += w[i] > 0 ? k : (w[i] < 0 ? -k : 0) }
            case .l2: vectorAxpy(alpha: 2 * k, w, d, count: s.count)
            }
        }
    }
}

extension Tape {
    /// coefficient · `l1()` or `l2()` over `store`'s trainable weights; its
    /// gradient goes straight into the store's gradient buffer.
    public func penalty(_ store: ParameterStore, _ kind: PenaltyKind, coefficient: Float) -> Variable {
        let y = scratch([])
        y.pointer[0] = PenaltyKernel.value(store, kind, coefficient: coefficient)
        let needs = gradientsEnabled && store.slots.contains { $0.trainable && $0.role.isPenalized }
        nodes.append(Node(value: y, grad: nil, requiresGrad: needs, op: needs ? .penalty(store, kind, coefficient) : .leaf))
        return Variable(id: nodes.count - 1)
    }
}
