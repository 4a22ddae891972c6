import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx plan FILE`: what `run` would do, without doing it.
enum PlanCommand {
    static let subcommand = Subcommand(
        name: "plan",
        summary: "show the task graph: trials, tasks, what is already done, estimated cost",
        usage: "ftx plan [--json] [--explain] [--store DIR] [--executor local|slurm [--jobs N] [--slurm-args ARGS]] FILE",
        signature: CommandSignature(flags: ["--json", "--explain"], options: ["--store", "--executor", "--jobs", "--slurm-args"],
                                    minPositionals: 1, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let executor = try ExecutorChoice(args, command: "plan", slurmOnly: ["--jobs"])
        let throttle = args.option("--jobs") == nil ? nil : try args.intOption("--jobs", default: 1)
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(args.positionals[0], storeOption: args.option("--store"),
                                               createStore: false, console: console, json: args.has("--json"))
        } catch let failure as CommandFailure {
            return failure.status
        }
        let store = loaded.store
        let report = PlanReport(plan: loaded.plan, isComplete: { store.completedStatus($0) != nil }, calibration: BenchCalibration.load())
        var cluster: ClusterPlanReport?
        if executor.isSlurm {
            let pending = Set(loaded.plan.graph.tasks.filter { store.completedStatus($0.key) == nil }.map(\.key))
            let context = SlurmJobScript.Context.current(store: store, checkpointInterval: Trainer.Options.defaultCheckpointInterval,
                                                         throttle: throttle, extraOptions: executor.slurmOptions)
            cluster = ClusterPlanReport(plan: ClusterJobPlan(graph: loaded.plan.graph, pending: pending),
                                        context: context)
        }
        if args.has("--json") {
            guard let cluster else {
                console.out(report.json() + "\n")
                return ExitCode.success
            }
            // The plan's object with one more member, `slurm_jobs`.
            guard case .object(var members) = report.jsonValue() else { preconditionFailure("the plan's JSON is an object") }
            members.append((key: "slurm_jobs", value: cluster.json()))
            console.out(JSONWriter.encode(.object(members)) + "\n")
        } else {
            console.out(report.text(explain: args.has("--explain"), store: store.root))
            if let cluster { console.out(cluster.text()) }
        }
        return ExitCode.success
    }
}
