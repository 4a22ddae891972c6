import Foundation
import Kernels
import Plan
import Support

/// Where a task stands in the store.
public enum TaskStatus: String, Sendable, Hashable, CaseIterable {
    /// Not started (no entry, or an entry without progress).
    case pending
    /// Started; `last.safetensors` holds the last completed epoch (a killed run resumes from it).
    case running
    /// Finished normally.
    case done
    /// A training loss turned NaN or infinite; the trial stopped there (the sweep goes on).
    case diverged
    /// Stopped by ASHA at a rung; resumable if a later plan promotes it.
    case pruned
    /// Crashed (unreadable data, shape mismatch, …); never cached, retried on the next run.
    case failed

    /// Whether an entry sealed with this status is a cached result that is not recomputed.
    public var isFinal: Bool { self == .done || self == .diverged || self == .pruned }
}

/// Errors of the store: a clear message, never a crash.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, naming the store or entry.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The store was written by a newer ftx (a larger format version): never read, never changed.
    public static func newerVersion(root: String, found: Int) -> StoreError {
        StoreError("the store at '\(root)' has format version \(found), written by a newer ftx; this ftx reads format version "
            + "\(TaskStore.formatVersion) and older. Use a newer ftx, or pass another --store (or delete the directory to start over)")
    }

    /// The store's format version is not a whole number this build knows how to compare.
    public static func unsupportedVersion(root: String, found: String) -> StoreError {
        StoreError("the store at '\(root)' has format version \(found); this ftx reads format version \(TaskStore.formatVersion) "
            + "and older. Use the ftx that wrote it, or pass another --store (or delete the directory to start over)")
    }

    /// An older store for which this build has no upgrade step from `missingStep`.
    public static func unmigratableVersion(root: String, found: Int, missingStep: Int) -> StoreError {
        StoreError("the store at '\(root)' has format version \(found), written by an older ftx; this ftx reads format version "
            + "\(TaskStore.formatVersion) and cannot upgrade version \(missingStep). Use the ftx that wrote it, "
            + "or pass another --store (or delete the directory to start over)")
    }
}

/// What `TaskStore.verify` found for a key.
public enum EntryState: Sendable, Equatable {
    /// No entry.
    case missing
    /// Started but not sealed (running, or killed); resumable.
    case incomplete
    /// Sealed, every file matches its manifest hash.
    case complete(TaskStatus)
    /// Sealed but a file is missing or its hash differs; the reason names the file.
    case corrupt(String)
    /// A file of the entry exists but cannot be read (permissions, not a regular file, an
    /// I/O error); the reason names the file and the error. Never discarded nor recomputed:
    /// the entry may be fine, and a recompute could not write it either.
    case unreadable(String)
}
