import DSL
import Plan

/// Moving a kept stage's results to where its unchanged block now is: an edit above a stage
/// that adds or removes characters moves the stage, and every span in its draft, checked
/// stage and diagnostics moves with it. `SpanMoves` says, for each moved stage, where its
/// block was and by how much it moved; a span outside every moved block stays (it is in a
/// declaration that did not move: the surroundings are compared with their places).
struct SpanMoves {
    /// Old block ranges, sorted by start, and how far each moved.
    var moves: [(old: Span, delta: Int)] = []

    var isEmpty: Bool { moves.isEmpty }

    func callAsFunction(_ span: Span) -> Span {
        // Binary search: the last block starting at or before the span.
        var low = 0, high = moves.count
        while low < high {
            let mid = (low + high) / 2
            if moves[mid].old.start <= span.start { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return span }
        let (old, delta) = moves[low - 1]
        guard span.end <= old.end else { return span }
        return Span(start: span.start + delta, end: span.end + delta)
    }
}

// MARK: Syntax

extension Identifier {
    func moved(_ m: SpanMoves) -> Identifier { Identifier(name, span: m(span)) }
}

extension DottedName {
    func moved(_ m: SpanMoves) -> DottedName { DottedName(parts.map { $0.moved(m) }) }
}

extension Expr {
    func moved(_ m: SpanMoves) -> Expr {
        let kind: ExprKind
        switch self.kind {
        case .number, .string, .bool, .invalid: kind = self.kind
        case .quantity(let value, let unit): kind = .quantity(value: value.moved(m), unit: unit.moved(m))
        case .reference(let name): kind = .reference(name.moved(m))
        case .list(let items): kind = .list(items.map { $0.moved(m) })
        case .record(let fields): kind = .record(fields.map { RecordField(name: $0.name.moved(m), value: $0.value.moved(m)) })
        case .call(let callee, let arguments): kind = .call(callee: callee.moved(m), arguments: arguments.map { Argument(label: $0.label?.moved(m), value: $0.value.moved(m)) })
        case .unary(let op, let operand): kind = .unary(op: op, operand: operand.moved(m))
        case .binary(let op, let lhs, let rhs): kind = .binary(op: op, lhs: lhs.moved(m), rhs: rhs.moved(m))
        case .filter(let base, let condition): kind = .filter(base: base.moved(m), condition: condition.moved(m))
        }
        return Expr(kind, span: m(span))
    }
}

extension Setting {
    func moved(_ m: SpanMoves) -> Setting { Setting(key: key.moved(m), value: value.moved(m), span: m(span)) }
}

extension Section {
    func moved(_ m: SpanMoves) -> Section {
        Section(keyword: keyword.moved(m), label: label?.moved(m), items: items.map { (item: Item) -> Item in
            switch item {
            case .setting(let s): .setting(s.moved(m))
            case .section(let s): .section(s.moved(m))
            }
        }, span: m(span), bodySpan: m(bodySpan))
    }
}

extension Diagnostic {
    func moved(_ m: SpanMoves) -> Diagnostic {
        var d = self
        d.primary.span = m(primary.span)
        for i in d.secondary.indices { d.secondary[i].span = m(d.secondary[i].span) }
        for i in d.fixIts.indices { d.fixIts[i].span = m(d.fixIts[i].span) }
        return d
    }
}

// MARK: Checked values

extension Value {
    func moved(_ m: SpanMoves) -> Value {
        var v = self
        v.span = m(span)
        switch origin {
        case .written(let key): v.origin = .written(key: key.map { m($0) })
        case .inherited(let from, let at, let key, let via): v.origin = .inherited(from: from, at: m(at), key: key.map { m($0) }, via: via.map { m($0) })
        case .swept(var draw):
            draw.blockSpan = m(draw.blockSpan)
            draw.axisSpan = m(draw.axisSpan)
            v.origin = .swept(draw)
        case .schemaDefault, .derived, .drawn: break
        }
        switch kind {
        case .number, .string, .bool, .symbol, .quantity: break
        case .list(let items): v.kind = .list(items.map { $0.moved(m) })
        case .record(let fields): v.kind = .record(fields.map { Value.Field($0.name, $0.value.moved(m)) })
        case .call(let name, let positional, let named):
            v.kind = .call(name: name, positional: positional.map { $0.moved(m) }, named: named.map { Value.Field($0.name, $0.value.moved(m)) })
        }
        return v
    }
}

extension CheckedStage {
    func moved(_ m: SpanMoves) -> CheckedStage {
        var s = self
        s.span = m(span)
        s.settings = settings.moved(m)
        s.sweeps = sweeps.map { sweep in
            var sweep = sweep
            sweep.span = m(sweep.span)
            sweep.axes = sweep.axes.map { axis in
                var axis = axis
                axis.span = m(axis.span)
                axis.values = axis.values.map { $0.moved(m) }
                axis.generator = axis.generator?.moved(m)
                return axis
            }
            return sweep
        }
        s.select = select?.moved(m)
        s.ensemble = ensemble?.moved(m)
        s.prune = prune?.moved(m)
        return s
    }
}

extension CheckerRun.SectionSettings {
    func moved(_ m: SpanMoves) -> CheckerRun.SectionSettings {
        var s = self
        s.values = values.mapValues { $0.moved(m) }
        s.given = given.mapValues { $0.moved(m) }
        s.sections = sections.mapValues { $0.map { $0.moved(m) } }
        s.span = m(span)
        return s
    }
}

extension StageDraft {
    func moved(_ m: SpanMoves) -> StageDraft {
        var d = self
        d.section = section.moved(m)
        d.nameSpan = m(nameSpan)
        d.settings = settings.moved(m)
        d.schedule = schedule?.moved(m)
        d.sweeps = sweeps.map { $0.moved(m) }
        d.metricUses = metricUses.map { use in
            var use = use
            use.span = m(use.span)
            return use
        }
        return d
    }
}
