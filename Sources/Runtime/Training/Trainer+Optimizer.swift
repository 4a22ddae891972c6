import Foundation
import Plan

/// The trial's `optimizer { … }` block turned into a runnable optimizer over a
/// parameter group. Separate from the epoch loop: a fresh start and a resume both
/// build one, and the mapping of spec fields to each optimizer's config is its own job.
extension Trainer {
    static func makeOptimizer(_ o: OptimizerSpec, group: ParameterGroup) throws -> Optimizer {
        do {
            switch o.kind {
            case .sgd:
                return try SGDOptimizer(group: group, config: .init(lr: o.lr, momentum: o.momentum, dampening: o.dampening,
                                                                     nesterov: o.nesterov, weightDecay: o.weightDecay))
            case .adam, .adamw:
                return try AdamOptimizer(group: group, config: .init(lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps,
                                                                      weightDecay: o.weightDecay, amsgrad: o.amsgrad,
                                                                      decoupledWeightDecay: o.kind == .adamw))
            case .rmsprop:
                return try RMSpropOptimizer(group: group, config: .init(lr: o.lr, alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay,
                                                                         momentum: o.momentum, centered: o.centered))
            case .adagrad:
                return try AdagradOptimizer(group: group, config: .init(lr: o.lr, lrDecay: o.adagradLRDecay, weightDecay: o.weightDecay,
                                                                         initialAccumulatorValue: o.initialAccumulator, eps: o.eps))
            }
        } catch {
            throw TrainingError("cannot build the \(o.kind.rawValue) optimizer: \(error)")
        }
    }
}
