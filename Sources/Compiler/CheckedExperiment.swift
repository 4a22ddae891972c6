import Plan
import Support
import DSL

/// The checked, resolved view of a `.ftx` file that the planner consumes.
/// Every setting is a canonical `Value` with defaults filled in; spans point
/// back into the source for later diagnostics.
public struct CheckedExperiment: Sendable {
    public var name: String
    public var seed: Int
    /// The span of the `experiment` declaration's name, when there is one.
    public var span: Span?
    /// The directory of the `.ftx` file, against which paths are resolved.
    public var baseDirectory: String
    public var data: [CheckedData]
    public var models: [CheckedModel]
    /// In source order.
    public var stages: [CheckedStage]
    /// The experiment's `resources` block: what every stage's tasks ask of a cluster unless the stage sets its own.
    public var resources = JobResources()
    /// Warning codes the `experiment`'s `allow` list suppresses in the whole file.
    public var allowedWarnings = Set<DiagnosticCode>()

    public func data(named name: String) -> CheckedData? { data.first { $0.name == name } }
    public func model(named name: String) -> CheckedModel? { models.first { $0.name == name } }
    public func stage(named name: String) -> CheckedStage? { stages.first { $0.name == name } }

    /// Stages ordered so that every stage comes after the stage its `init` names (source order otherwise).
    public var stagesInDependencyOrder: [CheckedStage] {
        var done = Set<String>(), out: [CheckedStage] = []
        let byName = Dictionary(stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func visit(_ stage: CheckedStage, _ path: Set<String>) {
            if done.contains(stage.name) || path.contains(stage.name) { return }
            if let upstream = stage.initStage, let up = byName[upstream] { visit(up, path.union([stage.name])) }
            if done.insert(stage.name).inserted { out.append(stage) }
        }
        for stage in stages { visit(stage, []) }
        return out
    }
}

/// A `data` declaration.
public struct CheckedData: Sendable {
    public var name: String
    public var span: Span
    /// `csv` or `jsonl`.
    public var format: String
    /// The path as written and resolved against the `.ftx` file's directory.
    public var path: String
    public var resolvedPath: String
    public var label: String
    public var text: String?
    /// The header's columns, when the file could be read.
    public var columns: [String]?
    /// The feature columns: the declared `features`, else every column other than label and text.
    public var features: [String]?
    /// All settings (`source`, `label`, `split`, `normalize`, `augment`, …) as a record.
    public var settings: Value
    /// The splits that exist: `train`, and `valid`/`test` when given a fraction.
    public var splits: [String]
    /// The label column's class count as `cross_entropy` numbers classes (whole file,
    /// see `DataValues.classCount`), when the file was read.
    public var classCount: Int?
    /// Whether that count comes from integer labels (ids are the labels themselves).
    public var numericLabels = false
    /// The one label value when every row of the file has it (a single class), when the file was read.
    public var onlyLabel: String?
    /// The first label that is not a number (1-based line and its text), which a regression
    /// loss cannot learn, when the file was read.
    public var firstNonNumericLabel: (line: Int, text: String)?
    /// The number of data rows in the file (before any split or filter), when it was read.
    public var rowCount: Int?
}

/// A `model` declaration.
public struct CheckedModel: Sendable {
    /// `mlp` (layers and a head) or `bert`.
    public enum Architecture: Sendable, Hashable {
        case mlp
        /// A pretrained BERT folder (resolved) and its `config.json`, when it was read and is valid.
        case bert(folder: String, config: BertConfig?)
    }

    public var name: String
    public var span: Span
    public var architecture: Architecture
    /// All settings as a record; `layers` entries are calls (`relu` becomes `relu()`).
    public var settings: Value
    /// The head's output size, when the model declares one.
    public var headUnits: Int?
    /// Trainable parameter names (with `head.*` when the model has a head), when known.
    public var parameterNames: [String]?
    /// A pretrained model's tokenizer: whether it lower-cases, `wordpiece(lowercase:)` or
    /// else the folder's `tokenizer_config.json`; nil when that could not be read.
    public var lowercase: Bool?
}

/// How a stage's weights start.
public enum StageInit: Sendable, Hashable {
    case fresh
    /// Another stage's checkpoint (its selected trial when it sweeps).
    case stage(String)
    /// `best(stage)`: the trial the stage's `select` picked.
    case best(String)
    /// A safetensors file, resolved against the `.ftx` file's directory.
    case checkpoint(path: String)
}

/// A `stage` declaration.
public struct CheckedStage: Sendable {
    public var name: String
    public var span: Span
    /// The model trained: the stage's own or inherited through `init`.
    public var model: String?
    public var data: String?
    public var initialization: StageInit
    /// All settings except sweeps, select, ensemble and prune, as a record with
    /// defaults filled: `model`, `init`, `data`, `freeze`, `unfreeze`, `head`,
    /// `optimizer`, `schedule` (a record), `loss`, `metrics`, `seed`. Sweep axes
    /// address it by dotted path (`schedule.batch_size`, `optimizer.lr`). The
    /// loss is its base call with penalty weights as named arguments `l1`/`l2`.
    public var settings: Value
    public var sweeps: [CheckedSweep]
    public var select: Value?
    public var ensemble: Value?
    public var prune: Value?
    /// The effective seed (the stage's, else the experiment's).
    public var seed: Int
    /// `repeat`: how many runs of every sweep point, seeds `seed + 0 …` (≥ 1).
    public var repeatCount: Int = 1
    /// Trainable parameter names of the model with the stage's head, when known.
    public var parameterNames: [String]?
    /// The stage's own `resources` block (fields it sets over the experiment's); never part of `settings`,
    /// so it reaches no task key.
    public var resources = JobResources()

    /// The upstream stage named by `init`, if any.
    public var initStage: String? {
        switch initialization {
        case .stage(let s), .best(let s): return s
        default: return nil
        }
    }
}

/// One `sweep` block.
public struct CheckedSweep: Sendable {
    public enum Kind: Sendable, Hashable {
        case grid
        case zip
        case random(trials: Int, seed: Int)
    }

    public var kind: Kind
    public var span: Span
    public var axes: [SweepAxis]

    /// How many points the block contributes (grid: the product of axis sizes).
    public var pointCount: Int {
        switch kind {
        case .grid: return axes.reduce(1) { satMul($0, $1.values.count) }
        case .zip: return axes.first?.values.count ?? 1
        case .random(let trials, _): return trials
        }
    }
}

/// One axis: a dotted setting path and its domain.
public struct SweepAxis: Sendable {
    /// `["optimizer", "lr"]`.
    public var path: [String]
    public var span: Span
    /// Grid and zip axes: the values. Random axes: one generator call
    /// (`choice(...)`, `uniform(a: …, b: …)`, `loguniform(…)`, `int(…)`); call
    /// values inside a `choice` may hold further generators in their arguments.
    public var values: [Value]
    public var generator: Value?

    public var dottedPath: String { path.joined(separator: ".") }
}

func satMul(_ a: Int, _ b: Int) -> Int {
    let (r, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : r
}
