import Foundation
import Kernels
import Plan
import Support

/// The executor's view of time, behind a protocol so tests can fake it (ninja).
public protocol ExecutorClock: Sendable {
    /// Seconds since an arbitrary origin, monotonic.
    func now() -> Double
    /// Blocks the calling thread for about `seconds`.
    func sleep(seconds: Double)
}

/// The real clock.
public struct SystemClock: ExecutorClock {
    public init() {}
    public func now() -> Double { ProcessInfo.processInfo.systemUptime }
    public func sleep(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }
}

/// What the executor reports while it runs (the CLI's `ProgressPrinter` draws a live
/// display on a terminal, plain lines or JSON Lines otherwise).
public enum ExecutionEvent: Sendable {
    /// The task's result was already in the store.
    case cached(key: String, kind: PlannedTask.Kind, stage: String, status: TaskStatus)
    /// The task started (`resumedAt` > 0: a trial continuing from that many completed epochs).
    case started(key: String, kind: PlannedTask.Kind, stage: String, resumedAt: Int)
    /// A trial's steps within an epoch, sampled at most about every `Executor.stepReportInterval`
    /// seconds (and at each epoch's last step).
    case step(stage: String, sample: StepSample)
    /// A trial completed an epoch.
    case epoch(stage: String, progress: TrialProgress)
    /// A trial stopped, resumably, after `epoch` completed epochs: at an ASHA rung (it goes on or
    /// is pruned once its cohort reaches the rung) or because the run was interrupted.
    case paused(key: String, stage: String, epoch: Int)
    /// ASHA stopped a trial at a rung.
    case pruned(key: String, stage: String, epoch: Int)
    /// The task ended with `status` after `seconds`; a trial says what it trained and how fast.
    case finished(key: String, kind: PlannedTask.Kind, stage: String, status: TaskStatus, seconds: Double,
                  throughput: Trainer.Throughput?)
    /// The task failed (or could not run because a dependency failed).
    case failed(key: String, kind: PlannedTask.Kind, stage: String, message: String)
    /// Another worker (`pid P on HOST`, if known) holds the lease of this task, and every other
    /// ready task too; this run waits for their results.
    case waiting(key: String, holder: String?)
    /// Something the user should know (a corrupt store entry recomputed, …).
    case warning(String)
}

/// What `Executor.run` did.
public struct ExecutionSummary: Sendable {
    /// Final status of every task of the graph, by key (`running` = interrupted, resumable).
    public var statuses: [String: TaskStatus]
    /// Tasks that did work in this run, in plan order.
    public var executed: [String]
    /// Tasks whose results were already stored, in plan order.
    public var cached: [String]
    /// Failed tasks with their messages, in plan order.
    public var failures: [(key: String, message: String)]

    /// No task failed.
    public var succeeded: Bool { failures.isEmpty }
}

extension ExecutionEvent {
    /// A plain one-line rendering (for logs and non-terminal output); keys shortened to 10 characters.
    public var line: String {
        func num(_ d: Double) -> String { d.isFinite ? String(format: "%.4f", d) : "\(d)" }
        switch self {
        case let .cached(key, kind, stage, status): return "\(stage) \(kind.rawValue) \(PlannedTask.shortKey(key)): \(status.rawValue) (cached)"
        case let .started(key, kind, stage, at):
            return "\(stage) \(kind.rawValue) \(PlannedTask.shortKey(key)): " + (at > 0 ? "resuming after epoch \(at)" : "started")
        case let .epoch(stage, p):
            var s = "\(stage) trial \(PlannedTask.shortKey(p.key)): epoch \(p.record.epoch)/\(p.totalEpochs) loss \(num(p.record.trainLoss))"
            if let v = p.record.value("valid.loss") { s += " valid.loss \(num(v))" }
            if let a = p.record.value("valid.accuracy") { s += " valid.accuracy \(num(a))" }
            return s + " ETA \(Int(p.eta.rounded()))s"
        case let .step(stage, s):
            let p = s.position
            var line = "\(stage) trial \(PlannedTask.shortKey(s.key)): epoch \(p.epoch + 1)/\(p.totalEpochs) "
                + "step \(p.stepInEpoch)/\(p.stepsPerEpoch) loss \(num(s.smoothedLoss))"
            if s.stepsPerSecond.isFinite { line += String(format: " %.1f steps/s", s.stepsPerSecond) }
            return line
        case let .paused(key, stage, epoch): return "\(stage) trial \(PlannedTask.shortKey(key)): paused after epoch \(epoch)"
        case let .pruned(key, stage, epoch): return "\(stage) trial \(PlannedTask.shortKey(key)): pruned at epoch \(epoch)"
        case let .finished(key, kind, stage, status, seconds, throughput):
            let done = "\(stage) \(kind.rawValue) \(PlannedTask.shortKey(key)): \(status.rawValue) in \(String(format: "%.3f", seconds))s"
            guard let t = throughput, t.steps > 0 else { return done }
            return done + " (\(t.steps) steps in \(String(format: "%.3f", t.seconds))s, \(String(format: "%.1f", t.stepsPerSecond)) steps/s)"
        case let .failed(key, kind, stage, message): return "\(stage) \(kind.rawValue) \(PlannedTask.shortKey(key)): failed: \(message)"
        case let .waiting(key, holder):
            return "waiting for task \(PlannedTask.shortKey(key)), leased by " + (holder ?? "another ftx run")
        case .warning(let w): return "warning: \(w)"
        }
    }
}
