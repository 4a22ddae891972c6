import Foundation
import Plan

/// Which parameters train at which step (`freeze` / `unfreeze at` an epoch or a step), at
/// which learning-rate scale and with which weight decay (`param_groups`, layer-wise decay,
/// `no_decay`): the optimizer's layout, rebuilt at each epoch's start and at each step an
/// `unfreeze` entry names. Separate from the epoch loop because the checkpoint (what to
/// store) and the resume (the layout to restore into) ask the same question.
extension Trainer {
    /// The optimizer layout of `model` at optimizer step `step` of `epoch`: trainable per
    /// freeze/unfreeze; each slot's lr multiplier and weight decay per
    /// `TrainingSpec.optimization(of:role:decayDepth:)`, its depth per `ModelCatalog.lrDecayDepth`.
    static func group(for model: MLPModel, step: Int, epoch: Int, spec: TrainingSpec) throws -> ParameterGroup {
        let store = model.parameters
        for i in store.slots.indices {
            let name = store.slots[i].name
            // BERT's pooler is unused by mean/cls pooling: it never trains.
            let unused = model.encoder != nil && ModelCatalog.isBertPooler(name)
            store.setTrainable(!unused && spec.trains(name, atStep: step, epoch: epoch), at: i)
        }
        let bertLayers = model.encoder?.layerCount
        let slots = store.slots.map { s -> ParameterSlot in
            let depth = ModelCatalog.lrDecayDepth(of: s.name, model: spec.model, bertLayers: bertLayers)
            let o = spec.optimization(of: s.name, role: s.role, decayDepth: depth)
            return ParameterSlot(name: s.name, offset: s.offset, count: s.count, trainable: s.trainable, decays: true,
                                 lrScale: o.lrScale, weightDecay: o.weightDecay)
        }
        do { return try ParameterGroup(slots: slots, count: store.totalCount) } catch {
            throw TrainingError("parameter layout: \(error)")
        }
    }
}
