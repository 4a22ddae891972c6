import Foundation
import Support

/// Human-readable JSON of resolved payloads, for the store's `spec.json`.
///
/// Not a key encoding (the planner owns task keys); it exists so a person can
/// see exactly what a stored task ran. Written by the same walk as the key's
/// canonical encoding (`SpecWalk.swift`), so both show the same fields under
/// the same names; files appear as their paths.
public enum SpecJSON {
    /// A task: its key, kind, stage, inputs' keys and payload.
    public static func encode(_ task: PlannedTask) throws -> JSONValue {
        var payload = SpecJSONWriter()
        try payload.encode(task.payload)
        return .object([
            ("key", .string(task.key)), ("kind", .string(task.kind.rawValue)), ("stage", .string(task.stage)),
            ("deps", .array(task.deps.map { .string($0) })), ("payload", payload.value),
        ])
    }

    /// A training spec.
    public static func encode(_ spec: TrainingSpec) throws -> JSONValue {
        var writer = SpecJSONWriter()
        try writer.encode(spec)
        return writer.value
    }
}

/// Writes what the spec walk emits as JSON: a record as an object of its
/// fields; a variant as its tag alone when it has no content, else as
/// `{tag: content}`, where content is its one value, an array of its values,
/// or an object of its fields; files as their paths; `UInt64`s (seeds) as
/// decimal strings, which JSON numbers cannot hold exactly.
public struct SpecJSONWriter: SpecWriter {
    private var values: [JSONValue] = []
    private var fields: [(key: String, value: JSONValue)] = []

    /// An empty writer.
    public init() {}

    /// What was written: `null` if nothing.
    public var value: JSONValue { content ?? .null }

    /// Fields as an object, one value as itself, several as an array (fields last, if both).
    private var content: JSONValue? {
        let object: JSONValue? = fields.isEmpty ? nil : .object(fields)
        switch (values.count, object) {
        case (0, nil): return nil
        case (0, let object?): return object
        case (1, nil): return values[0]
        default: return .array(values + (object.map { [$0] } ?? []))
        }
    }

    private static func written(by body: (inout SpecJSONWriter) throws -> Void) rethrows -> SpecJSONWriter {
        var inner = SpecJSONWriter()
        try body(&inner)
        return inner
    }

    public mutating func record(_ tag: String, _ body: (inout SpecJSONWriter) throws -> Void) rethrows {
        values.append(try Self.written(by: body).content ?? .object([]))
    }

    public mutating func variant(_ tag: String, _ body: (inout SpecJSONWriter) throws -> Void) rethrows {
        values.append(try Self.written(by: body).content.map { .object([(tag, $0)]) } ?? .string(tag))
    }

    public mutating func field(_ name: String, _ body: (inout SpecJSONWriter) throws -> Void) rethrows {
        fields.append((name, try Self.written(by: body).value))
    }

    public mutating func number(_ x: Double) { values.append(.double(x)) }
    public mutating func int(_ n: Int) { values.append(.int(n)) }
    public mutating func uint(_ n: UInt64) { values.append(.string(String(n))) }
    public mutating func bool(_ b: Bool) { values.append(.bool(b)) }
    public mutating func string(_ s: String) { values.append(.string(s)) }
    public mutating func null() { values.append(.null) }

    public mutating func list<T>(_ items: [T], _ each: (inout SpecJSONWriter, T) throws -> Void) rethrows {
        var inner = SpecJSONWriter()
        for item in items { try each(&inner, item) }
        values.append(.array(inner.values))
    }

    public mutating func file(_ path: String) { values.append(.string(path)) }
    public mutating func modelFolder(_ path: String) { values.append(.string(path)) }
}
