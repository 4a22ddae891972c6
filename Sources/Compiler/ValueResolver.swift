import DSL

// This file: resolution dispatched by the expected type, and the helpers all kinds share.
// Each kind with rules of its own (numbers, calls and their rules, generators, steps,
// metrics, the loss, data filters) has a ValueResolver+*.swift file.

/// Type-checks expressions against schema types and turns them into canonical values.
extension CheckerRun {
    /// Checks `expr` against `type`; returns its canonical value, or nil after reporting why not.
    /// `what` names the setting in messages ("`lr` of `adamw`"); `example` is a valid spelling.
    /// With `generators`, random-sweep generators may stand for any value.
    func resolve(_ expr: Expr, _ type: ValueType, what: String, example: String?, generators: Bool = false) -> Value? {
        if case .invalid = expr.kind { return nil }
        if case .call(let callee, let args) = expr.kind, callee.parts.count == 1,
           LanguageSchema.generatorNames.contains(callee.text) {
            if generators { return resolveGenerator(expr, name: callee.text, args: args, type: type, what: what, example: example) }
            emit(CheckerDiagnostics.generatorOutsideRandom(name: callee.text, span: callee.span))
            return nil
        }
        switch type {
        case .number(let range):
            guard let n = evaluateNumber(expr, what: what, expected: type.text, example: example) else { return nil }
            guard checkRange(n, range, what: what, span: expr.span, written: file.text(expr.span)) else { return nil }
            return Value(.number(n), span: expr.span)
        case .bool:
            if case .bool(let b) = expr.kind { return Value(.bool(b), span: expr.span) }
            mismatch(expr, what: what, expected: type.text, example: example)
            return nil
        case .string, .path, .column, .formatted:
            if case .string(let s) = expr.kind {
                if case .formatted(let format) = type { return resolveFormatted(s, format, what: what, span: expr.span) }
                return Value(.string(s), span: expr.span)
            }
            if case .reference(let dotted) = expr.kind {
                emit(CheckerDiagnostics.typeMismatch(what: what, expected: type.text, found: describe(expr), example: example, span: expr.span,
                                                     fixIts: [FixIt(span: expr.span, replacement: "\"\(dotted.text)\"")]))
                return nil
            }
            mismatch(expr, what: what, expected: type.text, example: example)
            return nil
        case .symbol(let names):
            if case .reference(let dotted) = expr.kind, dotted.parts.count == 1 {
                let name = dotted.text
                if names.contains(name) { return Value(.symbol(name), span: expr.span) }
                emit(CheckerDiagnostics.unknownSymbol(name: name, what: what, valid: names, suggestion: Suggestions.closest(to: name, in: names), span: expr.span))
                return nil
            }
            if case .string(let s) = expr.kind, names.contains(s) {
                emit(CheckerDiagnostics.typeMismatch(what: what, expected: type.text, found: describe(expr), example: example, span: expr.span,
                                                     fixIts: [FixIt(span: expr.span, replacement: s)]))
                return nil
            }
            mismatch(expr, what: what, expected: type.text, example: example)
            return nil
        case .metric:
            return resolveMetric(expr, what: what, example: example)
        case .reference(let kind):
            guard case .reference(let dotted) = expr.kind, dotted.parts.count == 1 else {
                mismatch(expr, what: what, expected: type.text, example: example)
                return nil
            }
            guard let name = lookUp(kind, dotted.parts[0]) else { return nil }
            return Value(.symbol(name), span: expr.span)
        case .list(let element, let nonEmpty):
            guard case .list(let items) = expr.kind else {
                mismatch(expr, what: what, expected: type.text, example: example)
                return nil
            }
            if nonEmpty, items.isEmpty {
                emit(CheckerDiagnostics.emptyList(what: what, span: expr.span))
                return nil
            }
            guard let values = resolveEach(items, { resolve($0, element, what: "an element of \(what)", example: nil, generators: generators) }) else { return nil }
            return Value(.list(values), span: expr.span)
        case .record(let fields):
            guard case .record(let given) = expr.kind else {
                mismatch(expr, what: what, expected: type.text, example: example)
                return nil
            }
            let args = given.map { Argument(label: $0.name, value: $0.value) }
            guard let named = resolveArguments(fields, rules: [], owner: what, noun: "field", args: args, span: expr.span, example: example ?? "", generators: generators) else { return nil }
            return Value(.record(named), span: expr.span)
        case .call(let family):
            return resolveCall(expr, family: family, what: what, example: example, generators: generators)
        case .steps(let fraction):
            return resolveSteps(expr, fraction: fraction, what: what, example: example)
        case .anyOf(let types):
            if let fitting = types.first(where: { accepts($0, expr) }) {
                return resolve(expr, fitting, what: what, example: example, generators: generators)
            }
            if case .call = expr.kind, let callType = types.first(where: { if case .call = $0 { return true } else { return false } }) {
                return resolve(expr, callType, what: what, example: example, generators: generators)
            }
            mismatch(expr, what: what, expected: type.text, example: example)
            return nil
        case .loss:
            return resolveLoss(expr, what: what, generators: generators)
        case .dataset:
            return resolveDataset(expr, what: what, example: example)
        case .layers:
            guard case .list(let items) = expr.kind else {
                mismatch(expr, what: what, expected: type.text, example: example)
                return nil
            }
            guard let values = resolveEach(items, { resolveCall($0, family: "layer", what: "a layer", example: "dense(64, activation: relu)", generators: generators) }) else { return nil }
            return Value(.list(values), span: expr.span)
        }
    }

    /// Whether the expression has the shape of `type` (used to pick among alternatives).
    func accepts(_ type: ValueType, _ expr: Expr) -> Bool {
        switch (type, expr.kind) {
        case (.reference, .reference), (.symbol, .reference), (.metric, .reference): return true
        case (.call(let family), .call(let callee, _)): return LanguageSchema.call(callee.text, in: family) != nil
        case (.string, .string), (.path, .string), (.column, .string), (.formatted, .string), (.bool, .bool): return true
        case (.number, .number), (.number, .unary), (.number, .binary): return true
        case (.list, .list), (.layers, .list), (.record, .record): return true
        default: return false
        }
    }

    // MARK: Helpers

    /// Resolves every item, reporting each one that fails (not only the first); nil if any failed.
    func resolveEach<Item>(_ items: [Item], _ resolveItem: (Item) -> Value?) -> [Value]? {
        var values: [Value] = [], ok = true
        for item in items {
            if let v = resolveItem(item) { values.append(v) } else { ok = false }
        }
        return ok ? values : nil
    }

    /// Resolves a declaration name, reporting unknown names with a suggestion.
    func lookUp(_ kind: DeclarationKind, _ id: Identifier) -> String? {
        let names = declarationOrder[kind] ?? []
        if declarations[kind]?[id.name] != nil {
            used.insert("\(kind.rawValue):\(id.name)")
            return id.name
        }
        emit(CheckerDiagnostics.referenceNotFound(kind: kind.rawValue, name: id.name, candidates: names, suggestion: Suggestions.closest(to: id.name, in: names), span: id.span))
        return nil
    }

    func mismatch(_ expr: Expr, what: String, expected: String, example: String?) {
        if case .invalid = expr.kind { return }
        emit(CheckerDiagnostics.typeMismatch(what: what, expected: expected, found: describe(expr), example: example, span: expr.span))
    }

    /// How messages name what was found.
    func describe(_ expr: Expr) -> String {
        switch expr.kind {
        case .number(_, let text): return "the number `\(text)`"
        case .quantity: return "the count `\(file.text(expr.span))`"
        case .string(let s): return "the string \"\(s)\""
        case .bool(let b): return "`\(b)`"
        case .reference(let d): return "the name `\(d.text)`"
        case .list: return "a list"
        case .record: return "a record"
        case .call(let callee, _): return "a call of `\(callee.text)`"
        case .unary, .binary: return "the expression `\(file.text(expr.span))`"
        case .filter: return "a filtered data reference"
        case .invalid: return "nothing"
        }
    }
}

import Foundation
import Plan
import Support
