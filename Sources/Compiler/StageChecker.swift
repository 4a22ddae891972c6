import DSL
import Foundation
import Plan
import Support

/// A stage whose own settings are resolved; cross-stage checks come after all stages are drafted.
struct StageDraft {
    var name: String
    var section: Section
    var nameSpan: Span
    var settings: CheckerRun.SectionSettings
    var schedule: CheckerRun.SectionSettings?
    var sweeps: [Section]
    var metricUses: [MetricUse]
    var initialization: StageInit
    var seed: Int
    var resources: JobResources
}

extension CheckerRun {
    func draftStage(_ section: Section, name: String, experimentSeed: Int) {
        let title = "stage `\(name)`"
        metricUses = []
        let settings = checkSection(section, LanguageSchema.stage, title: title, optionalKeys: ["model"])
        var schedule: SectionSettings?
        if let block = settings.sections["schedule"]?.first {
            schedule = checkSection(block, LanguageSchema.schedule, title: "the `schedule` of stage `\(name)`", keyPrefix: "schedule.")
        }
        var initialization = StageInit.fresh
        if let value = settings.values["init"] {
            switch value.kind {
            case .symbol(let upstream): initialization = .stage(upstream)
            case .call("best", _, _): initialization = value["stage"]?.symbol.map { .best($0) } ?? .fresh
            case .call("checkpoint", _, _):
                if let pathValue = value["path"], let p = pathValue.string {
                    let resolved = resolvePath(p)
                    if checkFiles, !FileManager.default.fileExists(atPath: resolved) {
                        emit(CheckerDiagnostics.fileNotFound(kind: "checkpoint", path: p, resolved: resolved, span: pathValue.span))
                    }
                    initialization = .checkpoint(path: resolved)
                }
            default: break
            }
        }
        let seed = settings.values["seed"]?.number.map { Int($0) } ?? experimentSeed
        let resources = checkResources(settings.sections, owner: title)
        stages[name] = StageDraft(name: name, section: section, nameSpan: section.name?.span ?? section.keyword.span, settings: settings,
                                  schedule: schedule, sweeps: settings.sections["sweep"] ?? [], metricUses: metricUses,
                                  initialization: initialization, seed: seed, resources: resources)
        metricUses = []
    }

    func upstream(of draft: StageDraft) -> String? {
        switch draft.initialization {
        case .stage(let s), .best(let s): return s
        default: return nil
        }
    }

    /// Reports every cycle through `init` once, as the whole path `a → b → a`; returns the stages on cycles.
    func findInitCycles(_ order: [String]) -> Set<String> {
        var state: [String: Int] = [:] // 1 = on the path, 2 = done
        var onCycle = Set<String>()
        var reported = Set<[String]>()
        for start in order where state[start] == nil {
            var path: [String] = []
            var current: String? = start
            while let name = current, state[name] == nil {
                state[name] = 1
                path.append(name)
                current = stages[name].flatMap(upstream(of:))
                if let next = current, state[next] == 1, let i = path.firstIndex(of: next) {
                    let cycle = Array(path[i...])
                    // Start the message at the cycle member declared first.
                    let first = cycle.min { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }!
                    let k = cycle.firstIndex(of: first)!
                    let rotated = Array(cycle[k...] + cycle[..<k])
                    if reported.insert(rotated).inserted {
                        let spans = rotated.compactMap { stages[$0]?.settings.values["init"]?.span }
                        emit(CheckerDiagnostics.initCycle(cycle: rotated + [rotated[0]], span: spans[0], others: Array(spans.dropFirst())))
                    }
                    onCycle.formUnion(cycle)
                    break
                }
            }
            for name in path { state[name] = 2 }
        }
        return onCycle
    }

    /// The model a stage trains: its own, else its `init` stage's (nil when unknown or on a cycle).
    func effectiveModel(_ name: String, onCycle: Set<String>) -> String? {
        effectiveModelSetting(name, onCycle: onCycle)?.value.symbol
    }

    /// The `model` setting a stage trains with and the stage that writes it: its own, else
    /// its `init` stage's, followed upstream (nil when unknown or on a cycle).
    func effectiveModelSetting(_ name: String, onCycle: Set<String>, depth: Int = 0) -> (value: Value, stage: String)? {
        guard let draft = self.draft(name), !onCycle.contains(name), depth < 10_000 else { return nil }
        if let own = draft.settings.values["model"], own.symbol != nil { return (own, name) }
        if draft.settings.given["model"] != nil { return nil }
        guard let up = upstream(of: draft) else { return nil }
        return effectiveModelSetting(up, onCycle: onCycle, depth: depth + 1)
    }

    func finishStages() -> [CheckedStage] {
        let order = declarationOrder[.stage] ?? []
        let onCycle = findInitCycles(order)
        var out: [CheckedStage] = []
        for name in order {
            guard let draft = stages[name] else { continue }
            out.append(finishStageReusing(draft, onCycle: onCycle))
        }
        return out
    }

    func finishStage(_ draft: StageDraft, onCycle: Set<String>) -> CheckedStage {
        let name = draft.name
        let values = draft.settings.values
        // The model: own or inherited.
        let modelName = effectiveModel(name, onCycle: onCycle)
        if modelName == nil, draft.settings.given["model"] == nil, !onCycle.contains(name) {
            let upstreamKnown = upstream(of: draft).map { self.draft($0) != nil } ?? false
            if !upstreamKnown, draft.settings.given["init"] == nil || values["init"] != nil {
                let models = declarationOrder[.model] ?? []
                emit(CheckerDiagnostics.missingKey(key: "model", section: "stage `\(name)`", example: "model = \(models.first ?? "mlp")", span: draft.nameSpan))
            }
        }
        if let up = upstream(of: draft), let upDraft = self.draft(up), !onCycle.contains(name) {
            if let own = values["model"]?.symbol, let theirs = effectiveModel(up, onCycle: onCycle), own != theirs {
                emit(CheckerDiagnostics.initModelMismatch(stage: name, model: own, upstream: up, upstreamModel: theirs, span: values["model"]!.span))
            }
            let upRepeat = Int(upDraft.settings.values["repeat"]?.number ?? 1)
            if !upDraft.sweeps.isEmpty || upRepeat > 1, upDraft.settings.given["select"] == nil, let initValue = values["init"] {
                let trials = satMul(upDraft.sweeps.reduce(1) { satMul($0, roughPointCount($1)) }, upRepeat)
                emit(CheckerDiagnostics.ambiguousInit(stage: name, upstream: up, trials: trials, span: initValue.span))
            }
        }
        let model = modelName.flatMap { checkedModels[$0] }
        let dataName: String? = values["data"].flatMap { $0.symbol ?? firstPositional($0)?.symbol }
        let data = dataName.flatMap { checkedData[$0] }
        let dataSpan = values["data"]?.span ?? draft.nameSpan
        // Model and data fit together.
        if let model, let data {
            switch model.architecture {
            case .bert:
                if data.text == nil { emit(CheckerDiagnostics.textColumnMissing(model: model.name, data: data.name, span: dataSpan)) }
            case .mlp:
                if data.text != nil {
                    emit(CheckerDiagnostics.textModelRequired(model: model.name, data: data.name, span: dataSpan))
                } else if let input = model.settings["input"]?.number, let features = data.features, Int(input) != features.count {
                    emit(CheckerDiagnostics.inputSizeMismatch(model: model.name, input: Int(input), data: data.name, features: features.count, span: model.settings["input"]!.span))
                }
            }
        }
        // The head and the loss.
        let headValue = values["head"] ?? model?.settings["head"]
        let headUnits = headValue?["units"]?.number.map { Int($0) }
        if let model, headValue == nil, draft.settings.given["head"] == nil, !modelsWithInvalidHead.contains(model.name), draft.settings.given["model"] != nil || modelName != nil {
            emit(CheckerDiagnostics.headMissing(stage: name, model: model.name, span: draft.nameSpan))
        }
        let loss = values["loss"] ?? (draft.settings.given["loss"] == nil ? draft.settings.record(LanguageSchema.stage)["loss"] : nil)
        let criteria = loss?.lossCriteria ?? []
        if let units = headUnits, let loss, let lossName = criteria.first?.call.callName {
            // All criteria share one target (checked with the loss), so the first decides the head.
            if ["bce", "mse"].contains(lossName), units != 1 {
                emit(CheckerDiagnostics.headSizeForLoss(loss: lossName, units: units, span: loss.span))
            } else if lossName == "mse", let data, let cell = data.firstNonNumericLabel {
                // `run` reads a regression target as a number and would fail on this row in every trial.
                emit(CheckerDiagnostics.regressionLabelNotNumeric(loss: lossName, label: data.label, value: cell.text, line: cell.line,
                                                                  data: data.name, file: data.path, span: loss.span))
            } else if ["cross_entropy", "focal"].contains(lossName), units < 2 {
                emit(CheckerDiagnostics.headSizeForLoss(loss: lossName, units: units, span: loss.span))
            } else if ["cross_entropy", "focal", "bce"].contains(lossName), let data, let only = data.onlyLabel {
                // The whole file has one class; a `where` filter only removes rows, so no stage can have two.
                emit(CheckerDiagnostics.singleClass(loss: lossName, label: data.label, value: only, data: data.name, file: data.path, span: loss.span))
            } else if ["cross_entropy", "focal"].contains(lossName), let data, values["data"]?.symbol != nil,
                      let classes = data.classCount, units < classes, let headValue {
                // Unfiltered data only: a `where` filter may keep fewer classes, which `run` checks on the rows it keeps.
                emit(CheckerDiagnostics.headFewerThanClasses(loss: lossName, units: units, classes: classes, label: data.label,
                                                             numeric: data.numericLabels, data: data.name, span: headValue.span))
            } else {
                for (_, call) in criteria { checkClassWeightCount(call["weights"], of: call.callName ?? "", units: units) }
            }
        }
        // Metrics: declared, else by loss.
        var metrics = values["metrics"]?.list?.compactMap(\.symbol) ?? ["accuracy", "loss"]
        if values["metrics"] == nil, criteria.first?.call.callName == "mse" { metrics = ["mse", "loss"] }
        checkMetricsApply(values["metrics"], loss: criteria.first?.call.callName, headUnits: headUnits)
        for use in draft.metricUses {
            if LanguageSchema.nonScalarMetricNames.contains(use.name) {
                emit(CheckerDiagnostics.metricNotRankable(metric: "\(use.split).\(use.name)", name: use.name, context: use.context, span: use.span))
            } else if let data, !data.splits.contains(use.split) {
                emit(CheckerDiagnostics.metricSplitMissing(metric: "\(use.split).\(use.name)", split: use.split, data: data.name, span: use.span))
            } else if use.name != "loss", draft.settings.given["metrics"] == nil || values["metrics"] != nil, !metrics.contains(use.name) {
                emit(CheckerDiagnostics.metricNotComputed(metric: "\(use.split).\(use.name)", name: use.name, stage: name, computed: metrics, span: use.span))
            } else if use.split == "test", ["`best`", "`top`", "`asha`"].contains(where: { use.context.contains($0) }) {
                emit(CheckerDiagnostics.selectionOnTest(metric: "\(use.split).\(use.name)", span: use.span))
            } else if use.split == "train", ["`best`", "`top`", "`asha`"].contains(where: { use.context.contains($0) }) {
                emit(LintDiagnostics.selectionOnTrain(metric: "\(use.split).\(use.name)", span: use.span))
            }
        }
        // Parameter names with the stage's head; freeze patterns.
        var parameterNames = model?.parameterNames
        if let names = parameterNames, let head = values["head"].flatMap({ try? TrialLowering.lowerHead($0, stage: name) }),
           !names.contains(where: { $0.hasPrefix("head.") }) {
            parameterNames = names + ModelCatalog.mlp(inputSize: 0, layers: [], head: head).specs.map(\.name)
        }
        if let model {
            checkFreeze(values["freeze"], unfreeze: values["unfreeze"], stage: name, model: model, names: parameterNames)
        }
        checkParameterGroups(values["param_groups"], schedule: draft.schedule?.record(LanguageSchema.schedule), model: model, names: parameterNames)
        // The settings record every trial starts from.
        var extra: [Value.Field] = []
        if let schedule = draft.schedule { extra.append(Value.Field("schedule", schedule.record(LanguageSchema.schedule))) }
        var record = draft.settings.record(LanguageSchema.stage, extra: extra)
        if case .record(var fields) = record.kind {
            fields.removeAll { ["select", "ensemble", "prune"].contains($0.name) }
            if values["model"] == nil, let modelName {
                var inherited = Value(.symbol(modelName), span: draft.nameSpan)
                if let source = effectiveModelSetting(name, onCycle: onCycle), case .written(let key) = source.value.origin {
                    inherited.origin = .inherited(from: "stage `\(source.stage)`", at: source.value.span, key: key, via: draft.settings.given["init"]?.key.span)
                }
                fields.insert(Value.Field("model", inherited), at: 0)
            }
            if values["seed"] == nil {
                var seed = Value(.number(Double(draft.seed)), span: draft.nameSpan).with(origin: .schemaDefault)
                if let (written, declaration) = experimentSeedSetting, case .written(let key) = written.origin {
                    seed.origin = .inherited(from: declaration, at: written.span, key: key, via: nil)
                }
                fields.append(Value.Field("seed", seed))
            }
            if values["metrics"] == nil, let i = fields.firstIndex(where: { $0.name == "metrics" }) {
                let rule: ValueOrigin = criteria.first?.call.callName == "mse" ? .derived("the default with `loss = mse()`") : .schemaDefault
                fields[i].value = Value(.list(metrics.map { Value(.symbol($0), span: draft.nameSpan) }), span: draft.nameSpan).with(origin: rule)
            }
            record.kind = .record(fields)
        }
        let sweeps = checkSweeps(draft, base: record, model: model, names: parameterNames)
        if let units = headUnits { checkSweptClassWeights(sweeps, units: units) }
        let repeatCount = checkRepeat(values, sweeps: sweeps)
        checkUnfreezeReached(values["unfreeze"], schedule: record["schedule"], sweeps: sweeps, data: data)
        if let data { checkValidSplitRules(draft, data: data, sweeps: sweeps) }
        return CheckedStage(name: name, span: draft.nameSpan, model: modelName, data: dataName, initialization: draft.initialization,
                            settings: record, sweeps: sweeps, select: values["select"], ensemble: values["ensemble"], prune: values["prune"],
                            seed: draft.seed, repeatCount: repeatCount, parameterNames: parameterNames, resources: draft.resources)
    }

    /// A stage's `repeat` (1 when absent or invalid). Replicates take seeds `seed + r`, so a
    /// sweep over `seed` would make replicates of different points the same trial, and ASHA
    /// would prune replicates one by one instead of ranking points by their mean: both rejected.
    func checkRepeat(_ values: [String: Value], sweeps: [CheckedSweep]) -> Int {
        guard let value = values["repeat"], let n = value.number, n > 1 else { return 1 }
        var valid = true
        if let axis = sweeps.lazy.flatMap(\.axes).first(where: { $0.path == ["seed"] }) {
            emit(CheckerDiagnostics.repeatWithSeedSweep(repeatCount: Int(n), span: axis.span, repeatSpan: value.span))
            valid = false
        }
        if let prune = values["prune"] {
            emit(CheckerDiagnostics.repeatWithPrune(repeatCount: Int(n), span: value.span, pruneSpan: prune.span))
            valid = false
        }
        return valid ? Int(n) : 1
    }

    /// A class `weights` list has one weight per head output.
    func checkClassWeightCount(_ weights: Value?, of call: String, units: Int) {
        if let weights, let items = weights.list, items.count != units {
            emit(CheckerDiagnostics.classWeightsCount(call: call, count: items.count, units: units, span: weights.span))
        }
    }

    /// Swept class weights (`loss.weights = [...]`, or a swept `loss` with `weights:`) have one weight per head output too.
    func checkSweptClassWeights(_ sweeps: [CheckedSweep], units: Int) {
        for axis in sweeps.flatMap(\.axes) where axis.path.first == "loss" {
            var values = axis.values
            if let g = axis.generator, g.callName == "choice", case .call(_, let options, let named) = g.kind { values += options + named.map(\.value) }
            switch axis.path.count {
            case 1:
                for v in values { for (_, call) in v.lossCriteria { checkClassWeightCount(call["weights"], of: call.callName ?? "", units: units) } }
            case 2 where axis.path[1] == "weights":
                for v in values { checkClassWeightCount(v, of: "loss", units: units) }
            default:
                break
            }
        }
    }

    /// ReduceLROnPlateau steps on `valid.loss`: without a valid split it would silently keep
    /// the rate constant, so `lr = plateau(…)` (set or swept) needs one. (Metrics named by
    /// `early_stop`, `keep_best`, `select`, `prune` are checked with the other metric uses.)
    func checkValidSplitRules(_ draft: StageDraft, data: CheckedData, sweeps: [CheckedSweep]) {
        guard !data.splits.contains("valid") else { return }
        var schedules = draft.schedule?.values["lr"].map { [$0] } ?? []
        for axis in sweeps.flatMap(\.axes) where axis.path == ["schedule", "lr"] {
            schedules += axis.values
            if let g = axis.generator, case .call("choice", let positional, _) = g.kind { schedules += positional }
        }
        for lr in schedules where lr.callName == "plateau" {
            emit(CheckerDiagnostics.validSplitRequired(setting: "plateau", reads: "valid.loss", data: data.name, span: lr.span))
        }
    }

    func firstPositional(_ v: Value) -> Value? {
        if case .call(_, let positional, _) = v.kind { return positional.first }
        return nil
    }

    /// An upper estimate of a sweep block's points from syntax alone (for messages about upstream stages).
    func roughPointCount(_ sweep: Section) -> Int {
        if case .call(_, let args)? = sweep.label?.kind,
           let trials = args.first(where: { $0.label?.name == "trials" }), case .number(let n, _) = trials.value.kind {
            return Int(n)
        }
        var count = 1
        let isZip: Bool = { if case .reference(let d)? = sweep.label?.kind { return d.text == "zip" } else { return false } }()
        for case .setting(let s) in sweep.items {
            if case .list(let items) = s.value.kind { count = isZip ? items.count : satMul(count, items.count) }
        }
        return count
    }
}
