import Foundation
import Kernels
import Plan
import Support

/// Adagrad, PyTorch's `torch.optim.Adagrad` (single-tensor path).
///
/// Per slot at its step `t = 1, 2, …`, slot lr `η`, gradient `g`:
///
///     g ← g + λ·p                          if λ ≠ 0
///     η_t = η / (1 + (t − 1)·lr_decay)
///     s ← s + g·g                          (s starts at initial_accumulator_value)
///     p ← p − η_t·g / (√s + ε)
public final class AdagradOptimizer: Optimizer, @unchecked Sendable {
    /// Hyperparameters; defaults as PyTorch's.
    public struct Config: Sendable, Equatable {
        public var lr: Double
        public var lrDecay: Double
        public var weightDecay: Double
        public var initialAccumulatorValue: Double
        public var eps: Double

        public init(lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                    initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
            self.lr = lr
            self.lrDecay = lrDecay
            self.weightDecay = weightDecay
            self.initialAccumulatorValue = initialAccumulatorValue
            self.eps = eps
        }
    }

    /// The hyperparameters.
    public var config: Config

    /// State: `sum` for trainable slots.
    public init(group: ParameterGroup, config: Config = Config()) throws {
        try OptimizerError.requireNonNegative("adagrad", ["lr": config.lr, "lr_decay": config.lrDecay, "weight_decay": config.weightDecay,
                                                          "initial_accumulator_value": config.initialAccumulatorValue, "eps": config.eps])
        self.config = config
        super.init(kind: "adagrad", group: group, learningRate: config.lr,
                   stateBuffers: [("sum", Float(config.initialAccumulatorValue))])
    }

    override func update(run: Run, step: Int, lr: Double, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>) {
        let wd = Float(run.weightDecay(config.weightDecay))
        let clr = lr / (1 + Double(step - 1) * config.lrDecay)
        let kernel = vectorized ? adagradStep : adagradStepReference
        kernel(run.count, p, g, state(0, run), wd, Float(-clr), Float(config.eps))
    }
}
