import Foundation

/// Where a trial stands after one optimizer step: what the trainer tells a live
/// display between epochs. Plain values only, so reporting a step allocates nothing.
public struct StepProgress: Sendable, Equatable {
    /// Optimizer steps completed over the whole stage (the step just taken is `step - 1`).
    public var step: Int
    /// The epoch in progress, 0-based.
    public var epoch: Int
    /// Optimizer steps completed in this epoch (1…`stepsPerEpoch`).
    public var stepInEpoch: Int
    /// Optimizer steps per epoch.
    public var stepsPerEpoch: Int
    /// Epochs the stage trains (without early stopping).
    public var totalEpochs: Int
    /// The step's loss: the mean over its rows, penalties included, as optimized.
    public var loss: Float

    public init(step: Int, epoch: Int, stepInEpoch: Int, stepsPerEpoch: Int, totalEpochs: Int, loss: Float) {
        self.step = step
        self.epoch = epoch
        self.stepInEpoch = stepInEpoch
        self.stepsPerEpoch = stepsPerEpoch
        self.totalEpochs = totalEpochs
        self.loss = loss
    }
}
