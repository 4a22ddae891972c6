import Foundation
import Plan
import Runtime
import Support

/// `ftx status FILE`: where every task of the plan stands, per stage, from the
/// store (done, failed, running under a live lease) and, for what was submitted
/// to SLURM, from the scheduler (queued, or ended without a result).
enum StatusCommand {
    static let subcommand = Subcommand(
        name: "status",
        summary: "show done / running / queued / failed tasks per stage (local and SLURM runs)",
        usage: "ftx status [--json] [--store DIR] FILE",
        signature: CommandSignature(flags: ["--json"], options: ["--store"], minPositionals: 1, maxPositionals: 1),
        run: run)

    enum State: String, CaseIterable {
        case done, running, queued, failed, pending
    }

    struct Row {
        var stage: String
        var counts: [State: Int]
    }

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let file = args.positionals[0]
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(file, storeOption: args.option("--store"), createStore: false,
                                               console: console, json: args.has("--json"))
        } catch let failure as CommandFailure {
            return failure.status
        }
        let graph = loaded.plan.graph
        let store = loaded.store
        let record: SlurmSubmissionRecord?
        do {
            record = try SlurmSubmissionRecord.load(forExperiment: ExperimentRecord.absolutePath(file), in: store)
        } catch {
            console.err("ftx status: error: \(error)\n")
            return ExitCode.failure
        }
        let elementStates = record.map { Slurm.elementStates(of: $0.jobs.map(\.id)) } ?? [:]

        var states: [String: State] = [:]
        var failures: [(key: String, detail: String)] = []
        let latestElements = record?.latestElements() ?? [:]
        for task in graph.tasks {
            let key = task.key
            let element = latestElements[key]
            let slurmState = element.flatMap { elementStates[$0.job.elementID($0.element)] }
            let state: State
            if store.completedStatus(key) != nil {
                state = .done
            } else if store.lease(for: key).liveOwner() != nil {
                state = .running
            } else if let slurmState, slurmState.isActive {
                state = .queued
            } else if store.status(of: key) == .failed || slurmState?.hasFailed == true {
                state = .failed
                if let element, let slurmState, slurmState.hasFailed {
                    failures.append((key, "SLURM job \(element.job.elementID(element.element)) ended \(slurmState.slurm); "
                        + "log: \(element.job.logPath(element: element.element))"))
                } else {
                    failures.append((key, "failed in the last run; `ftx run` retries it"))
                }
            } else {
                state = .pending
            }
            states[key] = state
        }

        var rows: [Row] = []
        for task in graph.tasks {
            let stage = task.stage.isEmpty ? "(data)" : task.stage
            if !rows.contains(where: { $0.stage == stage }) { rows.append(Row(stage: stage, counts: [:])) }
            let i = rows.firstIndex { $0.stage == stage }!
            rows[i].counts[states[task.key]!, default: 0] += 1
        }
        let activeJobs = record?.activeJobs(states: elementStates) ?? []

        if args.has("--json") {
            let stageRows: [JSONValue] = rows.map { row in
                var members: [(key: String, value: JSONValue)] = [(key: "stage", value: .string(row.stage))]
                for state in State.allCases { members.append((key: state.rawValue, value: .int(row.counts[state] ?? 0))) }
                return .object(members)
            }
            let failed: [JSONValue] = failures.map { .object([(key: "key", value: .string($0.key)), (key: "detail", value: .string($0.detail))]) }
            let json: JSONValue = .object([
                (key: "experiment", value: .string(graph.experiment)),
                (key: "stages", value: .array(stageRows)),
                (key: "failed", value: .array(failed)),
                (key: "slurm_jobs", value: .array(activeJobs.map { .string($0.id) })),
            ])
            console.out(JSONWriter.encode(json) + "\n")
            return ExitCode.success
        }

        let total = graph.tasks.count
        let done = states.values.filter { $0 == .done }.count
        console.out("experiment \(graph.experiment): \(done) of \(total) tasks done\n\n")
        let header = ["stage"] + State.allCases.map(\.rawValue)
        let table = [header] + rows.map { row in [row.stage] + State.allCases.map { String(row.counts[$0] ?? 0) } }
        let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
        for line in table {
            let cells = line.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }
            console.out(cells.joined(separator: "  ") + "\n")
        }
        if !failures.isEmpty {
            console.out("\nfailed:\n")
            for f in failures { console.out("  \(TaskKey.short(f.key))  \(f.detail)\n") }
        }
        if !activeJobs.isEmpty {
            console.out("\nSLURM jobs queued or running: \(activeJobs.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))\n")
        }
        return ExitCode.success
    }
}
