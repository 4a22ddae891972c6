import Compiler
import DSL

/// What the syntax at an offset is, in the schema's terms: a block keyword, a setting
/// (a key, a call argument's label, a record field) or a call. `path` is the setting's
/// place in its stage as sweep axes spell it (`["optimizer", "lr"]`, `["schedule", "batch_size"]`).
enum SyntaxTarget {
    case sectionKeyword(SectionSpec)
    case setting(ParamSpec, path: [String], stage: Section?)
    case call(CallSpec)
}

/// Finds the `SyntaxTarget` under an offset by walking the syntax tree with the schema alongside.
struct SyntaxLocator {
    let offset: Int

    private func covers(_ span: Span) -> Bool { span.start <= offset && offset <= span.end }

    func target(in unit: SourceUnit) -> SyntaxTarget? {
        for section in unit.sections where covers(section.span) {
            let spec = LanguageSchema.topLevel.first { $0.keyword == section.keyword.name }
            return target(in: section, spec: spec, prefix: [], stage: section.keyword.name == "stage" ? section : nil)
        }
        return nil
    }

    private func target(in section: Section, spec: SectionSpec?, prefix: [String], stage: Section?) -> SyntaxTarget? {
        if covers(section.keyword.span) { return spec.map { .sectionKeyword($0) } }
        let isSweep = section.keyword.name == "sweep"
        for item in section.items where covers(item.span) {
            switch item {
            case .section(let nested):
                let nestedSpec = spec?.section(nested.keyword.name)
                let nestedPrefix = nested.keyword.name == "schedule" ? prefix + ["schedule"] : prefix
                return target(in: nested, spec: nestedSpec, prefix: nestedPrefix, stage: stage)
            case .setting(let setting):
                let path = isSweep ? setting.key.parts.map(\.name) : prefix + [setting.key.text]
                let param: ParamSpec? = isSweep ? stage.flatMap { SchemaLookup.axisTarget(path, stage: $0) } : spec?.key(setting.key.text)
                guard let param else { return nil }
                if covers(setting.key.span) { return .setting(param, path: path, stage: stage) }
                // A sweep lists (or generates) values of its axis.
                return target(in: setting.value, type: isSweep ? .list(param.type, nonEmpty: false) : param.type, path: path, stage: stage)
            }
        }
        return nil
    }

    private func target(in expr: Expr, type: ValueType, path: [String], stage: Section?) -> SyntaxTarget? {
        switch expr.kind {
        case .call(let callee, let arguments):
            guard let call = SchemaLookup.call(callee.text, for: type) else { return nil }
            if covers(callee.span) { return .call(call) }
            var index = 0
            for argument in arguments {
                defer { if argument.label == nil { index += 1 } }
                guard covers(argument.span), let param = SchemaLookup.parameter(of: call, label: argument.label?.name, index: index) else { continue }
                if let label = argument.label, covers(label.span) { return .setting(param, path: path + [param.name], stage: stage) }
                return target(in: argument.value, type: param.type, path: path + [param.name], stage: stage)
            }
            return nil
        case .list(let items):
            let element = SchemaLookup.element(of: type)
            return items.lazy.filter { covers($0.span) }.compactMap { target(in: $0, type: element, path: path, stage: stage) }.first
        case .record(let fields):
            guard let specs = SchemaLookup.recordFields(of: type) else { return nil }
            for field in fields where covers(field.name.span.merged(with: field.value.span)) {
                guard let param = specs.first(where: { $0.name == field.name.name }) else { return nil }
                if covers(field.name.span) { return .setting(param, path: path + [param.name], stage: stage) }
                return target(in: field.value, type: param.type, path: path + [param.name], stage: stage)
            }
            return nil
        case .binary(_, let lhs, let rhs):
            if covers(lhs.span) { return target(in: lhs, type: type, path: path, stage: stage) }
            return covers(rhs.span) ? target(in: rhs, type: type, path: path, stage: stage) : nil
        case .unary(_, let operand):
            return target(in: operand, type: type, path: path, stage: stage)
        case .filter(let base, _):
            return covers(base.span) ? target(in: base, type: type, path: path, stage: stage) : nil
        default:
            return nil
        }
    }
}
