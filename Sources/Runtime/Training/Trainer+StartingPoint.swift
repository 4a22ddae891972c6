import Foundation
import Plan
import Support

/// Where a run starts: the last usable checkpoint (weights, optimizer buffers, counters),
/// else the stage's initial weights (seeded init, then `from checkpoint` / an upstream
/// trial's weights, optionally with a new head) and a fresh optimizer. Separate from the
/// epoch loop so the loop reads the same whether a trial starts or resumes.
extension Trainer {
    /// Sets `model`'s weights; returns the counters and the optimizer the epoch loop starts from.
    func startingPoint(model: MLPModel, kept: KeptWeights?, initial: Counters) throws -> (Counters, Optimizer) {
        // Seeded init first (and a pretrained encoder's folder weights): a checkpoint then overwrites what it stores.
        var g = SeededGenerator(seed: spec.seed).fork("init")
        try model.initialize(generator: &g)
        if let (c, state) = loadCheckpoint(into: model, kept: kept, initial: initial) {
            // The layout the saved buffers were written in: that of the last step run.
            let last = try Self.group(for: model, step: max(c.step - 1, 0), epoch: max(c.epoch - 1, 0), spec: spec)
            let optimizer = try Self.makeOptimizer(spec.optimizer, group: last)
            do { try optimizer.importState(state) } catch { throw TrainingError("resume state of \(key): \(error)") }
            return (c, optimizer)
        }
        switch spec.initialization {
        case .random: break
        case .checkpoint, .upstream:
            guard let path = initialWeightsPath else {
                throw TrainingError("the trial starts from a checkpoint but no weights file was resolved")
            }
            let head = reinitializeHead
            try model.load(from: path, skip: { head && ($0 == "head" || $0.hasPrefix("head.")) })
        }
        return (initial, try Self.makeOptimizer(spec.optimizer, group: try Self.group(for: model, step: 0, epoch: 0, spec: spec)))
    }
}
