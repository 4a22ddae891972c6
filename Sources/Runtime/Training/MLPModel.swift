import Foundation
import Kernels
import Plan
import Support

/// Why a trial cannot be built, loaded or run: a message naming the culprit.
public struct TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The network of a `ModelSpec` (an MLP: `layers` then `head`), its parameters
/// in one `ParameterStore` named like PyTorch's `nn.Sequential`:
/// `layers.{i}.weight` `[out, in]`, `layers.{i}.bias`, `head.weight`, `head.bias`,
/// where `i` counts every entry of `layers` (dropout and activations included).
public final class MLPModel {
    /// One executable entry of the network.
    enum Block {
        case dense(prefix: String, activation: Activation?)
        case dropout(Float)
        case layerNorm(prefix: String, eps: Float)
        case activation(Activation)
    }

    /// The model's spec.
    public let spec: ModelSpec
    /// Parameters (values and gradients in flat buffers).
    public let parameters: ParameterStore
    /// Width of the output (the head's units, or the last layer's).
    public let outputs: Int
    let blocks: [Block]
    /// The pretrained encoder under the layers (`pretrained = bert(DIR)`), sharing `parameters`.
    public let encoder: PretrainedEncoder?

    /// Builds the network: an MLP on the features, or on a pretrained encoder's
    /// pooled output (the encoder's parameters keep their Hugging Face names and
    /// are loaded from its folder by `initialize`).
    public init(spec: ModelSpec) throws {
        self.spec = spec
        var specs: [ParameterSpec] = []
        var width = spec.input
        var encoderConfig: BertConfig?
        if let p = spec.pretrained {
            let config: BertConfig
            do {
                let folder = BertFolder(p.directory)
                config = try folder.config()
                // Before allocating: the checkpoint must back every size the config claims.
                _ = try BertModel.openWeights(at: folder.weightsPath, config: config)
            } catch {
                throw TrainingError("cannot load the pretrained model '\(p.directory)': \(error)")
            }
            encoderConfig = config
            specs = ModelCatalog.bert(config)
            width = config.hiddenSize
        } else {
            guard spec.input >= 1 else { throw TrainingError("the model needs input ≥ 1, got \(spec.input)") }
        }
        var blocks: [Block] = []
        func add(_ layer: LayerSpec, prefix: String) throws {
            switch layer {
            case let .dense(units, activation):
                guard units >= 1 else { throw TrainingError("\(prefix): dense needs at least 1 unit, got \(units)") }
                specs += ModelCatalog.dense(prefix: prefix, inFeatures: width, outFeatures: units)
                blocks.append(.dense(prefix: prefix, activation: activation))
                width = units
            case let .dropout(p):
                guard p >= 0 && p < 1 else { throw TrainingError("\(prefix): dropout probability \(p) is not in [0, 1)") }
                blocks.append(.dropout(Float(p)))
            case let .layerNorm(eps):
                specs += ModelCatalog.layerNorm(prefix: prefix, features: width)
                blocks.append(.layerNorm(prefix: prefix, eps: Float(eps)))
            case let .activation(a):
                blocks.append(.activation(a))
            }
        }
        for (i, layer) in spec.layers.enumerated() { try add(layer, prefix: "layers.\(i)") }
        if let head = spec.head { try add(head, prefix: "head") }
        guard !specs.isEmpty else { throw TrainingError("the model has no parameters (no dense layer and no head)") }
        self.blocks = blocks
        self.outputs = width
        self.parameters = ParameterStore(specs)
        if let p = spec.pretrained, let config = encoderConfig {
            encoder = try PretrainedEncoder(spec: p, config: config, parameters: parameters)
        } else {
            encoder = nil
        }
    }

    /// Whether `name` belongs to the pretrained encoder.
    public func isEncoderParameter(_ name: String) -> Bool {
        guard encoder != nil else { return false }
        return !(name == "head" || name.hasPrefix("head.") || name.hasPrefix("layers."))
    }

    /// PyTorch's default initialisation from `generator`, in parameter order:
    /// dense weight and bias ~ U(−1/√in, 1/√in) (`nn.Linear`'s kaiming_uniform(a=√5)
    /// and bias rule); layer-norm gain 1, shift 0. Parameters matching `only`
    /// (if given) are initialised, the others left as they are; the generator
    /// advances the same way either way, so a re-initialised head gets the same
    /// values it would get in a fresh model.
    public func initialize(generator: inout SeededGenerator, only: ((String) -> Bool)? = nil) throws {
        for (i, slot) in parameters.slots.enumerated() where !isEncoderParameter(slot.name) {
            let t = parameters.value(at: i)
            let apply = only?(slot.name) ?? true
            switch slot.role {
            case .weight, .bias, .embedding:
                let weightName = slot.name.hasSuffix(".bias") ? String(slot.name.dropLast(5)) + ".weight" : slot.name
                let fanIn = parameters.index(of: weightName).map { parameters.slots[$0].shape.last ?? 1 } ?? 1
                let bound = 1 / Double(max(fanIn, 1)).squareRoot()
                for j in 0..<t.count {
                    let u = generator.nextDouble()
                    if apply { t.pointer[j] = Float((2 * u - 1) * bound) }
                }
            case .norm:
                if apply { t.fill(slot.name.hasSuffix(".weight") ? 1 : 0) }
            }
        }
        if let encoder, only == nil {
            do { try encoder.bert.loadWeights(from: BertFolder(encoder.spec.directory).weightsPath) } catch {
                throw TrainingError("cannot load the pretrained model: \(error)")
            }
        }
    }

    /// Loads parameters from a safetensors file by name. Every parameter the
    /// file holds must have the model's shape (the error names the tensor and
    /// both shapes); parameters absent from the file keep their values, and
    /// `skip` excludes names (a stage's new head). Returns the names loaded.
    @discardableResult
    public func load(from path: String, skip: (String) -> Bool = { _ in false }) throws -> [String] {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: path) } catch {
            throw TrainingError("cannot read initial weights '\(path)': \(error)")
        }
        var loaded: [String] = []
        for (i, slot) in parameters.slots.enumerated() where !skip(slot.name) {
            guard let info = file.info(slot.name) else { continue }
            guard info.shape == slot.shape else {
                throw TrainingError("'\(path)': tensor '\(slot.name)' has shape \(info.shape) but the model's \(slot.name) has shape \(slot.shape)")
            }
            let t = parameters.value(at: i)
            try file.copyFloats(slot.name, into: UnsafeMutableBufferPointer(start: t.pointer, count: t.count))
            loaded.append(slot.name)
            if isEncoderParameter(slot.name) { encoder?.weightsFromFolder = false }
        }
        if !parameters.slots.contains(where: { file.info($0.name) != nil }) {
            throw TrainingError("'\(path)' holds none of the model's parameters (expected names like \(parameters.slots[0].name); found \(file.names.prefix(4).joined(separator: ", ")))")
        }
        return loaded
    }

    /// A model of `spec` with trained weights from `path` (over the seeded init and,
    /// for a pretrained encoder, its folder's weights, for parameters `path` lacks).
    public static func trained(spec: ModelSpec, weights path: String) throws -> MLPModel {
        let model = try MLPModel(spec: spec)
        var g = SeededGenerator(seed: 0)
        try model.initialize(generator: &g)
        try model.load(from: path)
        return model
    }

    /// Every parameter (those `keep` selects), in declaration order, as views into the
    /// parameter buffer (no copies) for `SafetensorsWriter.write(views:)`; valid while the model is.
    public func tensorViews(keep: (String) -> Bool = { _ in true }) -> [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] {
        parameters.slots.indices.filter { keep(parameters.slots[$0].name) }.map { i in
            let s = parameters.slots[i]
            return (s.name, s.shape, UnsafeBufferPointer(start: parameters.value(at: i).pointer, count: s.count))
        }
    }

    /// The forward pass on `x` (N, input): logits / predictions (N, outputs).
    /// Dropout is active only with `training`, drawing from `rng`.
    public func forward(_ x: Variable, on tape: Tape, training: Bool, rng: inout SeededGenerator) -> Variable {
        var h = x
        for block in blocks {
            switch block {
            case let .dense(prefix, activation):
                h = Dense(store: parameters, prefix: prefix, activation: activation)(h, on: tape)
            case let .dropout(p):
                h = tape.dropout(h, p: p, training: training, rng: &rng)
            case let .layerNorm(prefix, eps):
                h = LayerNorm(store: parameters, prefix: prefix, eps: eps)(h, on: tape)
            case let .activation(a):
                h = tape.activation(h, a)
            }
        }
        return h
    }
}
