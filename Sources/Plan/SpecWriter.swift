import Foundation

/// What a resolved spec is written into: the one walk over the spec's structure
/// (`SpecWriter.encode`, in `SpecWalk.swift`) emits nodes, fields and values,
/// and each writer turns them into its own format — the canonical bytes a task
/// key hashes (`CanonicalEncoder`) and the store's human-readable `spec.json`
/// (`SpecJSONWriter`). A setting added to the walk reaches both.
///
/// A node is a `record` (a struct: a type tag and named fields) or a `variant`
/// (an enum case: the case's tag and its values or named fields). The canonical
/// encoding writes both alike; JSON shows a variant's tag and drops a record's.
public protocol SpecWriter {
    /// A struct: `tag` names its type; `body` writes its fields.
    mutating func record(_ tag: String, _ body: (inout Self) throws -> Void) rethrows
    /// An enum case: `tag` names the case; `body` writes its values (or fields).
    mutating func variant(_ tag: String, _ body: (inout Self) throws -> Void) rethrows
    /// A named field; `body` writes its one value.
    mutating func field(_ name: String, _ body: (inout Self) throws -> Void) rethrows
    mutating func number(_ x: Double)
    mutating func int(_ n: Int)
    mutating func uint(_ n: UInt64)
    mutating func bool(_ b: Bool)
    mutating func string(_ s: String)
    /// An absent optional.
    mutating func null()
    /// A list; `each` writes one item.
    mutating func list<T>(_ items: [T], _ each: (inout Self, T) throws -> Void) rethrows
    /// A data or checkpoint file (absolute path): by content for keys, by path for people.
    mutating func file(_ path: String) throws
    /// A pretrained model folder (absolute path), named like `file`.
    mutating func modelFolder(_ path: String) throws
}

extension SpecWriter {
    /// `value`, or `null()` when it is nil.
    public mutating func optional<T>(_ value: T?, _ each: (inout Self, T) throws -> Void) rethrows {
        if let value { try each(&self, value) } else { null() }
    }
}
