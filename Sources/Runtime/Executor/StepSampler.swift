import Foundation

/// What a live display shows of a running trial between epochs: one sample of its steps.
public struct StepSample: Sendable, Equatable {
    /// The trial's task key.
    public var key: String
    /// Where the trial stands (its `loss` is the last step's).
    public var position: StepProgress
    /// The loss smoothed over recent steps (a bias-corrected exponential moving average).
    public var smoothedLoss: Double
    /// Optimizer steps per second over recent samples (NaN at the first sample).
    public var stepsPerSecond: Double

    public init(key: String, position: StepProgress, smoothedLoss: Double, stepsPerSecond: Double) {
        self.key = key
        self.position = position
        self.smoothedLoss = smoothedLoss
        self.stepsPerSecond = stepsPerSecond
    }
}

/// Turns a trial's per-step reports into at most about one `StepSample` per
/// `interval` seconds (plus one at each epoch's last step, so a bar reads full while the
/// epoch is evaluated). It runs on the training thread after every optimizer step, so
/// per step it only updates two numbers and reads the clock: W1 takes ~2,000 steps a
/// second and must not slow down for a display that redraws ten times a second.
public final class StepSampler {
    /// The default spacing of samples: a display redraws at most about this often.
    public static let defaultInterval = 0.1
    /// Weight of the past in the smoothed loss (≈ a 20-step window).
    static let lossDecay = 0.95
    /// Weight of the past in the smoothed rate (over samples).
    static let rateDecay = 0.7

    private let key: String
    private let interval: Double
    private var smoothed = 0.0
    /// `lossDecay^steps seen`: the bias correction of an average that starts at zero (as Adam's).
    private var decayPower = 1.0
    private var rate = Double.nan
    private var lastTime = -Double.infinity
    private var lastStep = 0

    public init(key: String, interval: Double = StepSampler.defaultInterval) {
        self.key = key
        self.interval = interval
    }

    /// Records the step `p` taken at `now` (seconds); returns a sample when one is due.
    public func record(_ p: StepProgress, now: Double) -> StepSample? {
        if p.loss.isFinite {
            smoothed = Self.lossDecay * smoothed + (1 - Self.lossDecay) * Double(p.loss)
            decayPower *= Self.lossDecay
        }
        let first = lastTime == -.infinity
        let due = first || now - lastTime >= interval
        guard due || p.stepInEpoch == p.stepsPerEpoch else { return nil }
        // Only a full interval updates the rate: an epoch's end may come a moment after a sample.
        if due {
            if !first, now > lastTime {
                let window = Double(p.step - lastStep) / (now - lastTime)
                rate = rate.isNaN ? window : Self.rateDecay * rate + (1 - Self.rateDecay) * window
            }
            lastTime = now
            lastStep = p.step
        }
        let loss = decayPower < 1 ? smoothed / (1 - decayPower) : Double(p.loss)
        return StepSample(key: key, position: p, smoothedLoss: loss, stepsPerSecond: rate)
    }
}
