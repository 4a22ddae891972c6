import Foundation
import Plan
import Support

/// What `ftx plan --executor slurm` adds: the jobs `ftx run --executor slurm`
/// would submit now, with their `sbatch` command lines and scripts, so a user
/// can check them before spending cluster time. A job's dependencies are shown
/// as `$JOB<n>`, the id SLURM will give job n.
struct ClusterPlanReport {
    var plan: ClusterJobPlan
    var context: SlurmJobScript.Context

    func commandLine(_ index: Int) -> [String] {
        let job = plan.jobs[index]
        let script = SlurmJobScript(job: job, context: context)
        let file = (context.scriptFolder as NSString).appendingPathComponent(job.name + ".sh")
        return ["sbatch", "--parsable"] + script.options(dependencies: job.dependencies.map { "$JOB\($0 + 1)" }) + [file]
    }

    func text() -> String {
        let tasks = plan.jobs.reduce(0) { $0 + $1.keys.count }
        guard !plan.jobs.isEmpty else { return "\nSLURM jobs: none; every task is in the store\n" }
        var out = "\nSLURM jobs `ftx run --executor slurm` would submit: \(plan.jobs.count) job\(plan.jobs.count == 1 ? "" : "s"), "
            + "\(tasks) task\(tasks == 1 ? "" : "s")\n"
        for (i, job) in plan.jobs.enumerated() {
            let after = job.dependencies.isEmpty ? "" : ", after " + job.dependencies.map { "JOB\($0 + 1)" }.joined(separator: ", ")
            out += "  JOB\(i + 1)  \(job.name): \(job.elements.count) element\(job.elements.count == 1 ? "" : "s")"
                + (job.elements.count == 1 && job.elements[0].count > 1 ? " (\(job.elements[0].count) trials pruned together)" : "")
                + after + "\n"
            // $JOBn is left unquoted: it stands for a number.
            out += "        " + commandLine(i).map { $0.contains("$JOB") ? $0 : ShellWords.quote($0) }.joined(separator: " ") + "\n"
        }
        return out
    }

    func json() -> JSONValue {
        .array(plan.jobs.enumerated().map { i, job in
            .object([
                ("name", .string(job.name)),
                ("stage", .string(job.stage)),
                ("wave", .int(job.wave)),
                ("elements", .array(job.elements.map { .array($0.map(JSONValue.string)) })),
                ("after", .array(job.dependencies.map { .string(plan.jobs[$0].name) })),
                ("sbatch", .array(commandLine(i).map(JSONValue.string))),
                ("script", .string(SlurmJobScript(job: job, context: context).script)),
            ])
        })
    }
}
