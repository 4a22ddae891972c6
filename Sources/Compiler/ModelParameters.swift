import Foundation
import Plan
import Support

/// Parameter names of models, as PyTorch and Hugging Face name them.
public enum ModelParameters {
    /// The shape of a BERT encoder, from its `config.json`.
    public struct BertConfig: Sendable, Hashable {
        public var numHiddenLayers: Int
        public var hiddenSize: Int

        public init(numHiddenLayers: Int, hiddenSize: Int) {
            self.numHiddenLayers = numHiddenLayers
            self.hiddenSize = hiddenSize
        }
    }

    /// Names of an MLP: `layers.{i}.weight/bias` for every entry with
    /// parameters (`i` counts every entry, like `nn.Sequential`), then the head.
    public static func mlp(layers: [String], hasHead: Bool) -> [String] {
        var names: [String] = []
        for (i, layer) in layers.enumerated() where layer == "dense" || layer == "layer_norm" {
            names += ["layers.\(i).weight", "layers.\(i).bias"]
        }
        if hasHead { names += ["head.weight", "head.bias"] }
        return names
    }

    /// Trainable names of a Hugging Face `BertModel` (no `bert.` prefix; the
    /// `position_ids` buffer is not a parameter), then the head.
    public static func bert(_ config: BertConfig, hasHead: Bool) -> [String] {
        var names = [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        ]
        let perLayer = [
            "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm",
        ]
        for i in 0..<config.numHiddenLayers {
            for module in perLayer { names += ["encoder.layer.\(i).\(module).weight", "encoder.layer.\(i).\(module).bias"] }
        }
        names += ["pooler.dense.weight", "pooler.dense.bias"]
        if hasHead { names += ["head.weight", "head.bias"] }
        return names
    }

    /// Reads `config.json` of a BERT folder.
    public static func readBertConfig(folder: String) -> Result<BertConfig, BertConfigError> {
        let path = (folder as NSString).appendingPathComponent("config.json")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return .failure(.folderNotFound) }
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(.configNotFound(path)) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let layers = (object["num_hidden_layers"] as? NSNumber)?.intValue,
              let hidden = (object["hidden_size"] as? NSNumber)?.intValue, layers >= 0 else {
            return .failure(.configInvalid(path))
        }
        return .success(BertConfig(numHiddenLayers: layers, hiddenSize: hidden))
    }

    /// Why a BERT folder could not be used.
    public enum BertConfigError: Error, Equatable {
        case folderNotFound
        case configNotFound(String)
        case configInvalid(String)
    }
}
