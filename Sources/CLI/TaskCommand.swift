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
    static let usage = "ftx task run --store DIR [--wait] [--checkpoint-every SECONDS] [--verbose] [--log-format text|json] KEY..."

    static let subcommand = Subcommand(
        name: "task",
        summary: "run tasks of a planned experiment by key (one element of a cluster job array)",
        usage: usage,
        signature: CommandSignature(flags: ["--wait", "--verbose"], options: ["--store", "--checkpoint-every", "--log-format"],
                                    minPositionals: 2),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        guard args.positionals[0] == "run" else {
            throw UsageError("unknown `ftx task` command `\(args.positionals[0])`; the only one is `run`")
        }
        guard let storeDir = args.option("--store") else { throw UsageError("`ftx task run` needs `--store DIR`") }
        let keys = Array(args.positionals.dropFirst())
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
        if let bad = keys.first(where: { !TaskStore.isValidKey($0) }) { return fail("`\(bad)` is not a task key") }
        let keySet = Set(keys)
        if keys.allSatisfy({ store.completedStatus($0) != nil }) {
            for key in keys { note("task \(TaskKey.short(key)) is already in the store (\(store.completedStatus(key)!.rawValue))\n") }
            return ExitCode.success
        }

        let records = ExperimentRecord.all(in: store).filter { keySet.isSubset(of: $0.keys) }
        guard !records.isEmpty else {
            return fail("no experiment run on the store `\(store.root)` plans task\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", ")); "
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
            if keys.allSatisfy({ experiment.plan.graph.task($0) != nil }) { loaded = experiment; experimentPath = record.path; break }
            stale.append(record.path)
        }
        guard let loaded else {
            return fail("the experiment \(stale.map { "`\($0)`" }.joined(separator: ", ")) no longer plans "
                + "task\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", ")): its settings or inputs changed since it was submitted")
        }
        let graph = loaded.plan.graph

        // A stage that prunes decides its trials together by rungs: they run as one unit.
        let cohorts = graph.pruneCohorts
        for key in keys {
            guard let task = graph.task(key), let cohort = cohorts[task.stage], cohort.contains(key) else { continue }
            guard Set(cohort).isSubset(of: keySet) else {
                return fail("task \(TaskKey.short(key)) trains a trial of stage `\(task.stage)`, which prunes: "
                    + "its trials run together by rungs, so give all \(cohort.count) of them (or run the stage with `ftx run`)")
            }
        }
        if !args.has("--wait") {
            for key in keys where store.completedStatus(key) == nil {
                if let owner = store.lease(for: key).liveOwner() {
                    note("task \(TaskKey.short(key)) is being run by another worker (\(owner)); left to it\n")
                    return ExitCode.busy
                }
            }
        }

        // The tasks and everything upstream of them; all of that must already be done,
        // so a worker never silently runs tasks that belong to other array elements.
        var needed = keySet
        var frontier = keys
        while let k = frontier.popLast() {
            for d in graph.task(k)?.deps ?? [] where needed.insert(d).inserted { frontier.append(d) }
        }
        let pending = graph.tasks.filter { needed.contains($0.key) && !keySet.contains($0.key) && store.completedStatus($0.key) == nil }
        guard pending.isEmpty else {
            let names = pending.map { "\($0.key) (\($0.kind.rawValue) of stage `\($0.stage)`)" }
            return fail("task\(keys.count == 1 ? "" : "s") \(keys.map { TaskKey.short($0) }.joined(separator: ", ")) "
                + "depend\(keys.count == 1 ? "s" : "") on task\(names.count == 1 ? "" : "s") not done yet: "
                + names.joined(separator: ", ") + "; run \(names.count == 1 ? "it" : "them") first")
        }

        let trainKeys = keys.filter { graph.task($0)?.kind == .train }
        if !trainKeys.isEmpty { Provenance.current(for: experimentPath).record(trainKeys: trainKeys, in: store) }
        var subgraph = graph
        subgraph.tasks = graph.tasks.filter { needed.contains($0.key) }
        subgraph.trials = graph.trials.filter { needed.contains($0.evalKey) }
        return RunCommand.execute(subgraph, estimates: loaded.plan.estimates, store: store, jobs: 1,
                                  checkpointInterval: checkpointInterval, logging: logging, command: "task run", console: console)
    }
}
