import Foundation
import Support

/// The content identity of a task: SHA-256 over the canonical encoding of
/// its kind, payload and dependency keys, and `RuntimeVersion.current`.
public enum TaskKey {
    /// The key (64 hex digits).
    public static func compute(kind: PlannedTask.Kind, payload: PlannedTask.Payload, deps: [String], digests: any ContentDigests) throws -> String {
        SHA256.hash(Data(try canonicalBytes(kind: kind, payload: payload, deps: deps, digests: digests))).hex
    }

    /// The bytes a key hashes (pinned by the key golden tests, so a refactor cannot move a store's keys).
    public static func canonicalBytes(kind: PlannedTask.Kind, payload: PlannedTask.Payload, deps: [String], digests: any ContentDigests) throws -> [UInt8] {
        var e = CanonicalEncoder(digests: digests)
        e.record("task") { e in
            e.field("runtime") { $0.string(RuntimeVersion.current) }
            e.field("kind") { $0.string(kind.rawValue) }
        }
        try e.encode(payload)
        // Dependencies as a set: their order in the plan is not part of the identity.
        e.field("deps") { $0.list(deps.sorted()) { $0.string($1) } }
        return e.bytes
    }

    /// The first 10 hex digits, as tables show ids.
    public static func short(_ key: String) -> String { PlannedTask.shortKey(key) }
}
