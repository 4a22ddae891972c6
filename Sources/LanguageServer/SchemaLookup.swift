import Compiler
import DSL

/// Questions about `LanguageSchema` the editor features share: which block a
/// keyword path names, which calls a type admits, what a sweep axis addresses.
enum SchemaLookup {
    /// The block spec of nested section keywords, outermost first (`["stage", "schedule"]`).
    static func section(path: [String]) -> SectionSpec? {
        guard let first = path.first, var spec = LanguageSchema.topLevel.first(where: { $0.keyword == first }) else { return nil }
        for keyword in path.dropFirst() {
            guard let nested = spec.section(keyword) else { return nil }
            spec = nested
        }
        return spec
    }

    /// The call families a value of `type` may be a call of.
    static func families(of type: ValueType) -> [String] {
        switch type {
        case .call(let family): [family]
        case .anyOf(let types): types.flatMap(families(of:))
        case .list(let element, _): families(of: element)
        case .layers: ["layer"]
        case .loss: ["loss", "penalty"]
        default: []
        }
    }

    /// The call `name` as a value of `type` (the first family that has it; any family when `type` names none).
    static func call(_ name: String, for type: ValueType?) -> CallSpec? {
        let candidates = type.map(families(of:)) ?? []
        for family in candidates { if let spec = LanguageSchema.call(name, in: family) { return spec } }
        return LanguageSchema.calls.first { $0.name == name }
    }

    /// The fields of a record type (through lists and alternatives).
    static func recordFields(of type: ValueType) -> [ParamSpec]? {
        switch type {
        case .record(let fields): fields
        case .list(let element, _): recordFields(of: element)
        case .anyOf(let types): types.lazy.compactMap(recordFields(of:)).first
        default: nil
        }
    }

    /// The element type of a list type (the type itself otherwise: a sweep lists values of its axis).
    static func element(of type: ValueType) -> ValueType {
        if case .list(let element, _) = type { return element }
        return type
    }

    /// The parameter of a call at argument position `index` (positional) or with `label`.
    static func parameter(of call: CallSpec, label: String?, index: Int) -> ParamSpec? {
        if let label { return call.param(label) }
        let positional = call.params.filter(\.positional)
        return index < positional.count ? positional[index] : nil
    }

    /// What the sweep axis `path` of a stage addresses (`optimizer.lr`: the `lr` of the
    /// stage's optimizer call), read from the stage's own settings.
    static func axisTarget(_ path: [String], stage: Section) -> ParamSpec? {
        guard let first = path.first else { return nil }
        var items = stage.items
        var spec = LanguageSchema.stage
        var rest = path.dropFirst()
        var param: ParamSpec
        if first == "schedule", let schedule = spec.section("schedule"), let key = rest.first {
            guard let p = schedule.key(key) else { return nil }
            items = stage.items.compactMap { if case .section(let s) = $0, s.keyword.name == "schedule" { return s } else { return nil } }.first?.items ?? []
            spec = schedule
            param = p
            rest = rest.dropFirst()
        } else {
            guard let p = spec.key(first) else { return nil }
            param = p
        }
        // Deeper parts name arguments of the call the setting holds.
        var value: Expr? = items.lazy.compactMap { item -> Expr? in
            if case .setting(let s) = item, s.key.text == param.name { return s.value }
            return nil
        }.first
        for name in rest {
            guard case .call(let callee, let arguments)? = value?.kind, let call = call(callee.text, for: param.type),
                  let next = call.param(name) else { return nil }
            param = next
            value = arguments.first { $0.label?.name == name }?.value
        }
        return param
    }
}
