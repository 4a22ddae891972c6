/// `unfreeze` steps that some trial never reaches: the parameters stay frozen to the end,
/// and all the step still does is keep them in the checkpoint. Rather than accept it
/// silently, `check` warns (W0205; an error under `--deny-warnings`).
/// `at: N epochs` is compared with every epoch count a trial can have (the stage's, and
/// each value a sweep gives `schedule.epochs`); `at: N steps` with an upper bound on the
/// stage's optimizer steps, `epochs · ⌈rows / batch_size⌉` over the data file's rows (the
/// train split holds no more), when neither setting is swept.
extension CheckerRun {
    func checkUnfreezeReached(_ unfreeze: Value?, schedule: Value?, sweeps: [CheckedSweep], data: CheckedData?) {
        guard let steps = unfreeze?.list, !steps.isEmpty, let schedule else { return }
        let axes = sweeps.flatMap(\.axes)
        let epochAxis = axes.first { $0.path == ["schedule", "epochs"] }
        var epochCounts = [schedule["epochs"]?.number].compactMap { $0 }
        if let epochAxis {
            // A generated axis (random sweeps) has no list of values to compare with.
            guard epochAxis.generator == nil else { return }
            epochCounts = epochAxis.values.compactMap(\.number)
        }
        guard let fewestEpochs = epochCounts.min() else { return }
        for step in steps {
            guard let at = step["at"], case .quantity(let n, let unit) = at.kind else { continue }
            if unit == "epochs", n >= fewestEpochs {
                emit(CheckerDiagnostics.unfreezeNeverReached(at: at, bound: "the stage trains \(Value.format(fewestEpochs)) epochs (0-based: the last is epoch \(Value.format(fewestEpochs - 1)))",
                                                             swept: epochAxis != nil, span: at.span))
            } else if unit == "steps", epochAxis == nil, !axes.contains(where: { $0.path == ["schedule", "batch_size"] }),
                      let rows = data?.rowCount, rows > 0, let batch = schedule["batch_size"]?.number, batch > 0 {
                let bound = fewestEpochs * (Double(rows) / batch).rounded(.up)
                if n >= bound {
                    emit(CheckerDiagnostics.unfreezeNeverReached(
                        at: at, bound: "the stage takes at most \(Value.format(bound)) optimizer steps (\(Value.format(fewestEpochs)) epochs of at most ⌈\(rows) rows / \(Value.format(batch))⌉ batches)",
                        swept: false, span: at.span))
                }
            }
        }
    }
}
