import Foundation
import Kernels
import Plan
import Support

/// RMSprop, PyTorch's `torch.optim.RMSprop` (single-tensor path).
///
/// Per slot, slot lr `η`, smoothing `α`, gradient `g`:
///
///     g ← g + λ·p                          if λ ≠ 0
///     v ← α·v + (1 − α)·g·g
///     ḡ ← ḡ + (1 − α)·(g − ḡ)              centered (torch.lerp)
///     d ← √(v − ḡ·ḡ) + ε   (centered)   or   d ← √v + ε
///     b ← μ·b + g / d,  p ← p − η·b        if μ > 0
///     p ← p − η·g / d                      otherwise
public final class RMSpropOptimizer: Optimizer, @unchecked Sendable {
    /// Hyperparameters; defaults as PyTorch's.
    public struct Config: Sendable, Equatable {
        public var lr: Double
        public var alpha: Double
        public var eps: Double
        public var weightDecay: Double
        public var momentum: Double
        public var centered: Bool

        public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
                    momentum: Double = 0, centered: Bool = false) {
            self.lr = lr
            self.alpha = alpha
            self.eps = eps
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.centered = centered
        }
    }

    /// The hyperparameters.
    public var config: Config

    /// State: `square_avg`, plus `momentum_buffer` (μ > 0) and `grad_avg` (centered).
    public init(group: ParameterGroup, config: Config = Config()) throws {
        try OptimizerError.requireNonNegative("rmsprop", ["lr": config.lr, "alpha": config.alpha, "eps": config.eps,
                                                          "momentum": config.momentum, "weight_decay": config.weightDecay])
        self.config = config
        var buffers: [(name: String, initialValue: Float)] = [("square_avg", 0)]
        if config.momentum > 0 { buffers.append(("momentum_buffer", 0)) }
        if config.centered { buffers.append(("grad_avg", 0)) }
        super.init(kind: "rmsprop", group: group, learningRate: config.lr, stateBuffers: buffers)
    }

    override public var cycledMomentum: Double? {
        get { stateBufferNames.contains("momentum_buffer") ? config.momentum : nil }
        set { if let m = newValue, stateBufferNames.contains("momentum_buffer") { config.momentum = m } }
    }

    override func update(run: Run, step: Int, lr: Double, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>) {
        let c = config
        let wd = Float(run.weightDecay(c.weightDecay))
        let a = Float(c.alpha)
        let oneMinusA = Float(1 - c.alpha)
        let eps = Float(c.eps)
        let negLR = Float(-lr)
        let hasMomentum = stateBufferNames.count > 1 && stateBufferNames[1] == "momentum_buffer"
        let buf: UnsafeMutablePointer<Float>? = hasMomentum ? state(1, run) : nil
        let gavg: UnsafeMutablePointer<Float>? = c.centered ? state(hasMomentum ? 2 : 1, run) : nil
        let mu = Float(c.momentum)
        let kernel = vectorized ? rmspropStep : rmspropStepReference
        kernel(run.count, p, g, state(0, run), buf, gavg, wd, a, oneMinusA, eps, mu, negLR)
    }
}
