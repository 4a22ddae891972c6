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
        usage: "ftx plan [--json] [--explain] [--store DIR] FILE",
        signature: CommandSignature(flags: ["--json", "--explain"], options: ["--store"], minPositionals: 1, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(args.positionals[0], storeOption: args.option("--store"),
                                               createStore: false, console: console, json: args.has("--json"))
        } catch let failure as CommandFailure {
            return failure.status
        }
        let store = loaded.store
        let report = PlanReport(plan: loaded.plan, isComplete: { store.completedStatus($0) != nil }, gflops: calibratedGFLOPS())
        if args.has("--json") {
            console.out(report.json() + "\n")
        } else {
            console.out(report.text(explain: args.has("--explain")))
        }
        return ExitCode.success
    }
}
