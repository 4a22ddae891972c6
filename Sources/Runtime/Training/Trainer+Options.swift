import Foundation
import Plan

/// The trainer's run-time hooks and limits, and the checkpoint cadence they set.
/// Separate from the epoch loop: callers (executor, CLI, tests) configure a run
/// here without reading the loop, and the cadence rule lives next to its knob.
extension Trainer {
    /// Run-time hooks and limits.
    public struct Options {
        /// Stop (resumably) once this many epochs are complete (ASHA rungs, tests' injected kill).
        public var epochLimit: Int?
        /// Called after each optimizer step with (t, the batch loss as optimized).
        public var onStep: ((Int, Float) -> Void)?
        /// Called after each optimizer step with where the trial stands (a live display's feed;
        /// it runs on the training thread, so it must be cheap: `StepSampler` reads a clock and returns).
        public var onProgress: ((StepProgress) -> Void)?
        /// Called after each epoch (after its checkpoint, when one is written).
        public var onEpoch: ((TrialProgress) -> Void)?
        /// Seconds since some origin (for ETA and the checkpoint cadence).
        public var clock: () -> Double
        /// A checkpoint is written at the end of the first epoch that ends at least this many
        /// seconds (of `clock`) after the trial started or last checkpointed; 0: every epoch.
        /// A trial that pauses at `epochLimit` always checkpoints; a finished one seals instead.
        public var checkpointInterval: Double

        /// Whether the run was asked to stop (SIGINT / SIGTERM): read after each optimizer step.
        /// Set mid-epoch, the trial stops there, resumable from its last checkpoint; set when an
        /// epoch ends, that epoch is checkpointed first. Either way `run` returns `.paused`.
        public var stopRequested: () -> Bool = { false }

        /// The default cadence: a kill loses at most about this much training (plus an epoch).
        public static let defaultCheckpointInterval: Double = 10

        public init(epochLimit: Int? = nil, onStep: ((Int, Float) -> Void)? = nil, onProgress: ((StepProgress) -> Void)? = nil,
                    onEpoch: ((TrialProgress) -> Void)? = nil,
                    clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime },
                    checkpointInterval: Double = Options.defaultCheckpointInterval) {
            self.epochLimit = epochLimit
            self.onStep = onStep
            self.onProgress = onProgress
            self.onEpoch = onEpoch
            self.clock = clock
            self.checkpointInterval = checkpointInterval
        }

        /// Whether an epoch after which the trial goes on (or pauses) ends with a checkpoint:
        /// always when the run pauses after it, else once `checkpointInterval` seconds have
        /// passed since `lastCheckpoint` (the clock is read only in that case).
        func checkpointDue(completedEpochs: Int, lastCheckpoint: Double) -> Bool {
            let pausing = epochLimit.map { completedEpochs >= $0 } ?? false || stopRequested()
            return pausing || clock() - lastCheckpoint >= checkpointInterval
        }
    }
}
