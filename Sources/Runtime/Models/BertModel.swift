import Foundation
import Kernels
import Plan
import Support

/// A Hugging Face BERT encoder on ftx's runtime: parameters in a flat
/// `ParameterStore` under their Hugging Face names, a fused forward pass
/// (GEMM projections over all batch×seq rows, multi-head attention with the
/// padding mask, post-LN residual blocks, exact GELU), `mean`/`cls` pooling and
/// a hand-written backward pass that does no work for frozen parameters and
/// none at all below the lowest trainable layer.
///
/// Typical training step (the head and loss on a `Tape`):
///
///     let pooled = bert.forward(batch, pooling: .mean, training: true, generator: &rng)
///     let x = tape.input(pooled, requiresGradient: true)
///     … head, loss, tape.backward(loss) …
///     bert.backward(pooledGradient: tape.gradient(x)!)
///
/// Not thread-safe: one model object holds one batch's activations.
public final class BertModel {
    /// The architecture.
    public let config: BertConfig
    /// Every parameter (BERT's and any extra ones the caller added, e.g. a head).
    public let parameters: ParameterStore

    struct LayerSlots {
        var query, queryBias, key, keyBias, value, valueBias: Int
        var attentionOut, attentionOutBias, norm1, norm1Bias: Int
        var intermediate, intermediateBias, output, outputBias, norm2, norm2Bias: Int
        var all: [Int] {
            [query, queryBias, key, keyBias, value, valueBias, attentionOut, attentionOutBias, norm1, norm1Bias,
             intermediate, intermediateBias, output, outputBias, norm2, norm2Bias]
        }
    }

    let wordEmbeddings: Int, positionEmbeddings: Int, typeEmbeddings: Int, embeddingNorm: Int, embeddingNormBias: Int
    let layers: [LayerSlots]
    let activations = BertActivations()

    // MARK: names

    // MARK: construction

    /// Binds a model to `parameters`, which must hold every spec of
    /// `ModelCatalog.bert(config)` with its shape (and may hold more, e.g. `head.*`).
    /// `pooler.dense.*` is marked frozen: no pooling ftx implements reads it, so
    /// (as in PyTorch, where its `.grad` stays None) it gets no update and no decay.
    public init(config: BertConfig, parameters: ParameterStore) throws {
        try config.validate()
        for spec in ModelCatalog.bert(config) {
            guard let i = parameters.index(of: spec.name) else {
                throw BertError(path: "<parameters>", problem: "the parameter store has no `\(spec.name)`")
            }
            guard parameters.slots[i].shape == spec.shape else {
                throw BertError(path: "<parameters>", problem: "parameter `\(spec.name)` has shape \(SafetensorsError.formatShape(parameters.slots[i].shape)) but the config needs \(SafetensorsError.formatShape(spec.shape))")
            }
        }
        self.config = config
        self.parameters = parameters
        func slot(_ name: String) -> Int { parameters.index(of: name)! }
        wordEmbeddings = slot("embeddings.word_embeddings.weight")
        positionEmbeddings = slot("embeddings.position_embeddings.weight")
        typeEmbeddings = slot("embeddings.token_type_embeddings.weight")
        embeddingNorm = slot("embeddings.LayerNorm.weight")
        embeddingNormBias = slot("embeddings.LayerNorm.bias")
        layers = (0..<config.numHiddenLayers).map { i in
            let p = "encoder.layer.\(i)."
            return LayerSlots(
                query: slot(p + "attention.self.query.weight"), queryBias: slot(p + "attention.self.query.bias"),
                key: slot(p + "attention.self.key.weight"), keyBias: slot(p + "attention.self.key.bias"),
                value: slot(p + "attention.self.value.weight"), valueBias: slot(p + "attention.self.value.bias"),
                attentionOut: slot(p + "attention.output.dense.weight"), attentionOutBias: slot(p + "attention.output.dense.bias"),
                norm1: slot(p + "attention.output.LayerNorm.weight"), norm1Bias: slot(p + "attention.output.LayerNorm.bias"),
                intermediate: slot(p + "intermediate.dense.weight"), intermediateBias: slot(p + "intermediate.dense.bias"),
                output: slot(p + "output.dense.weight"), outputBias: slot(p + "output.dense.bias"),
                norm2: slot(p + "output.LayerNorm.weight"), norm2Bias: slot(p + "output.LayerNorm.bias"))
        }
        parameters.freeze(matching: "pooler")
    }

    /// A model with a fresh store holding BERT's parameters plus `extraParameters`
    /// (zero-initialised; e.g. a task head), weights unset.
    public convenience init(config: BertConfig, extraParameters: [ParameterSpec] = []) throws {
        try config.validate()
        try self.init(config: config, parameters: ParameterStore(ModelCatalog.bert(config) + extraParameters))
    }

    /// Loads a Hugging Face BERT folder: `config.json` and `model.safetensors`
    /// (names with or without a `bert.` prefix; F32/F16/BF16). Errors name the
    /// file and the field or tensor (with both shapes when a shape does not fit);
    /// every tensor is checked before any memory is allocated for the model.
    public convenience init(directory: String, extraParameters: [ParameterSpec] = []) throws {
        let folder = BertFolder(directory)
        let config = try folder.config()
        let weights = try Self.openWeights(at: folder.weightsPath, config: config)
        try self.init(config: config, extraParameters: extraParameters)
        try copyWeights(weights)
    }

    /// A checkpoint opened by `openWeights`: the file and, per BERT parameter it holds, its tensor name there.
    struct OpenedWeights {
        var file: SafetensorsFile
        var stored: [(parameter: String, tensor: String)]
    }

    /// Opens the safetensors file at `path` and checks that it holds every BERT
    /// tensor of `config` (with or without a `bert.` prefix; `pooler.*` may be
    /// absent) with the shape `config` implies — without reading any weights, so a
    /// config whose sizes the file does not back is an error, never an allocation.
    static func openWeights(at path: String, config: BertConfig) throws -> OpenedWeights {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BertError(path: path, problem: "no such file (a BERT model folder needs model.safetensors)")
        }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: path) } catch let e as SafetensorsError {
            throw BertError(path: path, problem: e.problem)
        }
        let names = Set(file.names)
        var stored: [(parameter: String, tensor: String)] = []
        for spec in ModelCatalog.bert(config) {
            let tensor = names.contains(spec.name) ? spec.name : names.contains("bert." + spec.name) ? "bert." + spec.name : nil
            guard let tensor else {
                if ModelCatalog.isBertPooler(spec.name) { continue }
                throw BertError(path: path, problem: "tensor `\(spec.name)` is missing")
            }
            let info = file.info(tensor)!
            guard info.shape == spec.shape else {
                throw BertError(path: path, problem: "tensor `\(tensor)` has shape \(SafetensorsError.formatShape(info.shape)) but config.json implies \(SafetensorsError.formatShape(spec.shape))")
            }
            stored.append((spec.name, tensor))
        }
        return OpenedWeights(file: file, stored: stored)
    }

    /// Copies every BERT tensor of the safetensors file at `path` into the store.
    /// Tensors may carry a `bert.` prefix; `pooler.*` may be absent (left zero);
    /// tensors that are not BERT parameters (`embeddings.position_ids`, heads) are ignored.
    public func loadWeights(from path: String) throws {
        try copyWeights(try Self.openWeights(at: path, config: config))
    }

    private func copyWeights(_ weights: OpenedWeights) throws {
        for (parameter, tensor) in weights.stored {
            let t = parameters.value(parameter)
            do {
                try weights.file.copyFloats(tensor, into: UnsafeMutableBufferPointer(start: t.pointer, count: t.count))
            } catch let e as SafetensorsError {
                throw BertError(path: weights.file.path, problem: e.problem)
            }
        }
    }

    /// BERT's parameters as safetensors tensors (for checkpoints and test models).
    public func exportTensors() -> [SafetensorsTensor] {
        ModelCatalog.bert(config).map { s in
            SafetensorsTensor(name: s.name, shape: s.shape, values: parameters.value(s.name).toArray())
        }
    }

    // MARK: freezing

    /// The number of bottom encoder layers that, with the embeddings, are entirely
    /// frozen; nil when an embedding parameter is trainable. `numHiddenLayers`
    /// means the whole encoder is frozen. The planner can compute this prefix
    /// once (`encodeFrozenPrefix`) and train the rest from its output.
    public var frozenPrefixLayers: Int? {
        let emb = [wordEmbeddings, positionEmbeddings, typeEmbeddings, embeddingNorm, embeddingNormBias]
        if emb.contains(where: { parameters.slots[$0].trainable }) { return nil }
        for (i, l) in layers.enumerated() where l.all.contains(where: { parameters.slots[$0].trainable }) { return i }
        return layers.count
    }

    func trainable(_ slot: Int) -> Bool { parameters.slots[slot].trainable }
}
