/// Which metrics a trial's own rules read while it trains, and so which splits the
/// trainer must score after every epoch. Separate because it is the one answer to
/// "what does the epoch loop compute": a rule added to `TrainingSpec` that reads a
/// metric is listed here, and the trainer then scores its split (issue 14: an
/// `early_stop` or `asha` on `train.accuracy` was accepted, never computed, and so
/// never fired; so was a `keep_best` on it, which kept the last epoch).
extension TrainingSpec {
    /// The dotted metrics (`valid.loss`, `train.accuracy`) that `early_stop`, `keep_best` and `prune` monitor.
    public var monitoredMetrics: [String] {
        [schedule.earlyStop?.metric, schedule.keepBest?.metric, prune?.metric].compactMap { $0 }.map { $0.contains(".") ? $0 : "valid." + $0 }
    }

    /// The splits scored after each epoch: valid and test always (they are the history's
    /// columns), train when a monitored metric other than `train.loss` (the epoch's mean
    /// batch loss, known without a pass) is on it.
    public var splitsScoredEachEpoch: [SplitName] {
        let train = monitoredMetrics.contains { $0.hasPrefix("train.") && $0 != "train.loss" }
        return [.valid, .test] + (train ? [.train] : [])
    }
}
