import DSL
import Foundation
import Plan

/// The loss expression (`0.7 * cross_entropy() + 0.3 * focal(gamma: 2) + 1e-4 * l2()`):
/// weighted criteria on one target plus weighted penalties. Separate: the only kind
/// built from arithmetic over calls.
///
/// The resolved value of one criterion of weight 1 is that criterion's call (so old
/// experiments resolve, lower and hash as before); anything else is a `sum` call of
/// `weight * criterion` terms. Penalties become `l1`/`l2` arguments of either.
extension CheckerRun {
    func resolveLoss(_ expr: Expr, what: String, generators: Bool) -> Value? {
        var terms: [Expr] = []
        func flatten(_ e: Expr) {
            if case .binary(.add, let l, let r) = e.kind { flatten(l); flatten(r) } else { terms.append(e) }
        }
        flatten(expr)
        var criteria: [(weight: Double, call: Value, span: Span)] = []
        var penalties: [String: (weight: Double, span: Span, callee: Span)] = [:]
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
            var weight = 1.0
            if let weightExpr {
                guard let w = evaluateNumber(weightExpr, what: "the weight of `\(name)()`", expected: "a number > 0", example: "0.5 * \(name)()"),
                      checkRange(w, .positive, what: "the weight of `\(name)()`", span: weightExpr.span) else { ok = false; continue }
                weight = w
            }
            if LanguageSchema.call(name, in: "penalty") != nil {
                if !args.isEmpty {
                    emit(CheckerDiagnostics.tooManyArguments(call: name, max: 0, example: "1e-4 * \(name)()", span: args[0].span))
                    ok = false
                    continue
                }
                let previous = penalties[name]?.weight ?? 0
                penalties[name] = (previous + weight, term.span, callee.span)
                continue
            }
            guard let v = resolveCall(callExpr, family: "loss", what: what, example: "cross_entropy()", generators: generators) else { ok = false; continue }
            criteria.append((weight, v, term.span))
        }
        guard ok else { return nil }
        guard let first = criteria.first else {
            emit(CheckerDiagnostics.lossInvalid(problem: "no criterion (`cross_entropy()`, `focal()`, `mse()` or `bce()`)", span: expr.span))
            return nil
        }
        // Every criterion reads the same target and the same predictions.
        let target = first.call.callName.flatMap(TrialLowering.target(ofLoss:))
        for other in criteria.dropFirst() {
            guard let target, let name = other.call.callName, let t = TrialLowering.target(ofLoss: name), t != target else { continue }
            emit(CheckerDiagnostics.lossTargetsDiffer(first: first.call.callName ?? "", firstTarget: Self.targetText(target),
                                                      other: name, otherTarget: Self.targetText(t), span: other.span, firstSpan: first.span))
            return nil
        }
        var result: Value
        if criteria.count == 1, first.weight == 1 {
            result = first.call
        } else {
            let summed = criteria.map { Value(.call(name: "*", positional: [Value(.number($0.weight), span: $0.span), $0.call], named: []), span: $0.span) }
            result = Value(.call(name: "sum", positional: summed, named: []), span: expr.span)
        }
        for name in ["l1", "l2"] {
            if let (weight, span, callee) = penalties[name] {
                result = result.setting(name, to: Value(.number(weight), span: span).with(origin: .written(key: callee)))
            }
        }
        result.span = expr.span
        return result
    }

    /// The call a loss expression resolves to, from syntax: `sum` for a weighted or
    /// several-criteria sum, else its one criterion (`cross_entropy() + 1e-4 * l2()`).
    static func lossCallName(_ expr: Expr) -> String? {
        var criteria: [String] = []
        var weighted = false
        func visit(_ e: Expr) {
            switch e.kind {
            case .binary(.add, let l, let r): visit(l); visit(r)
            case .binary(.multiply, let l, let r):
                for side in [l, r] {
                    if case .call(let callee, _) = side.kind, LanguageSchema.call(callee.text, in: "penalty") == nil {
                        criteria.append(callee.text)
                        weighted = true
                    }
                }
            case .call(let callee, _) where LanguageSchema.call(callee.text, in: "penalty") == nil: criteria.append(callee.text)
            default: break
            }
        }
        visit(expr)
        if criteria.count > 1 || weighted { return "sum" }
        return criteria.first
    }

    static func targetText(_ target: TargetKind) -> String {
        switch target {
        case .classes: return "class ids"
        case .binary: return "a 0/1 label"
        case .regression: return "a number"
        }
    }
}

extension Value {
    /// The criteria of a resolved loss with their factors: one `(1, call)` for a
    /// single criterion, the terms of a `sum` otherwise.
    public var lossCriteria: [(weight: Double, call: Value)] {
        guard case .call(let name, let positional, _) = kind else { return [] }
        guard name == "sum" else { return [(1, self)] }
        return positional.compactMap { term in
            guard case .call("*", let pair, _) = term.kind, pair.count == 2, let w = pair[0].number else { return nil }
            return (w, pair[1])
        }
    }
}
