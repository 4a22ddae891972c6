import Foundation
import Plan

extension WordPieceTokenizer {
    /// The tokenizer of a BERT model folder (its `vocab.txt`) for sequences of at most
    /// `maxLength` tokens, after `BertFolder`'s checks: the vocabulary must fit the
    /// word-embedding table and `maxLength` the position table, so every id and
    /// position it produces indexes a row. `maxLengthSource` names where `maxLength`
    /// came from in the error ("the tokenizer's `max_length`"). Used by training and by
    /// `ftx embed` alike, so both accept and reject the same folders.
    public init(folder: BertFolder, config: BertConfig, maxLength: Int, maxLengthSource: String, lowercase: Bool = true) throws {
        guard FileManager.default.fileExists(atPath: folder.vocabularyPath) else {
            throw BertError(path: folder.vocabularyPath, problem: "no such file (a BERT model folder needs vocab.txt for its tokenizer)")
        }
        let vocabulary: WordPieceVocabulary
        do { vocabulary = try WordPieceVocabulary(path: folder.vocabularyPath) } catch let e as WordPieceVocabulary.LoadError {
            throw BertError(path: e.path, problem: e.problem)
        }
        try folder.checkVocabulary(tokens: vocabulary.tokens.count, config: config)
        try folder.checkMaxLength(maxLength, source: maxLengthSource, config: config)
        self.init(vocabulary: vocabulary, normalizer: BertTextNormalizer(lowercase: lowercase))
    }
}
