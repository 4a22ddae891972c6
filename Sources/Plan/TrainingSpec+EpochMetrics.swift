/// Which metrics a trial computes after each epoch, and on which splits: the one
/// answer to "what does the epoch loop compute". A rule that reads a metric at
/// epoch ends (`early_stop`, `prune`, `keep_best`) is listed in `monitoredMetrics`,
/// and the trainer then scores that metric on its split (issue 14: an `early_stop`
/// or `asha` on `train.accuracy` was accepted, never computed, and so never fired).
extension TrainingSpec {
    /// The dotted metrics (`valid.loss`, `train.accuracy`) that `early_stop`, `prune` and
    /// `keep_best` monitor; a bare name means its valid-split value.
    public var monitoredMetrics: [String] {
        [schedule.earlyStop?.metric, prune?.metric, schedule.keepBest?.metric].compactMap { $0 }
            .map { $0.contains(".") ? $0 : "valid." + $0 }
    }

    /// The splits scored after each epoch: valid and test always (they are the history's
    /// columns), train when a monitored metric other than `train.loss` (the epoch's mean
    /// batch loss, known without a pass) is on it.
    public var splitsScoredEachEpoch: [SplitName] {
        let train = monitoredMetrics.contains { $0.hasPrefix("train.") && $0 != "train.loss" }
        return [.valid, .test] + (train ? [.train] : [])
    }

    /// The stage's `metrics`, plus each monitored metric the stage does not list (losses
    /// are always computed). The checker already rejects a rule on a metric the stage does
    /// not compute; this keeps the trainer honest for specs built elsewhere.
    public var epochMetrics: [String] {
        var names = metrics
        // An empty list means the criterion's defaults; adding to it would drop them.
        guard !names.isEmpty else { return names }
        for metric in monitoredMetrics {
            guard let name = metric.split(separator: ".").last.map(String.init) else { continue }
            if name != "loss", !names.contains(name) { names.append(name) }
        }
        return names
    }
}
