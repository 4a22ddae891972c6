import Foundation
import Plan
import Support

/// Lowers a checked stage and one sweep point into the runtime's
/// `TrainingSpec`: plain values with every default filled in and every path
/// absolute. Defaults missing from the checker's values are read from
/// `LanguageSchema`, never restated here.
public struct TrialLowering: Sendable {
    public let experiment: CheckedExperiment

    public init(experiment: CheckedExperiment) {
        self.experiment = experiment
    }

    /// The stage's settings with the point's overrides applied.
    public func settings(of stage: CheckedStage, at point: SweepPoint) -> Value {
        point.apply(to: stage.settings)
    }

    /// The spec of one trial. `upstream` is where the starting weights come
    /// from when the stage's `init` names another stage (its train task, or
    /// the select task and rank for `best(stage)`).
    public func lower(stage: CheckedStage, point: SweepPoint, upstream: Initialization? = nil) throws -> TrainingSpec {
        let s = settings(of: stage, at: point)
        func fail(_ message: String) -> PlanError { PlanError(message, stage: stage.name) }

        let loss = try lowerLoss(s["loss"], stage: stage.name)
        let (data, filter) = try lowerData(s["data"], fallback: stage.data, target: target(of: loss.criterion), stage: stage.name)
        let model = try lowerModel(stage: stage, settings: s)

        let initialization: Initialization
        switch stage.initialization {
        case .fresh:
            initialization = .random
        case .checkpoint(let path):
            initialization = .checkpoint(path: Self.absoluteFromWorkingDirectory(path))
        case .stage(let name), .best(let name):
            guard let upstream, case .upstream = upstream else { throw fail("`init` names stage `\(name)` but no upstream task was planned") }
            initialization = upstream
        }

        let freeze = s["freeze"]?.list?.compactMap(\.string) ?? []
        let unfreeze = try (s["unfreeze"]?.list ?? []).map { entry -> UnfreezeStep in
            guard let at = entry["at"], let patterns = entry["layers"]?.list?.compactMap(\.string) else {
                throw fail("an `unfreeze` entry needs `at` and `layers`")
            }
            switch at.kind {
            case .quantity(let n, "epochs"), .quantity(let n, "epoch"):
                return UnfreezeStep(epoch: Int(n.rounded()), patterns: patterns)
            case .quantity(0, _), .number(0):
                return UnfreezeStep(epoch: 0, patterns: patterns)
            case .quantity(let n, "steps"), .quantity(let n, "step"), .number(let n):
                return UnfreezeStep(at: .step(Int(n.rounded())), patterns: patterns)
            default:
                throw fail("`unfreeze` at \(at): expected a time in epochs or steps (`at: 2 epochs`, `at: 30 steps`)")
            }
        }

        guard let optimizerCall = s["optimizer"] else { throw fail("no `optimizer`") }
        let optimizer = try lowerOptimizer(optimizerCall, stage: stage.name)
        let schedule = try lowerSchedule(s["schedule"], stage: stage.name)
        let metrics = (s["metrics"] ?? LanguageDefaults.key("metrics", of: LanguageSchema.stage))?.list?.compactMap { $0.symbol ?? $0.string } ?? []
        let seed = s["seed"]?.number.map { Int($0) } ?? stage.seed
        let prune = try stage.prune.map { try lowerPrune($0, stage: stage.name) }

        let groups = try (s["param_groups"]?.list ?? []).map { entry -> ParameterGroupSpec in
            guard let patterns = entry["params"]?.list?.compactMap(\.string) else { throw fail("a `param_groups` entry needs `params`") }
            return ParameterGroupSpec(patterns: patterns, lr: entry["lr"]?.number, weightDecay: entry["weight_decay"]?.number)
        }
        // The checker rejects this (E0165); a sweep point can still pair groups with a swept `one_cycle`.
        if case .oneCycle = schedule.lr, groups.contains(where: { $0.lr != nil }) {
            throw fail("a `param_groups` entry sets `lr`, but `one_cycle` ignores the optimizer's rates: give the groups no `lr`, or use another schedule")
        }

        var spec = TrainingSpec(data: data, filter: filter, model: model, initialization: initialization,
                                freeze: freeze, unfreeze: unfreeze, optimizer: optimizer, schedule: schedule,
                                loss: loss, metrics: metrics, seed: UInt64(max(0, seed)), prune: prune)
        spec.parameterGroups = groups
        // A stage that declares its own `head` starts it fresh ("a new task head"),
        // even when the upstream model's head has the same shape.
        spec.reinitializeHead = stage.settings["head"] != nil && initialization != .random
        return spec
    }

    // MARK: Paths

    /// A path as written in the file, made absolute against the `.ftx` file's directory.
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return Self.absoluteFromWorkingDirectory((experiment.baseDirectory as NSString).appendingPathComponent(path))
    }

    /// A path the checker already resolved against the `.ftx` file's directory
    /// (which is relative when the file was named by a relative path), made absolute.
    public static func absoluteFromWorkingDirectory(_ path: String) -> String {
        let cwd = path.hasPrefix("/") ? "" : FileManager.default.currentDirectoryPath
        return standardizedPaths.path(cwd: cwd, path) {
            path.hasPrefix("/") ? (path as NSString).standardizingPath
                                : ((cwd as NSString).appendingPathComponent(path) as NSString).standardizingPath
        }
    }

    /// `standardizingPath` resolves links, a system call per path component, and lowering
    /// asks for the same few paths once per trial (the linter lowers every trial of every
    /// stage: on a 5,000-line file that was 8% of `check`), so each answer is kept for the
    /// process, by working directory and path.
    private static let standardizedPaths = StandardizedPathCache()

    // MARK: Data

    /// The data spec and `where` filter of a stage's `data` setting.
    func lowerData(_ value: Value?, fallback: String?, target: TargetKind, stage: String) throws -> (DataSpec, RowPredicate?) {
        var name = fallback
        var condition: Value?
        if let value {
            if let symbol = value.symbol {
                name = symbol
            } else if case .call("where", let positional, let named) = value.kind {
                let operands = positional + named.map(\.value)
                if let base = operands.first?.symbol { name = base }
                condition = operands.count > 1 ? operands[1] : nil
            }
        }
        guard let name, let decl = experiment.data(named: name) else {
            throw PlanError("no data declaration named `\(name ?? "?")`", stage: stage)
        }
        let spec = try dataSpec(decl, target: target)
        let filter = try condition.map { try predicate($0, stage: stage) }
        return (spec, filter)
    }

    /// A `data` declaration as a runtime spec.
    public func dataSpec(_ decl: CheckedData, target: TargetKind) throws -> DataSpec {
        let s = decl.settings
        let path = decl.resolvedPath.isEmpty ? absolute(decl.path) : Self.absoluteFromWorkingDirectory(decl.resolvedPath)
        let source: DataSpec.Source = decl.format == "jsonl" ? .jsonl(path: path) : .csv(path: path)
        let features = s["features"]?.list?.compactMap(\.string)

        var normalize = Normalization.none
        if let n = s["normalize"] {
            switch n.callName {
            case "scale":
                guard let k = n["k"]?.number ?? Self.positional(n, 0)?.number else { throw PlanError("`scale` needs a factor") }
                normalize = .scale(k)
            case "standardize": normalize = .standardize
            default: throw PlanError("unknown normalisation `\(n)`")
            }
        }

        guard let split = s["split"] ?? LanguageDefaults.key("split", of: LanguageSchema.data), let kindName = split.callName else {
            throw PlanError("data `\(decl.name)` has no split")
        }
        func fraction(_ key: String) -> Double { split[key]?.number ?? LanguageDefaults.argument(key, ofCall: kindName, family: "split")?.number ?? 0 }
        let seed = UInt64(max(0, fraction("seed")))
        let kind: SplitRule.Kind
        switch kindName {
        case "ordered": kind = .ordered
        case "random": kind = .random(seed: seed)
        case "stratified": kind = .stratified(seed: seed)
        default: throw PlanError("unknown split `\(kindName)`")
        }
        let rule = SplitRule(kind, train: fraction("train"), valid: fraction("valid"), test: fraction("test"))

        let augment = try (s["augment"]?.list ?? []).compactMap { call -> Augmentation? in
            let params = call.callName.flatMap { name in LanguageSchema.call(name, in: "augment")?.params } ?? []
            func argument(_ name: String) -> Value? {
                call[name] ?? params.firstIndex { $0.name == name }.flatMap { Self.positional(call, $0) }
            }
            let first = params.first.flatMap { argument($0.name)?.number }
            // A table path is relative to the `.ftx` file, like the data's own.
            let synonyms: SynonymSource = argument("source")?.string.map { .file(absolute($0)) } ?? .wordnet
            // The text operations at 0 change nothing and draw nothing: the trial is the one without them (same key).
            switch (call.callName, first) {
            case ("noise", let std?): return .noise(std: std)
            case ("mixup", let alpha?): return .mixup(alpha: alpha)
            case ("token_dropout", let p?): return .tokenDropout(p: p)
            case ("synonyms", let p?): return p == 0 ? nil : .synonyms(p: p, source: synonyms)
            case ("random_insertion", let alpha?): return alpha == 0 ? nil : .randomInsertion(alpha: alpha, source: synonyms)
            case ("random_swap", let alpha?): return alpha == 0 ? nil : .randomSwap(alpha: alpha)
            case ("random_deletion", let p?): return p == 0 ? nil : .randomDeletion(p: p)
            case ("paraphrases", _):
                guard let path = argument("path")?.string, let p = argument("p")?.number else { break }
                return p == 0 ? nil : .paraphrases(path: absolute(path), p: p)
            default: break
            }
            throw PlanError("cannot lower augmentation `\(call)`")
        }
        return DataSpec(source: source, label: decl.label, features: features, text: decl.text, target: target,
                        normalize: normalize, split: rule, augment: augment)
    }

    /// A `where` condition as a row predicate.
    func predicate(_ value: Value, stage: String) throws -> RowPredicate {
        guard case .call(let name, let positional, let named) = value.kind else {
            throw PlanError("cannot use `\(value)` as a filter condition", stage: stage)
        }
        let args = positional + named.map(\.value)
        switch (name, args.count) {
        case ("and", 2): return .and(try predicate(args[0], stage: stage), try predicate(args[1], stage: stage))
        case ("or", 2): return .or(try predicate(args[0], stage: stage), try predicate(args[1], stage: stage))
        case ("not", 1): return .not(try predicate(args[0], stage: stage))
        default:
            guard args.count == 2, let op = RowPredicate.Comparison(rawValue: name) else {
                throw PlanError("cannot use `\(value)` as a filter condition", stage: stage)
            }
            return .compare(try operand(args[0], stage: stage), op, try operand(args[1], stage: stage))
        }
    }

    private func operand(_ value: Value, stage: String) throws -> RowPredicate.Operand {
        switch value.kind {
        case .symbol(let column): return .column(column)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .bool(let b): return .number(b ? 1 : 0)
        default: throw PlanError("cannot compare `\(value)` in a filter", stage: stage)
        }
    }

    // MARK: Model

    func lowerModel(stage: CheckedStage, settings s: Value) throws -> ModelSpec {
        let name = s["model"]?.symbol ?? stage.model
        guard let name, let model = experiment.model(named: name) else {
            throw PlanError("no model to train (`model = …` or an `init` stage that has one)", stage: stage.name)
        }
        let m = model.settings
        let headValue = s["head"] ?? m["head"]
        let head = try headValue.map { try Self.lowerHead($0, stage: stage.name) }

        switch model.architecture {
        case .mlp:
            let layers = try (m["layers"]?.list ?? []).map { try Self.lowerLayer($0, stage: stage.name) }
            var input = m["input"]?.number.map { Int($0) }
            if input == nil, let dataName = stage.data ?? s["data"].flatMap(dataName(of:)), let decl = experiment.data(named: dataName) {
                input = decl.features?.count
            }
            guard let input else { throw PlanError("model `\(name)` needs `input` (the data's features are unknown)", stage: stage.name) }
            return ModelSpec(input: input, layers: layers, head: head)
        case .bert(let folder, _):
            // The checker fills the tokenizer (`wordpiece()` with its defaults) and the pooling (`mean`),
            // and resolves whether the tokenizer lower-cases.
            guard let tokenizer = m["tokenizer"], let tokenizerName = tokenizer.callName,
                  let maxLength = tokenizer["max_length"]?.number
                    ?? LanguageDefaults.argument("max_length", ofCall: tokenizerName, family: "tokenizer")?.number else {
                throw PlanError("model `\(name)` has no tokenizer `max_length`", stage: stage.name)
            }
            guard let pooling = m["pooling"]?.symbol.flatMap(PretrainedSpec.Pooling.init(rawValue:)) else {
                throw PlanError("model `\(name)` has no pooling (`mean` or `cls`)", stage: stage.name)
            }
            guard let lowercase = model.lowercase else {
                throw PlanError("model `\(name)`: whether its tokenizer lower-cases is unknown (no `lowercase`, and the folder's tokenizer_config.json was not read)", stage: stage.name)
            }
            let layers = try (m["layers"]?.list ?? []).map { try Self.lowerLayer($0, stage: stage.name) }
            let directory = Self.absoluteFromWorkingDirectory(folder)
            // The checker fills `vocab` with the folder's vocab.txt when not given; that one is the default (nil).
            let vocabulary = tokenizer["vocab"]?.string.map(absolute).flatMap { path in
                path == (BertFolder(directory).vocabularyPath as NSString).standardizingPath ? nil : path
            }
            let pretrained = PretrainedSpec(architecture: .bert, directory: directory, maxLength: Int(maxLength), pooling: pooling,
                                            vocabulary: vocabulary, lowercase: lowercase)
            return ModelSpec(input: 0, layers: layers, head: head, pretrained: pretrained)
        }
    }

    private func dataName(of value: Value) -> String? {
        if let s = value.symbol { return s }
        if case .call("where", let positional, _) = value.kind { return positional.first?.symbol }
        return nil
    }

    /// One entry of a `layers` list (also how the checker learns a model's parameter names).
    static func lowerLayer(_ value: Value, stage: String) throws -> LayerSpec {
        let name = value.callName ?? value.symbol ?? ""
        func arg(_ key: String, _ index: Int) -> Value? {
            value[key] ?? Self.positional(value, index) ?? LanguageDefaults.argument(key, ofCall: name, family: "layer")
        }
        switch name {
        case "dense":
            guard let units = arg("units", 0)?.number else { throw PlanError("`dense` needs `units`", stage: stage) }
            let act = arg("activation", 1)?.symbol
            return .dense(units: Int(units), activation: try activation(act, stage: stage))
        case "dropout":
            guard let p = arg("p", 0)?.number else { throw PlanError("`dropout` needs `p`", stage: stage) }
            return .dropout(p: p)
        case "layer_norm":
            guard let eps = arg("eps", 0)?.number else { throw PlanError("`layer_norm` needs `eps`", stage: stage) }
            return .layerNorm(eps: eps)
        default:
            guard let a = try activation(name, stage: stage) else { throw PlanError("unknown layer `\(value)`", stage: stage) }
            return .activation(a)
        }
    }

    /// A `head` (a `dense` call).
    static func lowerHead(_ value: Value, stage: String) throws -> LayerSpec {
        guard value.callName == "dense", let units = value["units"]?.number ?? Self.positional(value, 0)?.number else {
            throw PlanError("cannot lower head `\(value)`", stage: stage)
        }
        return .dense(units: Int(units), activation: nil)
    }

    private static func activation(_ name: String?, stage: String) throws -> Activation? {
        guard let name, name != "none" else { return nil }
        guard let a = Activation(rawValue: name) else { throw PlanError("unknown activation `\(name)`", stage: stage) }
        return a
    }

    // MARK: Optimizer, schedule, loss

    func lowerOptimizer(_ call: Value, stage: String) throws -> OptimizerSpec {
        guard let name = call.callName, let kind = OptimizerSpec.Kind(rawValue: name) else {
            throw PlanError("unknown optimizer `\(call)`", stage: stage)
        }
        func arg(_ key: String) -> Value? { call[key] ?? LanguageDefaults.argument(key, ofCall: name, family: "optimizer") }
        func number(_ key: String) -> Double? { arg(key)?.number }
        guard let lr = number("lr") ?? Self.positional(call, 0)?.number else { throw PlanError("`\(name)` needs `lr`", stage: stage) }
        var spec = OptimizerSpec(kind: kind, lr: lr)
        if let v = number("weight_decay") { spec.weightDecay = v }
        if let v = number("momentum") { spec.momentum = v }
        if let v = number("dampening") { spec.dampening = v }
        if let v = arg("nesterov")?.bool { spec.nesterov = v }
        if let betas = arg("betas")?.list?.compactMap(\.number), betas.count == 2 {
            spec.beta1 = betas[0]
            spec.beta2 = betas[1]
        }
        if let v = number("eps") { spec.eps = v }
        if let v = arg("amsgrad")?.bool { spec.amsgrad = v }
        if let v = number("alpha") { spec.alpha = v }
        if let v = arg("centered")?.bool { spec.centered = v }
        if let v = number("initial_accumulator_value") { spec.initialAccumulator = v }
        if let v = number("lr_decay") { spec.layerLRDecay = v }
        if let v = arg("no_decay")?.symbol {
            guard let n = OptimizerSpec.NoDecay(rawValue: v) else { throw PlanError("unknown `no_decay` value `\(v)`", stage: stage) }
            spec.noDecay = n
        }
        return spec
    }

    func lowerSchedule(_ value: Value?, stage: String) throws -> ScheduleSpec {
        guard let value else { throw PlanError("no `schedule`", stage: stage) }
        let section = LanguageSchema.schedule
        func key(_ name: String) -> Value? { value[name] ?? LanguageDefaults.key(name, of: section) }
        guard let epochs = key("epochs")?.number, let batchSize = key("batch_size")?.number, let shuffle = key("shuffle")?.bool else {
            throw PlanError("`schedule` needs `epochs`, `batch_size` and `shuffle`", stage: stage)
        }
        let lr = try lowerLRSchedule(key("lr"), stage: stage)
        var earlyStop: EarlyStopSpec?
        if let es = value["early_stop"] {
            var fields: [ParamSpec] = []
            if case .record(let params)? = section.key("early_stop")?.type { fields = params }
            guard let metric = es["metric"].flatMap({ $0.symbol ?? $0.string }),
                  let patience = es["patience"]?.number ?? fields.first(where: { $0.name == "patience" })?.defaultValue?.number else {
                throw PlanError("`early_stop` needs `metric` and `patience`", stage: stage)
            }
            let minDelta = es["min_delta"]?.number ?? fields.first(where: { $0.name == "min_delta" })?.defaultValue?.number ?? 0
            earlyStop = EarlyStopSpec(metric: metric, patience: Int(patience), minimize: Self.minimizes(metric), minDelta: minDelta)
        }
        let keepBest = value["keep_best"].flatMap { $0.symbol ?? $0.string }.map { KeepBestSpec(metric: $0, minimize: Self.minimizes($0)) }
        var schedule = ScheduleSpec(epochs: Int(epochs), batchSize: Int(batchSize), shuffle: shuffle, lr: lr,
                                    clipGradNorm: value["clip_grad_norm"]?.number, clipGradValue: value["clip_grad_value"]?.number,
                                    earlyStop: earlyStop, keepBest: keepBest)
        if let k = key("accumulate")?.number { schedule.accumulate = Int(k) }
        return schedule
    }

    /// Whether a metric improves downwards (`valid.loss`, `mse`) rather than upwards (`accuracy`, `f1`).
    public static func minimizes(_ metric: String) -> Bool {
        let last = metric.split(separator: ".").last.map(String.init) ?? metric
        return last == "loss" || last == "mse"
    }

    func lowerLRSchedule(_ call: Value?, stage: String) throws -> LRScheduleSpec {
        guard let call, let name = call.callName else { return .constant }
        func arg(_ key: String, _ index: Int = -1) -> Value? {
            call[key] ?? (index >= 0 ? Self.positional(call, index) : nil) ?? LanguageDefaults.argument(key, ofCall: name, family: "schedule")
        }
        func number(_ key: String, _ index: Int = -1) throws -> Double {
            guard let n = arg(key, index)?.number else { throw PlanError("`\(name)` needs `\(key)`", stage: stage) }
            return n
        }
        func steps(_ key: String, _ index: Int = -1, fraction: Bool) throws -> StepCount {
            guard let v = arg(key, index) else { throw PlanError("`\(name)` needs `\(key)`", stage: stage) }
            return try stepCount(v, fraction: fraction, stage: stage)
        }
        switch name {
        case "constant": return .constant
        case "step": return .step(every: try steps("every", 0, fraction: false), gamma: try number("gamma"))
        case "multistep":
            let milestones = try (arg("milestones", 0)?.list ?? []).map { try stepCount($0, fraction: false, stage: stage) }
            return .multistep(milestones: milestones, gamma: try number("gamma"))
        case "exponential": return .exponential(gamma: try number("gamma", 0))
        case "cosine": return .cosine(warmup: try steps("warmup", fraction: true), min: try number("min"))
        case "linear": return .linear(warmup: try steps("warmup", fraction: true))
        case "cosine_restarts":
            return .cosineRestarts(period: try steps("period", 0, fraction: false), multiplier: Int(try number("mult")), min: try number("min"))
        case "one_cycle":
            return .oneCycle(maxLR: try number("max", 0), pctStart: try number("pct_start"), anneal: arg("anneal")?.symbol ?? arg("anneal")?.string ?? "cos",
                             divFactor: try number("div_factor"), finalDivFactor: try number("final_div_factor"),
                             threePhase: arg("three_phase")?.bool ?? false)
        case "plateau":
            return .plateau(factor: try number("factor"), patience: Int(try number("patience")), threshold: try number("threshold"),
                            cooldown: Int(try number("cooldown")), minLR: try number("min"))
        default:
            throw PlanError("unknown learning-rate schedule `\(call)`", stage: stage)
        }
    }

    /// `2 epochs` → `.epochs(2)`, `100 steps` → `.steps(100)`; a bare number
    /// counts steps, or (where fractions are allowed) a fraction of all steps when in (0, 1).
    func stepCount(_ value: Value, fraction: Bool, stage: String) throws -> StepCount {
        switch value.kind {
        case .quantity(let n, let unit) where unit.hasPrefix("epoch"):
            return .epochs(n)
        case .quantity(let n, let unit) where unit.hasPrefix("step"):
            return .steps(Int(n.rounded()))
        case .number(let n):
            if fraction, n > 0, n < 1 { return .fraction(n) }
            return .steps(Int(n.rounded()))
        default:
            throw PlanError("cannot read `\(value)` as a step count", stage: stage)
        }
    }

    func lowerLoss(_ value: Value?, stage: String) throws -> LossSpec {
        guard let loss = value ?? LanguageDefaults.key("loss", of: LanguageSchema.stage), loss.callName != nil else {
            throw PlanError("no `loss`", stage: stage)
        }
        if loss.callName == "sum", case .call(_, _, let named) = loss.kind, let extra = named.first(where: { !["l1", "l2"].contains($0.name) }) {
            throw PlanError("a sum of losses has no parameter `\(extra.name)`", stage: stage)
        }
        let criteria = loss.lossCriteria
        guard !criteria.isEmpty else { throw PlanError("cannot lower loss `\(loss)`", stage: stage) }
        let terms = try criteria.map { try lowerCriterion($0.call, weight: $0.weight, stage: stage) }
        // Penalties in a fixed order, so `1e-4 * l2() + 1e-5 * l1()` and its reverse lower alike.
        var penalties: [LossSpec.WeightedPenalty] = []
        for penalty in [LossSpec.Penalty.l1, .l2] {
            if let k = loss[penalty.rawValue]?.number, k != 0 { penalties.append(.init(penalty, weight: k)) }
        }
        return LossSpec(terms: terms, penalties: penalties)
    }

    /// One `weight * criterion(…)` term; `weights:` (`cross_entropy`, `focal`) and
    /// `pos_weight:` (`bce`) lower to its class weights.
    func lowerCriterion(_ call: Value, weight: Double, stage: String) throws -> LossSpec.Term {
        guard let name = call.callName else { throw PlanError("cannot lower loss `\(call)`", stage: stage) }
        func number(_ key: String) -> Double? {
            call[key]?.number ?? LanguageDefaults.argument(key, ofCall: name, family: "loss")?.number
        }
        func weights(_ v: Value?) throws -> LossSpec.ClassWeights? {
            guard let v else { return nil }
            if v.symbol == "balanced" { return .balanced }
            if let n = v.number { return .values([n]) }
            if let items = v.list {
                let numbers = items.compactMap(\.number)
                if numbers.count == items.count { return .values(numbers) }
            }
            throw PlanError("cannot lower class weights `\(v)` of `\(name)`", stage: stage)
        }
        switch name {
        case "cross_entropy":
            return LossSpec.Term(.crossEntropy(labelSmoothing: number("label_smoothing") ?? 0), weight: weight, classWeights: try weights(call["weights"]))
        case "focal":
            guard let gamma = number("gamma") else { throw PlanError("`focal` needs `gamma`", stage: stage) }
            return LossSpec.Term(.focal(gamma: gamma), weight: weight, classWeights: try weights(call["weights"]))
        case "mse": return LossSpec.Term(.mse, weight: weight)
        case "bce": return LossSpec.Term(.bce, weight: weight, classWeights: try weights(call["pos_weight"]))
        default: throw PlanError("cannot lower loss `\(call)`", stage: stage)
        }
    }

    func target(of criterion: LossSpec.Criterion) -> TargetKind {
        Self.target(ofLoss: criterion.name)!
    }

    /// The target a loss call trains on, by its name (nil for an unknown name).
    public static func target(ofLoss name: String) -> TargetKind? {
        switch name {
        case "cross_entropy", "focal": return .classes
        case "bce": return .binary
        case "mse": return .regression
        default: return nil
        }
    }

    func lowerPrune(_ call: Value, stage: String) throws -> PruneSpec {
        guard call.callName == "asha", let metric = call["metric"].flatMap({ $0.symbol ?? $0.string }) else {
            throw PlanError("cannot lower pruner `\(call)`", stage: stage)
        }
        func number(_ key: String) -> Double? { call[key]?.number ?? LanguageDefaults.argument(key, ofCall: "asha", family: "prune")?.number }
        guard let minEpochs = number("min_epochs"), let reduction = number("reduction") else {
            throw PlanError("`asha` needs `min_epochs` and `reduction`", stage: stage)
        }
        return PruneSpec(metric: metric, minimize: Self.minimizes(metric), minEpochs: Int(minEpochs), reduction: Int(reduction))
    }

    static func positional(_ value: Value, _ index: Int) -> Value? {
        guard case .call(_, let positional, _) = value.kind, index < positional.count else { return nil }
        return positional[index]
    }
}

/// The process's standardized paths (see `TrialLowering.absoluteFromWorkingDirectory`).
private final class StandardizedPathCache: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [String: String] = [:]

    func path(cwd: String, _ path: String, compute: () -> String) -> String {
        let key = cwd + "\u{0}" + path
        if let known = lock.withLock({ paths[key] }) { return known }
        let result = compute()
        lock.withLock { paths[key] = result }
        return result
    }
}
