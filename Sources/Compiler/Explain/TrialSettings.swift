import DSL
import Plan
import Support

/// One resolved setting of a trial: its dotted path, its value and where it came from.
public struct ResolvedSetting: Sendable {
    /// `optimizer.lr`, `schedule.batch_size`, `model.tokenizer.max_length`, `data.split.train`.
    public var path: String
    public var value: Value
    public var origin: SettingOrigin
    /// The value as `ftx explain` shows it: a call whose arguments follow as settings of
    /// their own as its name, everything else canonical (`Value.description`).
    public var text: String

    /// `whole`: show a call whole (`init = best(stage: probe)`), its arguments being no settings of their own.
    public init(path: String, value: Value, origin: SettingOrigin, whole: Bool = false) {
        self.path = path
        self.value = value
        self.origin = origin
        self.text = whole ? value.description : SettingOrigins.callWithArguments(value) ?? value.description
    }
}

/// Every resolved setting of one trial, in the order a stage lists them, each
/// declaration's settings after the setting that names it (`model.*` after `model`).
public struct TrialSettings: Sendable {
    public var stage: String
    /// 1-based position among the stage's trials in plan order: `STAGE:INDEX` names it.
    public var index: Int
    /// The trial's id (its train task key) when planned; nil for an unplanned sweep point.
    public var id: String?
    public var settings: [ResolvedSetting]

    /// The setting at `path`, if the trial has it.
    public func setting(_ path: String) -> ResolvedSetting? { settings.first { $0.path == path } }

    /// `path` and the settings below it (`optimizer` → `optimizer`, `optimizer.lr`, …).
    public func settings(under path: String) -> [ResolvedSetting] {
        settings.filter { $0.path == path || $0.path.hasPrefix(path + ".") }
    }

    /// `probe:3`, how `ftx explain` names the trial.
    public var name: String { "\(stage):\(index)" }
}

/// The provenance of every setting of a trial: which value each setting has and
/// where it came from. It walks the settings the trial was lowered from (the stage's
/// settings with the sweep point applied, `TrialLowering.settings`), the model and data
/// declarations they name, and what the planner added (replicate seeds, upstream
/// trials), reading the `ValueOrigin` the checker and the sweep expander recorded on
/// each value — never the file again. `ftx explain` prints it; an editor's hover asks
/// for one setting (`values(of:in:experiment:)`, which reads no files).
public enum SettingOrigins {
    /// Every trial of a plan, in plan order.
    public static func trials(of plan: Plan, experiment: CheckedExperiment) -> [TrialSettings] {
        var counts: [String: Int] = [:]
        return plan.graph.trials.compactMap { trial in
            counts[trial.stage, default: 0] += 1
            return settings(of: trial, index: counts[trial.stage]!, plan: plan, experiment: experiment)
        }
    }

    /// One planned trial's settings (`index`: its position in its stage, 1-based).
    public static func settings(of trial: PlannedTrial, index: Int, plan: Plan, experiment: CheckedExperiment) -> TrialSettings? {
        guard let stage = experiment.stage(named: trial.stage), let source = plan.trialSources[trial.id] else { return nil }
        var walk = Walk(experiment: experiment, stage: stage)
        walk.run(point: source.point)
        // What the planner adds: the replicate's seed, and the upstream trial.
        if stage.repeatCount > 1, case .train(let spec)? = plan.graph.task(trial.id)?.payload,
           let i = walk.out.firstIndex(where: { $0.path == "seed" }) {
            let base = walk.out[i]
            walk.out[i] = ResolvedSetting(path: "seed", value: Value(.number(Double(spec.seed)), span: base.value.span), origin: SettingOrigin(
                kind: .replicate, declaration: base.origin.declaration, span: base.origin.span,
                detail: "`repeat = \(stage.repeatCount)`, replicate \(trial.replicate) (counted from 0): the point's seed \(base.text) + \(trial.replicate)"))
        }
        if let i = walk.out.firstIndex(where: { $0.path == "init" }) {
            var extra: [ResolvedSetting] = []
            for setting in source.upstreamSettings {
                let upstreamStage = stage.initStage ?? "?"
                switch setting.key {
                case "init":
                    let id = PlanReport.text(setting.value)
                    let position = plan.graph.trials.filter { $0.stage == upstreamStage }.firstIndex { $0.id == id }.map { "\(upstreamStage):\($0 + 1)" }
                    var upstream = ResolvedSetting(path: "init.trial", value: Value(.string(id)), origin: SettingOrigin(
                        kind: .planned, detail: "`init = \(upstreamStage)` trains one trial from each trial of stage `\(upstreamStage)`"))
                    upstream.text = position.map { "\($0) (\(TaskKey.short(id)))" } ?? TaskKey.short(id)
                    extra.append(upstream)
                case "rank":
                    let rank = PlanReport.text(setting.value)
                    extra.append(ResolvedSetting(path: "init.rank", value: Value(.number(Double(rank) ?? 0)), origin: SettingOrigin(
                        kind: .planned, detail: "`init = best(\(upstreamStage))` after `select = top(k, …)` trains one trial from each of the k selected; this one from rank \(rank)")))
                default:
                    continue
                }
            }
            walk.out.insert(contentsOf: extra, at: i + 1)
        }
        return TrialSettings(stage: trial.stage, index: index, id: trial.id, settings: walk.out)
    }

    /// The settings of one sweep point of a stage, without planning (no files read):
    /// what an editor can afford on every keystroke. `index` is the point's 1-based
    /// position among `SweepExpander.expand(stage)`.
    public static func settings(of stage: CheckedStage, point: SweepPoint, index: Int, experiment: CheckedExperiment) -> TrialSettings {
        var walk = Walk(experiment: experiment, stage: stage)
        walk.run(point: point)
        return TrialSettings(stage: stage.name, index: index, id: nil, settings: walk.out)
    }

    /// The setting at `path` in every sweep point of `stage`, in point order (one
    /// entry per point; empty when no point has it): for a hover over a setting.
    public static func values(of path: String, in stage: CheckedStage, experiment: CheckedExperiment) -> [ResolvedSetting] {
        SweepExpander.expand(stage).enumerated().compactMap { i, point in
            settings(of: stage, point: point, index: i + 1, experiment: experiment).setting(path)
        }
    }

    /// The name of a call shown as a setting with its arguments below it (named arguments
    /// only, not an operator); nil for any other value.
    static func callWithArguments(_ value: Value) -> String? {
        guard case .call(let name, let positional, _) = value.kind, positional.isEmpty, Value.operatorNames[name] == nil else { return nil }
        return name
    }
}

/// One walk over a trial's settings, collecting them with their origins.
private struct Walk {
    let experiment: CheckedExperiment
    let stage: CheckedStage
    var out: [ResolvedSetting] = []

    init(experiment: CheckedExperiment, stage: CheckedStage) {
        self.experiment = experiment
        self.stage = stage
    }

    mutating func run(point: SweepPoint) {
        let settings = TrialLowering(experiment: experiment).settings(of: stage, at: point)
        let here = "stage `\(stage.name)`"
        guard case .record(let fields) = settings.kind else { return }
        let modelName = settings["model"]?.symbol ?? stage.model
        let model = modelName.flatMap(experiment.model(named:))
        for field in fields {
            if field.name == "init" {
                // One setting, `init = best(probe)`: its parts are no settings of their own.
                out.append(ResolvedSetting(path: "init", value: field.value, origin: Self.origin(of: field.value, path: "init", declaration: here, owner: nil, sweep: nil),
                                           whole: true))
                continue
            }
            visit(field.value, path: field.name, declaration: here, owner: nil, sweep: nil)
            if field.name == "model", let model {
                visitDeclaration(model.settings, prefix: "model", declaration: "model `\(model.name)`", skipping: ["head"])
                addTokenizerFiles(model)
                // The head the trial trains: the stage's own, else its model's (as `TrialLowering.lowerModel`).
                if settings["head"] == nil, let head = model.settings["head"] {
                    visit(head, path: "head", declaration: "model `\(model.name)`", owner: nil, sweep: nil)
                }
            }
            if field.name == "data", let name = stage.data ?? settings["data"]?.symbol, let data = experiment.data(named: name) {
                visitDeclaration(data.settings, prefix: "data", declaration: "data `\(data.name)`", skipping: [])
            }
        }
    }

    /// What a pretrained model's tokenizer reads when its call does not say: the folder's
    /// vocabulary and its `tokenizer_config.json`'s lower-casing (as the checker resolved them).
    private mutating func addTokenizerFiles(_ model: CheckedModel) {
        guard case .bert(let folder, _) = model.architecture, let tokenizer = model.settings["tokenizer"] else { return }
        let i = out.lastIndex { $0.path.hasPrefix("model.tokenizer") } ?? out.endIndex - 1
        var extra: [ResolvedSetting] = []
        if tokenizer["vocab"] == nil {
            extra.append(ResolvedSetting(path: "model.tokenizer.vocab", value: Value(.string(BertFolder(folder).vocabularyPath)),
                                         origin: SettingOrigin(kind: .derived, detail: "the model folder's vocab.txt")))
        }
        if tokenizer["lowercase"] == nil, let lowercase = model.lowercase {
            extra.append(ResolvedSetting(path: "model.tokenizer.lowercase", value: Value(.bool(lowercase)),
                                         origin: SettingOrigin(kind: .derived, detail: "the model folder's tokenizer_config.json (`do_lower_case`)")))
        }
        out.insert(contentsOf: extra, at: i + 1)
    }

    private mutating func visitDeclaration(_ record: Value, prefix: String, declaration: String, skipping: Set<String>) {
        guard case .record(let fields) = record.kind else { return }
        for field in fields where !skipping.contains(field.name) {
            visit(field.value, path: prefix + "." + field.name, declaration: declaration, owner: nil, sweep: nil)
        }
    }

    /// `owner`: the call whose argument this is (for "the default of `betas` of `adamw`").
    /// `sweep`: the draw of the swept value this one sits in.
    private mutating func visit(_ value: Value, path: String, declaration: String, owner: String?, sweep: SweepDraw?) {
        var origin = Self.origin(of: value, path: path, declaration: declaration, owner: owner, sweep: sweep)
        if case .swept = value.origin, let own = stage.settings.value(at: path.split(separator: ".").map(String.init)), case .written(let key) = own.origin {
            origin.replaces = key ?? own.span
        }
        let innerSweep = origin.sweep ?? sweep
        switch value.kind {
        case .record(let fields):
            for field in fields {
                visit(field.value, path: path + "." + field.name, declaration: declaration, owner: nil, sweep: innerSweep)
            }
        case .call(let name, _, let named) where SettingOrigins.callWithArguments(value) != nil:
            out.append(ResolvedSetting(path: path, value: value, origin: origin))
            for field in named {
                visit(field.value, path: path + "." + field.name, declaration: declaration, owner: name, sweep: innerSweep)
            }
        default:
            out.append(ResolvedSetting(path: path, value: value, origin: origin))
        }
    }

    private static func origin(of value: Value, path: String, declaration: String, owner: String?, sweep: SweepDraw?) -> SettingOrigin {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        switch value.origin {
        case .written(let key):
            // Written inside a swept value (`optimizer = [sgd(lr: 0.1), adamw()]`): the sweep chose it.
            if let sweep { return SettingOrigin(kind: .swept, declaration: declaration, span: key ?? value.span, valueSpan: value.span, sweep: sweep) }
            return SettingOrigin(kind: .declared, declaration: declaration, span: key ?? value.span, valueSpan: key == nil ? nil : value.span)
        case .schemaDefault:
            return SettingOrigin(kind: .default, detail: owner.map { "`\(name)` of `\($0)`" } ?? "`\(name)`")
        case .derived(let rule):
            return SettingOrigin(kind: .derived, detail: rule)
        case .inherited(let from, let at, let key, let via):
            return SettingOrigin(kind: .inherited, declaration: from, span: key ?? at, valueSpan: at, via: via)
        case .swept(let draw):
            return SettingOrigin(kind: .swept, declaration: declaration, span: draw.axisSpan, valueSpan: draw.generator == nil ? value.span : nil, sweep: draw)
        case .drawn(let generator):
            return SettingOrigin(kind: .drawn, declaration: declaration, span: sweep?.axisSpan, sweep: sweep, detail: generator)
        }
    }
}
