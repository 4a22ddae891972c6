import Plan
import Support
import DSL

/// A resolved, canonical setting value: what the checker hands to the planner.
///
/// Arithmetic is folded (`1 / 16` is `0.0625`), calls to known functions have
/// every parameter named and defaults filled in, and units are canonical
/// (`1 epoch` is `1 epochs`). Equality ignores spans, so two spellings of the
/// same setting compare equal.
public struct Value: Sendable, CustomStringConvertible {
    /// The shape of a value.
    public indirect enum Kind: Sendable, Hashable {
        case number(Double)
        case string(String)
        case bool(Bool)
        /// An identifier or dotted reference: `relu`, `valid.accuracy`, `pretrain`.
        case symbol(String)
        case list([Value])
        /// Fields in canonical (schema) order.
        case record([Field])
        /// `name(positional..., key: value...)`; known calls have only named arguments.
        case call(name: String, positional: [Value], named: [Field])
        /// A count with a unit: `2 epochs`, `100 steps`.
        case quantity(Double, unit: String)
    }

    /// A named entry of a record or a call's named arguments.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: Value
        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    public var kind: Kind
    /// Where the value was written; defaults carry the span of the construct they complete.
    public var span: Span
    /// How the value came to be: written, a default, inherited, swept. Recorded where
    /// the value is resolved (checker, sweep expansion), read by `ftx explain`; like
    /// `span`, it takes no part in equality, so it never reaches a key.
    public var origin: ValueOrigin = .written(key: nil)

    public init(_ kind: Kind, span: Span = Span(start: 0, end: 0)) {
        self.kind = kind
        self.span = span
    }

    /// A copy with `origin` set.
    public func with(origin: ValueOrigin) -> Value {
        var copy = self
        copy.origin = origin
        return copy
    }

    /// The number, when this is one.
    public var number: Double? {
        if case .number(let n) = kind { return n }
        return nil
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    /// The symbol, when this is one.
    public var symbol: String? {
        if case .symbol(let s) = kind { return s }
        return nil
    }

    /// The bool, when this is one.
    public var bool: Bool? {
        if case .bool(let b) = kind { return b }
        return nil
    }

    /// The elements, when this is a list.
    public var list: [Value]? {
        if case .list(let l) = kind { return l }
        return nil
    }

    /// The call's name, when this is a call.
    public var callName: String? {
        if case .call(let name, _, _) = kind { return name }
        return nil
    }

    /// A named argument of a call or a field of a record.
    public subscript(_ name: String) -> Value? {
        switch kind {
        case .call(_, _, let named): return named.first { $0.name == name }?.value
        case .record(let fields): return fields.first { $0.name == name }?.value
        default: return nil
        }
    }

    /// The value at a dotted path of record fields and call arguments.
    public func value(at path: [String]) -> Value? {
        var current = self
        for part in path {
            guard let next = current[part] else { return nil }
            current = next
        }
        return current
    }

    /// A copy with the field or named argument `name` set (added at the end when new).
    public func setting(_ name: String, to newValue: Value) -> Value {
        var copy = self
        switch kind {
        case .call(let callee, let positional, var named):
            if let i = named.firstIndex(where: { $0.name == name }) { named[i].value = newValue } else { named.append(Field(name, newValue)) }
            copy.kind = .call(name: callee, positional: positional, named: named)
        case .record(var fields):
            if let i = fields.firstIndex(where: { $0.name == name }) { fields[i].value = newValue } else { fields.append(Field(name, newValue)) }
            copy.kind = .record(fields)
        default:
            break
        }
        return copy
    }

    /// The canonical spelling, as `ftx fmt` would print the value.
    public var description: String {
        switch kind {
        case .number(let n): return Value.format(n)
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .bool(let b): return b ? "true" : "false"
        case .symbol(let s): return s
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .record(let fields): return "{" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"
        case .call(let name, let positional, let named):
            if let op = Value.operatorNames[name], positional.count == 2 {
                return "\(positional[0]) \(op) \(positional[1])"
            }
            let args = positional.map(\.description) + named.map { "\($0.name): \($0.value)" }
            return name + "(" + args.joined(separator: ", ") + ")"
        case .quantity(let n, let unit): return Value.format(n) + " " + unit
        }
    }

    /// Operators kept as calls (`where` conditions, a loss sum's `weight * criterion`): call name → spelling.
    static let operatorNames: [String: String] = [
        "*": "*", "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "and": "and", "or": "or", "where": "where",
    ]

    /// Shortest round-tripping spelling; integers without a fraction.
    public static func format(_ n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        // Swift spells 1e-8 as "1e-08": drop the exponent's plus sign and leading zeros.
        let text = "\(n)"
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" || exponent.first == "+" {
            sign = exponent.first == "-" ? "-" : ""
            exponent = exponent.dropFirst()
        }
        let digits = exponent.drop { $0 == "0" }
        return text[..<e] + "e" + sign + (digits.isEmpty ? "0" : digits)
    }
}

extension Value: Hashable {
    public static func == (a: Value, b: Value) -> Bool { a.kind == b.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
