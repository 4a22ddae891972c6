import Foundation
import Plan

/// How a plan's pending tasks become cluster jobs (SLURM job arrays), before
/// anything is submitted: what `ftx plan --executor slurm` shows and what
/// `ftx run --executor slurm` submits.
///
/// Tasks are layered into waves: a task's wave is one more than the latest
/// wave among its pending dependencies (0 when they are all done). The tasks of
/// one wave and one stage form one array job, one task per element, and a job
/// waits (`afterok`) for exactly the jobs holding its tasks' pending
/// dependencies, so the DAG runs in order without ftx polling in between.
/// The trials of a stage that prunes (ASHA) are decided together by rungs, so
/// they form one single-element job that runs them all.
struct ClusterJobPlan: Equatable {
    struct Job: Equatable {
        /// `ftx-<experiment>-<stage>-w<wave>` (`data` for the data tasks; `-asha` for a pruned cohort).
        var name: String
        /// The stage its tasks belong to ("" for data tasks).
        var stage: String
        var wave: Int
        /// The task keys each array element runs, in plan order: one key per
        /// element, or every trial of a pruned stage in a single element.
        var elements: [[String]]
        /// Indices (into `ClusterJobPlan.jobs`) of the jobs it waits for.
        var dependencies: [Int]
        /// sbatch options from the stage's `resources` (the experiment's for data tasks).
        var resources: [String]

        var keys: [String] { elements.flatMap { $0 } }
    }

    var jobs: [Job]

    /// Every pending task becomes part of exactly one job. `pending` are the keys
    /// not complete in the store; a job's resources are its stage's (`TaskGraph.resources(forStage:)`).
    init(graph: TaskGraph, pending: Set<String>) {
        let tasks = graph.tasks.filter { pending.contains($0.key) }
        var byKey: [String: PlannedTask] = [:]
        for t in tasks { byKey[t.key] = t }

        // A pruned stage's trials run as one unit: all its train tasks, done or not
        // (the cohort needs every member to decide its rungs; done ones are cached).
        let cohortMembers = graph.pruneCohorts
        var cohortOf: [String: String] = [:]
        for (stage, members) in cohortMembers { for key in members { cohortOf[key] = stage } }
        let pendingCohorts = Set(tasks.compactMap { cohortOf[$0.key] })

        var wave: [String: Int] = [:]
        func waveOf(_ key: String) -> Int {
            if let w = wave[key] { return w }
            var members = [key]
            if let stage = cohortOf[key] { members = cohortMembers[stage] ?? [key] }
            var w = 0
            for m in members {
                for d in byKey[m]?.deps ?? graph.task(m)?.deps ?? [] where byKey[d] != nil && !members.contains(d) {
                    w = max(w, waveOf(d) + 1)
                }
            }
            for m in members { wave[m] = w }
            return w
        }

        struct GroupKey: Hashable { var wave: Int; var stage: String; var cohort: Bool }
        var groupOrder: [GroupKey] = []
        var groups: [GroupKey: [String]] = [:]
        for t in tasks {
            let cohort = cohortOf[t.key] != nil
            let key = GroupKey(wave: waveOf(t.key), stage: t.stage, cohort: cohort)
            if groups[key] == nil { groupOrder.append(key) }
            groups[key, default: []].append(t.key)
        }
        // Done members of a pending cohort join it (cached when the cohort runs).
        for stage in pendingCohorts {
            let members = cohortMembers[stage] ?? []
            if let key = groupOrder.first(where: { $0.stage == stage && $0.cohort }) { groups[key] = members }
        }
        // Stable within a wave: plan order of the first task (stages in file order).
        let planIndex = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($1.key, $0) })
        groupOrder.sort {
            if $0.wave != $1.wave { return $0.wave < $1.wave }
            return planIndex[groups[$0]![0]]! < planIndex[groups[$1]![0]]!
        }

        let experiment = graph.experiment
        var jobIndexOf: [String: Int] = [:]
        var jobs: [Job] = []
        for g in groupOrder {
            let keys = groups[g]!
            let stagePart = g.stage.isEmpty ? "data" : g.stage
            let name = "ftx-\(experiment)-\(stagePart)-w\(g.wave)" + (g.cohort ? "-asha" : "")
            var deps = Set<Int>()
            for k in keys {
                for d in byKey[k]?.deps ?? [] { if let j = jobIndexOf[d] { deps.insert(j) } }
            }
            for k in keys { jobIndexOf[k] = jobs.count }
            jobs.append(Job(name: name, stage: g.stage, wave: g.wave,
                            elements: g.cohort ? [keys] : keys.map { [$0] },
                            dependencies: deps.sorted(), resources: graph.resources(forStage: g.stage).sbatchOptions))
        }
        self.jobs = jobs
    }
}
