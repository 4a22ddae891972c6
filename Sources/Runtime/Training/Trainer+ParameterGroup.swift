import Foundation
import Plan

/// Which parameters train at which step (`freeze` / `unfreeze at` an epoch or a step) and at
/// which learning-rate scale (layer-wise decay): the optimizer's layout, rebuilt at each
/// epoch's start and at each step an `unfreeze` entry names.
/// Separate from the epoch loop because the checkpoint (what to store) and the
/// resume (the layout to restore into) ask the same question.
extension Trainer {
    /// The optimizer layout of `model` at optimizer step `step` of `epoch`: trainable per
    /// freeze/unfreeze, lr multipliers per layer-wise decay (the head ×1, each block below ×d more).
    static func group(for model: MLPModel, step: Int, epoch: Int, spec: TrainingSpec) throws -> ParameterGroup {
        let store = model.parameters
        for i in store.slots.indices {
            let name = store.slots[i].name
            // BERT's pooler is unused by mean/cls pooling: it never trains.
            let unused = model.encoder != nil && ModelCatalog.isBertPooler(name)
            store.setTrainable(!unused && spec.trains(name, atStep: step, epoch: epoch), at: i)
        }
        let blocks = model.parameterBlocks
        let d = spec.optimizer.layerLRDecay
        let slots = store.slots.map { s -> ParameterSlot in
            var scale = 1.0
            if d != 1, let b = blocks.firstIndex(where: { s.name.hasPrefix($0 + ".") }) {
                scale = pow(d, Double(blocks.count - 1 - b))
            }
            return ParameterSlot(name: s.name, offset: s.offset, count: s.count, trainable: s.trainable, decays: true, lrScale: scale)
        }
        do { return try ParameterGroup(slots: slots, count: store.totalCount) } catch {
            throw TrainingError("parameter layout: \(error)")
        }
    }
}
