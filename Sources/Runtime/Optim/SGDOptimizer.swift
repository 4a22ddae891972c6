import Foundation
import Kernels
import Plan
import Support

/// Stochastic gradient descent, PyTorch's `torch.optim.SGD` (single-tensor path).
///
/// Per slot, with gradient `g`, slot lr `η`, momentum `μ`, dampening `τ`,
/// weight decay `λ` (L2, added to the gradient):
///
///     g ← g + λ·p                          if λ ≠ 0
///     b ← g                                at the slot's first step
///     b ← μ·b + (1 − τ)·g                  afterwards            (if μ ≠ 0)
///     g ← g + μ·b  (nesterov)   or   g ← b                       (if μ ≠ 0)
///     p ← p − η·g
///
/// `add(x, alpha:)` is an FMA in PyTorch's vector kernels, and here.
public final class SGDOptimizer: Optimizer, @unchecked Sendable {
    /// Hyperparameters; defaults as PyTorch's.
    public struct Config: Sendable, Equatable {
        public var lr: Double
        public var momentum: Double
        public var dampening: Double
        public var nesterov: Bool
        public var weightDecay: Double

        public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
            self.lr = lr
            self.momentum = momentum
            self.dampening = dampening
            self.nesterov = nesterov
            self.weightDecay = weightDecay
        }
    }

    /// The hyperparameters (momentum may change between steps, e.g. one-cycle).
    public var config: Config

    /// Momentum buffers exist (for trainable slots only) when `momentum ≠ 0`.
    public init(group: ParameterGroup, config: Config = Config()) throws {
        guard config.lr >= 0, config.momentum >= 0, config.weightDecay >= 0 else {
            throw OptimizerError("sgd needs lr, momentum and weight_decay ≥ 0")
        }
        guard !config.nesterov || (config.momentum > 0 && config.dampening == 0) else {
            throw OptimizerError("sgd nesterov requires momentum > 0 and dampening = 0")
        }
        self.config = config
        super.init(kind: "sgd", group: group, learningRate: config.lr,
                   stateBuffers: config.momentum != 0 ? [("momentum_buffer", 0)] : [])
    }

    override public var cycledMomentum: Double? {
        get { config.momentum }
        set { if let m = newValue { config.momentum = m } }
    }

    override func update(run: Run, step: Int, lr: Double, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>) {
        typealias V = OptimVec.V
        let n = run.count
        let wd = Float(run.decays ? config.weightDecay : 0)
        let negLR = Float(-lr)
        let simdEnd = OptimVec.simdCount(n, vectorized)
        guard !stateBufferNames.isEmpty else {
            // Plain SGD: p ← p − η·(g + λp)
            var i = 0
            while i < simdEnd {
                let pv = OptimVec.load(p, i)
                var gv = OptimVec.load(g, i)
                if wd != 0 { gv = gv.addingProduct(pv, V(repeating: wd)) }
                OptimVec.store(p, i, pv.addingProduct(gv, V(repeating: negLR)))
                i += 16
            }
            while i < n {
                var gs = g[i]
                if wd != 0 { gs = gs.addingProduct(p[i], wd) }
                p[i] = p[i].addingProduct(gs, negLR)
                i += 1
            }
            return
        }
        let b = state(0, run)
        let mu = Float(config.momentum)
        let keep = Float(1 - config.dampening)
        let first = step == 1
        let nesterov = config.nesterov
        var i = 0
        while i < simdEnd {
            let pv = OptimVec.load(p, i)
            var gv = OptimVec.load(g, i)
            if wd != 0 { gv = gv.addingProduct(pv, V(repeating: wd)) }
            let bv = first ? gv : (OptimVec.load(b, i) * V(repeating: mu)).addingProduct(gv, V(repeating: keep))
            OptimVec.store(b, i, bv)
            let dv = nesterov ? gv.addingProduct(bv, V(repeating: mu)) : bv
            OptimVec.store(p, i, pv.addingProduct(dv, V(repeating: negLR)))
            i += 16
        }
        while i < n {
            var gs = g[i]
            if wd != 0 { gs = gs.addingProduct(p[i], wd) }
            let bs = first ? gs : (b[i] * mu).addingProduct(gs, keep)
            b[i] = bs
            let ds = nesterov ? gs.addingProduct(bs, mu) : bs
            p[i] = p[i].addingProduct(ds, negLR)
            i += 1
        }
    }
}
