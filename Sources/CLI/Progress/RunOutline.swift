import Compiler
import Foundation
import Plan

/// What the progress display knows of a plan before it runs: how many tasks, which
/// are already in the store, and the cost model's estimate of each train task.
/// A follower that only sees events (`.started`, `.finished`, …) passes `.unknown`.
public struct RunOutline: Sendable {
    /// One train task as the cost model sees it.
    public struct Train: Sendable, Equatable {
        public var key: String
        public var stage: String
        /// Optimizer steps of the whole stage (without early stopping).
        public var steps: Int
        /// Estimated seconds (`TrainEstimate.seconds(_:)` at the machine's calibration).
        public var seconds: Double

        public init(key: String, stage: String, steps: Int, seconds: Double) {
            self.key = key
            self.stage = stage
            self.steps = steps
            self.seconds = seconds
        }
    }

    /// Tasks in the plan (nil: unknown).
    public var taskCount: Int?
    /// Tasks already complete in the store when the run began (they count as done).
    public var complete: Set<String>
    /// Every train task of the plan with its estimate.
    public var trains: [Train]
    /// Tasks run at once (`--jobs`).
    public var jobs: Int

    public init(taskCount: Int?, complete: Set<String>, trains: [Train], jobs: Int) {
        self.taskCount = taskCount
        self.complete = complete
        self.trains = trains
        self.jobs = max(1, jobs)
    }

    /// Nothing known beforehand.
    public static let unknown = RunOutline(taskCount: nil, complete: [], trains: [], jobs: 1)

    /// The outline of `graph`, with the planner's `estimates` priced by `calibration` (CLI.md's `plan` estimate).
    public init(graph: TaskGraph, estimates: [String: TrainEstimate], calibration: CostCalibration, jobs: Int, isComplete: (String) -> Bool) {
        self.init(taskCount: graph.tasks.count, complete: Set(graph.tasks.map(\.key).filter(isComplete)),
                  trains: graph.tasks.compactMap { task in
                      guard task.kind == .train, let e = estimates[task.key] else { return nil }
                      return Train(key: task.key, stage: task.stage, steps: e.steps, seconds: e.seconds(calibration))
                  },
                  jobs: jobs)
    }
}
