import Foundation
import Kernels
import Plan
import Support

/// The data sets this process has parsed, by spec and file identity (size and modification
/// time), so the data task and every trial of a sweep parse a file once: W2's 2.2 M numbers
/// took 0.2 s per parse, 9% of its training task, and W4's 24 trials parsed digits.csv 25
/// times. A file that changes on disk is parsed again. Holds the few most recent entries.
final class DatasetCache: @unchecked Sendable {
    static let shared = DatasetCache()

    private struct Key: Hashable {
        let spec: DataSpec
        let size: Int
        let modified: Date
    }

    private static let capacity = 4
    private let lock = NSLock()
    private var entries: [(key: Key, dataset: Dataset)] = []

    /// The cached data set for `spec`, or `load()`'s, remembered. Errors are not cached.
    func dataset(_ spec: DataSpec, path: String, load: () throws -> Dataset) throws -> Dataset {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { return try load() }  // the loader reports the missing or unreadable file
        let key = Key(spec: spec, size: size, modified: modified)
        lock.lock()
        let hit = entries.first { $0.key == key }?.dataset
        lock.unlock()
        if let hit { return hit }
        let dataset = try load()
        lock.lock()
        entries.removeAll { $0.key == key }
        entries.append((key, dataset))
        if entries.count > Self.capacity { entries.removeFirst() }
        lock.unlock()
        return dataset
    }
}
