import Foundation
import Plan
import Support

/// How a trial's store entry ends: sealed `done` (final weights), `diverged` (no
/// weights), or `pruned` (its last checkpoint becomes final, the resume state kept).
/// Separate from the epoch loop and the checkpoint: these are the results other tasks
/// and `ftx results` read, written once, flushed, and never rewritten by a resume.
extension Trainer {
    /// With `keep_best`, the final weights are the kept epoch's (the last epoch's if no epoch
    /// had a value), and `status.json` names that epoch as `kept_epoch`.
    func sealDone(model: MLPModel, kept: KeptWeights?, counters: Counters) throws {
        var extra: [(key: String, value: JSONValue)] = [
            ("epochs", .int(counters.epoch)), ("early_stopped", .bool(counters.epoch < spec.schedule.epochs)),
            ("best_epoch", .int(counters.bestEpoch)),
        ]
        if let kept, counters.keptEpoch > 0 {
            try store.writeTensors(kept.views, "final.safetensors", for: key)
            extra.append(("kept_epoch", .int(counters.keptEpoch)))
        } else {
            try store.writeTensors(model.tensorViews(keep: persisted(model)), "final.safetensors", for: key)
            if kept != nil { extra.append(("kept_epoch", .int(counters.epoch))) }
        }
        try writeHistory(counters)
        try store.seal(key, status: .done, files: ["spec.json", "history.jsonl", "final.safetensors"], extra: extra)
        for f in Self.resumeFiles { store.remove(f, for: key) }
    }

    func sealDiverged(counters: Counters, step: Int) throws {
        try writeHistory(counters)
        try store.seal(key, status: .diverged, files: ["spec.json", "history.jsonl"],
                       extra: [("epochs", .int(counters.epoch)), ("diverged_at_step", .int(step))])
        for f in Self.resumeFiles { store.remove(f, for: key) }
    }

    /// Seals a paused trial as `pruned` at its last checkpoint: `final.safetensors`
    /// is the last completed epoch's weights (with `keep_best`, the best epoch's so far);
    /// the resume state is kept so a later plan that promotes the trial continues it.
    public static func sealPruned(key: String, store: TaskStore) throws {
        guard let last = store.read("last.safetensors", for: key),
              let state = store.readJSON("last-state.json", for: key), let history = state["history"]?.arrayValue
        else { throw TrainingError("cannot prune \(key): it has no checkpoint") }
        var extra: [(key: String, value: JSONValue)] = [("epochs", .int(history.count))]
        var weights = last
        if state["files"]?[keptWeightsFile] != nil, let epoch = state["keep_best"]?["epoch"]?.intValue {
            guard let best = store.read(keptWeightsFile, for: key) else { throw TrainingError("cannot prune \(key): \(keptWeightsFile) is missing") }
            weights = best
            extra.append(("kept_epoch", .int(epoch)))
        }
        try store.write(weights, "final.safetensors", for: key)
        try store.write(Data(JSONLines.encode(history).utf8), "history.jsonl", for: key)
        try store.seal(key, status: .pruned, files: ["spec.json", "history.jsonl", "final.safetensors"], extra: extra)
    }
}
