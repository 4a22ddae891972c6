/// The one list of every architecture's parameters — names as PyTorch and Hugging
/// Face spell them, shapes, roles — read by the checker (what `freeze` can name),
/// the planner (feature hoisting, cost) and the runtime (what it allocates and loads).
public enum ModelCatalog {
    /// A dense layer `prefix.weight` `[out, in]` and `prefix.bias` `[out]`.
    public static func dense(prefix: String, inFeatures: Int, outFeatures: Int, bias: Bool = true) -> [ParameterSpec] {
        var specs = [ParameterSpec(name: prefix + ".weight", shape: [outFeatures, inFeatures], role: .weight)]
        if bias { specs.append(ParameterSpec(name: prefix + ".bias", shape: [outFeatures], role: .bias)) }
        return specs
    }

    /// A layer norm's gain `prefix.weight` and shift `prefix.bias`, both `[features]`.
    public static func layerNorm(prefix: String, features: Int) -> [ParameterSpec] {
        [ParameterSpec(name: prefix + ".weight", shape: [features], role: .norm),
         ParameterSpec(name: prefix + ".bias", shape: [features], role: .norm)]
    }

    /// A stack of `layers` over `inputSize` features, then `head`: `layers.{i}.…` where
    /// `i` counts every entry (like `nn.Sequential`), then `head.…`; and the output width.
    public static func mlp(inputSize: Int, layers: [LayerSpec], head: LayerSpec?) -> (specs: [ParameterSpec], outputSize: Int) {
        var specs: [ParameterSpec] = []
        var width = inputSize
        func add(_ layer: LayerSpec, _ prefix: String) {
            switch layer {
            case let .dense(units, _):
                specs += dense(prefix: prefix, inFeatures: width, outFeatures: units)
                width = units
            case .layerNorm:
                specs += layerNorm(prefix: prefix, features: width)
            case .dropout, .activation:
                break
            }
        }
        for (i, layer) in layers.enumerated() { add(layer, "layers.\(i)") }
        if let head { add(head, "head") }
        return (specs, width)
    }

    /// The parameters of a Hugging Face `BertModel` with `config`, in the checkpoint's
    /// order (no `bert.` prefix; the `position_ids` buffer is not a parameter):
    /// embeddings, `encoder.layer.{i}.…`, then `pooler.dense` (loaded for round trips
    /// but unused by mean/cls pooling, so the runtime keeps it frozen).
    public static func bert(_ c: BertConfig) -> [ParameterSpec] {
        let h = c.hiddenSize
        var specs = [
            ParameterSpec(name: "embeddings.word_embeddings.weight", shape: [c.vocabSize, h], role: .embedding),
            ParameterSpec(name: "embeddings.position_embeddings.weight", shape: [c.maxPositionEmbeddings, h], role: .embedding),
            ParameterSpec(name: "embeddings.token_type_embeddings.weight", shape: [c.typeVocabSize, h], role: .embedding),
        ]
        specs += layerNorm(prefix: "embeddings.LayerNorm", features: h)
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                specs += dense(prefix: p + m, inFeatures: h, outFeatures: h)
            }
            specs += layerNorm(prefix: p + "attention.output.LayerNorm", features: h)
            specs += dense(prefix: p + "intermediate.dense", inFeatures: h, outFeatures: c.intermediateSize)
            specs += dense(prefix: p + "output.dense", inFeatures: c.intermediateSize, outFeatures: h)
            specs += layerNorm(prefix: p + "output.LayerNorm", features: h)
        }
        specs += dense(prefix: "pooler.dense", inFeatures: h, outFeatures: h)
        return specs
    }

    /// How many blocks below the top a parameter sits, for layer-wise lr decay (its rate is
    /// `lr · lr_decay^depth`; ELECTRA's and ULMFiT's discriminative rates).
    ///
    /// - On a pretrained encoder with `bertLayers` = L layers: the head and any task layers
    ///   `layers.*` on top are the top (0); `encoder.layer.{i}.*` is at `L − i`; the
    ///   embeddings (`embeddings.*`) at `L + 1`; the pooler (which never trains) at 0.
    /// - On an MLP (`bertLayers` nil): the parameter-carrying blocks (`dense`, `layer_norm`
    ///   entries of `layers`, then `head`) counted from the top: the head 0, the block
    ///   below it 1, and so on.
    public static func lrDecayDepth(of name: String, model: ModelSpec, bertLayers: Int?) -> Int {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if let L = bertLayers {
            if parts.first == "embeddings" { return L + 1 }
            if parts.count > 2, parts[0] == "encoder", parts[1] == "layer", let i = Int(parts[2]) { return L - i }
            return 0
        }
        var blocks: [String] = []
        for (i, layer) in model.layers.enumerated() {
            switch layer {
            case .dense, .layerNorm: blocks.append("layers.\(i)")
            case .dropout, .activation: break
            }
        }
        if model.head != nil { blocks.append("head") }
        guard let b = blocks.firstIndex(where: { name.hasPrefix($0 + ".") }) else { return 0 }
        return blocks.count - 1 - b
    }

    /// Whether a BERT parameter belongs to the encoder proper (embeddings and layers;
    /// the pooler never trains).
    public static func isBertEncoderParameter(_ name: String) -> Bool { !isBertPooler(name) }

    /// Whether a BERT parameter is the pooler's: loaded and saved for round trips, but
    /// never trained — no pooling ftx implements (mean, cls) reads it, so, as in PyTorch
    /// where its gradient stays None, it gets no update, no decay and no checkpoint slot.
    public static func isBertPooler(_ name: String) -> Bool { name.hasPrefix("pooler.") }
}
