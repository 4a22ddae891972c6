import Foundation
import Plan
import Runtime
import Support

/// A tiny random BERT and a text task it can learn, for tests of several targets
/// (one writer, so RuntimeTests and CLITests train on the same model and data).
public enum ColourBertFolder {
    /// The vocabulary's words after the five special tokens.
    public static let words = ["red", "green", "blue", "cat", "dog", "fish", "big", "small", "a", "the"]
    /// Special tokens then `words`: 15 tokens, the `vocab_size` a config must have.
    public static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    /// Hidden 8, 2 layers, 2 heads: small enough to train in a test in milliseconds.
    public static let config = BertConfig(hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16,
                                          maxPositionEmbeddings: 16, typeVocabSize: 2, vocabSize: vocabulary.count)

    /// Writes `dir/tiny-bert` (config.json, model.safetensors with N(0, 0.2²) weights from
    /// seed 5 and LayerNorm scales 1, vocab.txt) and `dir/texts.csv` beside it: 60 rows of
    /// three words whose label is which colour word the sentence holds. Returns the folder.
    public static func write(config: BertConfig = config, in dir: String) throws -> String {
        precondition(config.vocabSize == vocabulary.count, "the colour vocabulary has \(vocabulary.count) tokens")
        let folder = dir + "/tiny-bert"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try (vocabulary.joined(separator: "\n") + "\n").write(toFile: folder + "/vocab.txt", atomically: true, encoding: .utf8)
        try config.json.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        let bert = try BertModel(config: config)
        var g = SeededGenerator(seed: 5)
        for i in bert.parameters.slots.indices {
            let t = bert.parameters.value(at: i)
            let norm = bert.parameters.slots[i].role == .norm && bert.parameters.slots[i].name.hasSuffix("weight")
            for j in 0..<t.count { t.pointer[j] = norm ? 1 : Float(g.nextGaussian() * 0.2) }
        }
        try SafetensorsWriter.write(bert.exportTensors(), to: folder + "/model.safetensors")
        var g2 = SeededGenerator(seed: 6)
        var csv = "text,label\n"
        for _ in 0..<60 {
            let label = g2.nextInt(below: 3)
            csv += [words[6 + g2.nextInt(below: 2)], words[label], words[3 + g2.nextInt(below: 3)]].joined(separator: " ") + ",\(label)\n"
        }
        try csv.write(toFile: dir + "/texts.csv", atomically: true, encoding: .utf8)
        return folder
    }
}
