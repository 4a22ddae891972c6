import DSL
import Foundation

/// Calls (`adamw(lr: 3e-4)`, a bare `relu`) and records: the callee looked up in its family,
/// arguments matched to parameters by label or position, each resolved against its type,
/// defaults filled. Separate from the per-type dispatch because records, generators, losses
/// and `random` sweeps reuse the argument matching.
extension CheckerRun {
    /// A call of `family`, or a bare name of a call without required parameters (`standardize`, `relu`).
    func resolveCall(_ expr: Expr, family: String, what: String, example: String?, generators: Bool) -> Value? {
        let callee: DottedName, args: [Argument], isBare: Bool
        switch expr.kind {
        case .call(let c, let a): (callee, args, isBare) = (c, a, false)
        case .reference(let d) where d.parts.count == 1: (callee, args, isBare) = (d, [], true)
        case .invalid: return nil
        default:
            mismatch(expr, what: what, expected: ValueType.call(family: family).text, example: example)
            return nil
        }
        let name = callee.text
        guard let spec = LanguageSchema.call(name, in: family) else {
            let valid = LanguageSchema.calls(in: family).map(\.name)
            emit(CheckerDiagnostics.unknownCall(name: name, family: family, valid: valid, suggestion: Suggestions.closest(to: name, in: valid),
                                                elsewhere: LanguageSchema.otherFamilies(of: name, besides: family), span: callee.span))
            return nil
        }
        if isBare, let required = spec.params.first(where: \.isRequired) {
            emit(CheckerDiagnostics.missingArgument(param: required.name, call: name, example: spec.example, span: expr.span))
            return nil
        }
        guard let named = resolveArguments(of: spec, args: args, span: expr.span, generators: generators) else { return nil }
        return Value(.call(name: name, positional: [], named: named), span: expr.span)
    }

    /// The arguments of a call of `spec` (a callable or a generator), matched and checked.
    func resolveArguments(of spec: CallSpec, args: [Argument], span: Span, generators: Bool) -> [Value.Field]? {
        resolveArguments(spec.params, rules: spec.rules, owner: "`\(spec.name)`", noun: "argument", args: args, span: span, example: spec.example, generators: generators, callName: spec.name)
    }

    /// Matches arguments (or record fields) to parameters, resolves each,
    /// fills defaults and checks the call's rules.
    func resolveArguments(_ params: [ParamSpec], rules: [CallRule], owner: String, noun: String, args: [Argument], span: Span, example: String, generators: Bool, callName: String? = nil) -> [Value.Field]? {
        // Messages that quote the call themselves take its bare name.
        let bareCallName = callName ?? owner.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        var given: [String: (label: Span, value: Expr)] = [:]
        // Parameters given by position have no label to point at.
        var byPosition = Set<String>()
        var ok = true
        let positionalParams = params.filter(\.positional)
        var nextPositional = 0
        for arg in args {
            if let label = arg.label {
                guard let param = params.first(where: { $0.name == label.name }) else {
                    let valid = params.map(\.name)
                    var owners: [String] = []
                    if let callName, let family = LanguageSchema.calls.first(where: { $0.name == callName && $0.params.map(\.name) == valid })?.family {
                        owners = LanguageSchema.calls(in: family).filter { $0.param(label.name) != nil }.map(\.name)
                    }
                    emit(CheckerDiagnostics.unknownArgument(name: label.name, call: bareCallName, valid: valid,
                                                            suggestion: Suggestions.closest(to: label.name, in: valid), owners: owners, span: label.span))
                    ok = false
                    continue
                }
                if let first = given[param.name] {
                    emit(CheckerDiagnostics.duplicateArgument(name: param.name, call: callName ?? owner, span: label.span, first: first.label))
                    ok = false
                    continue
                }
                given[param.name] = (label.span, arg.value)
            } else {
                // Positional arguments fill the positional parameters not yet named.
                while nextPositional < positionalParams.count, given[positionalParams[nextPositional].name] != nil { nextPositional += 1 }
                guard nextPositional < positionalParams.count else {
                    emit(CheckerDiagnostics.tooManyArguments(call: callName ?? owner, max: positionalParams.count, example: example, span: arg.value.span))
                    ok = false
                    continue
                }
                given[positionalParams[nextPositional].name] = (arg.value.span, arg.value)
                byPosition.insert(positionalParams[nextPositional].name)
                nextPositional += 1
            }
        }
        var fields: [Value.Field] = []
        for param in params {
            let paramWhat = callName.map { "`\(param.name)` of `\($0)`" } ?? "`\(param.name)` of \(owner)"
            if let (label, valueExpr) = given[param.name] {
                let paramExample = param.example.isEmpty ? nil : "\(param.name): \(param.example)"
                if let v = resolve(valueExpr, param.type, what: paramWhat, example: paramExample, generators: generators) {
                    fields.append(Value.Field(param.name, v.with(origin: .written(key: byPosition.contains(param.name) ? nil : label))))
                } else {
                    ok = false
                }
            } else {
                switch param.presence {
                case .required:
                    emit(CheckerDiagnostics.missingArgument(param: param.name, call: bareCallName, example: example, span: span))
                    ok = false
                case .defaulted(var v):
                    v.span = span
                    fields.append(Value.Field(param.name, v.with(origin: .schemaDefault)))
                case .optional:
                    break
                }
            }
        }
        guard ok else { return nil }
        return checkRules(rules, fields, callName: callName ?? owner, span: span) ? fields : nil
    }
}
