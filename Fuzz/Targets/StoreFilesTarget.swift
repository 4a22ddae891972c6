import Foundation
import Runtime
import Support

/// The store's own files, as a damaged or hostile store holds them. The input is five
/// parts — `store.json`, then one entry's `status.json`, `manifest.json`,
/// `history.jsonl` and `last-state.json` — written to a fresh store in the scratch
/// directory; then everything that reads them runs: opening the store, verifying the
/// entry, its status, history, metrics, recorded hashes, the epochs completed, and
/// pruning it (which reads the checkpoint state and writes only inside the store).
enum StoreFilesTarget {
    static let key = String(repeating: "ab", count: 32)
    static let names = ["status.json", "manifest.json", "history.jsonl", "last-state.json"]

    static func run(_ data: Data) {
        let parts = FuzzInput.parts(data, count: 5)
        let root = FuzzScratch.directory("store")
        FuzzScratch.write(parts[0], "store.json", in: root)
        // The entry is made afresh: pruning writes files of its own into it.
        let entry = (root as NSString).appendingPathComponent("tasks/\(key)")
        try? FileManager.default.removeItem(atPath: entry)
        try? FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
        for (name, part) in zip(names, parts.dropFirst()) { FuzzScratch.write(part, name, in: entry) }
        FuzzScratch.write(Data("weights".utf8), "last.safetensors", in: entry)
        guard let store = try? TaskStore(root: root, create: false) else { return }
        _ = store.verify(key)
        _ = store.status(of: key)
        _ = store.completedStatus(key)
        for line in store.history(for: key) { _ = EpochRecord(json: line) }
        _ = store.metrics(for: key)
        for name in names { _ = store.recordedHash(name, for: key) }
        _ = Trainer.epochsCompleted(key: key, store: store)
        _ = try? Trainer.sealPruned(key: key, store: store)
        store.forgetAllVerification()
        _ = store.verify(key)
    }
}
