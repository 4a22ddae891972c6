import Foundation
import Plan
import Support

/// How a trial's store entry ends: sealed `done` (final weights), `diverged` (no
/// weights), or `pruned` (its last checkpoint becomes final, the resume state kept).
/// Separate from the epoch loop and the checkpoint: these are the results other tasks
/// and `ftx results` read, written once, flushed, and never rewritten by a resume.
extension Trainer {
    func sealDone(model: MLPModel, counters: Counters) throws {
        try store.writeTensors(model.tensorViews(keep: persisted(model)), "final.safetensors", for: key)
        try writeHistory(counters)
        try store.seal(key, status: .done, files: ["spec.json", "history.jsonl", "final.safetensors"],
                       extra: [("epochs", .int(counters.epoch)), ("early_stopped", .bool(counters.epoch < spec.schedule.epochs)),
                               ("best_epoch", .int(counters.bestEpoch))])
        for f in Self.resumeFiles { store.remove(f, for: key) }
    }

    func sealDiverged(counters: Counters, step: Int) throws {
        try writeHistory(counters)
        try store.seal(key, status: .diverged, files: ["spec.json", "history.jsonl"],
                       extra: [("epochs", .int(counters.epoch)), ("diverged_at_step", .int(step))])
        for f in Self.resumeFiles { store.remove(f, for: key) }
    }

    /// Seals a paused trial as `pruned` at its last checkpoint: `final.safetensors`
    /// is the last completed epoch's weights; the resume state is kept so a
    /// later plan that promotes the trial continues it.
    public static func sealPruned(key: String, store: TaskStore) throws {
        guard let weights = store.read("last.safetensors", for: key),
              let state = store.readJSON("last-state.json", for: key), let history = state["history"]?.arrayValue
        else { throw TrainingError("cannot prune \(key): it has no checkpoint") }
        try store.write(weights, "final.safetensors", for: key)
        try store.write(Data(JSONLines.encode(history).utf8), "history.jsonl", for: key)
        try store.seal(key, status: .pruned, files: ["spec.json", "history.jsonl", "final.safetensors"],
                       extra: [("epochs", .int(history.count))])
    }
}
