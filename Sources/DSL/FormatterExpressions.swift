/// Expressions in canonical form: flat when they fit, otherwise lists,
/// records and calls break one element per line (see `Formatter`).
extension CanonicalPrinter {
    /// `e` starting at display column `column` inside a body indented
    /// `indent` levels, leaving `suffix` columns for what follows on the line.
    /// Lines after the first carry their own indentation.
    mutating func render(_ e: Expr, indent: Int, column: Int, suffix: Int) -> String {
        let budget = Formatter.lineWidth - column - suffix
        if !hasComment(in: e.span), flatWidth(e, budget: budget) != nil { return flat(e) }
        switch e.kind {
        case .list(let elements):
            return broken(open: "[", close: "]", elements: elements.map { ("", $0, $0.span.start) },
                          closeOffset: e.span.end - 1, indent: indent)
        case .record(let fields):
            return broken(open: "{", close: "}", elements: fields.map { ($0.name.name + ": ", $0.value, $0.name.span.start) },
                          closeOffset: e.span.end - 1, indent: indent)
        case .call(let callee, let arguments):
            return broken(open: callee.text + "(", close: ")",
                          elements: arguments.map { ($0.label.map { $0.name + ": " } ?? "", $0.value, $0.span.start) },
                          closeOffset: e.span.end - 1, indent: indent)
        case .binary(let op, let lhs, let rhs):
            let level = Self.level(e)
            let left = child(lhs, parens: Self.level(lhs) < level || op.isComparison && Self.level(lhs) == level,
                             indent: indent, column: column, suffix: op.rawValue.count + 2)
            let middle = " \(op.rawValue) "
            let right = child(rhs, parens: Self.level(rhs) <= level, indent: indent,
                              column: Self.column(after: left, from: column) + middle.count, suffix: suffix)
            return left + middle + right
        case .filter(let base, let condition):
            let left = child(base, parens: false, indent: indent, column: column, suffix: 7)
            let right = child(condition, parens: Self.level(condition) < 1, indent: indent,
                              column: Self.column(after: left, from: column) + 7, suffix: suffix)
            return left + " where " + right
        case .unary(let op, let operand):
            let prefix = op == .negate ? "-" : "not "
            let parens = Self.level(operand) < (op == .negate ? 12 : 5)
            return prefix + child(operand, parens: parens, indent: indent, column: column + prefix.count, suffix: suffix)
        default:
            return flat(e)
        }
    }

    private mutating func child(_ e: Expr, parens: Bool, indent: Int, column: Int, suffix: Int) -> String {
        parens
            ? "(" + render(e, indent: indent, column: column + 1, suffix: suffix + 1) + ")"
            : render(e, indent: indent, column: column, suffix: suffix)
    }

    /// The display column after `text` printed from `column`.
    static func column(after text: String, from column: Int) -> Int {
        if let newline = text.lastIndex(of: "\n") {
            return text[text.index(after: newline)...].unicodeScalars.count
        }
        return column + text.unicodeScalars.count
    }

    /// `open`, one element per line with a trailing comma, `close` — with the
    /// comments that sit among the elements.
    private mutating func broken(
        open: String, close: String, elements: [(prefix: String, value: Expr, start: Int)], closeOffset: Int, indent: Int
    ) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        var out = open + "\n"
        for (i, element) in elements.enumerated() {
            while next < comments.count, comments[next].span.start < element.start {
                out += pad + commentText(comments[next]) + "\n"
                next += 1
            }
            let column = pad.count + element.prefix.unicodeScalars.count
            out += pad + element.prefix + render(element.value, indent: indent + 1, column: column, suffix: 1) + ","
            let limit = i + 1 < elements.count ? elements[i + 1].start : closeOffset
            finishLine(after: element.value.span.end, limit: limit, pad: pad, into: &out)
        }
        while next < comments.count, comments[next].span.start < closeOffset {
            out += pad + commentText(comments[next]) + "\n"
            next += 1
        }
        return out + String(repeating: "  ", count: indent) + close
    }

    /// Binding strength for parenthesization: `where` 0, `or` 2, `and` 4,
    /// `not` 5, comparisons 6, `+ -` 8, `* /` 10, unary `-` 12, atoms 14.
    static func level(_ e: Expr) -> Int {
        switch e.kind {
        case .filter: 0
        case .binary(let op, _, _): op.precedence * 2
        case .unary(.not, _): 5
        case .unary(.negate, _): 12
        default: 14
        }
    }

    /// `e` on one line.
    func flat(_ e: Expr) -> String {
        var out = ""
        writeFlat(e, into: &out)
        return out
    }

    private func writeFlat(_ e: Expr, into out: inout String) {
        switch e.kind {
        case .number(_, let text):
            out += text
        case .quantity(let value, let unit):
            writeFlat(value, into: &out)
            out += " " + unit.name
        case .string(let s):
            out += StringLiteral.quote(s)
        case .bool(let b):
            out += b ? "true" : "false"
        case .reference(let name):
            out += name.text
        case .list(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += ", " }
                writeFlat(element, into: &out)
            }
            out += "]"
        case .record(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += ", " }
                out += field.name.name + ": "
                writeFlat(field.value, into: &out)
            }
            out += "}"
        case .call(let callee, let arguments):
            out += callee.text + "("
            for (i, argument) in arguments.enumerated() {
                if i > 0 { out += ", " }
                if let label = argument.label { out += label.name + ": " }
                writeFlat(argument.value, into: &out)
            }
            out += ")"
        case .unary(let op, let operand):
            out += op == .negate ? "-" : "not "
            writeChild(operand, parens: Self.level(operand) < (op == .negate ? 12 : 5), into: &out)
        case .binary(let op, let lhs, let rhs):
            let level = Self.level(e)
            writeChild(lhs, parens: Self.level(lhs) < level || op.isComparison && Self.level(lhs) == level, into: &out)
            out += " \(op.rawValue) "
            writeChild(rhs, parens: Self.level(rhs) <= level, into: &out)
        case .filter(let base, let condition):
            writeFlat(base, into: &out)
            out += " where "
            writeChild(condition, parens: Self.level(condition) < 1, into: &out)
        case .invalid:
            break
        }
    }

    private func writeChild(_ e: Expr, parens: Bool, into out: inout String) {
        if parens { out += "(" }
        writeFlat(e, into: &out)
        if parens { out += ")" }
    }

    /// The width of `flat(e)`, or nil as soon as it exceeds `budget` — so
    /// trying the flat form costs at most `budget` nodes, however large `e` is.
    func flatWidth(_ e: Expr, budget: Int) -> Int? {
        var used = 0
        return addWidth(e, &used, budget) ? used : nil
    }

    private func addWidth(_ e: Expr, _ used: inout Int, _ budget: Int) -> Bool {
        func add(_ n: Int) -> Bool {
            used += n
            return used <= budget
        }
        func child(_ c: Expr, _ parens: Bool) -> Bool {
            (parens ? add(2) : true) && addWidth(c, &used, budget)
        }
        switch e.kind {
        case .number(_, let text):
            return add(text.utf8.count)
        case .quantity(let value, let unit):
            return addWidth(value, &used, budget) && add(1 + unit.name.utf8.count)
        case .string(let s):
            guard add(2 + s.utf8.count / 4) else { return false }  // cheap lower bound first
            return add(StringLiteral.quote(s).unicodeScalars.count - 2 - s.utf8.count / 4)
        case .bool(let b):
            return add(b ? 4 : 5)
        case .reference(let name):
            return add(name.text.utf8.count)
        case .list(let elements):
            guard add(2 + max(0, elements.count - 1) * 2) else { return false }
            return elements.allSatisfy { addWidth($0, &used, budget) }
        case .record(let fields):
            guard add(2 + max(0, fields.count - 1) * 2) else { return false }
            return fields.allSatisfy { add($0.name.name.utf8.count + 2) && addWidth($0.value, &used, budget) }
        case .call(let callee, let arguments):
            guard add(callee.text.utf8.count + 2 + max(0, arguments.count - 1) * 2) else { return false }
            return arguments.allSatisfy { ($0.label.map { add($0.name.utf8.count + 2) } ?? true) && addWidth($0.value, &used, budget) }
        case .unary(let op, let operand):
            return add(op == .negate ? 1 : 4) && child(operand, Self.level(operand) < (op == .negate ? 12 : 5))
        case .binary(let op, let lhs, let rhs):
            let level = Self.level(e)
            return add(op.rawValue.count + 2)
                && child(lhs, Self.level(lhs) < level || op.isComparison && Self.level(lhs) == level)
                && child(rhs, Self.level(rhs) <= level)
        case .filter(let base, let condition):
            return add(7) && addWidth(base, &used, budget) && child(condition, Self.level(condition) < 1)
        case .invalid:
            return true
        }
    }
}
