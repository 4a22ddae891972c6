import Foundation
import Plan
import Support

/// `--format sentence-transformers`: a folder `SentenceTransformer(DIR)` loads offline and
/// whose `encode(texts)` returns the model's logits, in sentence-transformers' long-standing
/// layout (read by its 2.x to 6.x releases):
///
/// - `modules.json`: `sentence_transformers.models.Transformer` (path ``), `…Pooling`
///   (`1_Pooling`), then one `…Dense` per dense layer (`2_Dense`, `3_Dense`, …), the head last;
/// - the encoder at the top: `config.json` (with `id2label`/`label2id`), `model.safetensors`
///   (every encoder parameter, frozen ones included, under Hugging Face `BertModel` names),
///   the tokenizer files, `sentence_bert_config.json` (`max_seq_length` as trained);
/// - `1_Pooling/config.json`: mean or cls pooling, as trained;
/// - `N_Dense/config.json` + `N_Dense/model.safetensors` (`linear.weight`, `linear.bias`), the
///   activation as a `torch.nn` module (`Identity` for the head).
///
/// What this layout cannot express faithfully is refused (`unsupported(_:)`): an MLP on
/// numeric features, a `layer_norm` layer, `gelu_tanh`, an activation that does not follow
/// a dense layer without one. `ftx-model.json` names every parameter's file for `ftx predict`.
public enum SentenceTransformersExport {
    /// Why `model` cannot be written in this format, or nil when it can.
    public static func unsupported(_ model: ExportableModel) -> String? {
        guard case .bert = model.architecture else {
            return "sentence-transformers holds text encoders; this model is an MLP on numeric features (use --format safetensors or onnx)"
        }
        do { _ = try denseModules(model.architecture.layers) } catch let failure as ExportFolder.Failure {
            return failure.description
        } catch { return "\(error)" }
        return nil
    }

    /// A `Dense` module: the dense layer's parameter prefix and its activation's torch class.
    struct DenseModule {
        var prefix: String
        var inFeatures: Int
        var outFeatures: Int
        var activation: String
    }

    static func torchClass(_ a: Activation?) throws -> String {
        switch a {
        case nil: return "torch.nn.modules.linear.Identity"
        case .relu?: return "torch.nn.modules.activation.ReLU"
        case .gelu?: return "torch.nn.modules.activation.GELU"
        case .tanh?: return "torch.nn.modules.activation.Tanh"
        case .sigmoid?: return "torch.nn.modules.activation.Sigmoid"
        case .geluTanh?:
            throw ExportFolder.Failure("a `Dense` module's activation is built without arguments, so gelu_tanh (GELU(approximate='tanh')) cannot be expressed; use --format safetensors or onnx")
        }
    }

    /// The layers as `Dense` modules: dropout is dropped (the identity at inference), an
    /// activation joins the dense layer before it when that has none.
    static func denseModules(_ layers: [ExportableModel.Layer]) throws -> [DenseModule] {
        var modules: [DenseModule] = []
        var open = false  // the last module is a dense layer without an activation yet
        for l in layers {
            switch l.spec {
            case let .dense(units, activation):
                modules.append(DenseModule(prefix: l.prefix, inFeatures: 0, outFeatures: units, activation: try torchClass(activation)))
                open = activation == nil
            case .dropout:
                continue
            case let .activation(a):
                guard open else {
                    throw ExportFolder.Failure("the activation `\(l.prefix)` (\(a.rawValue)) does not follow a dense layer without one, which a `Dense` module cannot express; use --format safetensors or onnx")
                }
                modules[modules.count - 1].activation = try torchClass(a)
                open = false
            case .layerNorm:
                throw ExportFolder.Failure("the layer norm `\(l.prefix)` has no sentence-transformers `Dense` equivalent; use --format safetensors or onnx")
            }
        }
        return modules
    }

    /// Writes `model` into `folder` (which exists); `unsupported(model)` must be nil.
    public static func write(_ model: ExportableModel, into folder: String) throws {
        guard case let .bert(config, pooling, maxLength, layers) = model.architecture else {
            throw ExportFolder.Failure(unsupported(model) ?? "not a BERT model")
        }
        var modules = try denseModules(layers)
        var width = config.hiddenSize
        for i in modules.indices { modules[i].inFeatures = width; width = modules[i].outFeatures }

        let encoder = model.tensors.filter { !($0.name.hasPrefix("layers.") || $0.name.hasPrefix("head.")) }
        try SafetensorsExport.writeWeights(encoder, "model.safetensors", in: folder)
        try BertFolderFiles.write(model, into: folder)
        let sbert: JSONValue = .object([("max_seq_length", .int(maxLength)), ("do_lower_case", false)])
        try ExportFolder.writeFile(pretty(sbert), "sentence_bert_config.json", in: folder)

        var moduleList: [JSONValue] = [
            .object([("idx", 0), ("name", "0"), ("path", ""), ("type", "sentence_transformers.models.Transformer")]),
            .object([("idx", 1), ("name", "1"), ("path", "1_Pooling"), ("type", "sentence_transformers.models.Pooling")]),
        ]
        let poolingConfig: JSONValue = .object([
            ("word_embedding_dimension", .int(config.hiddenSize)),
            ("pooling_mode_cls_token", .bool(pooling == .cls)), ("pooling_mode_mean_tokens", .bool(pooling == .mean)),
            ("pooling_mode_max_tokens", false), ("pooling_mode_mean_sqrt_len_tokens", false),
        ])
        try ExportFolder.writeFile(pretty(poolingConfig), "1_Pooling/config.json", in: folder)
        var weightFiles: [ExportedModelFile.WeightsFile] = [.init(file: "model.safetensors")]
        for (i, m) in modules.enumerated() {
            let index = i + 2
            let path = "\(index)_Dense"
            moduleList.append(.object([("idx", .int(index)), ("name", .string(String(index))), ("path", .string(path)),
                                       ("type", "sentence_transformers.models.Dense")]))
            let dense: JSONValue = .object([("in_features", .int(m.inFeatures)), ("out_features", .int(m.outFeatures)),
                                            ("bias", true), ("activation_function", .string(m.activation))])
            try ExportFolder.writeFile(pretty(dense), path + "/config.json", in: folder)
            guard let w = model.tensor(m.prefix + ".weight"), let b = model.tensor(m.prefix + ".bias") else {
                throw ExportFolder.Failure("the model has no parameters `\(m.prefix).weight` and `\(m.prefix).bias`")
            }
            try SafetensorsExport.writeWeights([.init(name: "linear.weight", shape: w.shape, values: w.values),
                                                .init(name: "linear.bias", shape: b.shape, values: b.values)],
                                               path + "/model.safetensors", in: folder)
            weightFiles.append(.init(file: path + "/model.safetensors",
                                     names: [("linear.weight", m.prefix + ".weight"), ("linear.bias", m.prefix + ".bias")]))
        }
        try ExportFolder.writeFile(pretty(.array(moduleList)), "modules.json", in: folder)
        try ExportFolder.writeFile(ExportedModelFile.encode(model, weights: weightFiles), ExportedModelFile.name, in: folder)
    }

    private static func pretty(_ v: JSONValue) -> String { JSONWriter.encode(v, options: .init(pretty: true)) + "\n" }
}
