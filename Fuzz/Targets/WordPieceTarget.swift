import Foundation
import Plan
import Runtime

/// A model folder's tokenizer: `vocab.txt`, `tokenizer_config.json`, then text.
/// The input is the three parts separated by `FuzzInput.separator`; the text part
/// is tokenized line by line. Property: every id indexes the vocabulary (and so
/// the embedding table, which the folder check sizes against it), and every
/// sequence fits `maxLength`.
enum WordPieceTarget {
    static func run(_ data: Data) {
        let parts = FuzzInput.parts(data, count: 3)
        let dir = FuzzScratch.directory("wordpiece")
        FuzzScratch.write(parts[0], "vocab.txt", in: dir)
        FuzzScratch.write(parts[1], BertFolder.tokenizerConfigName, in: dir)
        let folder = BertFolder(dir)
        let config = BertConfig(hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 4,
                                maxPositionEmbeddings: 32, typeVocabSize: 2, vocabSize: 4096)
        guard let lowercase = try? folder.lowercases(),
              let tokenizer = try? WordPieceTokenizer(folder: folder, config: config, maxLength: 16,
                                                      maxLengthSource: "fuzz", lowercase: lowercase)
        else { return }
        let count = Int32(tokenizer.vocabulary.tokens.count)
        FuzzCheck.require(count <= config.vocabSize, "a vocabulary of \(count) passed a table of \(config.vocabSize)")
        let texts = String(decoding: parts[2] ?? Data(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for text in texts.prefix(64) {
            let ids = tokenizer.pieceIDs(text)
            FuzzCheck.require(ids.allSatisfy { $0 >= 0 && $0 < count }, "pieceIDs out of range for \(text.debugDescription)")
        }
        let batch = tokenizer.encodeBatch(Array(texts.prefix(64)), maxLength: 16)
        FuzzCheck.require(batch.length <= 16, "batch length \(batch.length) > 16")
        FuzzCheck.require(batch.ids.allSatisfy { $0 >= 0 && $0 < count }, "encodeBatch id out of range")
        FuzzCheck.require(batch.ids.count == batch.count * batch.length && batch.mask.count == batch.ids.count,
                          "batch shape: \(batch.ids.count) ids, \(batch.mask.count) mask for \(batch.count)×\(batch.length)")
    }
}
