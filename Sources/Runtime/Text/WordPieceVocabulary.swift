import Foundation
import Kernels
import Plan
import Support

/// A BERT `vocab.txt`: one token per line, the line number is the id.
public struct WordPieceVocabulary: Sendable {
    public let tokens: [String]
    public let ids: [String: Int32]
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    public let paddingID: Int32
    /// `[MASK]`, when the vocabulary has it (`token_dropout` replaces tokens with it, else with `[UNK]`).
    public let maskID: Int32?

    /// Why a vocabulary cannot be used, naming the file.
    public struct LoadError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Reads `vocab.txt` (one token per line, see `VocabularyFile`); the special
    /// tokens of `VocabularyFile.requiredTokens` must be present.
    public init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LoadError(path: path, problem: "cannot read the vocabulary (\(error.localizedDescription))")
        }
        guard let tokens = VocabularyFile.tokens(data) else {
            throw LoadError(path: path, problem: "the vocabulary is not UTF-8 text")
        }
        try self.init(tokens: tokens, path: path)
    }

    /// A vocabulary from its tokens in id order (`path` only names it in errors).
    public init(tokens: [String], path: String = "<vocabulary>") throws {
        guard tokens.count <= Int(Int32.max) else {
            throw LoadError(path: path, problem: "has \(tokens.count) tokens; ids are 32-bit, so at most \(Int32.max)")
        }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where ids[t] == nil { ids[t] = Int32(i) }
        func special(_ name: String) throws -> Int32 {
            guard let id = ids[name] else {
                throw LoadError(path: path, problem: "the vocabulary has no `\(name)` token; a BERT WordPiece vocabulary needs \(VocabularyFile.requiredTokens.joined(separator: ", "))")
            }
            return id
        }
        self.tokens = tokens
        self.ids = ids
        self.unknownID = try special("[UNK]")
        self.classID = try special("[CLS]")
        self.separatorID = try special("[SEP]")
        self.paddingID = try special("[PAD]")
        self.maskID = ids["[MASK]"]
    }
}
