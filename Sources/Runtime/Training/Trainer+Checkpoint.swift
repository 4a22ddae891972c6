import Foundation
import Plan
import Support

/// A trial's resume state: what an epoch-end checkpoint writes into the store entry
/// (`last.safetensors`, `last-state.safetensors`, `last-state.json`, `history.jsonl`)
/// and how a later run reads it back. Separate from the epoch loop because writer and
/// reader must agree on one format, and the sealing code and the executor read it too.
extension Trainer {
    /// The loop's state besides weights and optimizer buffers: all a resume needs.
    struct Counters {
        var epoch = 0
        var step = 0
        var scheduler: LRScheduler
        var earlyBest: Double
        var earlyBad = 0
        var bestEpoch = 0
        var history: [EpochRecord] = []
        /// `keep_best`: the best value so far and its epoch (1-based; 0: none yet).
        var keptBest: Double = .infinity
        var keptEpoch = 0
    }

    /// The files that make up the resume state; a sealed trial has none of them
    /// (but a pruned one, which a later plan may promote).
    static let resumeFiles = ["last-state.json", "last.safetensors", "last-state.safetensors", keptWeightsFile]

    private func stateJSON(_ c: Counters, hashes: [(key: String, value: JSONValue)]) -> JSONValue {
        func num(_ d: Double) -> JSONValue { d.isFinite ? .double(d) : .null }
        return [
            "epoch": .int(c.epoch), "step": .int(c.step),
            "scheduler": c.scheduler.stateJSON,
            "early_stop": ["best": num(c.earlyBest), "bad_epochs": .int(c.earlyBad), "best_epoch": .int(c.bestEpoch)],
            "history": .array(c.history.map(\.json)),
            "keep_best": ["best": num(c.keptBest), "epoch": .int(c.keptEpoch)],
            "files": .object(hashes),
        ]
    }

    /// Loads a consistent checkpoint (hashes verified), or nil (reported) if none or damaged.
    func loadCheckpoint(into model: MLPModel, kept: KeptWeights?, initial: Counters) -> (Counters, OptimizerState)? {
        guard let json = store.readJSON("last-state.json", for: key) else { return nil }
        func damaged(_ why: String) -> (Counters, OptimizerState)? {
            store.warn("resume state of \(key) is unusable (\(why)); restarting the trial from epoch 0")
            return nil
        }
        guard let files = json["files"], let epoch = json["epoch"]?.intValue, let step = json["step"]?.intValue,
              let schedulerState = json["scheduler"], let early = json["early_stop"], let history = json["history"]?.arrayValue
        else { return damaged("last-state.json is malformed") }
        let keptFile = files[Self.keptWeightsFile] != nil ? [Self.keptWeightsFile] : []
        for name in ["last.safetensors", "last-state.safetensors"] + keptFile {
            guard let data = store.read(name, for: key) else { return damaged("\(name) is missing") }
            if ResumeChecksum.hex(data) != files[name]?.stringValue { return damaged("\(name) does not match last-state.json") }
        }
        var c = initial
        c.epoch = epoch
        c.step = step
        do { try c.scheduler.restore(stateJSON: schedulerState) } catch { return damaged("scheduler state: \(error)") }
        c.earlyBest = early["best"]?.doubleValue ?? initial.earlyBest
        c.earlyBad = early["bad_epochs"]?.intValue ?? 0
        c.bestEpoch = early["best_epoch"]?.intValue ?? 0
        c.keptBest = json["keep_best"]?["best"]?.doubleValue ?? initial.keptBest
        c.keptEpoch = json["keep_best"]?["epoch"]?.intValue ?? 0
        c.history = history.compactMap(EpochRecord.init(json:))
        guard c.history.count == epoch else { return damaged("history length differs from the epoch count") }
        do {
            _ = try model.load(from: store.path("last.safetensors", for: key))
            if let kept {
                guard c.keptEpoch == 0 || !keptFile.isEmpty else { return damaged("\(Self.keptWeightsFile) is not listed") }
                if !keptFile.isEmpty { try kept.load(from: SafetensorsFile(contentsOf: store.path(Self.keptWeightsFile, for: key))) }
            }
            let file = try SafetensorsFile(contentsOf: store.path("last-state.safetensors", for: key))
            return (c, try OptimizerState(file: file))
        } catch {
            return damaged("\(error)")
        }
    }

    /// The per-epoch resume state. Written atomically but not flushed to disk (`durable: false`):
    /// a kill cannot tear these files, and after a power loss `loadCheckpoint` detects any that
    /// are stale or empty by their checksums and restarts the trial. The tensors stream from
    /// the parameter and optimizer buffers to the files, checksummed on the way (no copies:
    /// for W2's 22 MB of weights and state, copying and flushing took ~18% of training time);
    /// sealed results are always flushed.
    func saveCheckpoint(model: MLPModel, optimizer: Optimizer, kept: KeptWeights?, counters: Counters) throws {
        var weightsSum = ResumeChecksum(), stateSum = ResumeChecksum(), keptSum = ResumeChecksum()
        try store.writeTensors(model.tensorViews(keep: persisted(model)), "last.safetensors", for: key, durable: false) {
            weightsSum.update($0)
        }
        try optimizer.withStateViews { views, metadata in
            try store.writeTensors(views, metadata: metadata, "last-state.safetensors", for: key, durable: false) { stateSum.update($0) }
        }
        try writeHistory(counters, durable: false)
        var hashes: [(key: String, value: JSONValue)] = [
            ("last.safetensors", .string(weightsSum.hex)), ("last-state.safetensors", .string(stateSum.hex)),
        ]
        if let kept, counters.keptEpoch > 0 {
            try store.writeTensors(kept.views, Self.keptWeightsFile, for: key, durable: false) { keptSum.update($0) }
            hashes.append((Self.keptWeightsFile, .string(keptSum.hex)))
        }
        try store.writeJSON(stateJSON(counters, hashes: hashes), "last-state.json", for: key, durable: false)
        try store.markStatus(.running, for: key, extra: [("epochs_completed", .int(counters.epoch))], durable: false)
    }

    /// `history.jsonl`: one line per completed epoch (with each checkpoint, and when sealing).
    func writeHistory(_ counters: Counters, durable: Bool = true) throws {
        try store.write(Data(JSONLines.encode(counters.history.map(\.json)).utf8), "history.jsonl", for: key, durable: durable)
    }

    /// The parameters a checkpoint stores: all of an MLP; of a pretrained encoder
    /// only those the stage ever trains (the rest are the model folder's, reloaded
    /// from it), so a frozen 90 MB encoder is not rewritten every epoch.
    func persisted(_ model: MLPModel) -> (String) -> Bool {
        let spec = self.spec
        return { name in
            !model.isEncoderParameter(name) || (!ModelCatalog.isBertPooler(name) && spec.everTrains(name))
        }
    }

    /// Completed epochs of a trial's checkpoint or sealed history.
    public static func epochsCompleted(key: String, store: TaskStore) -> Int {
        if let e = store.readJSON("last-state.json", for: key)?["epoch"]?.intValue { return e }
        return store.history(for: key).count
    }
}
