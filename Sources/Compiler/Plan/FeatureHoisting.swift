import Foundation
import Plan
import Support

/// Decides which trials share a hoisted `features` task: the pooled output of a
/// pretrained encoder that a trial never trains, computed once per (model folder,
/// data, filter, tokenizer `max_length`, pooling) and read by every such trial.
///
/// A trial qualifies when its encoder is entirely frozen for the whole stage
/// (every `embeddings.*` / `encoder.*` parameter matches `freeze`, none is ever
/// unfrozen), its weights are the model folder's (`init` is random: an upstream
/// checkpoint could carry trained encoder weights), and nothing stochastic runs
/// in the prefix (no augmentation). The trainer then computes exactly the same
/// features (evaluation mode, in file order) itself, so hoisting never changes a
/// result — it only moves the encoder pass into one shared, stored task.
///
/// The features payload is the trial's spec reduced to what the features depend
/// on; optimizer, learning rate, batch size, schedule, loss, metrics and seed are
/// replaced by fixed placeholders, so every trial of a sweep maps to one key.
/// (Hoisting the hidden states of a partially frozen prefix is not done: BERT's
/// dropout makes a frozen prefix stochastic in training mode.)
struct FeatureHoisting {
    /// The config of each pretrained model folder (as the specs name it), as the checker read it.
    let configs: [String: BertConfig]

    /// The `features` payload shared by trials like `spec`, or nil if `spec` computes its encoder inline.
    func featuresSpec(for spec: TrainingSpec) -> TrainingSpec? {
        guard let p = spec.model.pretrained, p.architecture == .bert, let config = configs[p.directory] else { return nil }
        guard case .random = spec.initialization, spec.data.augment.isEmpty, spec.data.text != nil else { return nil }
        // Every encoder parameter (the pooler's excluded: it never trains) must stay frozen.
        let names = ModelCatalog.bert(config).map(\.name).filter(ModelCatalog.isBertEncoderParameter)
        guard !names.contains(where: spec.everTrains) else { return nil }
        return Self.canonical(data: spec.data, filter: spec.filter, pretrained: p)
    }

    /// The call name of the augmentation that alone keeps `spec`'s frozen encoder from a
    /// hoisted `features` task (its inputs change per batch or epoch), or nil.
    func augmentationPreventingHoisting(_ spec: TrainingSpec) -> String? {
        guard let first = spec.data.augment.first(where: { $0.actsOnText || $0.actsOnTokens }) else { return nil }
        var plain = spec
        plain.data.augment = []
        guard featuresSpec(for: plain) != nil else { return nil }
        switch first {
        case .synonyms: return "synonyms"
        case .randomInsertion: return "random_insertion"
        case .randomSwap: return "random_swap"
        case .randomDeletion: return "random_deletion"
        case .paraphrases: return "paraphrases"
        case .tokenDropout: return "token_dropout"
        case .noise, .mixup: return nil
        }
    }

    /// The features payload of an encoder over data: only what the pooled vectors depend on.
    static func canonical(data: DataSpec, filter: RowPredicate?, pretrained: PretrainedSpec) -> TrainingSpec {
        TrainingSpec(data: data, filter: filter, model: ModelSpec(input: 0, layers: [], head: nil, pretrained: pretrained),
                     initialization: .random, freeze: ["embeddings.*", "encoder.*"], unfreeze: [],
                     optimizer: OptimizerSpec(kind: .sgd, lr: 0), schedule: ScheduleSpec(epochs: 0, batchSize: 1, shuffle: false),
                     loss: LossSpec(criterion: .mse), metrics: [], seed: 0, prune: nil)
    }
}
