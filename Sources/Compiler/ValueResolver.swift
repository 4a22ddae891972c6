import DSL

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
        case .string, .path, .column:
            if case .string(let s) = expr.kind { return Value(.string(s), span: expr.span) }
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
            var values: [Value] = [], ok = true
            for item in items {
                if let v = resolve(item, element, what: "an element of \(what)", example: nil, generators: generators) { values.append(v) } else { ok = false }
            }
            return ok ? Value(.list(values), span: expr.span) : nil
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
            var values: [Value] = [], ok = true
            for item in items {
                if let v = resolveCall(item, family: "layer", what: "a layer", example: "dense(64, activation: relu)", generators: generators) { values.append(v) } else { ok = false }
            }
            return ok ? Value(.list(values), span: expr.span) : nil
        }
    }

    /// Whether the expression has the shape of `type` (used to pick among alternatives).
    func accepts(_ type: ValueType, _ expr: Expr) -> Bool {
        switch (type, expr.kind) {
        case (.reference, .reference), (.symbol, .reference), (.metric, .reference): return true
        case (.call(let family), .call(let callee, _)): return LanguageSchema.call(callee.text, in: family) != nil
        case (.string, .string), (.path, .string), (.column, .string), (.bool, .bool): return true
        case (.number, .number), (.number, .unary), (.number, .binary): return true
        case (.list, .list), (.layers, .list), (.record, .record): return true
        default: return false
        }
    }

    // MARK: Numbers

    /// Folds numeric arithmetic (`1 / 16`, `-3e-4`); reports non-numbers.
    func evaluateNumber(_ expr: Expr, what: @autoclosure () -> String, expected: @autoclosure () -> String, example: String?) -> Double? {
        switch expr.kind {
        case .number(let value, _):
            return value
        case .unary(.negate, let operand):
            return evaluateNumber(operand, what: what(), expected: expected(), example: example).map { -$0 }
        case .binary(let op, let lhs, let rhs) where [.add, .subtract, .multiply, .divide].contains(op):
            let a = evaluateNumber(lhs, what: what(), expected: expected(), example: example)
            let b = evaluateNumber(rhs, what: what(), expected: expected(), example: example)
            guard let a, let b else { return nil }
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            default:
                if b == 0 {
                    emit(CheckerDiagnostics.divisionByZero(span: expr.span))
                    return nil
                }
                return a / b
            }
        case .invalid:
            return nil
        default:
            mismatch(expr, what: what(), expected: expected(), example: example)
            return nil
        }
    }

    func checkRange(_ n: Double, _ range: NumberRange, what: String, span: Span, written: String? = nil) -> Bool {
        if range.contains(n) { return true }
        let expected = ValueType.number(range).text
        emit(CheckerDiagnostics.outOfRange(what: what, value: written ?? Value.format(n), expected: expected, span: span))
        return false
    }

    // MARK: Calls

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
        guard let named = resolveArguments(spec.params, rules: spec.rules, owner: "`\(name)`", noun: "argument", args: args, span: expr.span, example: spec.example, generators: generators, callName: name) else { return nil }
        return Value(.call(name: name, positional: [], named: named), span: expr.span)
    }

    /// Matches arguments (or record fields) to parameters, resolves each,
    /// fills defaults and checks the call's rules.
    func resolveArguments(_ params: [ParamSpec], rules: [CallRule], owner: String, noun: String, args: [Argument], span: Span, example: String, generators: Bool, callName: String? = nil) -> [Value.Field]? {
        var given: [String: (label: Span, value: Expr)] = [:]
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
                    emit(CheckerDiagnostics.unknownArgument(name: label.name, call: callName ?? owner.trimmingCharacters(in: CharacterSet(charactersIn: "`")), valid: valid,
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
                nextPositional += 1
            }
        }
        var fields: [Value.Field] = []
        for param in params {
            let paramWhat = callName.map { "`\(param.name)` of `\($0)`" } ?? "`\(param.name)` of \(owner)"
            if let (_, valueExpr) = given[param.name] {
                let paramExample = param.example.isEmpty ? nil : "\(param.name): \(param.example)"
                if let v = resolve(valueExpr, param.type, what: paramWhat, example: paramExample, generators: generators) {
                    fields.append(Value.Field(param.name, v))
                } else {
                    ok = false
                }
            } else {
                switch param.presence {
                case .required:
                    emit(CheckerDiagnostics.missingArgument(param: param.name, call: callName ?? owner.trimmingCharacters(in: CharacterSet(charactersIn: "`")), example: example, span: span))
                    ok = false
                case .defaulted(var v):
                    v.span = span
                    fields.append(Value.Field(param.name, v))
                case .optional:
                    break
                }
            }
        }
        guard ok else { return nil }
        return checkRules(rules, fields, callName: callName ?? owner, span: span) ? fields : nil
    }

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
            case .count(let name, let n):
                if let v = field(name), let items = v.list, items.count != n {
                    emit(CheckerDiagnostics.wrongListLength(what: "`\(name)` of `\(callName)`", expected: n, found: items.count, span: v.span))
                    ok = false
                }
            }
        }
        return ok
    }

    // MARK: Generators

    func resolveGenerator(_ expr: Expr, name: String, args: [Argument], type: ValueType, what: String, example: String?) -> Value? {
        if name == "choice" {
            if args.isEmpty {
                emit(CheckerDiagnostics.emptyList(what: "`choice` for \(what)", span: expr.span))
                return nil
            }
            var values: [Value] = [], ok = true
            for arg in args {
                if let label = arg.label {
                    emit(CheckerDiagnostics.unknownArgument(name: label.name, call: "choice", valid: [], suggestion: nil, owners: [], span: label.span))
                    ok = false
                    continue
                }
                if let v = resolve(arg.value, type, what: what, example: example, generators: true) { values.append(v) } else { ok = false }
            }
            return ok ? Value(.call(name: "choice", positional: values, named: []), span: expr.span) : nil
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
        guard let named = resolveArguments(spec.params, rules: spec.rules, owner: "`\(name)`", noun: "argument", args: args, span: expr.span, example: spec.example, generators: false, callName: name) else { return nil }
        // Both bounds must be valid values of the axis.
        var ok = true
        for field in named {
            if let n = field.value.number, !checkRange(n, NumberRange(lower: range.lower, lowerInclusive: range.lowerInclusive, upper: range.upper, upperInclusive: name == "int" ? range.upperInclusive : true, integer: false), what: "the bound `\(field.name)` of `\(name)` for \(what)", span: field.value.span) {
                ok = false
            }
        }
        return ok ? Value(.call(name: name, positional: [], named: named), span: expr.span) : nil
    }

    // MARK: Steps

    func resolveSteps(_ expr: Expr, fraction: Bool, what: String, example: String?) -> Value? {
        if case .quantity(let amount, let unit) = expr.kind {
            let canonical: String
            switch unit.name {
            case "steps", "step": canonical = "steps"
            case "epochs", "epoch": canonical = "epochs"
            default:
                emit(CheckerDiagnostics.unknownUnit(unit: unit.name, suggestion: Suggestions.closest(to: unit.name, in: LanguageSchema.unitNames + ["step", "epoch"]), span: unit.span))
                return nil
            }
            guard let n = evaluateNumber(amount, what: what, expected: "a count", example: example) else { return nil }
            guard checkRange(n, NumberRange(lower: fraction ? 0 : 1, integer: true), what: what, span: amount.span) else { return nil }
            return Value(.quantity(n, unit: canonical), span: expr.span)
        }
        guard let n = evaluateNumber(expr, what: what, expected: ValueType.steps(fraction: fraction).text, example: example) else { return nil }
        if fraction {
            if n >= 0, n < 1 { return Value(.number(n), span: expr.span) }
            if n >= 1, n == n.rounded(), case .number = expr.kind {
                emit(CheckerDiagnostics.warmupNeedsUnit(value: Value.format(n), span: expr.span))
                return nil
            }
            _ = checkRange(n, .unitOpen, what: what, span: expr.span)
            return nil
        }
        guard checkRange(n, .count, what: what, span: expr.span) else { return nil }
        return Value(.quantity(n, unit: "steps"), span: expr.span)
    }

    // MARK: Metrics

    func resolveMetric(_ expr: Expr, what: String, example: String?) -> Value? {
        guard case .reference(let dotted) = expr.kind else {
            mismatch(expr, what: what, expected: ValueType.metric.text, example: example)
            return nil
        }
        let parts = dotted.parts
        if parts.count == 1 {
            let name = parts[0].name
            let suggestion = LanguageSchema.metricNames.contains(name) ? "valid.\(name)" : nil
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "a metric names its split", suggestion: suggestion, span: dotted.span))
            return nil
        }
        if parts.count != 2 {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "expected SPLIT.NAME", suggestion: nil, span: dotted.span))
            return nil
        }
        let split = parts[0], name = parts[1]
        if !LanguageSchema.splitNames.contains(split.name) {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "`\(split.name)` is not a split", suggestion: Suggestions.closest(to: split.name, in: LanguageSchema.splitNames), span: split.span))
            return nil
        }
        if !LanguageSchema.metricNames.contains(name.name) {
            emit(CheckerDiagnostics.unknownMetric(text: dotted.text, problem: "`\(name.name)` is not a metric", suggestion: Suggestions.closest(to: name.name, in: LanguageSchema.metricNames), span: name.span))
            return nil
        }
        metricUses.append(MetricUse(split: split.name, name: name.name, span: dotted.span, context: what))
        return Value(.symbol(dotted.text), span: expr.span)
    }

    // MARK: Loss

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

    // MARK: Data references and filters

    func resolveDataset(_ expr: Expr, what: String, example: String?) -> Value? {
        switch expr.kind {
        case .reference(let dotted) where dotted.parts.count == 1:
            guard let name = lookUp(.data, dotted.parts[0]) else { return nil }
            return Value(.symbol(name), span: expr.span)
        case .filter(let base, let condition):
            guard case .reference(let dotted) = base.kind, dotted.parts.count == 1 else {
                mismatch(base, what: what, expected: "the name of a data declaration", example: example)
                return nil
            }
            guard let name = lookUp(.data, dotted.parts[0]) else { return nil }
            guard let c = resolveCondition(condition, data: checkedData[name]) else { return nil }
            return Value(.call(name: "where", positional: [Value(.symbol(name), span: base.span), c], named: []), span: expr.span)
        case .invalid:
            return nil
        default:
            mismatch(expr, what: what, expected: ValueType.dataset.text, example: example)
            return nil
        }
    }

    func resolveCondition(_ expr: Expr, data: CheckedData?) -> Value? {
        switch expr.kind {
        case .binary(let op, let l, let r) where op == .and || op == .or:
            let a = resolveCondition(l, data: data), b = resolveCondition(r, data: data)
            guard let a, let b else { return nil }
            return Value(.call(name: op.rawValue, positional: [a, b], named: []), span: expr.span)
        case .unary(.not, let operand):
            guard let c = resolveCondition(operand, data: data) else { return nil }
            return Value(.call(name: "not", positional: [c], named: []), span: expr.span)
        case .binary(let op, let l, let r) where op.precedence == 3:
            let a = resolveOperand(l, data: data), b = resolveOperand(r, data: data)
            guard let a, let b else { return nil }
            return Value(.call(name: op.rawValue, positional: [a, b], named: []), span: expr.span)
        case .invalid:
            return nil
        default:
            emit(CheckerDiagnostics.typeMismatch(what: "a `where` filter", expected: "a condition on columns", found: describe(expr), example: "digits where label >= 5", span: expr.span))
            return nil
        }
    }

    func resolveOperand(_ expr: Expr, data: CheckedData?) -> Value? {
        switch expr.kind {
        case .reference(let dotted) where dotted.parts.count == 1:
            let column = dotted.text
            if let data, let columns = data.columns, !columns.contains(column) {
                emit(CheckerDiagnostics.columnNotFound(column: column, data: data.name, file: data.path, columns: columns,
                                                       suggestion: Suggestions.closest(to: column, in: columns), quoted: false, span: expr.span))
                return nil
            }
            return Value(.symbol(column), span: expr.span)
        case .string(let s):
            return Value(.string(s), span: expr.span)
        case .invalid:
            return nil
        default:
            guard let n = evaluateNumber(expr, what: "a `where` filter", expected: "a column, number or string", example: "label >= 5") else { return nil }
            return Value(.number(n), span: expr.span)
        }
    }

    // MARK: Helpers

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
