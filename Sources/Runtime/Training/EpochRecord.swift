import Foundation
import Kernels
import Plan
import Support

/// One line of a trial's `history.jsonl`: the state after a completed epoch.
public struct EpochRecord: Sendable, Equatable {
    /// Completed epochs (1-based: the first epoch's record has `epoch` 1).
    public var epoch: Int
    /// Optimizer steps completed so far in the stage.
    public var step: Int
    /// Learning rate of the epoch's last step.
    public var lr: Double
    /// Mean of the epoch's batch losses (penalties included, as optimized).
    public var trainLoss: Double
    /// `valid.loss`, `valid.accuracy`, `test.loss`, … in a fixed order.
    public var metrics: [(key: String, value: Double)]

    public init(epoch: Int, step: Int, lr: Double, trainLoss: Double, metrics: [(key: String, value: Double)]) {
        self.epoch = epoch
        self.step = step
        self.lr = lr
        self.trainLoss = trainLoss
        self.metrics = metrics
    }

    public static func == (a: EpochRecord, b: EpochRecord) -> Bool {
        a.epoch == b.epoch && a.step == b.step && a.lr == b.lr && a.trainLoss.bitPattern == b.trainLoss.bitPattern
            && a.metrics.map(\.key) == b.metrics.map(\.key)
            && zip(a.metrics, b.metrics).allSatisfy { $0.value.bitPattern == $1.value.bitPattern }
    }

    /// A metric's name as records hold it: a bare name (`accuracy`) means its `valid` split.
    static func qualified(_ metric: String) -> String {
        metric.contains(".") ? metric : "valid." + metric
    }

    /// A metric by dotted name (`valid.loss`); `train.loss` is the train loss.
    public func value(_ name: String) -> Double? {
        if name == "train.loss" { return trainLoss }
        return metrics.first { $0.key == name }?.value
    }

    /// The JSON line (non-finite numbers print as null).
    public var json: JSONValue {
        .object([("epoch", .int(epoch)), ("step", .int(step)), ("lr", .double(lr)), ("train.loss", .double(trainLoss))]
            + metrics.map { (key: $0.key, value: JSONValue.double($0.value)) })
    }

    /// Parses a history line; nulls read as NaN.
    public init?(json: JSONValue) {
        guard let members = json.objectValue, let epoch = json["epoch"]?.intValue, let step = json["step"]?.intValue else { return nil }
        self.epoch = epoch
        self.step = step
        self.lr = json["lr"]?.doubleValue ?? .nan
        self.trainLoss = json["train.loss"]?.doubleValue ?? .nan
        self.metrics = members.filter { !["epoch", "step", "lr", "train.loss"].contains($0.key) }
            .map { (key: $0.key, value: $0.value.doubleValue ?? .nan) }
    }
}

/// A progress report from a running trial.
public struct TrialProgress: Sendable {
    /// The trial's task key.
    public var key: String
    /// The record just completed.
    public var record: EpochRecord
    /// Epochs the stage trains in total.
    public var totalEpochs: Int
    /// Seconds spent on epochs in this run so far.
    public var elapsed: Double
    /// Estimated seconds to finish the trial (mean epoch time × epochs left).
    public var eta: Double

    public init(key: String, record: EpochRecord, totalEpochs: Int, elapsed: Double, eta: Double) {
        self.key = key
        self.record = record
        self.totalEpochs = totalEpochs
        self.elapsed = elapsed
        self.eta = eta
    }
}
