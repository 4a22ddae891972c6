import Foundation
import Plan

extension WordPieceTokenizer {
    /// The tokenizer of a BERT model folder for sequences of at most `maxLength` tokens,
    /// reading the vocabulary at `vocabularyPath` (default: the folder's `vocab.txt`),
    /// after `BertFolder`'s checks: the file must be a WordPiece vocabulary that fits the
    /// word-embedding table and `maxLength` the position table, so every id and position
    /// it produces indexes a row. `maxLengthSource` names where `maxLength` came from in
    /// the error ("the tokenizer's `max_length`"); `lowercase` is the model's (`BertFolder.lowercases()`
    /// or a trial's override), never assumed. Used by training and by `ftx embed`
    /// alike, so both accept and reject the same folders — and `ftx check` makes the same checks.
    public init(folder: BertFolder, config: BertConfig, maxLength: Int, maxLengthSource: String,
                vocabularyPath: String? = nil, lowercase: Bool) throws {
        let path = vocabularyPath ?? folder.vocabularyPath
        let tokens = try folder.vocabularyTokens(at: path)
        let vocabulary: WordPieceVocabulary
        do { vocabulary = try WordPieceVocabulary(tokens: tokens, path: path) } catch let e as WordPieceVocabulary.LoadError {
            throw BertError(path: e.path, problem: e.problem)
        }
        try folder.checkVocabulary(tokens: vocabulary.tokens.count, vocabularyPath: path, config: config)
        try folder.checkMaxLength(maxLength, source: maxLengthSource, config: config)
        self.init(vocabulary: vocabulary, normalizer: BertTextNormalizer(lowercase: lowercase))
    }
}
