/// Which metrics a trial evaluates after each epoch: the one list the trainer computes,
/// so a rule that acts on a metric at epoch ends never watches one that is not there.
extension TrainingSpec {
    /// The stage's `metrics`, plus the metric `keep_best` reads when the stage does not list
    /// it (losses are always computed). The checker already rejects a rule on a metric the
    /// stage does not compute; this keeps the trainer honest for specs built elsewhere.
    public var epochMetrics: [String] {
        var names = metrics
        // An empty list means the criterion's defaults; adding to it would drop them.
        guard !names.isEmpty else { return names }
        for rule in [schedule.keepBest?.metric] {
            guard let metric = rule, let name = metric.split(separator: ".").last.map(String.init) else { continue }
            if name != "loss", !names.contains(name) { names.append(name) }
        }
        return names
    }
}
