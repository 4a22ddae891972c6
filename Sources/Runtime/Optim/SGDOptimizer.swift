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
        try OptimizerError.requireNonNegative("sgd", ["lr": config.lr, "momentum": config.momentum, "weight_decay": config.weightDecay])
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
        let wd = Float(run.weightDecay(config.weightDecay))
        let negLR = Float(-lr)
        guard !stateBufferNames.isEmpty else {
            // Plain SGD: p ← p − η·(g + λp)
            let kernel = vectorized ? sgdStep : sgdStepReference
            kernel(run.count, p, g, wd, negLR)
            return
        }
        let mu = Float(config.momentum)
        let keep = Float(1 - config.dampening)
        let kernel = vectorized ? sgdMomentumStep : sgdMomentumStepReference
        kernel(run.count, p, g, state(0, run), wd, mu, keep, step == 1, config.nesterov, negLR)
    }
}
