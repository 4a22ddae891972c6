import DSL
import Foundation

/// The loss expression (`cross_entropy() + 1e-4 * l2()`): one base loss plus weighted
/// penalties, folded into the base loss's call value. Separate: the only kind built from
/// arithmetic over calls.
extension CheckerRun {
    func resolveLoss(_ expr: Expr, what: String, generators: Bool) -> Value? {
        var terms: [Expr] = []
        func flatten(_ e: Expr) {
            if case .binary(.add, let l, let r) = e.kind { flatten(l); flatten(r) } else { terms.append(e) }
        }
        flatten(expr)
        var base: Value?
        var penalties: [String: (Double, Span)] = [:]
        var ok = true
        for term in terms {
            var weightExpr: Expr?, callExpr = term
            if case .binary(.multiply, let l, let r) = term.kind {
                if case .call = r.kind { (weightExpr, callExpr) = (l, r) } else if case .call = l.kind { (weightExpr, callExpr) = (r, l) }
            }
            if case .binary(.subtract, _, _) = term.kind {
                emit(CheckerDiagnostics.lossInvalid(problem: "terms are added with `+`", span: term.span))
                ok = false
                continue
            }
            guard case .call(let callee, let args) = callExpr.kind else {
                if case .invalid = callExpr.kind { ok = false; continue }
                emit(CheckerDiagnostics.lossInvalid(problem: "\(describe(callExpr)) is not a loss term", span: callExpr.span))
                ok = false
                continue
            }
            let name = callee.text
            if LanguageSchema.call(name, in: "penalty") != nil {
                var weight = 1.0
                if let weightExpr {
                    guard let w = evaluateNumber(weightExpr, what: "the weight of `\(name)()`", expected: "a number > 0", example: "1e-4 * \(name)()"),
                          checkRange(w, .positive, what: "the weight of `\(name)()`", span: weightExpr.span) else { ok = false; continue }
                    weight = w
                }
                if !args.isEmpty {
                    emit(CheckerDiagnostics.tooManyArguments(call: name, max: 0, example: "1e-4 * \(name)()", span: args[0].span))
                    ok = false
                    continue
                }
                let previous = penalties[name]?.0 ?? 0
                penalties[name] = (previous + weight, term.span)
                continue
            }
            if weightExpr != nil, LanguageSchema.call(name, in: "loss") != nil {
                emit(CheckerDiagnostics.lossInvalid(problem: "the base loss cannot be weighted; weight the penalties instead", span: term.span))
                ok = false
                continue
            }
            guard let v = resolveCall(callExpr, family: "loss", what: what, example: "cross_entropy()", generators: generators) else { ok = false; continue }
            if base != nil {
                emit(CheckerDiagnostics.lossInvalid(problem: "a second base loss `\(name)()`", span: callExpr.span))
                ok = false
                continue
            }
            base = v
        }
        guard ok else { return nil }
        guard var result = base else {
            emit(CheckerDiagnostics.lossInvalid(problem: "no base loss", span: expr.span))
            return nil
        }
        for name in ["l1", "l2"] {
            if let (weight, span) = penalties[name] { result = result.setting(name, to: Value(.number(weight), span: span)) }
        }
        result.span = expr.span
        return result
    }
}
