import Foundation
import Plan

/// A trial's data: loaded, filtered by the stage's `where`, and checked against the
/// model before any training. Separate from the epoch loop because the executor's
/// eval and ensemble tasks load the same data the same way.
extension Trainer {
    /// Loads and filters the spec's data and checks it against the model.
    static func prepareData(_ spec: TrainingSpec, model: MLPModel) throws -> PreparedData {
        let data = try Dataset.load(spec.data).prepare(filter: spec.filter)
        model.encoder?.dataKey = AnyHashable([AnyHashable(spec.data), AnyHashable(spec.filter)])
        if model.encoder != nil {
            guard spec.data.text != nil, data.train.texts.count == data.train.rowCount else {
                throw TrainingError("a pretrained encoder reads a text column; the data declares no `text`")
            }
        } else if data.featureCount != spec.model.input {
            throw TrainingError("the data has \(data.featureCount) feature columns but the model's input is \(spec.model.input)")
        }
        // `ftx check` rejects these; a spec that slips through must not train with the augmentation ignored.
        if let a = spec.data.augment.first(where: { $0.actsOnFeatures == (model.encoder != nil) }) {
            throw TrainingError(model.encoder != nil ? "\(a) perturbs numeric features, but a pretrained encoder reads text"
                                                     : "\(a) \(a.actsOnTokens ? "replaces tokens" : "rewrites texts"), but the model reads numeric features")
        }
        if spec.data.augment.filter({ if case .mixup = $0 { return true } else { return false } }).count > 1 {
            throw TrainingError("`mixup` is given more than once; a batch is mixed once, each row with one partner")
        }
        switch spec.loss.criterion {
        case .crossEntropy, .focal:
            let maxLabel = [data.train, data.valid, data.test].flatMap(\.labels).max().map(Int.init) ?? 0
            guard maxLabel < model.outputs else {
                throw TrainingError("the data has class id \(maxLabel) but the model outputs \(model.outputs) classes")
            }
        case .bce, .mse:
            break
        }
        guard data.train.rowCount > 0 else { throw TrainingError("the train split is empty (after the stage's filter)") }
        return data
    }
}
