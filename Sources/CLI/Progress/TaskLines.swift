import Foundation
import Runtime

/// The lines a run prints for good (the plain log's, and those the live display scrolls
/// above itself): `ExecutionEvent.line`, with a trial's end line carrying the metrics of its
/// last epoch (`…: done in 1.954s (200 steps in 1.858s, 107.7 steps/s); epoch 20: train.loss
/// 0.0123 valid.loss 0.0567 valid.accuracy 0.9722`). The text before `;` is the event's own
/// line, which scripts parse (bench/harness.py reads the steps and seconds).
struct TaskLines {
    /// Each running trial's last completed epoch.
    private var lastEpoch: [String: EpochRecord] = [:]

    /// Notes what later end lines need.
    mutating func note(_ event: ExecutionEvent) {
        if case let .epoch(_, p) = event { lastEpoch[p.key] = p.record }
    }

    /// The end line of a finished task (and forgets the trial).
    mutating func endLine(_ event: ExecutionEvent, key: String) -> String {
        guard let record = lastEpoch.removeValue(forKey: key) else { return event.line }
        return event.line + "; " + Self.metrics(record)
    }

    /// `epoch E: train.loss X valid.loss Y …` — every metric of the record, in its order.
    static func metrics(_ r: EpochRecord) -> String {
        func num(_ d: Double) -> String { d.isFinite ? String(format: "%.4f", d) : "\(d)" }
        return "epoch \(r.epoch): train.loss \(num(r.trainLoss))" + r.metrics.map { " \($0.key) \(num($0.value))" }.joined()
    }
}
