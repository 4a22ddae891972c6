import Foundation
import Plan
import Runtime

/// The state of a run as its events tell it: which tasks are running and where each
/// stands, how many have ended, and the ETAs derived from that. Pure data: the time of
/// each event is passed in, so tests drive it with a fake clock.
///
/// ETAs. A trial's: its steps left at the rate it has kept since its first sample (so
/// evaluation between epochs counts), else its last epoch's estimate, else the cost
/// model's. The plan's: the cost model's seconds for every train task not yet ended,
/// scaled by measured ÷ estimated seconds over the steps trained so far (per stage, as one
/// stage may run a cheap probe and the next a full fine-tune; else over all stages),
/// running trials counted by their own ETA, divided over the `jobs` that can run at once.
/// Training time only: data, features and eval tasks are not in the cost model.
public struct RunBoard {
    /// A task that is running.
    public struct Running {
        public var key: String
        public var kind: PlannedTask.Kind
        public var stage: String
        /// When it started (board time).
        public var started: Double
        /// Epochs completed before this run (a resumed trial).
        public var resumedAt: Int
        /// The latest step sample and when it came.
        public var sample: StepSample?
        public var sampledAt = 0.0
        /// The first sample's step and time (the trial's rate is measured from there).
        public var firstSample: (step: Int, time: Double)?
        /// The latest completed epoch and when it came.
        public var epoch: TrialProgress?
        public var epochAt = 0.0
    }

    public let outline: RunOutline
    /// Running tasks in the order they started.
    public private(set) var running: [Running] = []
    /// Tasks that ended (done, diverged, pruned, failed, or found in the store).
    public private(set) var ended: Set<String>
    /// Measured and estimated seconds of the finished trials' steps, in all and by stage.
    private var measured = 0.0, estimated = 0.0
    private var measuredByStage: [String: Double] = [:], estimatedByStage: [String: Double] = [:]
    private let trainByKey: [String: RunOutline.Train]

    public init(outline: RunOutline) {
        self.outline = outline
        self.ended = outline.complete
        self.trainByKey = Dictionary(outline.trains.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Tasks ended so far.
    public var doneCount: Int { ended.count }

    /// Folds `event`, which happened at `now`, into the board.
    public mutating func apply(_ event: ExecutionEvent, at now: Double) {
        switch event {
        case let .cached(key, _, _, _): end(key)
        case let .started(key, kind, stage, resumedAt):
            running.removeAll { $0.key == key }
            running.append(Running(key: key, kind: kind, stage: stage, started: now, resumedAt: resumedAt))
        case let .step(stage, sample):
            let i = row(sample.key, stage: stage, now: now)
            running[i].sample = sample
            running[i].sampledAt = now
            if running[i].firstSample == nil { running[i].firstSample = (sample.position.step, now) }
        case let .epoch(stage, progress):
            let i = row(progress.key, stage: stage, now: now)
            running[i].epoch = progress
            running[i].epochAt = now
        case let .paused(key, _, _): running.removeAll { $0.key == key }
        case let .pruned(key, _, _): end(key)
        case let .finished(key, _, stage, _, _, throughput):
            if let t = throughput, t.steps > 0, t.seconds > 0, let train = trainByKey[key], train.steps > 0 {
                let e = train.seconds / Double(train.steps) * Double(t.steps)
                measured += t.seconds; estimated += e
                measuredByStage[stage, default: 0] += t.seconds; estimatedByStage[stage, default: 0] += e
            }
            end(key)
        case let .failed(key, _, _, _): end(key)
        case .waiting, .warning: break
        }
    }

    private mutating func end(_ key: String) {
        ended.insert(key)
        running.removeAll { $0.key == key }
    }

    /// The index of `key`'s running row; a trial seen first through its samples (a follower
    /// that missed its start) gets one started now.
    private mutating func row(_ key: String, stage: String, now: Double) -> Int {
        if let i = running.firstIndex(where: { $0.key == key }) { return i }
        running.append(Running(key: key, kind: .train, stage: stage, started: now, resumedAt: 0))
        return running.count - 1
    }

    /// Seconds until `task` ends, if anything is known.
    public func trialETA(_ task: Running, now: Double) -> Double? {
        if let s = task.sample {
            let p = s.position
            let remaining = Double(max(0, p.stepsPerEpoch * p.totalEpochs - p.step))
            var rate = s.stepsPerSecond
            if let first = task.firstSample, p.step > first.step, task.sampledAt > first.time {
                rate = Double(p.step - first.step) / (task.sampledAt - first.time)
            }
            if rate.isFinite, rate > 0 { return max(0, remaining / rate - (now - task.sampledAt)) }
        }
        if let e = task.epoch { return max(0, e.eta - (now - task.epochAt)) }
        if let train = trainByKey[task.key] { return max(0, train.seconds * correction(stage: task.stage, now: now) - (now - task.started)) }
        return nil
    }

    /// Measured ÷ estimated seconds of the steps trained so far: in `stage` if it has trained
    /// any, else in all stages, else 1 (the cost model as it is).
    public func correction(stage: String, now: Double) -> Double {
        var m = measured, e = estimated
        var ms = measuredByStage[stage] ?? 0, es = estimatedByStage[stage] ?? 0
        for task in running {
            guard let s = task.sample, let first = task.firstSample, let train = trainByKey[task.key], train.steps > 0,
                  s.position.step > first.step, task.sampledAt > first.time else { continue }
            let seconds = task.sampledAt - first.time
            let estimate = train.seconds / Double(train.steps) * Double(s.position.step - first.step)
            m += seconds; e += estimate
            if task.stage == stage { ms += seconds; es += estimate }
        }
        if ms > 0, es > 0 { return ms / es }
        if m > 0, e > 0 { return m / e }
        return 1
    }

    /// Seconds until every train task of the plan has ended; nil when the plan has none or is unknown.
    public func planETA(now: Double) -> Double? {
        guard !outline.trains.isEmpty else { return nil }
        var longest = 0.0, total = 0.0, open = 0
        for task in running where task.kind == .train {
            let eta = trialETA(task, now: now) ?? 0
            longest = max(longest, eta); total += eta; open += 1
        }
        let active = Set(running.map(\.key))
        var corrections: [String: Double] = [:]
        for train in outline.trains where !ended.contains(train.key) && !active.contains(train.key) {
            let k = corrections[train.stage] ?? correction(stage: train.stage, now: now)
            corrections[train.stage] = k
            total += train.seconds * k
            open += 1
        }
        let parallel = Double(max(1, min(outline.jobs, open)))
        return max(longest, total / parallel)
    }
}
