import Foundation
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One step that upgrades a store from format version `from` to `from + 1`.
///
/// The rules of store versions (`TaskStore.init` applies them):
/// - a store of `TaskStore.formatVersion` is read as it is;
/// - an **older** store (a smaller version) is upgraded in place by the chain of
///   steps from its version to today's, with a message; an older version with no
///   chain (a gap) is refused, naming both versions;
/// - a **newer** store (a larger version, written by a newer ftx) is refused,
///   naming both versions: this ftx cannot know what the newer format means.
///
/// Today's format is 1 and no older one was ever released, so `known` is empty;
/// the first format change adds its step here, and the store committed under
/// `Tests/Fixtures/stores/v1/` must then still open.
public struct StoreMigration: Sendable {
    /// The version this step reads; it writes `from + 1`.
    public let from: Int
    /// What the step changes, for the message shown when it runs.
    public let summary: String
    /// Rewrites the staged copy of `tasks/` at the given path (a folder of entry
    /// folders). The staged files are hard links to the live ones: replace a file
    /// with `AtomicFile.write` (a new inode), never modify it in place.
    public let apply: @Sendable (_ tasksDirectory: String) throws -> Void

    public init(from: Int, summary: String, apply: @escaping @Sendable (_ tasksDirectory: String) throws -> Void) {
        self.from = from
        self.summary = summary
        self.apply = apply
    }

    /// The steps this build knows, oldest first (none yet: version 1 is the first format).
    public static let known: [StoreMigration] = []

    /// The staging folder of a migration to `version`, inside the store.
    static func stagingName(to version: Int) -> String { ".migrating-to-v\(version)" }

    /// Upgrades the store at `root` from `found` to `target` with `steps`, atomically:
    /// every step runs on a staged copy of `tasks/` (hard links, so no data is copied);
    /// a `COMMITTED` marker then makes the switch the point of no return, and the switch
    /// (old `tasks/` aside, staged `tasks/` in, `store.json` rewritten) is rolled
    /// forward by `finishInterrupted` if the process dies during it. A failure before
    /// the marker leaves the store exactly as it was, at its old version.
    static func migrate(root: String, from found: Int, to target: Int, steps: [StoreMigration],
                        writeVersion: (Int) throws -> Void) throws -> [String] {
        var chain: [StoreMigration] = []
        for v in found..<target {
            guard let step = steps.first(where: { $0.from == v }) else {
                throw StoreError.unmigratableVersion(root: root, found: found, missingStep: v)
            }
            chain.append(step)
        }
        let fm = FileManager.default
        let staging = (root as NSString).appendingPathComponent(stagingName(to: target))
        try? fm.removeItem(atPath: staging)  // an unfinished earlier attempt (no marker): start again
        let stagedTasks = (staging as NSString).appendingPathComponent("tasks")
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try linkTree(from: (root as NSString).appendingPathComponent("tasks"), to: stagedTasks)
            for step in chain { try step.apply(stagedTasks) }
            try AtomicFile.write("\(target)\n", to: (staging as NSString).appendingPathComponent("COMMITTED"))
        } catch {
            try? fm.removeItem(atPath: staging)
            throw StoreError("cannot upgrade the store at '\(root)' from format version \(found) to \(target): \(error). "
                + "The store is unchanged (still version \(found)); use the ftx that wrote it, or pass another --store")
        }
        try finishInterrupted(root: root, target: target, writeVersion: writeVersion)
        return chain.map { "v\($0.from) -> v\($0.from + 1): \($0.summary)" }
    }

    /// Completes a committed migration to `target` (no-op without one): puts the staged
    /// `tasks/` in place, writes the version, removes the staging folder. Each step
    /// checks what is already done, so it can be repeated after a crash.
    static func finishInterrupted(root: String, target: Int, writeVersion: (Int) throws -> Void) throws {
        let fm = FileManager.default
        let staging = (root as NSString).appendingPathComponent(stagingName(to: target))
        guard fm.fileExists(atPath: (staging as NSString).appendingPathComponent("COMMITTED")) else { return }
        let live = (root as NSString).appendingPathComponent("tasks")
        let staged = (staging as NSString).appendingPathComponent("tasks")
        let old = (staging as NSString).appendingPathComponent("tasks-before")
        if fm.fileExists(atPath: staged) {
            if fm.fileExists(atPath: live), rename(live, old) != 0 {
                throw StoreError("cannot finish upgrading the store at '\(root)': moving '\(live)' aside failed: \(String(cString: strerror(errno)))")
            }
            if rename(staged, live) != 0 {
                throw StoreError("cannot finish upgrading the store at '\(root)': moving '\(staged)' in failed: \(String(cString: strerror(errno)))")
            }
        }
        try writeVersion(target)
        try? fm.removeItem(atPath: staging)
    }

    /// Recreates the folder tree at `source` under `destination` with hard links to its
    /// files (symbolic links are not followed: they are linked as links).
    private static func linkTree(from source: String, to destination: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in (try? fm.contentsOfDirectory(atPath: source)) ?? [] {
            let from = (source as NSString).appendingPathComponent(name)
            let to = (destination as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(from, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                try linkTree(from: from, to: to)
            } else if link(from, to) != 0 {
                throw StoreError("cannot stage '\(from)': \(String(cString: strerror(errno)))")
            }
        }
    }
}
