import Foundation
import Plan
import Runtime
import Support

/// Submits a plan's pending tasks to SLURM (`ftx run --executor slurm`): one
/// array job per `ClusterJobPlan` job, chained with `afterok`, each recorded in
/// the store's `SlurmSubmissionRecord` as soon as SLURM accepted it.
struct SlurmSubmitter {
    var graph: TaskGraph
    var store: TaskStore
    /// The experiment file, absolute.
    var experimentPath: String
    var context: SlurmJobScript.Context

    /// Submits every job of the plan for `pending`; returns the record's new jobs.
    /// If SLURM refuses a job, the jobs already submitted are cancelled (they
    /// would wait forever for it) and the error is thrown.
    func submit(pending: Set<String>, record: inout SlurmSubmissionRecord) throws -> [SlurmSubmissionRecord.Job] {
        let plan = ClusterJobPlan(graph: graph, pending: pending)
        _ = try TaskStore.prepareFolder("slurm/logs", in: context.store)
        _ = try TaskStore.prepareFolder("slurm/scripts", in: context.store)
        var submitted: [SlurmSubmissionRecord.Job] = []
        do {
            for job in plan.jobs {
                let script = SlurmJobScript(job: job, context: context)
                let scriptFile = (context.scriptFolder as NSString).appendingPathComponent(job.name + ".sh")
                try AtomicFile.write(script.script, to: scriptFile)
                let options = script.options(dependencies: job.dependencies.map { submitted[$0].id })
                let id = try Slurm.submit(options + [scriptFile])
                let recorded = SlurmSubmissionRecord.Job(id: id, name: job.name, stage: job.stage,
                                                         elements: job.elements, logFolder: context.logFolder)
                submitted.append(recorded)
                record.jobs.append(recorded)
                try record.write(in: store)
            }
        } catch {
            try? Slurm.cancel(submitted.map(\.id))
            throw error
        }
        return submitted
    }
}
