import Foundation
import Kernels
import Plan
import Support

/// Adam and AdamW, PyTorch's `torch.optim.Adam` / `torch.optim.AdamW`
/// (single-tensor path, `decoupled_weight_decay` for AdamW).
///
/// Per slot at its step `t = 1, 2, …`, slot lr `η`, gradient `g`:
///
///     p ← p·(1 − ηλ)                       AdamW (decoupled), if λ ≠ 0
///     g ← g + λ·p                          Adam (L2),         if λ ≠ 0
///     m ← m + (1 − β₁)·(g − m)             torch.lerp
///     v ← β₂·v + (1 − β₂)·g·g
///     v̂ ← max(v̂, v)                        amsgrad (then v̂ replaces v below)
///     d ← √v · (1 / √(1 − β₂ᵗ)) + ε
///     p ← p − (η / (1 − β₁ᵗ))·m / d
///
/// Bias corrections are float64 scalars as in Python; each is rounded once to
/// float32 where PyTorch passes it to a float32 kernel. PyTorch divides √v by
/// √(1 − β₂ᵗ); multiplying by its float64 reciprocal instead differs by an ulp at
/// most and saves one division per element. The update is memory-bound all the same
/// (it streams parameters, gradients and both moments: 9% of a W2 step); a version
/// without the square root and the divisions ran only 10% faster.
public final class AdamOptimizer: Optimizer, @unchecked Sendable {
    /// Hyperparameters; defaults as PyTorch's (`weightDecay` 0 for Adam,
    /// 0.01 for AdamW — see `Config.adamW`).
    public struct Config: Sendable, Equatable {
        public var lr: Double
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double
        public var amsgrad: Bool
        /// AdamW: decay the weights directly instead of adding L2 to the gradient.
        public var decoupledWeightDecay: Bool

        public init(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                    weightDecay: Double = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false) {
            self.lr = lr
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
            self.amsgrad = amsgrad
            self.decoupledWeightDecay = decoupledWeightDecay
        }

        /// PyTorch's AdamW defaults: weight decay 0.01, decoupled.
        public static func adamW(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                                 weightDecay: Double = 0.01, amsgrad: Bool = false) -> Config {
            Config(lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: true)
        }
    }

    /// The hyperparameters (`beta1` may change between steps, e.g. one-cycle).
    public var config: Config

    /// State: `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq` with amsgrad) for trainable slots.
    public init(group: ParameterGroup, config: Config = Config()) throws {
        try OptimizerError.requireNonNegative("adam", ["lr": config.lr, "eps": config.eps, "weight_decay": config.weightDecay])
        guard (0..<1).contains(config.beta1), (0..<1).contains(config.beta2) else {
            throw OptimizerError("adam betas must lie in [0, 1), got (\(config.beta1), \(config.beta2))")
        }
        self.config = config
        var buffers: [(name: String, initialValue: Float)] = [("exp_avg", 0), ("exp_avg_sq", 0)]
        if config.amsgrad { buffers.append(("max_exp_avg_sq", 0)) }
        super.init(kind: config.decoupledWeightDecay ? "adamw" : "adam", group: group, learningRate: config.lr, stateBuffers: buffers)
    }

    override public var cycledMomentum: Double? {
        get { config.beta1 }
        set { if let m = newValue { config.beta1 = m } }
    }

    override func update(run: Run, step: Int, lr: Double, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>) {
        let c = config
        let wd = run.weightDecay(c.weightDecay)
        // p·(1 − ηλ): a no-op multiply by 1 when there is no decoupled decay.
        let decay = Float(c.decoupledWeightDecay && wd != 0 ? 1 - lr * wd : 1)
        let l2 = Float(!c.decoupledWeightDecay ? wd : 0)
        let w1 = Float(1 - c.beta1), b2 = Float(c.beta2), c2 = Float(1 - c.beta2)
        let t = Double(step)
        let bc1 = 1 - pow(c.beta1, t)
        let bc2 = 1 - pow(c.beta2, t)
        let negStep = Float(-(lr / bc1)), invBc2Sqrt = Float(1 / bc2.squareRoot()), eps = Float(c.eps)
        let vmax: UnsafeMutablePointer<Float>? = c.amsgrad ? state(2, run) : nil
        let kernel = vectorized ? adamStep : adamStepReference
        kernel(run.count, p, g, state(0, run), state(1, run), vmax, decay, l2, w1, b2, c2, negStep, invBc2Sqrt, eps)
    }
}
