import Foundation
import Plan
import Support

/// The built-in synonym table, from WordNet 3.0 (`scripts/build-synonyms` writes
/// `table`, in WordNetSynonyms.swift, and its licence WORDNET-LICENSE beside it).
public enum WordNetSynonyms {
    /// Each word's synonyms, parsed from `table` on first use.
    public static let entries: [String: [String]] = {
        var out: [String: [String]] = [:]
        out.reserveCapacity(48_000)
        for line in table.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let word = words.first, words.count > 1 else { continue }
            out[String(word)] = words.dropFirst().map(String.init)
        }
        return out
    }()

    /// SHA-256 of `table`; equal to `SynonymSource.wordnetDigest`, which keys trials (tested).
    public static var digest: String { SHA256.hash(table).hex }
}

/// Where `synonyms` and `random_insertion` look a word up: lower-cased word → synonyms.
public struct SynonymTable: Sendable {
    /// Each (lower-cased) word's synonyms, in a fixed order (the draws index it).
    public let entries: [String: [String]]

    /// The table of `source`: the built-in one, or a user's `word,synonym` CSV. Throws `TextPairTable.Failure`.
    public static func load(_ source: SynonymSource) throws -> SynonymTable {
        switch source {
        case .wordnet: return SynonymTable(entries: WordNetSynonyms.entries)
        case .file(let path): return SynonymTable(entries: try TextPairTable.read(path: path, kind: .synonyms).entries)
        }
    }

    public init(entries: [String: [String]]) {
        self.entries = entries
    }
}
