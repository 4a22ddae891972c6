import Foundation

/// A JSON document as a value: what `JSONParser` produces and `JSONWriter` prints.
///
/// Objects keep their members in declared order (a dictionary literal keeps
/// source order), so output is deterministic; `JSONWriter` can also sort keys.
/// Integers without fraction or exponent stay exact as `.int`; `.float` prints
/// the shortest decimal that round-trips a `Float`, `.double` that of a `Double`.
///
/// ```swift
/// let v: JSONValue = ["trial": "a1b2", "loss": .double(0.25), "epochs": 3]
/// JSONWriter.encode(v)   // {"trial":"a1b2","loss":0.25,"epochs":3}
/// ```
public indirect enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// An integer, printed exactly.
    case int(Int)
    /// A float64, printed as the shortest decimal that round-trips it.
    case double(Double)
    /// A float32, printed as the shortest decimal that round-trips it as a `Float`.
    case float(Float)
    /// A string (escaped on output).
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object whose members keep their order.
    case object([(key: String, value: JSONValue)])

    /// Structural equality (NaN equals NaN, so a value equals its own round trip).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.float(a), .float(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Compact JSON text in declared key order.
    public var description: String { JSONWriter.encode(self) }

    /// The member named `key` of an object (the first, if repeated); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The `index`-th element of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case let .array(items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// Any number as a `Double` (`.int`, `.double`, `.float`); nil otherwise.
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case let .float(f): return Double(f)
        default: return nil
        }
    }

    /// An integral number as `Int` (a `.double` only when it is an exact integer).
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d): return d.rounded() == d && abs(d) < 9.0e15 ? Int(d) : nil
        case let .float(f): return f.rounded() == f && abs(f) < 1.6e7 ? Int(f) : nil
        default: return nil
        }
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The members in order, if this is an object.
    public var objectValue: [(key: String, value: JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// The member names in order, if this is an object.
    public var keys: [String]? { objectValue?.map(\.key) }

    /// An array of numbers as `[Double]`; nil if any element is not a number.
    public var doubleArray: [Double]? {
        guard let items = arrayValue else { return nil }
        var out = [Double]()
        out.reserveCapacity(items.count)
        for item in items {
            guard let d = item.doubleValue else { return nil }
            out.append(d)
        }
        return out
    }

    /// An array of numbers as `[Float]` via `Float(Double)`; exact for values
    /// that were float32 printed as float64 (the golden files' convention).
    public var floatArray: [Float]? { doubleArray?.map { Float($0) } }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in source order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
