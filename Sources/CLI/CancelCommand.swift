import Foundation
import Runtime
import Support

/// `ftx cancel FILE`: cancels (`scancel`) the SLURM jobs submitted for the
/// experiment that are still queued or running — what Ctrl-C offers on a
/// followed run, for a detached one. Tasks already in the store stay; a
/// cancelled trial keeps its last checkpoint, and the next
/// `ftx run --executor slurm` resumes it.
enum CancelCommand {
    static let subcommand = Subcommand(
        name: "cancel",
        summary: "cancel the queued and running SLURM jobs of an experiment (`ftx run --executor slurm --detach`)",
        usage: "ftx cancel [--store DIR] FILE",
        signature: CommandSignature(flags: [], options: ["--store"], minPositionals: 1, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let file = args.positionals[0]
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(file, storeOption: args.option("--store"), createStore: false,
                                               console: console, json: false)
        } catch let failure as CommandFailure {
            return failure.status
        }
        do {
            guard let record = try SlurmSubmissionRecord.load(forExperiment: ExperimentRecord.absolutePath(file), in: loaded.store) else {
                console.out("nothing to cancel: no SLURM job was submitted for `\(file)` on the store `\(loaded.store.root)`\n")
                return ExitCode.success
            }
            let active = record.activeJobs()
            guard !active.isEmpty else {
                console.out("nothing to cancel: no SLURM job of `\(file)` is queued or running\n")
                return ExitCode.success
            }
            try Slurm.cancel(active.map(\.id))
            console.out("cancelled SLURM job\(active.count == 1 ? "" : "s") "
                + active.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
                + "; `ftx run --executor slurm \(file)` resumes where they stopped\n")
            return ExitCode.success
        } catch {
            console.err("ftx cancel: error: \(error)\n")
            return ExitCode.failure
        }
    }
}
