import Compiler
import DSL
import Support

/// `textDocument/completion`: what may be written at the cursor, from the schema and
/// the file's own names — keys of the enclosing block, values of the setting's type
/// (enum members, calls of its family, data / model / stage names, metrics), argument
/// labels inside a call, and inside `freeze` the parameter names of the stage's model.
enum Completion {
    /// LSP's `CompletionItemKind`s used here.
    private enum Kind: Int {
        case function = 3, field = 5, module = 9, property = 10, value = 12, keyword = 14, reference = 18, enumMember = 20
    }

    static func answer(_ snapshot: DocumentSnapshot, at offset: Int, store: DocumentStore) -> JSONValue {
        guard let context = CompletionContext.at(offset, in: snapshot) else { return ["isIncomplete": false, "items": []] }
        var items: [(label: String, kind: Kind, detail: String, doc: String, insert: String)] = []
        func add(_ label: String, _ kind: Kind, _ detail: String, _ doc: String = "", insert: String? = nil) {
            if !items.contains(where: { $0.label == label }) { items.append((label, kind, detail, doc, insert ?? label)) }
        }
        func keys(of spec: SectionSpec) {
            for key in spec.keys { add(key.name, .property, key.type.text, key.doc, insert: key.name + " = ") }
            for nested in spec.sections { add(nested.keyword, .module, "block", nested.doc, insert: nested.keyword + " {") }
        }
        switch context.place {
        case .topLevel:
            for spec in LanguageSchema.topLevel { add(spec.keyword, .keyword, "declaration", spec.doc, insert: spec.keyword + " ") }
        case .key(let blocks, let stage):
            if blocks.last == "sweep" {
                sweepAxes(stage: stage, in: snapshot).forEach { add($0.path, .property, $0.param.type.text, $0.param.doc, insert: $0.path + " = ") }
            } else if let spec = SchemaLookup.section(path: blocks) {
                keys(of: spec)
            }
        case .field(let fields):
            for field in fields { add(field.name, .field, field.type.text, field.doc, insert: field.name + ": ") }
        case .argument(let call, let positional, let blocks, let stage):
            for param in call.params { add(param.name, .field, param.type.text, param.doc, insert: param.name + ": ") }
            if let positional {
                values(positional.type, key: [], stage: stage, blocks: blocks, inString: false, snapshot: snapshot, store: store, add: add)
            }
        case .value(let type, let key, let blocks, let stage, let data, let inString):
            if case .column = SchemaLookup.element(of: type), let data, let columns = snapshot.check.experiment.data(named: data)?.columns {
                // Column names of the data block's own file.
                for column in columns { add(column, .value, "column of `\(data)`", "", insert: inString ? column : "\"\(column)\"") }
            }
            values(type, key: key, stage: stage, blocks: blocks, inString: inString, snapshot: snapshot, store: store, add: add)
        }
        let range = snapshot.file.range(of: context.replace)
        let json: [JSONValue] = items.enumerated().map { index, item in
            var fields: [(key: String, value: JSONValue)] = [
                ("label", .string(item.label)), ("kind", .int(item.kind.rawValue)), ("detail", .string(item.detail)),
                ("sortText", .string(String(format: "%04d", index))),
                ("textEdit", ["range": range, "newText": .string(item.insert)]),
            ]
            if !item.doc.isEmpty { fields.append(("documentation", ["kind": "markdown", "value": .string(item.doc)])) }
            return .object(fields)
        }
        return ["isIncomplete": false, "items": .array(json)]
    }

    private static func values(_ type: ValueType, key: [String], stage: String?, blocks: [String], inString: Bool,
                               snapshot: DocumentSnapshot, store: DocumentStore,
                               add: (String, Kind, String, String, String?) -> Void) {
        // Parameter patterns: `freeze`, `unfreeze`'s `layers`, `param_groups`' `params`.
        let patternKeys: Set<String> = ["freeze", "layers", "params"]
        let isPattern = blocks.last == "stage" && key.last.map(patternKeys.contains) == true
            && (key.first == "freeze" || key.first == "unfreeze" || key.first == "param_groups")
        if isPattern, let stage {
            for name in patternCandidates(store.parameterNames(uri: snapshot.uri, stage: stage)) {
                add(name, .value, "parameter of the stage's model", "", inString ? name : "\"\(name)\"")
            }
            return
        }
        switch type {
        case .symbol(let names):
            for name in names { add(name, .enumMember, "", metricDoc(name) ?? "", nil) }
        case .bool:
            add("true", .keyword, "", "", nil)
            add("false", .keyword, "", "", nil)
        case .call(let family):
            for call in LanguageSchema.calls(in: family) { add(call.name, .function, call.example, call.doc, nil) }
        case .layers:
            for call in LanguageSchema.calls(in: "layer") { add(call.name, .function, call.example, call.doc, nil) }
            for name in LanguageSchema.activationNames { add(name, .enumMember, "activation", "", nil) }
        case .loss:
            for family in ["loss", "penalty"] { for call in LanguageSchema.calls(in: family) { add(call.name, .function, call.example, call.doc, nil) } }
        case .reference(let kind):
            // A stage cannot start from itself.
            for d in snapshot.symbols.declarations(of: kind) where !(kind == .stage && d.name.name == stage) {
                add(d.name.name, .reference, kind.rawValue, "", nil)
            }
        case .dataset:
            for d in snapshot.symbols.declarations(of: .data) { add(d.name.name, .reference, "data", "", nil) }
        case .metric:
            let data = stage.flatMap { snapshot.check.experiment.stage(named: $0)?.data }.flatMap { snapshot.check.experiment.data(named: $0) }
            for split in data?.splits ?? LanguageSchema.splitNames {
                for (name, doc) in LanguageSchema.metrics where !LanguageSchema.nonScalarMetricNames.contains(name) {
                    add("\(split).\(name)", .value, "metric", doc, nil)
                }
            }
        case .list(let element, _):
            values(element, key: key, stage: stage, blocks: blocks, inString: inString, snapshot: snapshot, store: store, add: add)
        case .anyOf(let types):
            for t in types { values(t, key: key, stage: stage, blocks: blocks, inString: inString, snapshot: snapshot, store: store, add: add) }
        default:
            break
        }
    }

    private static func metricDoc(_ name: String) -> String? { LanguageSchema.metrics.first { $0.name == name }?.doc }

    /// Parameter names and the module prefixes above them (`layers.0` for `layers.0.weight`), each once, in order.
    static func patternCandidates(_ names: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for name in names {
            var parts = name.split(separator: ".").map(String.init)
            var prefixes: [String] = []
            while parts.count > 1 { parts.removeLast(); prefixes.insert(parts.joined(separator: "."), at: 0) }
            for candidate in prefixes + [name] where seen.insert(candidate).inserted { out.append(candidate) }
        }
        return out
    }

    /// The axes a sweep in `stage` may name: stage keys, `schedule.KEY`, and the arguments of the stage's optimizer and schedule calls.
    static func sweepAxes(stage: String?, in snapshot: DocumentSnapshot) -> [(path: String, param: ParamSpec)] {
        var out: [(String, ParamSpec)] = []
        for key in LanguageSchema.stage.keys where !LanguageSchema.unsweepableStageKeys.contains(key.name) { out.append((key.name, key)) }
        for key in LanguageSchema.schedule.keys { out.append(("schedule." + key.name, key)) }
        if let stage, let section = snapshot.parsed.unit.sections.first(where: { $0.keyword.name == "stage" && $0.name?.name == stage }) {
            for prefix in [["optimizer"], ["schedule", "lr"], ["loss"]] {
                guard let holder = SchemaLookup.axisTarget(prefix, stage: section) else { continue }
                let setting = findSetting(prefix, in: section)
                guard case .call(let callee, _)? = setting?.kind, let call = SchemaLookup.call(callee.text, for: holder.type) else { continue }
                for param in call.params { out.append(((prefix + [param.name]).joined(separator: "."), param)) }
            }
        }
        return out
    }

    private static func findSetting(_ path: [String], in section: Section) -> Expr? {
        var items = section.items
        for (i, name) in path.enumerated() {
            for item in items {
                switch item {
                case .setting(let s) where s.key.text == name && i == path.count - 1: return s.value
                case .section(let s) where s.keyword.name == name: items = s.items
                default: continue
                }
            }
        }
        return nil
    }
}
