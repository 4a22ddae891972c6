import DSL
import Foundation

/// Random-sweep generators standing for a value (`choice(…)`, `uniform(a, b)`, `int(a, b)`, …):
/// what they draw must fit the setting's type, and their bounds its range. Separate because
/// only a `random` sweep admits them and their checks are against the axis, not a call's own.
extension CheckerRun {
    func resolveGenerator(_ expr: Expr, name: String, args: [Argument], type: ValueType, what: String, example: String?) -> Value? {
        if name == "choice" {
            if args.isEmpty {
                emit(CheckerDiagnostics.emptyList(what: "`choice` for \(what)", span: expr.span))
                return nil
            }
            let values = resolveEach(args) { arg -> Value? in
                if let label = arg.label {
                    emit(CheckerDiagnostics.unknownArgument(name: label.name, call: "choice", valid: [], suggestion: nil, owners: [], span: label.span))
                    return nil
                }
                return resolve(arg.value, type, what: what, example: example, generators: true)
            }
            return values.map { Value(.call(name: "choice", positional: $0, named: []), span: expr.span) }
        }
        guard let spec = LanguageSchema.call(name, in: "generator") else { return nil }
        guard case .number(let range) = type else {
            emit(CheckerDiagnostics.typeMismatch(what: what, expected: type.text, found: "`\(name)(...)`, which draws numbers", example: example, span: expr.span))
            return nil
        }
        if name != "int", range.integer {
            emit(CheckerDiagnostics.typeMismatch(what: what, expected: type.text, found: "`\(name)(...)`, which draws fractional numbers", example: "int(a, b)", span: expr.span))
            return nil
        }
        guard let named = resolveArguments(of: spec, args: args, span: expr.span, generators: false) else { return nil }
        // Both bounds must be valid values of the axis.
        var ok = true
        for field in named {
            if let n = field.value.number, !checkRange(n, NumberRange(lower: range.lower, lowerInclusive: range.lowerInclusive, upper: range.upper, upperInclusive: name == "int" ? range.upperInclusive : true, integer: false), what: "the bound `\(field.name)` of `\(name)` for \(what)", span: field.value.span) {
                ok = false
            }
        }
        return ok ? Value(.call(name: name, positional: [], named: named), span: expr.span) : nil
    }
}
