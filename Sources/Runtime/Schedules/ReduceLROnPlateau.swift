import Foundation
import Kernels
import Plan
import Support

/// PyTorch's `ReduceLROnPlateau`, fed one metric (`valid.loss`) per epoch.
///
/// Per `step(metric:)` with `m`: if `m` improves on `best` (mode min, rel:
/// `m < best·(1 − threshold)`; abs: `m < best − threshold`; mode max mirrored)
/// then `best = m`, `bad = 0`, else `bad += 1`; during cooldown the counter
/// ticks down and `bad = 0`; when `bad > patience`:
/// `new = max(lr·factor, min_lr)`, applied only if `lr − new > eps`, then
/// cooldown restarts and `bad = 0`. The whole state is plain values, so a
/// checkpoint can store it (`stateJSON`) and resume exactly.
public struct ReduceLROnPlateau: Sendable, Hashable {
    /// Which direction is better.
    public enum Mode: String, Sendable, Hashable { case min, max }
    /// Whether `threshold` is relative or absolute.
    public enum ThresholdMode: String, Sendable, Hashable { case rel, abs }

    /// Hyperparameters; defaults as PyTorch's.
    public struct Config: Sendable, Hashable {
        public var mode: Mode
        public var factor: Double
        public var patience: Int
        public var threshold: Double
        public var thresholdMode: ThresholdMode
        public var cooldown: Int
        public var minLR: Double
        public var eps: Double

        public init(mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                    thresholdMode: ThresholdMode = .rel, cooldown: Int = 0, minLR: Double = 0, eps: Double = 1e-8) {
            self.mode = mode
            self.factor = factor
            self.patience = patience
            self.threshold = threshold
            self.thresholdMode = thresholdMode
            self.cooldown = cooldown
            self.minLR = minLR
            self.eps = eps
        }
    }

    public let config: Config
    /// The current learning rate.
    public private(set) var lr: Double
    /// Best metric so far (±∞ before the first step).
    public private(set) var best: Double
    /// Epochs since the last improvement.
    public private(set) var badEpochs = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0
    /// Metrics fed so far.
    public private(set) var epochs = 0
    /// Times the lr was reduced.
    public private(set) var reductions = 0

    /// Starts at `lr` with nothing seen.
    public init(config: Config = Config(), lr: Double) {
        self.config = config
        self.lr = lr
        self.best = config.mode == .min ? .infinity : -.infinity
    }

    private func isBetter(_ a: Double) -> Bool {
        switch (config.mode, config.thresholdMode) {
        case (.min, .rel): return a < best * (1 - config.threshold)
        case (.min, .abs): return a < best - config.threshold
        case (.max, .rel): return a > best * (1 + config.threshold)
        case (.max, .abs): return a > best + config.threshold
        }
    }

    /// Feeds one epoch's metric; returns true when the lr was reduced.
    @discardableResult
    public mutating func step(metric: Double) -> Bool {
        epochs += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        guard badEpochs > config.patience else { return false }
        var reduced = false
        let newLR = max(lr * config.factor, config.minLR)
        if lr - newLR > config.eps {
            lr = newLR
            reductions += 1
            reduced = true
        }
        cooldownCounter = config.cooldown
        badEpochs = 0
        return reduced
    }

    /// The mutable state as JSON (`best` is a string for ±∞, which JSON lacks).
    public var stateJSON: JSONValue {
        [
            "lr": .double(lr),
            "best": best.isFinite ? .double(best) : .string(best > 0 ? "inf" : "-inf"),
            "bad_epochs": .int(badEpochs),
            "cooldown_counter": .int(cooldownCounter),
            "epochs": .int(epochs),
            "reductions": .int(reductions),
        ]
    }

    /// Restores a state written by `stateJSON`.
    public init(config: Config, stateJSON state: JSONValue) throws {
        func number(_ key: String) throws -> Double {
            guard let v = state[key]?.doubleValue else { throw OptimizerError("plateau state lacks a number '\(key)'") }
            return v
        }
        func integer(_ key: String) throws -> Int {
            guard let v = state[key]?.intValue, v >= 0 else { throw OptimizerError("plateau state lacks a count '\(key)'") }
            return v
        }
        self.init(config: config, lr: try number("lr"))
        switch state["best"] {
        case .string("inf")?: best = .infinity
        case .string("-inf")?: best = -.infinity
        default: best = try number("best")
        }
        badEpochs = try integer("bad_epochs")
        cooldownCounter = try integer("cooldown_counter")
        epochs = try integer("epochs")
        reductions = try integer("reductions")
    }
}
