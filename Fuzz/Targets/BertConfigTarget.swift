import Foundation
import Plan

/// A model folder's `config.json` and `sentence_bert_config.json` (two parts).
/// Property: a config that reads is usable — positive sizes, heads divide the width.
enum BertConfigTarget {
    static func run(_ data: Data) {
        let parts = FuzzInput.parts(data, count: 2)
        let dir = FuzzScratch.directory("bert-config")
        FuzzScratch.write(parts[0], "config.json", in: dir)
        FuzzScratch.write(parts[1], "sentence_bert_config.json", in: dir)
        let folder = BertFolder(dir)
        _ = try? folder.sentenceTransformersMaxLength()
        guard let config = try? folder.config() else { return }
        FuzzCheck.require(config.hiddenSize > 0 && config.numHiddenLayers > 0 && config.numAttentionHeads > 0
                          && config.intermediateSize > 0 && config.maxPositionEmbeddings > 0 && config.vocabSize > 0
                          && config.typeVocabSize > 0, "a config with a non-positive size passed: \(config)")
        FuzzCheck.require(config.hiddenSize % config.numAttentionHeads == 0, "heads do not divide the width: \(config)")
        _ = try? folder.checkMaxLength(16, source: "fuzz", config: config)
        _ = try? folder.checkVocabulary(tokens: 100, config: config)
    }
}
