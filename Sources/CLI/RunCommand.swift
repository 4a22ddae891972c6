import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx run FILE`: execute the plan, reusing everything already in the store.
enum RunCommand {
    static let subcommand = Subcommand(
        name: "run",
        summary: "train: run every task not already in the store (cached by content, resumable)",
        usage: "ftx run [--jobs N] [--store DIR] [--checkpoint-every SECONDS] [--verbose] [--log-format text|json] "
            + "[--executor local|slurm [--detach] [--slurm-args ARGS]] FILE",
        signature: CommandSignature(flags: ["--verbose", "--detach"],
                                    options: ["--jobs", "--store", "--checkpoint-every", "--log-format", "--executor", "--slurm-args"],
                                    minPositionals: 1, maxPositionals: 1),
        run: run)

    /// How progress is reported (`--verbose`, `--log-format`): shared by `run` and `task run`.
    struct Logging {
        var format: LogFormat
        var verbose: Bool

        init(_ args: ParsedArguments) throws {
            verbose = args.has("--verbose")
            let text = args.option("--log-format") ?? LogFormat.text.rawValue
            guard let format = LogFormat(rawValue: text) else {
                throw UsageError("`--log-format` is `text` or `json`, got `\(text)`")
            }
            self.format = format
        }
    }

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let jobs = try args.intOption("--jobs", default: 1)
        let logging = try Logging(args)
        let checkpointInterval = try args.secondsOption("--checkpoint-every", default: Trainer.Options.defaultCheckpointInterval)
        let executor = try ExecutorChoice(args, command: "run", slurmOnly: ["--detach"])
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(args.positionals[0], storeOption: args.option("--store"),
                                               createStore: true, console: console, json: false)
        } catch let failure as CommandFailure {
            return failure.status
        }
        // Recorded before training, so a trial of a run killed midway still knows
        // the commit it was (first) trained at; an existing record is kept.
        let provenance = Provenance.current(for: args.positionals[0])
        let pendingTrainKeys = loaded.plan.graph.tasks
            .filter { $0.kind == .train && loaded.store.completedStatus($0.key) == nil }.map(\.key)
        provenance.record(trainKeys: pendingTrainKeys, in: loaded.store)
        do {
            try ExperimentRecord(path: ExperimentRecord.absolutePath(args.positionals[0]),
                                 keys: loaded.plan.graph.tasks.map(\.key)).write(in: loaded.store)
        } catch {
            console.err("ftx run: error: cannot record the experiment in the store `\(loaded.store.root)`: \(error)\n")
            return ExitCode.failure
        }
        if executor.isSlurm {
            // `--jobs N` on a cluster: at most N elements of each array run at once.
            let options = SlurmRun.Options(detach: args.has("--detach"), throttle: args.option("--jobs") == nil ? nil : jobs,
                                           extraOptions: executor.slurmOptions, checkpointInterval: checkpointInterval, logging: logging)
            return SlurmRun.run(loaded, file: args.positionals[0], options: options, console: console)
        }
        return execute(loaded.plan.graph, estimates: loaded.plan.estimates, store: loaded.store, jobs: jobs,
                       checkpointInterval: checkpointInterval, logging: logging, command: "run", console: console)
    }

    /// Runs `graph` on `store` with the Executor, reporting progress as `logging` says, and
    /// prints the summary: the one execution path of `ftx run` and `ftx task run`.
    /// `estimates` (the planner's cost model) give the live display its plan ETA.
    static func execute(_ graph: TaskGraph, estimates: [String: TrainEstimate], store: TaskStore, jobs: Int,
                        checkpointInterval: Double, logging: Logging, command: String, console: Console) -> Int32 {
        let outline = RunOutline(graph: graph, estimates: estimates, calibration: BenchCalibration.load(), jobs: jobs,
                                 isComplete: { store.completedStatus($0) != nil })
        let progress = ProgressPrinter(console: console, format: logging.format, verbose: logging.verbose, outline: outline)
        let executor = Executor(graph: graph, store: store, jobs: jobs,
                                progress: { progress.handle($0) })
        executor.checkpointInterval = checkpointInterval
        let stop = StopSignals(console: console)
        defer { stop.release() }
        executor.stopRequested = { stop.received != nil }
        let summary: ExecutionSummary
        do {
            summary = try executor.run()
        } catch {
            progress.finish()
            console.err("ftx \(command): error: \(error)\n")
            return ExitCode.failure
        }
        progress.summarize(run: summary.executed.count, cached: summary.cached.count, failed: summary.failures.count)
        for failure in summary.failures {
            console.err("ftx \(command): task \(TaskKey.short(failure.key)) failed: \(failure.message)\n")
        }
        if let signal = stop.received {
            let stopped = summary.statuses.values.filter { $0 == .running }.count
            console.err("ftx \(command): stopped by \(StopSignals.name(signal)); \(stopped) unfinished task\(stopped == 1 ? "" : "s") "
                + "resume from their last checkpoints on the next run\n")
            return 128 + signal
        }
        return summary.succeeded ? ExitCode.success : ExitCode.failure
    }
}
