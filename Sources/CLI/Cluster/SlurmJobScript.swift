import Foundation
import Plan
import Runtime

/// One cluster job of a `ClusterJobPlan` as SLURM gets it: the `sbatch` options
/// and the batch script, whose array element *i* runs
/// `ftx task run --wait --store STORE KEY` for its task(s).
struct SlurmJobScript {
    /// What every job of a submission shares.
    struct Context {
        /// The `ftx` binary the elements run (this one, by absolute path: it must
        /// be reachable from the compute nodes, like the store).
        var ftx: String
        /// The store, by absolute path.
        var store: String
        /// The folder the jobs start in (`--chdir`): where `ftx run` was started.
        var workingDirectory: String
        /// `--checkpoint-every` for the elements.
        var checkpointInterval: Double
        /// At most this many elements of one array run at once (`--array=…%N`), from `--jobs`.
        var throttle: Int?
        /// Site options passed through unchanged (`--slurm-args`), after ftx's own, so they win.
        var extraOptions: [String]

        /// What `ftx run --executor slurm` on `store` from this process uses.
        static func current(store: TaskStore, checkpointInterval: Double, throttle: Int?, extraOptions: [String]) -> Context {
            Context(ftx: executablePath(), store: ExperimentRecord.absolutePath(store.root),
                    workingDirectory: FileManager.default.currentDirectoryPath,
                    checkpointInterval: checkpointInterval, throttle: throttle, extraOptions: extraOptions)
        }

        /// This `ftx` binary, by absolute path (the array elements run it).
        static func executablePath() -> String {
            if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
            return ExperimentRecord.absolutePath(CommandLine.arguments[0])
        }

        /// Where SLURM writes each element's output.
        var logFolder: String { (store as NSString).appendingPathComponent("slurm/logs") }
        var scriptFolder: String { (store as NSString).appendingPathComponent("slurm/scripts") }
    }

    var job: ClusterJobPlan.Job
    var context: Context

    /// Element *i*'s log, once the job has `jobID` (`%x-%A_%a.log`).
    static func logPath(folder: String, name: String, jobID: String, element: Int) -> String {
        (folder as NSString).appendingPathComponent("\(name)-\(jobID)_\(element).log")
    }

    /// `sbatch`'s options, in order: ftx's own, the stage's resources, then the
    /// site's. `dependencies` are the job ids (or placeholders) it waits for.
    func options(dependencies: [String]) -> [String] {
        var array = "--array=0-\(job.elements.count - 1)"
        if let throttle = context.throttle { array += "%\(throttle)" }
        var options = [
            "--job-name=\(job.name)",
            array,
            "--output=" + (context.logFolder as NSString).appendingPathComponent("%x-%A_%a.log"),
            "--chdir=\(context.workingDirectory)",
        ]
        if !dependencies.isEmpty {
            options.append("--dependency=afterok:" + dependencies.joined(separator: ":"))
            // An element that failed makes its dependants impossible: SLURM cancels
            // them instead of leaving them pending forever.
            options.append("--kill-on-invalid-dep=yes")
        }
        return options + job.resources + context.extraOptions
    }

    /// The batch script.
    var script: String {
        let stage = job.stage.isEmpty ? "the data tasks" : "stage `\(job.stage)`"
        var lines = [
            "#!/bin/sh",
            "# Written by `ftx run --executor slurm`: \(stage), wave \(job.wave), \(job.elements.count) array element\(job.elements.count == 1 ? "" : "s").",
            "# Each element runs its task(s) of the plan with `ftx task run`, which is idempotent:",
            "# a task already in the store exits 0 at once; one another worker holds is waited for.",
            "set -eu",
            "case \"${SLURM_ARRAY_TASK_ID:?this script runs as a SLURM array element}\" in",
        ]
        for (i, keys) in job.elements.enumerated() {
            lines.append("\(i)) keys='\(keys.joined(separator: " "))' ;;")
        }
        lines.append("*) echo \"ftx: no task for array element $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;")
        lines.append("esac")
        let command = [context.ftx, "task", "run", "--wait", "--store", context.store,
                       "--checkpoint-every", Self.seconds(context.checkpointInterval)]
        // $keys unquoted on purpose: a pruned stage's element runs several (hexadecimal) keys.
        lines.append("exec " + ShellWords.join(command) + " $keys")
        return lines.joined(separator: "\n") + "\n"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
