/// The plan the compiler builds and the executor runs: content-addressed tasks
/// and their dependencies. A task's `key` is the SHA-256 (hex) of a canonical
/// encoding of its resolved payload, its inputs' keys, the contents of the data
/// files it reads and `RuntimeVersion.current` — never paths or timestamps — so
/// a task whose key is already complete in the store never runs again.
public struct TaskGraph: Sendable {
    /// The experiment's name (`experiment digits_transfer {…}`).
    public var experiment: String
    /// In topological order: every task comes after all of its dependencies.
    public var tasks: [PlannedTask]
    /// One entry per trial (a train task and what it was made from), in stage order.
    public var trials: [PlannedTrial]
    /// What each stage's tasks ask of a cluster (`JobResources`), by stage name: the experiment's
    /// `resources` overridden by the stage's, for every stage. Not part of any task key.
    public var resources: [String: JobResources]
    /// The experiment's own `resources`: what tasks of no stage (data tasks, stage "") ask for.
    public var defaultResources: JobResources

    public init(experiment: String, tasks: [PlannedTask], trials: [PlannedTrial],
                resources: [String: JobResources] = [:], defaultResources: JobResources = JobResources()) {
        self.experiment = experiment
        self.tasks = tasks
        self.trials = trials
        self.resources = resources
        self.defaultResources = defaultResources
    }

    /// The task with this key.
    public func task(_ key: String) -> PlannedTask? { tasks.first { $0.key == key } }

    /// What a task of `stage` asks of a cluster: the stage's merged resources, else (data
    /// tasks, whose stage is "", or a stage the plan does not have) the experiment's.
    public func resources(forStage stage: String) -> JobResources { resources[stage] ?? defaultResources }

    /// The points (replicate 0's ids) of stages with `repeat` > 1.
    public var repeatedPoints: Set<String> { Set(trials.filter { $0.replicate > 0 }.map(\.point)) }
}

/// One node of the graph.
public struct PlannedTask: Sendable, Hashable {
    /// A key as people read it (`ftx plan`, `run` and `results` output): its first 10 hex digits.
    public static func shortKey(_ key: String) -> String { String(key.prefix(10)) }

    public enum Kind: String, Sendable, Hashable {
        /// Load, filter, normalise and split a data set.
        case data
        /// A frozen prefix (e.g. a frozen pretrained encoder) computed once and shared.
        case features
        /// Train one trial.
        case train
        /// Evaluate a trained trial's final checkpoint on every split.
        case eval
        /// Pick the best trial of a stage by a metric.
        case select
        /// Average the members' predicted probabilities and evaluate.
        case ensemble
    }

    /// What to do, fully resolved.
    public enum Payload: Sendable, Hashable {
        case data(DataSpec)
        case features(TrainingSpec)
        case train(TrainingSpec)
        /// Evaluate the train task `trainKey`.
        case eval(trainKey: String, spec: TrainingSpec)
        /// The `k` best sweep points of the eval tasks `candidates` by `metric` (ties: first in
        /// order). With `replicates` > 1 the candidates are sweep points' replicates, point-major
        /// (`replicates` consecutive keys per point): points rank by the mean of their finished
        /// replicates, and each chosen point hands on its best replicate.
        case select(metric: String, minimize: Bool, candidates: [String], k: Int = 1, replicates: Int = 1)
        /// Top `k` sweep points of the eval tasks `candidates` by `metric` (grouped and ranked as
        /// for `select`), their best replicates evaluated together.
        case ensemble(metric: String, minimize: Bool, k: Int, candidates: [String], replicates: Int = 1)
    }

    public var key: String
    public var kind: Kind
    /// The stage it belongs to (empty for data tasks).
    public var stage: String
    public var deps: [String]
    public var payload: Payload

    public init(key: String, kind: Kind, stage: String, deps: [String], payload: Payload) {
        self.key = key
        self.kind = kind
        self.stage = stage
        self.deps = deps
        self.payload = payload
    }
}

/// A trial as `ftx plan` and `ftx results` list it.
public struct PlannedTrial: Sendable, Hashable {
    /// The train task's key (also the trial's id; shown shortened).
    public var id: String
    public var stage: String
    /// The sweep point: dotted setting paths → canonical values as text (`optimizer.lr` → `0.001`),
    /// in the sweep's declared axis order; upstream trial ids under `init`.
    public var settings: [(key: String, value: SettingValue)]
    /// The key of the eval task holding its final metrics.
    public var evalKey: String
    /// Which of its sweep point's `repeat` runs this is (0-based; its seed is the point's + `replicate`).
    public var replicate: Int
    /// The id of replicate 0 of its sweep point: the trials of one point share it.
    public var point: String

    public init(id: String, stage: String, settings: [(key: String, value: SettingValue)], evalKey: String,
                replicate: Int = 0, point: String? = nil) {
        self.id = id
        self.stage = stage
        self.settings = settings
        self.evalKey = evalKey
        self.replicate = replicate
        self.point = point ?? id
    }

    public static func == (a: PlannedTrial, b: PlannedTrial) -> Bool {
        a.id == b.id && a.stage == b.stage && a.evalKey == b.evalKey && a.replicate == b.replicate && a.point == b.point
            && a.settings.map(\.key) == b.settings.map(\.key) && a.settings.map(\.value) == b.settings.map(\.value)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// A sweep setting's value as JSON will show it.
public enum SettingValue: Sendable, Hashable {
    case number(Double)
    case string(String)
    case bool(Bool)
    /// A structured value (a call such as `sgd(lr: 0.01)`, a list) in canonical text.
    case text(String)
}

extension TaskGraph {
    /// The train tasks of each stage that prunes (ASHA), by stage, in plan order: a cohort
    /// whose trials are decided together, rung by rung, so they always run as one unit
    /// (the executor, `ftx task run`, the cluster's job plan).
    public var pruneCohorts: [String: [String]] {
        var cohorts: [String: [String]] = [:]
        for t in tasks {
            if case .train(let spec) = t.payload, spec.prune != nil { cohorts[t.stage, default: []].append(t.key) }
        }
        return cohorts
    }
}
