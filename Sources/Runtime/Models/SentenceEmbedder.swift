import Foundation
import Kernels
import Plan
import Support

/// Sentence embeddings from a BERT folder, as sentence-transformers computes them:
/// WordPiece tokens (`[CLS] … [SEP]`, truncated to `maxLength`), the encoder in
/// evaluation mode, `mean` (mask-weighted) or `cls` pooling, optionally L2-normalised.
///
/// Texts are batched internally, sorted by token count so a batch pads little,
/// and returned in input order.
public final class SentenceEmbedder {
    /// The encoder.
    public let model: BertModel
    /// The folder's tokenizer (`vocab.txt`, lower-casing from `tokenizer_config.json`).
    public let tokenizer: WordPieceTokenizer
    /// Longest token sequence fed to the model, [CLS] and [SEP] included.
    public let maxLength: Int

    /// Loads `directory` (config.json, model.safetensors, vocab.txt). `maxLength`
    /// defaults to `defaultMaxLength(directory:config:)`. A vocabulary larger than
    /// the word-embedding table, or a `maxLength` beyond the position table, is an
    /// error naming the files and both numbers (`BertFolder`'s checks).
    public init(directory: String, maxLength: Int? = nil) throws {
        let folder = BertFolder(directory)
        let model = try BertModel(directory: directory)
        let vocabPath = folder.vocabularyPath
        guard FileManager.default.fileExists(atPath: vocabPath) else {
            throw BertError(path: vocabPath, problem: "no such file (a BERT model folder needs vocab.txt for its tokenizer)")
        }
        let vocabulary: WordPieceVocabulary
        do { vocabulary = try WordPieceVocabulary(path: vocabPath) } catch let e as WordPieceVocabulary.LoadError {
            throw BertError(path: e.path, problem: e.problem)
        }
        try folder.checkVocabulary(tokens: vocabulary.tokens.count, config: model.config)
        let lower = Self.lowercases(directory: directory)
        let length = maxLength ?? Self.defaultMaxLength(directory: directory, config: model.config)
        guard length >= 2 else {
            throw BertError(path: directory, problem: "max length \(length) must be at least 2 ([CLS] and [SEP])")
        }
        try folder.checkMaxLength(length, source: "the requested max length", config: model.config)
        self.model = model
        self.tokenizer = WordPieceTokenizer(vocabulary: vocabulary, normalizer: BertTextNormalizer(lowercase: lower))
        self.maxLength = length
    }

    /// sentence-transformers' `max_seq_length` from `sentence_bert_config.json`
    /// when the folder has one, else `max_position_embeddings` (512 for BERT):
    /// the longest input the model can read. (all-MiniLM-L6-v2 as published by
    /// sentence-transformers truncates at 256; its folder here lacks that file.)
    public static func defaultMaxLength(directory: String, config: BertConfig) -> Int {
        let path = (directory as NSString).appendingPathComponent("sentence_bert_config.json")
        if let data = FileManager.default.contents(atPath: path),
           let n = (try? JSONParser.parse(data))?["max_seq_length"]?.intValue, n >= 2 {
            return min(n, config.maxPositionEmbeddings)
        }
        return config.maxPositionEmbeddings
    }

    /// `do_lower_case` of `tokenizer_config.json` (default true, BERT uncased).
    static func lowercases(directory: String) -> Bool {
        let path = (directory as NSString).appendingPathComponent("tokenizer_config.json")
        guard let data = FileManager.default.contents(atPath: path),
              let lower = (try? JSONParser.parse(data))?["do_lower_case"]?.boolValue else { return true }
        return lower
    }

    /// One embedding (C floats) per text, in input order. Batches hold at most
    /// `batchSize` texts and `tokenBudget` padded tokens.
    public func embed(_ texts: [String], pooling: PretrainedSpec.Pooling = .mean, normalize: Bool = false,
                      batchSize: Int = 32, tokenBudget: Int = 8192) -> [[Float]] {
        let c = model.config.hiddenSize
        var result = [[Float]](repeating: [], count: texts.count)
        for (members, batch) in tokenizer.lengthSortedBatches(texts, maxLength: maxLength, batchSize: batchSize,
                                                              tokenBudget: tokenBudget) {
            let pooled = model.forward(batch, pooling: pooling)
            for (row, i) in members.enumerated() {
                var v = Array(UnsafeBufferPointer(start: pooled.pointer + row * c, count: c))
                if normalize { Self.normalize(&v) }
                result[i] = v
            }
        }
        return result
    }

    /// v / max(‖v‖₂, 1e-12), as `torch.nn.functional.normalize`.
    public static func normalize(_ v: inout [Float]) {
        var s: Double = 0
        for x in v { s += Double(x) * Double(x) }
        let k = Float(1 / max(s.squareRoot(), 1e-12))
        for i in v.indices { v[i] *= k }
    }
}
