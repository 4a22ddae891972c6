import Compiler

/// Every setting of the language, named the way `TakeEffectCases` keys its table,
/// derived by walking `LanguageSchema` (never listed by hand, so a new key, call,
/// parameter or symbol appears here the day it enters the schema):
/// - a section key: `stage.optimizer`, `schedule.clip_grad_norm`, and a record field
///   under it: `schedule.early_stop.metric`, `stage.unfreeze.at`;
/// - a call and each parameter: `optimizer adamw`, `optimizer adamw.amsgrad`;
/// - each value of a symbol: `model.pooling=cls`, `layer dense.activation=gelu`;
/// - each split a metric can be watched on: `schedule.early_stop.metric=train`
///   (metric names are covered by `stage.metrics=…`);
/// - each sweep kind: `sweep grid`.
enum SettingNames {
    static func all() -> [String] {
        var names: [String] = []
        func add(_ name: String) { if !names.contains(name) { names.append(name) } }

        func walk(_ type: ValueType, _ name: String) {
            switch type {
            case .symbol(let values): for v in values { add("\(name)=\(v)") }
            case .list(let element, _): walk(element, name)
            case .record(let fields):
                for f in fields { add("\(name).\(f.name)"); walk(f.type, "\(name).\(f.name)") }
            case .metric: for split in LanguageSchema.splitNames { add("\(name)=\(split)") }
            case .anyOf(let types): for t in types { walk(t, name) }
            // Calls, layers and losses are walked once as calls, below; the rest are plain values.
            case .call, .layers, .loss, .number, .bool, .string, .path, .column, .reference, .steps, .dataset, .formatted: break
            }
        }

        func walk(_ section: SectionSpec, prefix: String) {
            for key in section.keys {
                add("\(prefix).\(key.name)")
                walk(key.type, "\(prefix).\(key.name)")
            }
            for child in section.sections { walk(child, prefix: child.keyword) }
        }

        for section in LanguageSchema.topLevel { walk(section, prefix: section.keyword) }
        for kind in LanguageSchema.sweepKinds { add("sweep \(kind)") }
        for call in LanguageSchema.calls {
            let name = "\(call.family) \(call.name)"
            add(name)
            for p in call.params {
                add("\(name).\(p.name)")
                walk(p.type, "\(name).\(p.name)")
            }
        }
        return names
    }
}
