import Foundation
import Kernels
import Plan
import Support

/// Runs a `TaskGraph` against a `TaskStore` (ninja's scheduler over DVC's run cache).
///
/// - A task whose entry is sealed with a valid manifest is not run again
///   (`cached`); a corrupt entry is reported, discarded and recomputed.
/// - Up to `jobs` ready tasks run in parallel on their own threads. Every task
///   draws randomness only from its own seed, and nothing recorded depends on
///   timing, so results are identical for any `jobs`.
/// - Each task runs under its lease (`TaskLease`), so several `ftx run`s on one
///   store, on one machine or several sharing the file system, share the work:
///   a ready task leased by another live worker is skipped for the next ready
///   one nobody holds; only when every ready task is held elsewhere does this
///   run wait, polling the leases and the store every `pollInterval` seconds,
///   and a task the other worker finished is then found sealed (`cached`).
/// - An interrupted trial resumes from its last completed epoch.
/// - ASHA stages run as a cohort by rungs (see `ASHACohort`).
public final class Executor: @unchecked Sendable {
    /// The plan.
    public let graph: TaskGraph
    /// Where results live.
    public let store: TaskStore
    /// Maximum tasks running at once (≥ 1).
    public let jobs: Int
    /// Time source (ETA, lease polling).
    public let clock: any ExecutorClock
    /// Receives progress; called from worker threads, never concurrently with itself.
    public let progress: @Sendable (ExecutionEvent) -> Void
    /// Test hook simulating a kill: a trial (by key) stops, resumably, once this
    /// many epochs are complete in this run; it ends the run with status `running`.
    public var interruptAfterEpochs: [String: Int] = [:]
    /// Seconds of training between a trial's checkpoints (`Trainer.Options.checkpointInterval`; 0: every epoch).
    public var checkpointInterval: Double = Trainer.Options.defaultCheckpointInterval
    /// Seconds between a trial's `.step` events (`StepSampler`); 0: one per optimizer step.
    public var stepReportInterval = StepSampler.defaultInterval
    /// Whether the run was asked to stop (SIGINT / SIGTERM): no task starts after it is, and
    /// running trials stop at their next optimizer step (`Trainer.Options.stopRequested`),
    /// resumable; the summary lists them as `running`.
    public var stopRequested: @Sendable () -> Bool = { false }
    /// Test hook: called after every optimizer step of every trial with (trial key, t, loss).
    public var onStep: (@Sendable (String, Int, Float) -> Void)?

    enum State { case waiting, running, finished(TaskStatus), failed(String), interrupted }
    /// Seconds between looks at leases held by other workers.
    public var pollInterval = 0.05

    enum UnitResult {
        case status(TaskStatus, worked: Bool), reached(worked: Bool), interrupted, failed(String)
        /// Another live worker holds the task's lease: try again later.
        case busy(TaskLease.Owner?)
    }
    /// Thrown inside a unit whose task another live worker holds.
    struct LeaseHeld: Error { let owner: TaskLease.Owner? }
    struct Unit { var index: Int; var limit: Int?; var holder: TaskLease.Owner? = nil }

    private let condition = NSCondition()
    private var completions: [(Unit, UnitResult)] = []
    private let reportLock = NSLock()

    public init(graph: TaskGraph, store: TaskStore, jobs: Int = 1, clock: any ExecutorClock = SystemClock(),
                progress: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }) {
        self.graph = graph
        self.store = store
        self.jobs = max(1, jobs)
        self.clock = clock
        self.progress = progress
    }

    func report(_ e: ExecutionEvent) {
        reportLock.lock(); defer { reportLock.unlock() }
        progress(e)
    }

    // MARK: Scheduling

    /// Executes every task not already complete; never throws for a task's
    /// failure (see `ExecutionSummary.failures`), only if the store is unusable.
    public func run() throws -> ExecutionSummary {
        store.forgetAllVerification()
        let previousWarn = store.warn
        store.warn = { [weak self] message in self?.report(.warning(message)) }
        defer { store.warn = previousWarn }

        let tasks = graph.tasks
        var indexOf: [String: Int] = [:]
        for (i, t) in tasks.enumerated() { indexOf[t.key] = i }
        for t in tasks {
            guard TaskStore.isValidKey(t.key) else { throw StoreError("the plan has an invalid task key '\(t.key)'") }
        }

        // ASHA cohorts: train tasks of one stage that declare `prune`.
        var cohorts: [ASHACohort] = []
        var cohortOf: [Int: Int] = [:]
        var byStage: [String: [Int]] = [:]
        var stageOrder: [String] = []
        for (i, t) in tasks.enumerated() {
            if case .train(let spec) = t.payload, spec.prune != nil {
                if byStage[t.stage] == nil { stageOrder.append(t.stage) }
                byStage[t.stage, default: []].append(i)
            }
        }
        for stage in stageOrder {
            let members = byStage[stage]!
            guard case .train(let first) = tasks[members[0]].payload, let prune = first.prune else { continue }
            let epochs = members.compactMap { i -> Int? in
                if case .train(let s) = tasks[i].payload { return s.schedule.epochs }
                return nil
            }.max() ?? 0
            for m in members { cohortOf[m] = cohorts.count }
            cohorts.append(ASHACohort(members: members, prune: prune, epochs: epochs))
        }

        var states = [State](repeating: .waiting, count: tasks.count)
        var worked = [Bool](repeating: false, count: tasks.count)
        var queue: [Unit] = []
        var running = 0

        func depsState(_ i: Int) -> (ready: Bool, blocked: String?) {
            for d in tasks[i].deps {
                guard let j = indexOf[d] else { return (false, "dependency \(d) is not in the plan") }
                switch states[j] {
                case .finished: continue
                case .failed:
                    // A selection or ensemble ranks the trials that did finish (as with diverged ones).
                    if tasks[i].kind == .select || tasks[i].kind == .ensemble { continue }
                    return (false, "dependency \(d) (\(tasks[j].kind.rawValue)) failed")
                case .waiting, .running, .interrupted: return (false, nil)
                }
            }
            return (true, nil)
        }

        func refresh() {
            var changed = true
            while changed {
                changed = false
                for i in tasks.indices {
                    guard case .waiting = states[i] else { continue }
                    let (ready, blocked) = depsState(i)
                    if let blocked {
                        states[i] = .failed(blocked)
                        report(.failed(key: tasks[i].key, kind: tasks[i].kind, stage: tasks[i].stage, message: blocked))
                        changed = true
                    } else if ready && cohortOf[i] == nil {
                        states[i] = .running
                        queue.append(Unit(index: i, limit: nil))
                    }
                }
                for c in cohorts.indices where !cohorts[c].started {
                    let members = cohorts[c].members
                    let resolved = members.allSatisfy { m in
                        if case .waiting = states[m] { return depsState(m).ready }
                        return true
                    }
                    guard resolved else { continue }
                    cohorts[c].started = true
                    cohorts[c].alive = members.filter { if case .waiting = states[$0] { return true } else { return false } }
                    startPhase(c)
                    changed = true
                }
            }
            queue.sort { $0.index < $1.index }
        }

        func startPhase(_ c: Int) {
            let limit = cohorts[c].limit
            cohorts[c].outstanding = cohorts[c].alive.count
            for m in cohorts[c].alive {
                states[m] = .running
                queue.append(Unit(index: m, limit: limit))
            }
            if cohorts[c].alive.isEmpty { cohorts[c].phase = cohorts[c].rungs.count + 1 }
        }

        func decide(_ c: Int) {
            var cohort = cohorts[c]
            guard let rung = cohort.limit else { return }
            var candidates: [(index: Int, value: Double)] = []
            for m in cohort.alive {
                switch states[m] {
                case .running, .finished(.done), .finished(.pruned):
                    guard let line = store.history(for: tasks[m].key).compactMap(EpochRecord.init(json:)).first(where: { $0.epoch == rung })
                    else { continue }
                    candidates.append((m, line.value(cohort.metric) ?? .nan))
                default: continue
                }
            }
            guard case .train(let spec) = tasks[cohort.members[0]].payload, let prune = spec.prune else { return }
            let keep = cohort.survivors(candidates, reduction: prune.reduction)
            for (m, _) in candidates where !keep.contains(m) {
                if case .finished = states[m] { continue }
                do {
                    try withLease(tasks[m].key, wait: true) {
                        if self.store.completedStatus(tasks[m].key) != .pruned {
                            try Trainer.sealPruned(key: tasks[m].key, store: self.store)
                        }
                    }
                    states[m] = .finished(.pruned)
                    report(.pruned(key: tasks[m].key, stage: tasks[m].stage, epoch: rung))
                } catch {
                    states[m] = .failed("\(error)")
                    report(.failed(key: tasks[m].key, kind: .train, stage: tasks[m].stage, message: "\(error)"))
                }
            }
            cohort.alive = candidates.map(\.index).filter { keep.contains($0) }
            // Still-running survivors continue; finished ones (done) stay finished but keep competing.
            cohort.phase += 1
            cohorts[c] = cohort
            let next = cohort.limit
            cohorts[c].outstanding = cohort.alive.count
            for m in cohort.alive {
                if case .finished = states[m], next == nil { cohorts[c].outstanding -= 1; continue }
                states[m] = .running
                queue.append(Unit(index: m, limit: next))
            }
        }

        func handle(_ unit: Unit, _ result: UnitResult) {
            let i = unit.index
            switch result {
            case .status(let s, let w): states[i] = .finished(s); worked[i] = worked[i] || w
            case .reached(let w): worked[i] = worked[i] || w
            case .interrupted: states[i] = .interrupted; worked[i] = true
            case .failed(let m): states[i] = .failed(m); worked[i] = true
            case .busy: return
            }
            guard let c = cohortOf[i] else { return }
            cohorts[c].outstanding -= 1
            if case .interrupted = result { cohorts[c].phase = Int.max / 2 }  // halted: the kill ends the cohort here
            guard cohorts[c].outstanding == 0, cohorts[c].phase < Int.max / 2 else { return }
            if cohorts[c].limit != nil {
                decide(c)
            }
        }

        // Units whose task another worker holds, retried after `pollInterval`;
        // keys already reported as waited for.
        var deferred: [Unit] = []
        var reportedWaiting: Set<String> = []
        while true {
            refresh()
            if stopRequested() {
                queue.removeAll()
                deferred.removeAll()
            }
            while running < jobs, !queue.isEmpty {
                let unit = queue.removeFirst()
                if let owner = store.lease(for: tasks[unit.index].key).liveOwner() {
                    deferred.append(Unit(index: unit.index, limit: unit.limit, holder: owner))
                    continue
                }
                running += 1
                let thread = Thread { [self] in
                    WorkerPool.shared.taskStarted()
                    let result = self.execute(unit)
                    WorkerPool.shared.taskEnded()
                    self.condition.lock()
                    self.completions.append((unit, result))
                    self.condition.signal()
                    self.condition.unlock()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            if running == 0 && deferred.isEmpty { break }
            if running == 0 {
                // Every ready task is held by another worker: wait for one to finish or go stale.
                for unit in deferred where !reportedWaiting.contains(tasks[unit.index].key) {
                    reportedWaiting.insert(tasks[unit.index].key)
                    report(.waiting(key: tasks[unit.index].key, holder: unit.holder?.description))
                }
                clock.sleep(seconds: pollInterval)
                queue.append(contentsOf: deferred.map { Unit(index: $0.index, limit: $0.limit) })
                deferred.removeAll()
                queue.sort { $0.index < $1.index }
                continue
            }
            condition.lock()
            if deferred.isEmpty {
                while completions.isEmpty { condition.wait() }
            } else if completions.isEmpty {
                _ = condition.wait(until: Date(timeIntervalSinceNow: pollInterval))
            }
            let done = completions
            completions.removeAll()
            condition.unlock()
            if !deferred.isEmpty {
                queue.append(contentsOf: deferred.map { Unit(index: $0.index, limit: $0.limit) })
                deferred.removeAll()
                queue.sort { $0.index < $1.index }
            }
            for (unit, result) in done {
                running -= 1
                if case .busy(let owner) = result {
                    deferred.append(Unit(index: unit.index, limit: unit.limit, holder: owner))
                    continue
                }
                handle(unit, result)
            }
        }

        var summary = ExecutionSummary(statuses: [:], executed: [], cached: [], failures: [])
        for (i, t) in tasks.enumerated() {
            switch states[i] {
            case .finished(let s): summary.statuses[t.key] = s
            case .failed(let m): summary.statuses[t.key] = .failed; summary.failures.append((t.key, m))
            case .interrupted, .running: summary.statuses[t.key] = .running
            case .waiting: summary.statuses[t.key] = .pending
            }
            if case .finished = states[i] { if worked[i] { summary.executed.append(t.key) } else { summary.cached.append(t.key) } }
            else if worked[i] { summary.executed.append(t.key) }
        }
        return summary
    }

    // MARK: Leases

    /// Runs `body` holding `key`'s lease. If another live worker holds it, throws
    /// `LeaseHeld`, or with `wait`, polls until the lease is free or stale.
    func withLease<T>(_ key: String, wait: Bool = false, _ body: () throws -> T) throws -> T {
        try store.prepareEntry(key)  // refuses a linked entry before the lease writes into it
        let lease = store.lease(for: key)
        var reported = false
        while !(try lease.tryAcquire()) {
            guard wait else { throw LeaseHeld(owner: lease.owner()) }
            if !reported { report(.waiting(key: key, holder: lease.owner()?.description)); reported = true }
            clock.sleep(seconds: pollInterval)
        }
        defer { lease.release() }
        store.forgetVerification(key)
        store.removeStrayTemporaryFiles(key)
        return try body()
    }
}
