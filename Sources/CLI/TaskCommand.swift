import Foundation
import Plan
import Runtime
import Support

/// `ftx task run --store DIR KEY`: run one task of a plan, idempotently, as one
/// element of a cluster job array (SLURM) would. The task's experiment is found
/// through the store's `experiments/*.json` records (`ExperimentRecord`), which
/// `ftx run` writes; the file is planned again (keys are content-addressed, so an
/// unchanged file plans the same keys) and the task runs through `ftx run`'s
/// own execution path, so the store ends up with the same bytes.
enum TaskCommand {
    static let usage = "ftx task run --store DIR [--checkpoint-every SECONDS] [--verbose] [--log-format text|json] KEY"

    static let subcommand = Subcommand(
        name: "task",
        summary: "run one task of a planned experiment by key (one element of a cluster job array)",
        usage: usage,
        signature: CommandSignature(flags: ["--verbose"], options: ["--store", "--checkpoint-every", "--log-format"],
                                    minPositionals: 2, maxPositionals: 2),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        guard args.positionals[0] == "run" else {
            throw UsageError("unknown `ftx task` command `\(args.positionals[0])`; the only one is `run`")
        }
        guard let storeDir = args.option("--store") else { throw UsageError("`ftx task run` needs `--store DIR`") }
        let key = args.positionals[1]
        let checkpointInterval = try args.secondsOption("--checkpoint-every", default: Trainer.Options.defaultCheckpointInterval)
        let logging = try RunCommand.Logging(args)
        // With `--log-format json` standard output holds JSON Lines only: notes go to stderr.
        let note: (String) -> Void = logging.format == .json ? { console.err($0) } : { console.out($0) }
        func fail(_ message: String) -> Int32 {
            console.err("ftx task run: error: \(message)\n")
            return ExitCode.failure
        }

        let store: TaskStore
        do {
            let versionFile = (storeDir as NSString).appendingPathComponent("store.json")
            guard FileManager.default.fileExists(atPath: versionFile) else {
                return fail("`\(storeDir)` is not an ftx store (no store.json); `ftx run` creates it")
            }
            store = try TaskStore(root: storeDir, create: false, warn: { console.err("warning: \($0)\n") })
        } catch {
            return fail("cannot open the store `\(storeDir)`: \(error)")
        }
        guard TaskStore.isValidKey(key) else { return fail("`\(key)` is not a task key") }
        if let status = store.completedStatus(key) {
            note("task \(TaskKey.short(key)) is already in the store (\(status.rawValue))\n")
            return ExitCode.success
        }

        let records = ExperimentRecord.all(in: store).filter { $0.keys.contains(key) }
        guard !records.isEmpty else {
            return fail("no experiment run on the store `\(store.root)` plans task \(key); "
                + "run `ftx run --store \(storeDir) FILE` (or `ftx plan`) for its experiment first")
        }
        var loaded: LoadedExperiment?
        var experimentPath = ""
        var stale: [String] = []
        for record in records {
            let experiment: LoadedExperiment
            do {
                experiment = try LoadedExperiment.load(record.path, storeOption: store.root, createStore: false,
                                                       console: console, json: false)
            } catch let failure as CommandFailure {
                return failure.status
            }
            if experiment.plan.graph.task(key) != nil { loaded = experiment; experimentPath = record.path; break }
            stale.append(record.path)
        }
        guard let loaded, let task = loaded.plan.graph.task(key) else {
            return fail("the experiment \(stale.map { "`\($0)`" }.joined(separator: ", ")) no longer plans task \(key): "
                + "its settings or inputs changed since it was submitted")
        }

        if case .train(let spec) = task.payload, spec.prune != nil {
            return fail("task \(TaskKey.short(key)) trains a trial of stage `\(task.stage)`, which prunes: "
                + "its trials run together by rungs, so run the stage with `ftx run`")
        }
        if let owner = store.lease(for: key).liveOwner() {
            note("task \(TaskKey.short(key)) is being run by another worker (\(owner)); left to it\n")
            return ExitCode.busy
        }

        // The task and everything upstream of it; all of that must already be done,
        // so a worker never silently runs tasks that belong to other array elements.
        let graph = loaded.plan.graph
        var needed: Set<String> = [key]
        var frontier = [key]
        while let k = frontier.popLast() {
            for d in graph.task(k)?.deps ?? [] where needed.insert(d).inserted { frontier.append(d) }
        }
        let pending = graph.tasks.filter { needed.contains($0.key) && $0.key != key && store.completedStatus($0.key) == nil }
        guard pending.isEmpty else {
            let names = pending.map { "\($0.key) (\($0.kind.rawValue) of stage `\($0.stage)`)" }
            return fail("task \(TaskKey.short(key)) depends on task\(names.count == 1 ? "" : "s") not done yet: "
                + names.joined(separator: ", ") + "; run \(names.count == 1 ? "it" : "them") first")
        }

        if task.kind == .train { Provenance.current(for: experimentPath).record(trainKeys: [key], in: store) }
        let subgraph = TaskGraph(experiment: graph.experiment, tasks: graph.tasks.filter { needed.contains($0.key) },
                                 trials: graph.trials.filter { needed.contains($0.evalKey) })
        return RunCommand.execute(subgraph, estimates: loaded.plan.estimates, store: store, jobs: 1,
                                  checkpointInterval: checkpointInterval, logging: logging, command: "task run", console: console)
    }
}
