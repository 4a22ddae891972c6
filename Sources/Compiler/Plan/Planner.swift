import DSL
import Foundation
import Plan
import Support

/// A planned experiment: the task graph plus what `ftx plan` reports about it.
public struct Plan: Sendable {
    public var graph: TaskGraph
    /// The planner's warnings (`W02xx`), sorted by position.
    public var warnings: [Diagnostic]
    /// Estimated work per train task key.
    public var estimates: [String: TrainEstimate]
    /// How the planner made each trial, by trial id: what `ftx explain` reads.
    public var trialSources: [String: TrialSource]

    public init(graph: TaskGraph, warnings: [Diagnostic], estimates: [String: TrainEstimate], trialSources: [String: TrialSource] = [:]) {
        self.graph = graph
        self.warnings = warnings
        self.estimates = estimates
        self.trialSources = trialSources
    }
}

/// How the planner made one trial: the sweep point whose settings it lowered, and
/// where its weights start. Kept as the planner used them, so an explanation of a
/// trial's settings cannot drift from what `run` trains.
public struct TrialSource: Sendable {
    /// The point, its 1-based position among the stage's points and their count.
    public var point: SweepPoint
    public var pointIndex: Int
    public var pointCount: Int
    /// The upstream task the weights start from, when `init` names a stage.
    public var upstream: Initialization?
    /// What the planner adds to the point's settings for the upstream: `init` (the
    /// upstream trial of `init = stage`) or `rank` (of `init = best(stage)` after `top(k)`).
    public var upstreamSettings: [(key: String, value: SettingValue)]
}

/// Builds the content-addressed task graph of a checked experiment.
///
/// Stages are planned in `init` order. Each data declaration a stage reads
/// becomes one `data` task (load, normalise, split; the stage's `where`
/// filter is part of its train tasks' specs, since normalisation statistics
/// come from the unfiltered train split). Each sweep point becomes a `train`
/// and an `eval` task, `repeat` times with consecutive seeds (replicates).
/// `init = stage` fans out: one downstream trial per upstream trial, depending
/// on that trial's train task. `init = best(stage)` depends on the upstream
/// stage's `select` task; with `select = top(k, …)` it fans out over the ranks
/// 1…k. `select` and `ensemble` become tasks over the stage's eval tasks.
/// Trials whose specs coincide (a random sweep drawing the same point twice)
/// are one trial.
public struct Planner: Sendable {
    /// File digests; share one instance across plans to hash each file once.
    public let digests: FileDigests

    public init(digests: FileDigests = FileDigests()) {
        self.digests = digests
    }

    /// The task graph `ftx run` executes.
    public func plan(_ checked: CheckedExperiment, file: SourceFile) throws -> TaskGraph {
        try makePlan(checked, file: file).graph
    }

    /// The task graph with warnings and cost estimates.
    public func makePlan(_ checked: CheckedExperiment, file: SourceFile) throws -> Plan {
        var builder = GraphBuilder(experiment: checked, digests: digests)
        for stage in checked.stagesInDependencyOrder {
            try builder.add(stage)
        }
        let warnings = (checked.stages.flatMap(SweepLinter.lint) + builder.notes).sortedAndUnique()
        // Cluster resources sit beside the tasks, never in their specs: they change no key.
        let resources = Dictionary(checked.stages.map { ($0.name, checked.resources.overridden(by: $0.resources)) }, uniquingKeysWith: { a, _ in a })
        return Plan(graph: TaskGraph(experiment: checked.name, tasks: builder.tasks, trials: builder.trials,
                                     resources: resources, defaultResources: checked.resources),
                    warnings: warnings, estimates: builder.estimates, trialSources: builder.trialSources)
    }
}

/// The mutable state of one planning run.
struct GraphBuilder {
    let experiment: CheckedExperiment
    let digests: FileDigests
    let lowering: TrialLowering
    var tasks: [PlannedTask] = []
    var trials: [PlannedTrial] = []
    var estimates: [String: TrainEstimate] = [:]
    var trialSources: [String: TrialSource] = [:]
    /// The planner's notes (a frozen encoder not hoisted because of augmentation), one per stage.
    var notes: [Diagnostic] = []
    private var taskIndex: [String: Int] = [:]
    /// Trials of each planned stage, in order.
    private var stageTrials: [String: [PlannedTrial]] = [:]
    /// The select task of each stage that has one, and how many ranks it hands on (0: its single best).
    private var stageSelect: [String: (key: String, ranks: Int)] = [:]
    /// The `config.json` of each pretrained model folder, as the checker read it, by the folder the specs name.
    private let encoderConfigs: [String: BertConfig]
    /// Which trials share a hoisted frozen-encoder `features` task.
    private let hoisting: FeatureHoisting

    init(experiment: CheckedExperiment, digests: FileDigests) {
        self.experiment = experiment
        self.digests = digests
        self.lowering = TrialLowering(experiment: experiment)
        var configs: [String: BertConfig] = [:]
        for model in experiment.models {
            if case .bert(let folder, let config?) = model.architecture {
                configs[TrialLowering.absoluteFromWorkingDirectory(folder)] = config
            }
        }
        self.encoderConfigs = configs
        self.hoisting = FeatureHoisting(configs: configs)
    }

    /// Adds a task unless one with its key exists; returns the key.
    @discardableResult
    private mutating func addTask(kind: PlannedTask.Kind, stage: String, deps: [String], payload: PlannedTask.Payload) throws -> String {
        let key = try TaskKey.compute(kind: kind, payload: payload, deps: deps, digests: digests)
        if taskIndex[key] == nil {
            taskIndex[key] = tasks.count
            tasks.append(PlannedTask(key: key, kind: kind, stage: stage, deps: deps, payload: payload))
        }
        return key
    }

    mutating func add(_ stage: CheckedStage) throws {
        // Where each trial's weights come from: nothing, each upstream trial, or the upstream selection (one per rank of `top(k)`).
        var upstreams: [(initialization: Initialization?, settings: [(key: String, value: SettingValue)])] = [(nil, [])]
        switch stage.initialization {
        case .stage(let name):
            guard let ups = stageTrials[name], !ups.isEmpty else {
                throw PlanError("`init` names stage `\(name)`, which has no trials", stage: stage.name)
            }
            upstreams = ups.map { (.upstream(taskKey: $0.id), [(key: "init", value: SettingValue.string($0.id))]) }
        case .best(let name):
            let selection = try selectTask(of: name)
            if selection.ranks == 0 {
                upstreams = [(.upstream(taskKey: selection.key), [])]
            } else {
                upstreams = (1...selection.ranks).map { (.upstream(taskKey: selection.key, rank: $0), [(key: "rank", value: SettingValue.number(Double($0)))]) }
            }
        case .fresh, .checkpoint:
            break
        }

        var seen = Set<String>()
        var planned: [PlannedTrial] = []
        let points = SweepExpander.expand(stage)
        for upstream in upstreams {
            for (pointIndex, point) in points.enumerated() {
                let base = try lowering.lower(stage: stage, point: point, upstream: upstream.initialization)
                var pointID: String?
                // `repeat`: replicate r trains with seed s + r; replicate 0 is the trial without `repeat`.
                for replicate in 0..<max(1, stage.repeatCount) {
                    var spec = base
                    spec.seed = base.seed &+ UInt64(replicate)
                    let dataKey = try addTask(kind: .data, stage: "", deps: [], payload: .data(spec.data))
                    var trainDeps = [dataKey]
                    if case .upstream(let key, _)? = upstream.initialization { trainDeps.append(key) }
                    if let features = hoisting.featuresSpec(for: spec) {
                        trainDeps.append(try addTask(kind: .features, stage: stage.name, deps: [dataKey], payload: .features(features)))
                    } else if let augmentation = hoisting.augmentationPreventingHoisting(spec), !notes.contains(where: { $0.primary.span == stage.span }) {
                        notes.append(PlannerDiagnostics.featuresNotHoisted(stage: stage.name, augmentation: augmentation, span: stage.span))
                    }
                    let trainKey = try addTask(kind: .train, stage: stage.name, deps: trainDeps, payload: .train(spec))
                    // A random sweep drawing a point twice draws all its replicates twice (the seed is
                    // not swept), so a point is dropped whole and selections can group replicates by position.
                    guard seen.insert(trainKey).inserted else {
                        if replicate == 0 { break }
                        throw PlanError("replicate \(replicate) of a sweep point is the same trial as another point's", stage: stage.name)
                    }
                    let evalKey = try addTask(kind: .eval, stage: stage.name, deps: [trainKey, dataKey], payload: .eval(trainKey: trainKey, spec: spec))
                    pointID = pointID ?? trainKey
                    let trial = PlannedTrial(id: trainKey, stage: stage.name, settings: point.settings + upstream.settings, evalKey: evalKey,
                                             replicate: replicate, point: pointID)
                    planned.append(trial)
                    trialSources[trainKey] = TrialSource(point: point, pointIndex: pointIndex + 1, pointCount: points.count,
                                                         upstream: upstream.initialization, upstreamSettings: upstream.settings)
                    if estimates[trainKey] == nil { estimates[trainKey] = try estimate(spec) }
                }
            }
        }
        trials += planned
        stageTrials[stage.name] = planned

        if stage.select != nil {
            _ = try selectTask(of: stage.name)
        }
        if let ensemble = stage.ensemble {
            guard let metric = metricArgument(ensemble, named: "by", position: 1) else {
                throw PlanError("cannot read the metric of `ensemble = \(ensemble)`", stage: stage.name)
            }
            let k = Int(ensemble["k"]?.number ?? positional(ensemble, 0)?.number ?? 1)
            let candidates = planned.map(\.evalKey)
            try addTask(kind: .ensemble, stage: stage.name, deps: candidates,
                        payload: .ensemble(metric: metric, minimize: TrialLowering.minimizes(metric), k: k, candidates: candidates,
                                           replicates: max(1, stage.repeatCount)))
        }
    }

    /// The select task of a planned stage: its declared `select = best(metric)`
    /// or `top(k, by: metric)`, else the lowest `valid.loss`. `ranks` is how many
    /// trials it hands on when it is a `top(k)` with k > 1 (k, or every sweep
    /// point when there are fewer), else 0: a single best, as before `top(k)`.
    private mutating func selectTask(of name: String) throws -> (key: String, ranks: Int) {
        if let known = stageSelect[name] { return known }
        guard let stage = experiment.stage(named: name), let trials = stageTrials[name], !trials.isEmpty else {
            throw PlanError("`best(\(name))` names a stage with no trials")
        }
        var metric = "valid.loss"
        var k = 1
        if let select = stage.select {
            let isTop = select.callName == "top"
            guard let m = metricArgument(select, named: isTop ? "by" : "metric", position: isTop ? 1 : 0) else {
                throw PlanError("cannot read the metric of `select = \(select)`", stage: name)
            }
            metric = m
            if isTop { k = Int(select["k"]?.number ?? positional(select, 0)?.number ?? 1) }
        }
        let candidates = trials.map(\.evalKey)
        let replicates = max(1, stage.repeatCount)
        let key = try addTask(kind: .select, stage: name, deps: candidates,
                              payload: .select(metric: metric, minimize: TrialLowering.minimizes(metric), candidates: candidates,
                                               k: k, replicates: replicates))
        let points = candidates.count / replicates
        let selection = (key: key, ranks: k > 1 ? min(k, points) : 0)
        stageSelect[name] = selection
        return selection
    }

    private func metricArgument(_ call: Value, named name: String, position: Int) -> String? {
        let v = call[name] ?? positional(call, position)
        return v?.symbol ?? v?.string
    }

    private func positional(_ value: Value, _ index: Int) -> Value? {
        guard case .call(_, let positional, _) = value.kind, index < positional.count else { return nil }
        return positional[index]
    }

    private func estimate(_ spec: TrainingSpec) throws -> TrainEstimate {
        let digest = try digests.digest(ofFile: spec.data.source.path)
        let hasHeader: Bool
        if case .csv = spec.data.source { hasHeader = true } else { hasHeader = false }
        let encoder = spec.model.pretrained.flatMap { encoderConfigs[$0.directory] }
        return CostModel.estimate(spec, file: DataFileFacts(digest, hasHeader: hasHeader), encoder: encoder)
    }
}
