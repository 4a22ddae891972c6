import Foundation
import Support

/// Why a BERT folder, config or checkpoint cannot be used: the file and the problem.
public struct BertError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or folder) at fault.
    public let path: String
    /// What is wrong with it, naming the field or tensor.
    public let problem: String

    /// An error about `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// The architecture of a Hugging Face BERT encoder (`config.json`), restricted to
/// what ftx implements: absolute position embeddings, exact (erf) GELU, post-LN blocks.
public struct BertConfig: Sendable, Hashable {
    /// Width of every hidden state (C).
    public var hiddenSize: Int
    /// Number of encoder layers.
    public var numHiddenLayers: Int
    /// Attention heads; `hiddenSize` must be divisible by it.
    public var numAttentionHeads: Int
    /// Width of the feed-forward block.
    public var intermediateSize: Int
    /// Rows of the position embedding table (the longest sequence).
    public var maxPositionEmbeddings: Int
    /// Rows of the token-type (segment) embedding table.
    public var typeVocabSize: Int
    /// Rows of the word embedding table.
    public var vocabSize: Int
    /// LayerNorm epsilon.
    public var layerNormEps: Float
    /// Dropout on embeddings and after the attention-output / FFN-output projections (training only).
    public var hiddenDropout: Float
    /// Dropout on the attention probabilities (training only).
    public var attentionDropout: Float
    /// The `[PAD]` id: its word-embedding row gets no gradient (`padding_idx`).
    public var padTokenID: Int

    /// A config from its fields (the defaults are BERT-base's dropouts and eps).
    public init(hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
                maxPositionEmbeddings: Int, typeVocabSize: Int, vocabSize: Int, layerNormEps: Float = 1e-12,
                hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1, padTokenID: Int = 0) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.vocabSize = vocabSize
        self.layerNormEps = layerNormEps
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.padTokenID = padTokenID
    }

    /// Width of one attention head.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// The largest size ftx accepts for each field of `config.json`. Real BERTs are
    /// far below them (MiniLM: 384 wide, 1,536 intermediate, 6 layers, 512 positions,
    /// 30,522 tokens); the bounds exist so that a hostile or corrupt config is an
    /// error and never an overflow: every product the runtime forms from these sizes
    /// fits easily in `Int` — a table is at most vocab × hidden = 2^24 · 2^16 = 2^40
    /// floats, the model at most ≈ 2^10 layers · (4h² + 2hi) ≈ 2^46 floats (2^48
    /// bytes), and attention per sequence heads × T² ≤ 2^16 · 2^32 = 2^48 scores.
    public static let upperBounds: [(field: String, limit: Int)] = [
        ("hidden_size", 1 << 16), ("num_hidden_layers", 1 << 10), ("num_attention_heads", 1 << 16),
        ("intermediate_size", 1 << 18), ("max_position_embeddings", 1 << 16), ("type_vocab_size", 1 << 16),
        ("vocab_size", 1 << 24),
    ]

    /// The sizes by `config.json` field name, in `upperBounds` order.
    private var sizes: [(field: String, value: Int)] {
        [("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
         ("intermediate_size", intermediateSize), ("max_position_embeddings", maxPositionEmbeddings),
         ("type_vocab_size", typeVocabSize), ("vocab_size", vocabSize)]
    }

    /// Checks the sizes and rates; `path` names the config in the error.
    /// Sizes must be positive and within `upperBounds`; `num_attention_heads` must
    /// divide `hidden_size`; the position table must hold at least `[CLS]` and `[SEP]`.
    public func validate(path: String = "<config>") throws {
        func fail(_ field: String, _ why: String) -> BertError { BertError(path: path, problem: "`\(field)` \(why)") }
        let limits = Dictionary(uniqueKeysWithValues: Self.upperBounds.map { ($0.field, $0.limit) })
        for (field, v) in sizes {
            if v < 1 { throw fail(field, "must be a positive integer, got \(v)") }
            if let limit = limits[field], v > limit { throw fail(field, "is \(v), more than the largest supported, \(limit)") }
        }
        if hiddenSize % numAttentionHeads != 0 {
            throw fail("hidden_size", "(\(hiddenSize)) is not divisible by `num_attention_heads` (\(numAttentionHeads))")
        }
        if maxPositionEmbeddings < 2 {
            throw fail("max_position_embeddings", "is \(maxPositionEmbeddings), but every sequence holds at least [CLS] and [SEP] (2 positions)")
        }
        if !(padTokenID >= 0 && padTokenID < vocabSize) {
            throw fail("pad_token_id", "is \(padTokenID), outside the \(vocabSize) rows of the word-embedding table (`vocab_size`)")
        }
        if !(layerNormEps > 0 && layerNormEps.isFinite) { throw fail("layer_norm_eps", "must be positive, got \(layerNormEps)") }
        for (field, p) in [("hidden_dropout_prob", hiddenDropout), ("attention_probs_dropout_prob", attentionDropout)]
        where !(p >= 0 && p < 1) {
            throw fail(field, "must lie in [0, 1), got \(p)")
        }
    }

    /// Reads and validates a Hugging Face `config.json` — the one reader of that
    /// file, for `ftx check` and the runtime alike. Unsupported architectures
    /// (another `model_type`, `hidden_act`, `position_embedding_type`) and bad sizes
    /// are errors naming the file, the field and the value.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BertError(path: path, problem: FileManager.default.fileExists(atPath: path)
                            ? "cannot read the file" : "no such file (a BERT model folder needs config.json)")
        }
        let document: JSONValue
        do { document = try JSONParser.parse(data) } catch let e as JSONParseError {
            throw BertError(path: path, problem: "is not valid JSON (\(e.message) at byte \(e.offset))")
        }
        guard case .object = document else { throw BertError(path: path, problem: "is not a JSON object") }
        let limits = Dictionary(uniqueKeysWithValues: Self.upperBounds.map { ($0.field, $0.limit) })
        func fail(_ field: String, _ why: String) -> BertError { BertError(path: path, problem: "`\(field)` \(why)") }
        // A member, with `null` read as absent (Hugging Face writes e.g. `"pad_token_id": null`).
        func member(_ key: String) -> JSONValue? {
            guard let raw = document[key], raw != .null else { return nil }
            return raw
        }
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            guard let raw = member(key) else {
                if let value { return value }
                throw fail(key, document[key] == nil ? "is missing" : "must be an integer, got null")
            }
            if let n = raw.intValue { return n }
            if let d = raw.doubleValue, d.isFinite, d == d.rounded() {  // integral, but beyond exact `Int`
                throw fail(key, "is \(raw), more than the largest supported, \(limits[key].map(String.init) ?? "\(Int.max)")")
            }
            throw fail(key, "must be an integer, got \(raw)")
        }
        func number(_ key: String, default value: Double) throws -> Double {
            guard let raw = member(key) else { return value }
            guard let d = raw.doubleValue else { throw fail(key, "must be a number, got \(raw)") }
            return d
        }
        func string(_ key: String, default value: String) throws -> String {
            guard let raw = member(key) else { return value }
            guard let s = raw.stringValue else { throw fail(key, "must be a string, got \(raw)") }
            return s
        }
        let modelType = try string("model_type", default: "bert")
        guard modelType == "bert" else {
            throw fail("model_type", "is \"\(modelType)\"; ftx's `bert` architecture reads only \"bert\" models")
        }
        let act = try string("hidden_act", default: "gelu")
        guard act == "gelu" else {
            throw fail("hidden_act", "is \"\(act)\"; only \"gelu\" (exact erf GELU) is supported")
        }
        let positions = try string("position_embedding_type", default: "absolute")
        guard positions == "absolute" else {
            throw fail("position_embedding_type", "is \"\(positions)\"; only \"absolute\" is supported")
        }
        self.init(hiddenSize: try int("hidden_size"), numHiddenLayers: try int("num_hidden_layers"),
                  numAttentionHeads: try int("num_attention_heads"), intermediateSize: try int("intermediate_size"),
                  maxPositionEmbeddings: try int("max_position_embeddings", default: 512),
                  typeVocabSize: try int("type_vocab_size", default: 2), vocabSize: try int("vocab_size"),
                  layerNormEps: Float(try number("layer_norm_eps", default: 1e-12)),
                  hiddenDropout: Float(try number("hidden_dropout_prob", default: 0.1)),
                  attentionDropout: Float(try number("attention_probs_dropout_prob", default: 0.1)),
                  padTokenID: try int("pad_token_id", default: 0))
        try validate(path: path)
    }

    /// The `config.json` text of this config (for writing test models).
    public var json: String {
        """
        {"model_type": "bert", "architectures": ["BertModel"], "hidden_act": "gelu", "position_embedding_type": "absolute",
         "hidden_size": \(hiddenSize), "num_hidden_layers": \(numHiddenLayers), "num_attention_heads": \(numAttentionHeads),
         "intermediate_size": \(intermediateSize), "max_position_embeddings": \(maxPositionEmbeddings),
         "type_vocab_size": \(typeVocabSize), "vocab_size": \(vocabSize), "layer_norm_eps": \(layerNormEps),
         "hidden_dropout_prob": \(hiddenDropout), "attention_probs_dropout_prob": \(attentionDropout), "pad_token_id": \(padTokenID)}
        """
    }
}
