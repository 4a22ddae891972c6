import Foundation
import Plan
import Support

/// A trained model as every export format needs it: the architecture, *all* parameters
/// (frozen ones included) under PyTorch / Hugging Face names, the preprocessing that turns
/// an input row into the network's input, and what the outputs mean. Formats
/// (safetensors, sentence-transformers, ONNX) are writers over this one value; `ftx
/// predict --model DIR` rebuilds it from the `ftx-model.json` every export holds.
public struct ExportableModel {
    /// One parameter: its name, its shape (outermost first) and its row-major values —
    /// what a safetensors file holds, so the safetensors writer takes it as it is.
    public typealias Weight = SafetensorsTensor

    /// One entry of the layers on top of the input (or of the encoder's pooled output),
    /// the head last. Parameters are `prefix.weight` / `prefix.bias` (`layers.{i}` counting
    /// every entry like `nn.Sequential`, then `head`); dropout is the identity at inference.
    public struct Layer: Sendable, Hashable {
        public var prefix: String
        public var spec: LayerSpec

        public init(prefix: String, spec: LayerSpec) {
            self.prefix = prefix
            self.spec = spec
        }
    }

    /// The network.
    public enum Architecture: Sendable {
        /// `features` (N, input) → `layers` → logits.
        case mlp(input: Int, layers: [Layer])
        /// `input_ids` + `attention_mask` (N, T) → Hugging Face `BertModel` (parameters named
        /// as in `ModelCatalog.bert`, no `bert.` prefix; post-LN, exact GELU, token type 0) →
        /// `pooling` over the unmasked tokens (`mean`, or `cls`: token 0) → `layers` → logits.
        /// The tokenizer truncates to `maxLength` tokens, `[CLS]` and `[SEP]` included.
        case bert(config: BertConfig, pooling: PretrainedSpec.Pooling, maxLength: Int, layers: [Layer])

        /// The layers on top of the input or the pooled encoder output, head last.
        public var layers: [Layer] {
            switch self {
            case let .mlp(_, layers), let .bert(_, _, _, layers): return layers
            }
        }
    }

    /// What the outputs are, and how a row's input is made.
    public struct Preprocessing: Sendable {
        /// MLP: the input columns, in the network's input order.
        public var features: [String]
        /// MLP: the normalisation each feature gets (float64 on the file's value, then Float32).
        public var transform: FeatureTransform
        /// BERT: the text column.
        public var text: String?
        /// BERT: whether the WordPiece tokenizer lower-cases and strips accents.
        public var lowercase: Bool
        /// BERT: the WordPiece vocabulary, one token per id.
        public var vocabulary: [String]

        public init(features: [String], transform: FeatureTransform, text: String?, lowercase: Bool, vocabulary: [String]) {
            self.features = features
            self.transform = transform
            self.text = text
            self.lowercase = lowercase
            self.vocabulary = vocabulary
        }
    }

    /// How outputs become predictions.
    public struct Target: Sendable {
        /// The label column of the training data (nil: unlabelled).
        public var column: String?
        /// Class ids (softmax over the outputs), 0/1 (`bce`: a sigmoid of the one output), or a value.
        public var kind: TargetKind
        /// The label's original values by class id.
        public var classNames: [String]
        /// The training criterion (decides softmax, sigmoid or identity).
        public var criterion: LossSpec.Criterion

        public init(column: String?, kind: TargetKind, classNames: [String], criterion: LossSpec.Criterion) {
            self.column = column
            self.kind = kind
            self.classNames = classNames
            self.criterion = criterion
        }

        /// `softmax`, `sigmoid` or `identity`: what maps the logits to the probabilities `predict` reports.
        public var outputTransform: String {
            switch criterion {
            case .crossEntropy, .focal: return "softmax"
            case .bce: return "sigmoid"
            case .mse: return "identity"
            }
        }
    }

    public var architecture: Architecture
    /// Every parameter, in the model's parameter order (encoder first, then `layers.*`, `head.*`).
    public var tensors: [Weight]
    public var preprocessing: Preprocessing
    public var target: Target

    public init(architecture: Architecture, tensors: [Weight], preprocessing: Preprocessing, target: Target) {
        self.architecture = architecture
        self.tensors = tensors
        self.preprocessing = preprocessing
        self.target = target
    }

    /// The parameters by name (what the ONNX writer takes).
    public var weights: [String: (shape: [Int], values: [Float])] {
        Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, (shape: $0.shape, values: $0.values)) })
    }

    /// The parameter called `name`.
    public func tensor(_ name: String) -> Weight? { tensors.first { $0.name == name } }

    /// Width of the output (the last parameter-carrying layer's units).
    public var outputCount: Int {
        var width: Int
        switch architecture {
        case let .mlp(input, _): width = input
        case let .bert(config, _, _, _): width = config.hiddenSize
        }
        for l in architecture.layers { if case let .dense(units, _) = l.spec { width = units } }
        return width
    }

    /// The model of a trained `MLPModel` whose data was prepared as `data` and trained with `spec`.
    public init(model: MLPModel, data: PreparedData, spec: TrainingSpec) throws {
        var layers = spec.model.layers.enumerated().map { Layer(prefix: "layers.\($0.offset)", spec: $0.element) }
        if let head = spec.model.head { layers.append(Layer(prefix: "head", spec: head)) }
        let vocabulary: [String]
        if let encoder = model.encoder, let p = spec.model.pretrained {
            architecture = .bert(config: encoder.bert.config, pooling: p.pooling, maxLength: p.maxLength, layers: layers)
            vocabulary = encoder.tokenizer.vocabulary.tokens
        } else {
            architecture = .mlp(input: spec.model.input, layers: layers)
            vocabulary = []
        }
        tensors = model.tensorViews().map { Weight(name: $0.name, shape: $0.shape, values: Array($0.values)) }
        preprocessing = Preprocessing(features: model.encoder == nil ? data.featureNames : [], transform: data.transform,
                                      text: model.encoder == nil ? nil : spec.data.text,
                                      lowercase: spec.model.pretrained?.lowercase ?? false, vocabulary: vocabulary)
        target = Target(column: spec.data.label, kind: spec.data.target, classNames: data.classNames, criterion: spec.loss.criterion)
    }

    /// The `ModelSpec` that rebuilds this network in ftx, its encoder (if any) read from `directory`.
    public func modelSpec(directory: String) -> ModelSpec {
        var layers = architecture.layers
        let head = layers.last?.prefix == "head" ? layers.removeLast().spec : nil
        switch architecture {
        case let .mlp(input, _):
            return ModelSpec(input: input, layers: layers.map(\.spec), head: head)
        case let .bert(_, pooling, maxLength, _):
            return ModelSpec(input: 0, layers: layers.map(\.spec), head: head,
                             pretrained: PretrainedSpec(architecture: .bert, directory: directory, maxLength: maxLength,
                                                        pooling: pooling, lowercase: preprocessing.lowercase))
        }
    }
}
