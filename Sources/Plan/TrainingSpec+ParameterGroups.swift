import Foundation

/// Each parameter's learning rate and weight decay: the one reading of `param_groups`,
/// `lr_decay` and `no_decay`, asked by the trainer when it lays out the optimizer.
extension TrainingSpec {
    /// What the optimizer does to one parameter besides its own update rule.
    public struct ParameterOptimization: Sendable, Equatable {
        /// The parameter's rate over the scheduled rate: at step `t` it trains at
        /// `rate(t) · lrScale`, where `rate(t)` is the schedule's rate for the optimizer's `lr`.
        public var lrScale: Double
        /// Its weight decay; nil = the optimizer's `weight_decay`.
        public var weightDecay: Double?
        public init(lrScale: Double, weightDecay: Double?) {
            self.lrScale = lrScale
            self.weightDecay = weightDecay
        }
    }

    /// Parameter `name` (of `role`, `decayDepth` blocks below the top per
    /// `ModelCatalog.lrDecayDepth`): the first `param_groups` entry that selects it sets its
    /// base rate (`group.lr` in place of the optimizer's `lr`) and its weight decay; layer-wise
    /// decay multiplies the rate by `lr_decay^decayDepth`; `no_decay = bias_and_norm` gives
    /// biases and norms weight decay 0 unless their group sets one.
    ///
    /// A group's rate follows the schedule as the optimizer's does: `rate(t) · group.lr / lr`,
    /// i.e. every group's base rate is scaled by the same `f(t) = rate(t) / lr` (PyTorch's
    /// schedulers scale each param group's initial lr alike).
    public func optimization(of name: String, role: ParameterRole, decayDepth: Int) -> ParameterOptimization {
        let group = parameterGroups.first { $0.patterns.contains { ParameterPattern.matches($0, name) } }
        var scale = 1.0
        if optimizer.layerLRDecay != 1 { scale = pow(optimizer.layerLRDecay, Double(decayDepth)) }
        if let lr = group?.lr { scale *= lr / optimizer.lr }
        var decay: Double?
        if optimizer.noDecay == .biasAndNorm, role.isBiasOrNorm { decay = 0 }
        if let d = group?.weightDecay { decay = d }
        return ParameterOptimization(lrScale: scale, weightDecay: decay)
    }
}
