import DSL
import Foundation

/// The rules a call declares between its arguments (`low < high`, positive log bounds,
/// split fractions summing to 1, nesterov needing momentum, increasing milestones, list
/// lengths), checked on the resolved values. Separate from argument matching: each rule
/// relates several values, where matching checks one argument at a time.
extension CheckerRun {
    func checkRules(_ rules: [CallRule], _ fields: [Value.Field], callName: String, span: Span) -> Bool {
        func field(_ name: String) -> Value? { fields.first { $0.name == name }?.value }
        var ok = true
        for rule in rules {
            switch rule {
            case .ordered(let a, let b):
                if let x = field(a)?.number, let y = field(b)?.number, x >= y {
                    emit(CheckerDiagnostics.rangeBoundsOrder(call: callName, low: Value.format(x), high: Value.format(y), span: span))
                    ok = false
                }
            case .positiveBounds(let a, let b):
                for name in [a, b] {
                    if let v = field(name), let x = v.number, x <= 0 {
                        emit(CheckerDiagnostics.outOfRange(what: "`\(name)` of `\(callName)`", value: Value.format(x), expected: "a number > 0 (a log-uniform range is positive)", span: v.span))
                        ok = false
                        break
                    }
                }
            case .fractionsSumToOne(let names):
                let parts = names.compactMap { field($0)?.number }
                guard parts.count == names.compactMap({ field($0) }).count else { break }
                let sum = parts.reduce(0, +)
                if abs(sum - 1) > 1e-9 {
                    emit(CheckerDiagnostics.splitFractionsSum(sum: sum, parts: parts.map(Value.format).joined(separator: " + "), span: span))
                    ok = false
                }
            case .nesterovNeedsMomentum:
                if let nesterov = field("nesterov"), nesterov.bool == true {
                    let momentum = field("momentum")?.number ?? 0, dampening = field("dampening")?.number ?? 0
                    if momentum == 0 || dampening != 0 {
                        emit(CheckerDiagnostics.nesterovNeedsMomentum(span: nesterov.span))
                        ok = false
                    }
                }
            case .increasing(let name):
                guard let items = field(name)?.list else { break }
                for (prev, item) in zip(items, items.dropFirst()) {
                    switch (prev.kind, item.kind) {
                    case (.quantity(let a, let ua), .quantity(let b, let ub)) where ua == ub && b <= a:
                        emit(CheckerDiagnostics.notIncreasing(what: "`\(name)` of `\(callName)`", span: item.span))
                        ok = false
                    default: break
                    }
                }
            case .notAllZero(let name):
                if let v = field(name), let items = v.list, items.allSatisfy({ $0.number == 0 }) {
                    emit(CheckerDiagnostics.classWeightsAllZero(call: callName, span: v.span))
                    ok = false
                }
            case .count(let name, let n):
                if let v = field(name), let items = v.list, items.count != n {
                    emit(CheckerDiagnostics.wrongListLength(what: "`\(name)` of `\(callName)`", expected: n, found: items.count, span: v.span))
                    ok = false
                }
            }
        }
        return ok
    }
}
