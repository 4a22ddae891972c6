import Foundation
import Support

/// The SLURM commands ftx uses — `sbatch`, `squeue`, `sacct`, `scancel` — run
/// as programs on `PATH`, as a user would type them.
enum Slurm {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether this machine can submit jobs (`sbatch` on `PATH`).
    static var isAvailable: Bool { Subprocess.isOnPath("sbatch") }

    /// `sbatch --parsable ARGUMENTS`; the new job's id.
    static func submit(_ arguments: [String]) throws -> String {
        let result = try run("sbatch", ["--parsable"] + arguments)
        guard result.status == 0 else {
            throw Failure(description: "sbatch refused the job: \(result.error.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        // `--parsable` prints `ID` or `ID;CLUSTER`.
        let line = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = line.split(separator: ";").first.map(String.init), !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw Failure(description: "sbatch printed `\(line)`, not a job id")
        }
        return id
    }

    /// Where each array element of `jobIDs` stands, by element id (`1234_5`).
    /// `sacct` is asked first (it remembers finished jobs for good, where the
    /// cluster keeps accounting); where it cannot answer, `squeue --states=all`
    /// (which forgets a finished job after the cluster's `MinJobAge`).
    /// An element neither knows is absent from the answer.
    static func elementStates(of jobIDs: [String]) -> [String: ElementState] {
        guard !jobIDs.isEmpty else { return [:] }
        var states: [String: ElementState] = [:]
        let ids = jobIDs.joined(separator: ",")
        if let result = try? run("sacct", ["-n", "-P", "-X", "-j", ids, "-o", "JobID,State"]), result.status == 0 {
            for line in result.text.split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 2, !fields[0].contains("[") else { continue }
                states[fields[0]] = ElementState(slurm: fields[1])
            }
        }
        // squeue knows about pending elements sacct may not list one by one yet.
        if let result = try? run("squeue", ["--states=all", "-r", "-h", "-j", ids, "-o", "%i|%T"]), result.status == 0 {
            for line in result.text.split(separator: "\n") {
                let fields = line.split(separator: "|").map(String.init)
                guard fields.count == 2, !fields[0].contains("[") else { continue }
                let state = ElementState(slurm: fields[1])
                if states[fields[0]] == nil || state.isActive { states[fields[0]] = state }
            }
        }
        return states
    }

    /// `scancel ID…`.
    static func cancel(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let result = try run("scancel", ids)
        guard result.status == 0 else { throw Failure(description: "scancel failed: \(result.errorLine)") }
    }

    private static func run(_ program: String, _ arguments: [String]) throws -> Subprocess.Result {
        do {
            return try Subprocess.run(program, arguments)
        } catch let error as Subprocess.LaunchError {
            throw Failure(description: error.description + " (the SLURM executor needs SLURM's commands)")
        }
    }
}

/// An array element's state, as SLURM reports it, reduced to what ftx acts on.
struct ElementState: Equatable, CustomStringConvertible {
    /// SLURM's word: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED by 0`, …
    var slurm: String

    init(slurm: String) {
        self.slurm = slurm.split(separator: " ").first.map(String.init) ?? slurm
    }

    /// Queued or running: it may still do its task.
    var isActive: Bool {
        ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED", "STAGE_OUT", "SIGNALING"]
            .contains(slurm)
    }

    var isQueued: Bool { slurm == "PENDING" || slurm == "REQUEUED" || slurm == "CONFIGURING" }

    /// Ended without success: failed, cancelled, timed out, out of memory, preempted, node failure…
    var hasFailed: Bool { !isActive && slurm != "COMPLETED" }

    var description: String { slurm }
}
