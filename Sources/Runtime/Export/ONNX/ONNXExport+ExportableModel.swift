import Foundation
import Plan
import Support

extension ONNXExport {
    /// `ftx export --format onnx`: `model.onnx` — inputs `features` (N, input) float32, the
    /// raw column values (the data's normalisation is part of the graph), or `input_ids` +
    /// `attention_mask` (N, T) int64, dynamic N and T, output `logits` — then, for a BERT
    /// model, the tokenizer files (`vocab.txt`, `tokenizer_config.json`, …, as the other
    /// formats write them), and `ftx-model.json` without weights files (the preprocessing
    /// and labels for readers; `ftx predict --model` says it cannot run such a folder).
    public static func write(_ model: ExportableModel, into folder: String) throws {
        let data = try encode(model)
        try ExportFolder.writeFile(data, "model.onnx", in: folder)
        try BertFolderFiles.write(model, into: folder)
        try ExportFolder.writeFile(ExportedModelFile.encode(model, weights: []), ExportedModelFile.name, in: folder)
    }

    /// The ONNX bytes of `model`.
    public static func encode(_ model: ExportableModel) throws -> Data {
        var tensors: [String: ONNXTensor] = [:]
        for w in model.tensors { tensors[w.name] = ONNXTensor(shape: w.shape, values: w.values) }
        func tensor(_ name: String) throws -> ONNXTensor {
            guard let t = tensors[name] else { throw ONNXExportError("the model has no parameter \(name)") }
            return t
        }
        let layers = model.architecture.layers
        let onnxLayers: [ONNXLayer] = try layers.map { layer in
            switch layer.spec {
            case let .dense(_, activation):
                return .dense(ONNXDenseLayer(weight: try tensor(layer.prefix + ".weight"),
                                             bias: tensors[layer.prefix + ".bias"], activation: activation))
            case .dropout:
                return .dropout
            case let .layerNorm(eps):
                return .layerNorm(weight: try tensor(layer.prefix + ".weight"), bias: try tensor(layer.prefix + ".bias"), eps: Float(eps))
            case let .activation(f):
                return .activation(f)
            }
        }
        let names = layers.map(\.prefix)
        switch model.architecture {
        case let .mlp(input, _):
            return try mlp(layers: onnxLayers, inputWidth: input, transform: model.preprocessing.transform, names: names)
        case let .bert(config, pooling, _, _):
            return try bertClassifier(config: config, weights: tensors, pooling: pooling, head: onnxLayers, names: names)
        }
    }
}
