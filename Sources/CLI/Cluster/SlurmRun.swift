import Foundation
import Plan
import Runtime
import Support

/// `ftx run --executor slurm FILE`: the plan's pending tasks submitted as SLURM
/// job arrays (`SlurmSubmitter`), then followed from the store (`SlurmFollower`)
/// unless `--detach`. The tasks run `ftx task run`, i.e. `ftx run`'s own
/// execution path, so the store ends up with the same bytes as a local run.
enum SlurmRun {
    struct Options {
        var detach: Bool
        var throttle: Int?
        var extraOptions: [String]
        var checkpointInterval: Double
        var logging: RunCommand.Logging
    }

    static func run(_ loaded: LoadedExperiment, file: String, options: Options, console: Console) -> Int32 {
        func fail(_ message: String) -> Int32 {
            console.err("ftx run: error: \(message)\n")
            return ExitCode.failure
        }
        guard Slurm.isAvailable else {
            return fail("`--executor slurm` needs SLURM's `sbatch` on PATH; run on a cluster's login node, "
                + "or see docs/CLUSTER.md to start the single-node test cluster")
        }
        let graph = loaded.plan.graph
        let store = loaded.store
        let absolute = ExperimentRecord.absolutePath(file)
        var record: SlurmSubmissionRecord
        do {
            record = try SlurmSubmissionRecord.load(forExperiment: absolute, in: store)
                ?? SlurmSubmissionRecord(path: absolute, jobs: [])
        } catch {
            return fail("\(error)")
        }
        let pending = Set(graph.tasks.filter { store.completedStatus($0.key) == nil }.map(\.key))
        let alreadyDone = graph.tasks.count - pending.count
        if pending.isEmpty {
            console.out("0 tasks run, \(alreadyDone) already in the store\n")
            return ExitCode.success
        }

        // Jobs of an earlier submission still queued or running: follow them rather
        // than submit the same tasks twice.
        let active = record.activeJobs()
        // Ctrl-C from here on is caught: during submission it takes effect once the
        // submission is complete and recorded (a half-submitted chain is worse).
        let interruption = options.detach ? nil : StopSignals(console: console, signals: [SIGINT], announcement: nil)
        defer { interruption?.release() }
        var jobs: [SlurmSubmissionRecord.Job]
        if !active.isEmpty {
            console.out("jobs \(active.map(\.id).joined(separator: ", ")) of an earlier submission are still queued or running; "
                + "following them (run again once they end to submit what is still missing)\n")
            jobs = active
        } else {
            let context = SlurmJobScript.Context.current(store: store, checkpointInterval: options.checkpointInterval,
                                                         throttle: options.throttle, extraOptions: options.extraOptions)
            let submitter = SlurmSubmitter(graph: graph, store: store, experimentPath: absolute, context: context)
            do {
                jobs = try submitter.submit(pending: pending, record: &record)
            } catch {
                return fail("\(error)")
            }
            let tasks = jobs.reduce(0) { $0 + $1.elements.reduce(0) { $0 + $1.count } }
            console.out("submitted \(tasks) task\(tasks == 1 ? "" : "s") as \(jobs.count) SLURM job\(jobs.count == 1 ? "" : "s"): "
                + jobs.map { "\($0.id) \($0.name)[\($0.elements.count)]" }.joined(separator: ", ") + "\n")
        }
        guard let interruption else {
            console.out("detached: `ftx status \(file)` shows progress, `ftx cancel \(file)` cancels the jobs\n")
            return ExitCode.success
        }
        let outline = RunOutline(graph: graph, estimates: loaded.plan.estimates, calibration: BenchCalibration.load(), jobs: 1,
                                 isComplete: { store.completedStatus($0) != nil })
        let progress = ProgressPrinter(console: console, format: options.logging.format, verbose: options.logging.verbose,
                                       outline: outline)
        return follow(graph: graph, store: store, jobs: jobs, file: file, progress: progress, interruption: interruption,
                      console: console)
    }

    /// Follows `jobs` to their end; Ctrl-C asks whether to cancel them.
    static func follow(graph: TaskGraph, store: TaskStore, jobs: [SlurmSubmissionRecord.Job], file: String,
                       progress: ProgressPrinter, interruption: StopSignals, console: Console) -> Int32 {
        let follower = SlurmFollower(graph: graph, store: store, jobs: jobs, interruption: interruption)
        let (outcome, finished, alreadyDone, failures) = follower.follow(progress: progress)
        let missingCount: Int
        if case .incomplete(let missing) = outcome { missingCount = missing.count } else { missingCount = 0 }
        progress.summarize(run: finished.count, cached: alreadyDone, failed: missingCount)
        for report in failures { console.err(report) }
        switch outcome {
        case .completed:
            return ExitCode.success
        case .incomplete(let missing):
            console.err("ftx run: \(missing.count) task\(missing.count == 1 ? "" : "s") did not finish ("
                + missing.prefix(5).map { TaskKey.short($0) }.joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
                + "); `ftx run --executor slurm \(file)` again submits only what is missing\n")
            return ExitCode.failure
        case .interrupted:
            let ids = jobs.map(\.id)
            let cancel: Bool
            if isatty(0) == 1 {
                console.err("\nCancel the SLURM jobs this run follows (\(ids.joined(separator: ", ")))? [y/N] ")
                let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                cancel = answer == "y" || answer == "yes"
            } else {
                // Nobody to ask: an interrupted, unattended run stops spending cluster time.
                cancel = true
            }
            if cancel {
                do {
                    try Slurm.cancel(ids)
                    console.err("ftx run: cancelled SLURM jobs \(ids.joined(separator: ", ")); "
                        + "`ftx run --executor slurm \(file)` resumes where they stopped\n")
                } catch {
                    console.err("ftx run: error: \(error)\n")
                    return ExitCode.failure
                }
            } else {
                console.err("ftx run: the jobs keep running; `ftx status \(file)` shows them, `ftx cancel \(file)` cancels them\n")
            }
            return 130
        }
    }
}
