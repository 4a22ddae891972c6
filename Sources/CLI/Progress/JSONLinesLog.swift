import Foundation
import Plan
import Runtime
import Support

/// `ftx run --log-format json`: one JSON object per line and per event, for machines
/// (docs/CLI.md lists every event's fields). Each object starts with `event` (its
/// name), `time` (UTC, ISO 8601 with milliseconds) and `elapsed` (seconds since the run
/// began); the last line is the run's `summary`. Step samples (`step`, ~10 a second per
/// trial) only with `--verbose`.
public final class JSONLinesLog {
    private let verbose: Bool
    private let start: Double
    private let wallClock: () -> Date
    private let write: (String) -> Void

    /// A log that writes through `write`; `start` is when the run began on the clock `handle`
    /// is given, `wallClock` gives `time`.
    public init(verbose: Bool, start: Double, wallClock: @escaping () -> Date = Date.init, write: @escaping (String) -> Void) {
        self.verbose = verbose
        self.start = start
        self.wallClock = wallClock
        self.write = write
    }

    public func handle(_ event: ExecutionEvent, at now: Double) {
        if case .step = event, !verbose { return }
        let (name, fields) = Self.fields(event)
        emit(name, fields, at: now)
    }

    /// The run's last line: tasks run, found in the store, failed.
    public func summary(run: Int, cached: Int, failed: Int, at now: Double) {
        emit("summary", [("run", .int(run)), ("cached", .int(cached)), ("failed", .int(failed))], at: now)
    }

    private func emit(_ name: String, _ fields: [(key: String, value: JSONValue)], at now: Double) {
        let header: [(key: String, value: JSONValue)] = [
            ("event", .string(name)), ("time", .string(Self.iso8601(wallClock()))),
            ("elapsed", .double((max(0, now - start) * 1e6).rounded() / 1e6)),  // µs: tools time short tasks from it
        ]
        write(JSONLines.line(.object(header + fields)))
    }

    /// The event's name and its own fields.
    static func fields(_ event: ExecutionEvent) -> (String, [(key: String, value: JSONValue)]) {
        func task(_ key: String, _ kind: PlannedTask.Kind, _ stage: String) -> [(key: String, value: JSONValue)] {
            [("key", .string(key)), ("kind", .string(kind.rawValue)), ("stage", .string(stage))]
        }
        switch event {
        case let .cached(key, kind, stage, status):
            return ("cached", task(key, kind, stage) + [("status", .string(status.rawValue))])
        case let .started(key, kind, stage, resumedAt):
            return ("started", task(key, kind, stage) + [("resumed_at", .int(resumedAt))])
        case let .step(stage, s):
            let p = s.position
            return ("step", [
                ("key", .string(s.key)), ("stage", .string(stage)), ("epoch", .int(p.epoch + 1)), ("epochs", .int(p.totalEpochs)),
                ("step_in_epoch", .int(p.stepInEpoch)), ("steps_in_epoch", .int(p.stepsPerEpoch)), ("step", .int(p.step)),
                ("loss", .double(s.smoothedLoss)), ("batch_loss", .float(p.loss)), ("steps_per_second", .double(s.stepsPerSecond)),
            ])
        case let .epoch(stage, p):
            let metrics = [(key: "train.loss", value: JSONValue.double(p.record.trainLoss))]
                + p.record.metrics.map { (key: $0.key, value: JSONValue.double($0.value)) }
            return ("epoch", [
                ("key", .string(p.key)), ("stage", .string(stage)), ("epoch", .int(p.record.epoch)), ("epochs", .int(p.totalEpochs)),
                ("step", .int(p.record.step)), ("lr", .double(p.record.lr)), ("metrics", .object(metrics)), ("eta", .double(p.eta)),
            ])
        case let .paused(key, stage, epoch):
            return ("paused", [("key", .string(key)), ("stage", .string(stage)), ("epoch", .int(epoch))])
        case let .pruned(key, stage, epoch):
            return ("pruned", [("key", .string(key)), ("stage", .string(stage)), ("epoch", .int(epoch))])
        case let .finished(key, kind, stage, status, seconds, throughput):
            var fields = task(key, kind, stage) + [("status", .string(status.rawValue)), ("seconds", .double(seconds))]
            if let t = throughput {
                fields += [("steps", .int(t.steps)), ("train_seconds", .double(t.seconds)), ("steps_per_second", .double(t.stepsPerSecond))]
            }
            return ("finished", fields)
        case let .failed(key, kind, stage, message):
            return ("failed", task(key, kind, stage) + [("message", .string(message))])
        case let .waiting(key, holder):
            return ("waiting", [("key", .string(key)), ("holder", holder.map { .string($0) } ?? .null)])
        case .warning(let message):
            return ("warning", [("message", .string(message))])
        }
    }

    /// `2026-12-07T14:50:54.123Z`.
    static func iso8601(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = min(999, Int(((t - t.rounded(.down)) * 1000).rounded(.down)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }
}
