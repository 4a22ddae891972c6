import Foundation
import Plan
import Support

extension ONNXExport {
    /// The ONNX model of a built (trained) `MLPModel`: an MLP on `features` with
    /// `transform` (the data's normalisation), or — with a pretrained encoder — a BERT
    /// classifier on `input_ids`/`attention_mask` with the encoder's pooling and the
    /// model's `layers` then `head` on the pooled vector (`transform` must then be
    /// `.identity`: text models have no feature normalisation).
    public static func model(_ model: MLPModel, transform: FeatureTransform = .identity) throws -> Data {
        let store = model.parameters
        func tensor(_ name: String) -> ONNXTensor {
            let t = store.value(name)
            return ONNXTensor(shape: t.shape, values: Array(UnsafeBufferPointer(start: t.pointer, count: t.count)))
        }
        var names: [String] = []
        for (i, _) in model.spec.layers.enumerated() { names.append("layers.\(i)") }
        if model.spec.head != nil { names.append("head") }
        let layers: [ONNXLayer] = model.blocks.map { block in
            switch block {
            case let .dense(prefix, activation):
                let bias = store.index(of: prefix + ".bias").map { _ in tensor(prefix + ".bias") }
                return .dense(ONNXDenseLayer(weight: tensor(prefix + ".weight"), bias: bias, activation: activation))
            case .dropout:
                return .dropout
            case let .layerNorm(prefix, eps):
                return .layerNorm(weight: tensor(prefix + ".weight"), bias: tensor(prefix + ".bias"), eps: eps)
            case let .activation(f):
                return .activation(f)
            }
        }
        guard let encoder = model.encoder else {
            return try mlp(layers: layers, inputWidth: model.spec.input, transform: transform, names: names)
        }
        guard transform == .identity else {
            throw ONNXExportError("a model on a pretrained encoder reads token ids; it has no feature normalisation to export")
        }
        var weights: [String: ONNXTensor] = [:]
        for spec in ModelCatalog.bert(encoder.bert.config) where !spec.name.hasPrefix("pooler.") {
            weights[spec.name] = tensor(spec.name)
        }
        return try bertClassifier(config: encoder.bert.config, weights: weights, pooling: encoder.spec.pooling, head: layers, names: names)
    }
}
