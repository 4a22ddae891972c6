import Plan
import Support
import DSL

extension CheckerRun {
    /// Checks a stage's sweep blocks against its resolved base settings.
    func checkSweeps(_ draft: StageDraft, base: Value, model: CheckedModel?, names: [String]?) -> [CheckedSweep] {
        var out: [CheckedSweep] = []
        var firstAxis: [String: Span] = [:]
        // Calls a whole-call axis may switch to (`optimizer = choice(sgd(...), adamw(...))`), from syntax.
        var sweptCalls: [String: Set<String>] = [:]
        for sweep in draft.sweeps {
            for case .setting(let s) in sweep.items where s.key.parts.count == 1 {
                var candidates: [Expr] = []
                switch s.value.kind {
                case .list(let items): candidates = items
                case .call(let callee, let args) where callee.text == "choice": candidates = args.map(\.value)
                default: break
                }
                for c in candidates {
                    if case .call(let callee, _) = c.kind { sweptCalls[s.key.text, default: []].insert(callee.text) }
                    if case .binary = c.kind, let name = Self.lossCallName(c) { sweptCalls[s.key.text, default: []].insert(name) }
                }
            }
        }
        var total = 1
        for sweep in draft.sweeps {
            guard let kind = sweepKind(sweep) else { continue }
            var axes: [SweepAxis] = []
            var firstZip: (path: String, count: Int, span: Span)?
            for item in sweep.items {
                guard case .setting(let setting) = item else {
                    if case .section(let sub) = item {
                        emit(CheckerDiagnostics.unknownSection(keyword: sub.keyword.name, place: "in a sweep", valid: [], suggestion: nil, span: sub.keyword.span))
                    }
                    continue
                }
                let path = setting.key.text
                if let first = firstAxis[path] {
                    emit(CheckerDiagnostics.duplicateSweepAxis(path: path, span: setting.key.span, first: first))
                    continue
                }
                firstAxis[path] = setting.key.span
                guard let target = axisTarget(setting.key, base: base, sweptCalls: sweptCalls) else { continue }
                let what = "sweep axis `\(path)`"
                var axis = SweepAxis(path: setting.key.parts.map(\.name), span: setting.span, values: [], generator: nil)
                switch kind {
                case .grid, .zip:
                    guard case .list(let items) = setting.value.kind else {
                        if case .invalid = setting.value.kind { continue }
                        emit(CheckerDiagnostics.sweepListExpected(path: path, kind: kind == .grid ? "grid" : "zip", span: setting.value.span))
                        continue
                    }
                    if items.isEmpty {
                        emit(CheckerDiagnostics.emptyList(what: what, span: setting.value.span))
                        continue
                    }
                    var ok = true
                    for item in items {
                        if let v = resolve(item, target.type, what: what, example: target.example) { axis.values.append(v) } else { ok = false }
                    }
                    guard ok else { continue }
                    if kind == .zip {
                        if let first = firstZip, first.count != items.count {
                            emit(CheckerDiagnostics.zipLengthMismatch(path: path, count: items.count, first: first.path, firstCount: first.count, span: setting.value.span, firstSpan: first.span))
                        } else if firstZip == nil {
                            firstZip = (path, items.count, setting.value.span)
                        }
                    }
                case .random:
                    guard case .call(let callee, _) = setting.value.kind, LanguageSchema.generatorNames.contains(callee.text) else {
                        if case .invalid = setting.value.kind { continue }
                        emit(CheckerDiagnostics.sweepGeneratorExpected(path: path, span: setting.value.span))
                        continue
                    }
                    guard let g = resolve(setting.value, target.type, what: what, example: target.example, generators: true) else { continue }
                    axis.generator = g
                    if g.callName == "choice", case .call(_, let options, _) = g.kind { axis.values = options }
                }
                // Swept freeze patterns and unfreeze steps must select parameters too.
                if let model, axis.path == ["freeze"] || axis.path == ["unfreeze"] {
                    for v in axis.values {
                        let freeze = axis.path == ["freeze"]
                        checkFreeze(freeze ? v : nil, unfreeze: freeze ? nil : v, stage: draft.name, model: model, names: names, otherUnfreeze: base["unfreeze"])
                    }
                }
                axes.append(axis)
            }
            if sweep.items.isEmpty { emit(CheckerDiagnostics.emptySweep(span: sweep.keyword.span)) }
            let checked = CheckedSweep(kind: kind, span: sweep.span, axes: axes)
            total = satMul(total, checked.pointCount)
            out.append(checked)
        }
        if total > LanguageSchema.largeSweepThreshold, let last = draft.sweeps.last {
            emit(CheckerDiagnostics.largeSweep(stage: draft.name, trials: total, span: last.keyword.span))
        }
        return out
    }

    func sweepKind(_ sweep: Section) -> CheckedSweep.Kind? {
        guard let label = sweep.label else {
            emit(CheckerDiagnostics.unknownSweepKind(name: "", suggestion: nil, span: sweep.keyword.span))
            return nil
        }
        switch label.kind {
        case .reference(let d) where d.text == "grid": return .grid
        case .reference(let d) where d.text == "zip": return .zip
        case .reference(let d) where d.text == "random":
            emit(CheckerDiagnostics.missingArgument(param: "trials", call: "random", example: "sweep random(trials: 16, seed: 0) { … }", span: label.span))
            return nil
        case .call(let callee, let args) where callee.text == "random":
            let spec = LanguageSchema.call("random", in: "sweep")!
            guard let fields = resolveArguments(spec.params, rules: [], owner: "`random`", noun: "argument", args: args, span: label.span, example: spec.example, generators: false, callName: "random") else { return nil }
            let trials = fields.first { $0.name == "trials" }?.value.number ?? 1
            let seed = fields.first { $0.name == "seed" }?.value.number ?? 0
            return .random(trials: Int(trials), seed: Int(seed))
        case .reference(let d), .call(let d, _):
            emit(CheckerDiagnostics.unknownSweepKind(name: d.text, suggestion: Suggestions.closest(to: d.text, in: LanguageSchema.sweepKinds), span: d.span))
            return nil
        case .invalid:
            return nil
        default:
            emit(CheckerDiagnostics.unknownSweepKind(name: file.text(label.span), suggestion: nil, span: label.span))
            return nil
        }
    }

    /// The type of the setting a sweep axis names, or nil after reporting why it names none.
    func axisTarget(_ key: DottedName, base: Value, sweptCalls: [String: Set<String>]) -> (type: ValueType, example: String?)? {
        let parts = key.parts
        let path = key.text
        let stageKeys = LanguageSchema.stage.keys.map(\.name)
        let scheduleKeys = LanguageSchema.schedule.keys.map(\.name)
        let allPaths = stageKeys.filter { !LanguageSchema.unsweepableStageKeys.contains($0) } + scheduleKeys.map { "schedule." + $0 }
        var spec: ParamSpec
        var current: Value?
        var rest: ArraySlice<Identifier>
        var prefix: String
        if parts[0].name == "schedule" {
            guard parts.count >= 2 else {
                emit(CheckerDiagnostics.sweepAxisNotSweepable(path: path, span: key.span))
                return nil
            }
            guard let s = LanguageSchema.schedule.key(parts[1].name) else {
                emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: "the schedule has no setting `\(parts[1].name)`",
                                                         suggestion: Suggestions.closest(to: parts[1].name, in: scheduleKeys), span: parts[1].span))
                return nil
            }
            spec = s
            current = base["schedule"]?[s.name]
            rest = parts.dropFirst(2)
            prefix = "schedule." + s.name
        } else {
            guard let s = LanguageSchema.stage.key(parts[0].name) else {
                if LanguageSchema.stage.section(parts[0].name) != nil {
                    emit(CheckerDiagnostics.sweepAxisNotSweepable(path: path, span: key.span))
                    return nil
                }
                let suggestion = Suggestions.closest(to: path, in: allPaths) ?? Suggestions.closest(to: parts[0].name, in: stageKeys)
                emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: "a stage has no setting `\(parts[0].name)`", suggestion: suggestion, span: suggestion.map { _ in key.span } ?? parts[0].span))
                return nil
            }
            if LanguageSchema.unsweepableStageKeys.contains(s.name) {
                emit(CheckerDiagnostics.sweepAxisNotSweepable(path: path, span: key.span))
                return nil
            }
            spec = s
            current = base[s.name]
            rest = parts.dropFirst()
            prefix = s.name
        }
        var type = spec.type
        var example: String? = spec.example.isEmpty ? nil : spec.example
        while let part = rest.first {
            switch type {
            case .call, .loss:
                let fam = callFamily(type) ?? "loss"
                var live: [String] = []
                if let name = current?.callName { live.append(name) }
                live += (sweptCalls[prefix] ?? []).sorted().filter { !live.contains($0) }
                let liveSpecs = live.compactMap { LanguageSchema.call($0, in: fam) }
                // A sum of criteria: only its penalties are settings of the whole loss. The sums are
                // the swept losses when `loss` itself is an axis (it replaces the stage's value), else the stage's.
                let losses = (sweptCalls[prefix] ?? []).isEmpty ? [current?.callName] : Array(sweptCalls[prefix]!)
                if fam == "loss", losses.contains("sum"), !["l1", "l2"].contains(part.name) {
                    emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: "a sum of losses has no parameter `\(part.name)`; its criteria's arguments cannot be swept one by one",
                                                             suggestion: nil, span: key.span))
                    return nil
                }
                // The base value is invalid (already reported): nothing to check against.
                if liveSpecs.isEmpty, !(fam == "loss" && ["l1", "l2"].contains(part.name)) { return nil }
                if let param = liveSpecs.lazy.compactMap({ $0.param(part.name) }).first {
                    type = param.type
                    example = param.example.isEmpty ? nil : param.example
                    current = current?[part.name]
                } else if fam == "loss", ["l1", "l2"].contains(part.name) {
                    type = .number(.positive)
                    example = "1e-4"
                    current = current?[part.name]
                } else {
                    let owners = LanguageSchema.calls(in: fam).filter { $0.param(part.name) != nil }.map(\.name)
                    if !owners.isEmpty, !liveSpecs.isEmpty {
                        emit(CheckerDiagnostics.sweepAxisDead(path: path, param: part.name, chosen: live, owners: owners, span: part.span))
                    } else {
                        let valid = liveSpecs.flatMap { spec in spec.params.map { $0.name } }
                        emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: live.isEmpty ? "`\(prefix)` has no parameters to sweep" : "\(live.map { "`\($0)`" }.joined(separator: ", ")) \(live.count == 1 ? "has" : "have") no parameter `\(part.name)`",
                                                                 suggestion: Suggestions.closest(to: part.name, in: valid).map { prefix + "." + $0 }, span: key.span))
                    }
                    return nil
                }
            case .record(let fields):
                guard let field = fields.first(where: { $0.name == part.name }) else {
                    emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: "`\(prefix)` has no field `\(part.name)`",
                                                             suggestion: Suggestions.closest(to: part.name, in: fields.map(\.name)).map { prefix + "." + $0 }, span: key.span))
                    return nil
                }
                type = field.type
                example = field.example.isEmpty ? nil : field.example
                current = current?[part.name]
            default:
                emit(CheckerDiagnostics.sweepAxisUnknown(path: path, problem: "`\(prefix)` has no sub-settings", suggestion: nil, span: key.span))
                return nil
            }
            prefix += "." + part.name
            rest = rest.dropFirst()
        }
        return (type, example)
    }

    /// The call family of a type that has parameters (calls, and the loss's base call).
    func callFamily(_ type: ValueType) -> String? {
        switch type {
        case .call(let f): return f
        case .loss: return "loss"
        default: return nil
        }
    }
}
