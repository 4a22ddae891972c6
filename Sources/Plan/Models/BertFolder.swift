import Foundation
import Support

/// A Hugging Face BERT model folder — `config.json`, `vocab.txt`, `model.safetensors` —
/// and the checks that make it safe to run: `ftx check` and the runtime make the same
/// ones, so a folder `check` accepts is one `run` can load (the weights aside: `check`
/// never reads them; the runtime checks every tensor's shape against the config).
///
/// Once these pass, every index the encoder forms stays inside its tables: token ids
/// are below the vocabulary's size ≤ `vocab_size` (the word-embedding rows), positions
/// below the tokenizer's max length ≤ `max_position_embeddings`, token types are 0.
public struct BertFolder: Sendable, Hashable {
    /// The folder.
    public let directory: String

    /// The folder at `directory` (nothing is read yet).
    public init(_ directory: String) {
        self.directory = directory
    }

    /// `config.json`: the architecture.
    public var configPath: String { file("config.json") }
    /// `vocab.txt`: the WordPiece vocabulary, one token per line.
    public var vocabularyPath: String { file("vocab.txt") }
    /// `model.safetensors`: the weights.
    public var weightsPath: String { file("model.safetensors") }

    private func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Whether the folder exists (and is a folder).
    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The folder's validated `config.json` (see `BertConfig(contentsOf:)`).
    public func config() throws -> BertConfig {
        guard exists else { throw BertError(path: directory, problem: "no such model folder") }
        return try BertConfig(contentsOf: configPath)
    }

    /// The number of tokens in the vocabulary file at `path` (default: the folder's `vocab.txt`).
    public func vocabularySize(at path: String? = nil) throws -> Int {
        VocabularyFile.tokenCount(try vocabularyData(at: path ?? vocabularyPath))
    }

    private func vocabularyData(at path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BertError(path: path, problem: FileManager.default.fileExists(atPath: path)
                            ? "cannot read the vocabulary" : "no such file (a BERT model folder needs vocab.txt for its tokenizer)")
        }
        return data
    }

    /// The tokens, in id order, of the vocabulary file at `path` (default: the folder's
    /// `vocab.txt`), after the checks that make it a WordPiece vocabulary: the file is
    /// readable UTF-8 text (`VocabularyFile`) holding every one of
    /// `VocabularyFile.requiredTokens`. Its size against the model is `checkVocabulary`'s.
    public func vocabularyTokens(at path: String? = nil) throws -> [String] {
        let path = path ?? vocabularyPath
        let data = try vocabularyData(at: path)
        guard let tokens = VocabularyFile.tokens(data) else { throw BertError(path: path, problem: "the vocabulary is not UTF-8 text") }
        if let missing = VocabularyFile.missingRequiredToken(in: tokens) {
            throw BertError(path: path, problem: "the vocabulary has no `\(missing)` token; a BERT WordPiece vocabulary needs \(VocabularyFile.requiredTokens.joined(separator: ", "))")
        }
        return tokens
    }

    /// Checks that a vocabulary of `tokens` tokens (read from `vocabularyPath`) fits
    /// `config`'s word-embedding table: a larger one would give token ids with no row.
    public func checkVocabulary(tokens: Int, vocabularyPath: String? = nil, config: BertConfig) throws {
        guard tokens > config.vocabSize else { return }
        throw BertError(path: vocabularyPath ?? self.vocabularyPath, problem: """
            has \(tokens) tokens, but the word-embedding table has \(config.vocabSize) rows (`vocab_size` in \(configPath)); \
            token ids \(config.vocabSize) and up would have no embedding
            """)
    }

    /// Checks that sequences of `maxLength` tokens (as `source` names it, e.g. "the
    /// tokenizer's `max_length`") fit `config`'s position table.
    public func checkMaxLength(_ maxLength: Int, source: String, config: BertConfig) throws {
        guard maxLength > config.maxPositionEmbeddings else { return }
        throw BertError(path: configPath, problem: """
            `max_position_embeddings` is \(config.maxPositionEmbeddings), less than \(source) \(maxLength); \
            positions \(config.maxPositionEmbeddings) and up would have no embedding
            """)
    }

    /// `tokenizer_config.json`: Hugging Face's tokenizer settings (optional).
    public var tokenizerConfigPath: String { file(Self.tokenizerConfigName) }
    /// The name of Hugging Face's tokenizer settings file in a model folder.
    public static let tokenizerConfigName = "tokenizer_config.json"
    /// `sentence_bert_config.json`: sentence-transformers' settings (optional).
    public var sentenceTransformersConfigPath: String { file("sentence_bert_config.json") }

    /// Whether the tokenizer lower-cases: `do_lower_case` of `tokenizer_config.json`;
    /// true (BERT uncased) when the file or the field is absent. A file that is not a
    /// JSON object, or a `do_lower_case` that is not a boolean, is an error naming it.
    public func lowercases() throws -> Bool {
        guard let value = try optionalField("do_lower_case", in: tokenizerConfigPath) else { return true }
        guard let lower = value.boolValue else {
            throw BertError(path: tokenizerConfigPath, problem: "`do_lower_case` must be true or false, got \(value)")
        }
        return lower
    }

    /// sentence-transformers' `max_seq_length` from `sentence_bert_config.json`, or nil
    /// when the file or the field is absent. Anything but an integer ≥ 2 is an error naming the file.
    public func sentenceTransformersMaxLength() throws -> Int? {
        guard let value = try optionalField("max_seq_length", in: sentenceTransformersConfigPath) else { return nil }
        guard let n = value.intValue, n >= 2 else {
            throw BertError(path: sentenceTransformersConfigPath, problem: "`max_seq_length` must be an integer of at least 2 ([CLS] and [SEP]), got \(value)")
        }
        return n
    }

    /// The member `key` of the JSON object in the optional file at `path` (nil when
    /// the file or the member is absent).
    private func optionalField(_ key: String, in path: String) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw BertError(path: path, problem: "cannot read the file") }
        let object: JSONValue
        do { object = try JSONParser.parse(data) } catch { throw BertError(path: path, problem: "not valid JSON: \(error)") }
        guard object.objectValue != nil else { throw BertError(path: path, problem: "not a JSON object") }
        return object[key]
    }
}
