import Foundation
import Plan
import Runtime
import Support

/// Follows submitted SLURM jobs from the store and the scheduler until none is
/// left queued or running: prints tasks as they start and finish (the same
/// events, and printer, as a local run), reports a failed array element with
/// its task, job id, log and the log's tail, and answers the exit code a local
/// run would have given.
final class SlurmFollower: @unchecked Sendable {
    let graph: TaskGraph
    let store: TaskStore
    let jobs: [SlurmSubmissionRecord.Job]
    /// Seconds between looks at the store and the scheduler.
    var pollInterval = 1.0
    /// Seconds between questions to the scheduler (`sacct`, `squeue`): each is a call into
    /// the cluster's controller and database, which a shared cluster should not get every second.
    var schedulerInterval = 5.0
    /// Ctrl-C: following stops at once, and the caller asks what to do.
    let interruption: StopSignals

    init(graph: TaskGraph, store: TaskStore, jobs: [SlurmSubmissionRecord.Job], interruption: StopSignals) {
        self.graph = graph
        self.store = store
        self.jobs = jobs
        self.interruption = interruption
    }

    /// What following ended with.
    enum Outcome: Equatable {
        /// Every followed task is in the store (done, diverged or pruned).
        case completed
        /// No job is queued or running, and these tasks are not in the store.
        case incomplete(missing: [String])
        /// The user interrupted following (Ctrl-C).
        case interrupted
    }

    /// Follows until every followed task is complete, no element is active, or an interruption.
    /// `finished`: the tasks that came into the store while following; `alreadyDone`:
    /// the plan's tasks that were in it when following began.
    /// `failures`: a report per failed element (task, job, log and its tail), to print once the
    /// display is done; each is also announced as a `failed` event when it is found.
    func follow(progress: ProgressPrinter) -> (outcome: Outcome, finished: [String], alreadyDone: Int, failures: [String]) {
        var byKey: [String: PlannedTask] = [:]
        for t in graph.tasks { byKey[t.key] = t }
        let keys = jobs.flatMap { $0.elements.flatMap { $0 } }.filter { byKey[$0] != nil }
        var started: [String: Double] = [:]
        var finished: [String] = []
        let initiallyDone = Set(graph.tasks.map(\.key).filter { store.completedStatus($0) != nil })
        var finishedSet = initiallyDone.intersection(keys)
        var reportedElements = Set<String>()
        var failures: [String] = []

        func lookAtStore() {
            for key in keys where !finishedSet.contains(key) {
                let task = byKey[key]!
                if let status = store.completedStatus(key) {
                    if case .train(let spec) = task.payload {  // its last epochs (all of them, if it was never seen running)
                        reportEpochs(of: key, stage: task.stage, epochs: spec.schedule.epochs,
                                     since: started[key] ?? Date().timeIntervalSince1970)
                    }
                    let seconds = started[key].map { Date().timeIntervalSince1970 - $0 } ?? 0
                    progress.handle(.finished(key: key, kind: task.kind, stage: task.stage, status: status,
                                              seconds: seconds, throughput: nil))
                    finished.append(key)
                    finishedSet.insert(key)
                } else if started[key] == nil, let owner = store.lease(for: key).liveOwner() {
                    started[key] = owner.started
                    progress.handle(.started(key: key, kind: task.kind, stage: task.stage, resumedAt: 0))
                } else if let since = started[key], case .train(let spec) = task.payload {
                    reportEpochs(of: key, stage: task.stage, epochs: spec.schedule.epochs, since: since)
                }
            }
        }

        // A trial's epochs, as its worker checkpoints them into `history.jsonl` (every
        // `--checkpoint-every` seconds): the display's epoch line and ETA.
        var epochsSeen: [String: Int] = [:]
        func reportEpochs(of key: String, stage: String, epochs: Int, since: Double) {
            let history = store.history(for: key)
            guard history.count > epochsSeen[key, default: 0], let last = history.last.flatMap(EpochRecord.init(json:)) else { return }
            epochsSeen[key] = history.count
            let elapsed = max(0, Date().timeIntervalSince1970 - since)
            let perEpoch = elapsed / Double(max(1, last.epoch))
            progress.handle(.epoch(stage: stage, progress: TrialProgress(
                key: key, record: last, totalEpochs: epochs, elapsed: elapsed,
                eta: perEpoch * Double(max(0, epochs - last.epoch)))))
        }

        // Whether any element is still queued or running; reports each failed element once.
        func askScheduler() -> Bool {
            let states = Slurm.elementStates(of: jobs.map(\.id))
            var active = false
            for job in jobs {
                for (i, elementKeys) in job.elements.enumerated() {
                    let id = job.elementID(i)
                    guard let state = states[id] else { continue }
                    if state.isActive { active = true; continue }
                    guard state.hasFailed, !reportedElements.contains(id) else { continue }
                    let missing = elementKeys.filter { store.completedStatus($0) == nil }
                    guard !missing.isEmpty else { continue }
                    reportedElements.insert(id)
                    // Cancelled before it started (SLURM cancels the dependants of a failed
                    // element): no log to show; the summary names these tasks once.
                    if !FileManager.default.fileExists(atPath: job.logPath(element: i)) { continue }
                    for key in missing {
                        guard let task = byKey[key] else { continue }
                        progress.handle(.failed(key: key, kind: task.kind, stage: task.stage,
                                                message: "SLURM job \(job.elementID(i)) ended \(state.slurm); log: \(job.logPath(element: i))"))
                    }
                    failures.append(Self.failureReport(job: job, element: i, state: state, missing: missing, graph: graph))
                }
            }
            return active
        }

        let keyCount = Set(keys).count
        var lastAsked = -Double.infinity
        while true {
            if interruption.received != nil { return (.interrupted, finished, initiallyDone.count, failures) }
            lookAtStore()
            if finishedSet.count == keyCount { return (.completed, finished, initiallyDone.count, failures) }
            let now = Date().timeIntervalSince1970
            if now - lastAsked >= schedulerInterval {
                lastAsked = now
                if !askScheduler() {
                    lookAtStore()  // a task may have been sealed just before its element ended
                    let missing = keys.filter { !finishedSet.contains($0) }
                    return (missing.isEmpty ? .completed : .incomplete(missing: missing), finished, initiallyDone.count, failures)
                }
            }
            if interruption.wait(seconds: pollInterval) { return (.interrupted, finished, initiallyDone.count, failures) }
        }
    }

    /// "task K (train of stage S) failed in SLURM job 12_3 (FAILED); log: PATH" and the log's last lines.
    static func failureReport(job: SlurmSubmissionRecord.Job, element: Int, state: ElementState,
                              missing: [String], graph: TaskGraph) -> String {
        let tasks = missing.map { key -> String in
            let t = graph.task(key)
            return "task \(TaskKey.short(key))" + (t.map { " (\($0.kind.rawValue)\($0.stage.isEmpty ? "" : " of stage `\($0.stage)`"))" } ?? "")
        }.joined(separator: ", ")
        let log = job.logPath(element: element)
        var text = "ftx run: \(tasks) did not finish: SLURM job \(job.elementID(element)) (\(job.name)) ended \(state.slurm); log: \(log)\n"
        guard let data = FileManager.default.contents(atPath: log) else { return text }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let tail = lines.suffix(16).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !tail.isEmpty {
            text += tail.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n") + "\n"
        }
        return text
    }
}
