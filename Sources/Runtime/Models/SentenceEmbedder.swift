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
    /// defaults to sentence-transformers' `max_seq_length` (`sentence_bert_config.json`)
    /// capped at `max_position_embeddings`, else `max_position_embeddings`. A vocabulary larger than
    /// the word-embedding table, or a `maxLength` beyond the position table, is an
    /// error naming the files and both numbers (`BertFolder`'s checks).
    public init(directory: String, maxLength: Int? = nil) throws {
        let folder = BertFolder(directory)
        let model = try BertModel(directory: directory)
        let length = try maxLength ?? folder.sentenceTransformersMaxLength().map { min($0, model.config.maxPositionEmbeddings) }
            ?? model.config.maxPositionEmbeddings
        guard length >= 2 else {
            throw BertError(path: directory, problem: "max length \(length) must be at least 2 ([CLS] and [SEP])")
        }
        self.tokenizer = try WordPieceTokenizer(folder: folder, config: model.config, maxLength: length,
                                                maxLengthSource: "the requested max length", lowercase: try folder.lowercases())
        self.model = model
        self.maxLength = length
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
