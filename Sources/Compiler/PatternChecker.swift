import DSL
import Plan
import Support

/// `freeze` and `unfreeze` patterns (LANGUAGE.md, "Parameter patterns"): every
/// pattern must select a parameter that can train, as `ParameterPattern` (the
/// matcher the trainer uses) matches it. A pattern that selects nothing is an
/// error, so a typo can never pass `check` and then freeze nothing.
extension CheckerRun {
    /// Checks a `freeze` list and the patterns of every `unfreeze` step, whether the
    /// stage's own or one value of a swept axis. `names` is nil when the model's
    /// parameters are unknown (an unreadable BERT folder, already reported): then
    /// only patterns that can match no name at all are reported. A `freeze` that
    /// selects every trainable parameter is a warning unless some `unfreeze` step
    /// (`unfreeze`, or the stage's own when a sweep varies only `freeze`) releases one.
    func checkFreeze(_ freeze: Value?, unfreeze: Value?, stage: String, model: CheckedModel, names: [String]?, otherUnfreeze: Value? = nil) {
        let trainable = names.map { trainableNames($0, of: model) }
        for p in freeze?.list ?? [] { checkPattern(p, model: model, names: names, trainable: trainable) }
        for step in unfreeze?.list ?? [] {
            for p in step["layers"]?.list ?? [] { checkPattern(p, model: model, names: names, trainable: trainable) }
        }
        let patterns = freeze?.list?.compactMap(\.string) ?? []
        if let freeze, let trainable, !patterns.isEmpty, !trainable.isEmpty, (unfreeze ?? otherUnfreeze)?.list?.isEmpty ?? true,
           trainable.allSatisfy({ n in patterns.contains { ParameterPattern.matches($0, n) } }) {
            emit(CheckerDiagnostics.everythingFrozen(stage: stage, span: freeze.span))
        }
    }

    /// The names a pattern may usefully select: a BERT's `pooler.*` never trains
    /// (no pooling ftx implements reads it), so it is no one's to freeze.
    func trainableNames(_ names: [String], of model: CheckedModel) -> [String] {
        guard case .bert = model.architecture else { return names }
        return names.filter(ModelCatalog.isBertEncoderParameter)
    }

    /// Reports one pattern that selects no trainable parameter, with the nearest pattern that does.
    func checkPattern(_ p: Value, model: CheckedModel, names: [String]?, trainable: [String]?) {
        guard let pattern = p.string else { return }
        var note: String?
        if pattern.isEmpty {
            note = "an empty pattern selects nothing"
        } else if pattern.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            note = "parameter names never contain spaces or control characters"
        } else if let trainable, !trainable.contains(where: { ParameterPattern.matches(pattern, $0) }) {
            note = whyNothingMatches(pattern, model: model, names: names ?? [])
        } else {
            return
        }
        let suggestion = trainable.flatMap { suggestedPattern(for: pattern, in: $0) }
        emit(CheckerDiagnostics.freezePatternMatchesNothing(pattern: pattern, model: model.name, suggestion: suggestion, note: note, span: p.span))
    }

    /// A note on a well-formed pattern that selects nothing trainable: the layer it names
    /// has no parameters or does not exist, or it names only the pooler.
    func whyNothingMatches(_ pattern: String, model: CheckedModel, names: [String]) -> String? {
        if names.contains(where: { ParameterPattern.matches(pattern, $0) }) {
            return "`pooler.*` is not a trainable parameter: no pooling reads it, so it never trains"
        }
        if pattern.contains(where: { "[]{}!^\\".contains($0) }) {
            return "a pattern has only `*` (any characters) and `?` (one character); no other glob syntax"
        }
        let parts = pattern.split(separator: ".")
        if parts.count >= 2, parts[0] == "layers", let i = Int(parts[1]), let layers = model.settings["layers"]?.list {
            if i < layers.count {
                // The layer has parameters, just not the one named: the suggestion says which.
                if names.contains(where: { $0.hasPrefix("layers.\(i).") }) { return nil }
                return "`layers.\(i)` is `\(layers[i])`, which has no parameters"
            }
            return "model `\(model.name)` has \(layers.count) layer\(layers.count == 1 ? "" : "s") (`layers.0` … `layers.\(max(0, layers.count - 1))`)"
        }
        if case .bert = model.architecture, parts.count >= 3, parts[0] == "encoder", parts[1] == "layer", let i = Int(parts[2]) {
            let count = Set(names.compactMap { n -> Int? in
                let p = n.split(separator: ".")
                return p.count > 2 && p[0] == "encoder" && p[1] == "layer" ? Int(p[2]) : nil
            }).count
            if i >= count {
                return "model `\(model.name)` has \(count) encoder layers (`encoder.layer.0` … `encoder.layer.\(max(0, count - 1))`)"
            }
        }
        return nil
    }

    /// The pattern closest to `pattern` that selects something: the pattern without its
    /// spaces; else, keeping the pattern's wildcard segments, a dot-boundary prefix of a
    /// name (`encoder.layers.*.attention` → `encoder.layer.*.attention`); else any prefix.
    func suggestedPattern(for pattern: String, in names: [String]) -> String? {
        let squeezed = String(pattern.unicodeScalars.filter { !$0.properties.isWhitespace && $0.properties.generalCategory != .control })
        if squeezed != pattern, !squeezed.isEmpty, names.contains(where: { ParameterPattern.matches(squeezed, $0) }) { return squeezed }
        let prefixes = ParameterPattern.prefixes(of: names)
        let segments = pattern.split(separator: ".", omittingEmptySubsequences: false)
        var generalized: [String] = [], seen = Set<String>()
        if segments.contains(where: { $0.contains("*") || $0.contains("?") }) {
            for prefix in prefixes {
                let parts = prefix.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count == segments.count else { continue }
                let candidate = zip(segments, parts).map { s, n in s.contains("*") || s.contains("?") ? s : n }.joined(separator: ".")
                if seen.insert(candidate).inserted, names.contains(where: { ParameterPattern.matches(candidate, $0) }) {
                    generalized.append(candidate)
                }
            }
        }
        return Suggestions.closest(to: pattern, in: generalized + prefixes)
    }
}

/// `param_groups`: its patterns are checked as `freeze` patterns are (each must select a
/// parameter that can train), and a group `lr` under `one_cycle` is an error (E0165):
/// `one_cycle` takes every rate from its `max`, so there is no base rate to replace.
extension CheckerRun {
    func checkParameterGroups(_ groups: Value?, schedule: Value?, model: CheckedModel?, names: [String]?) {
        guard let entries = groups?.list else { return }
        if let model {
            let trainable = names.map { trainableNames($0, of: model) }
            for entry in entries {
                for p in entry["params"]?.list ?? [] { checkPattern(p, model: model, names: names, trainable: trainable) }
            }
        }
        if let lr = schedule?["lr"], lr.callName == "one_cycle" {
            for entry in entries {
                if let groupLR = entry["lr"] { emit(CheckerDiagnostics.paramGroupLRWithOneCycle(span: groupLR.span, schedule: lr.span)) }
            }
        }
    }
}
