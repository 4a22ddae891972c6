import Foundation

/// The layout of a BERT `vocab.txt`: one token per line, the line number is the
/// token's id. Lines end in `\n` or `\r\n`; a final line break ends the last line
/// rather than starting an empty one. The tokenizer reads the tokens and `ftx check`
/// counts them, by this one definition, so both agree on the vocabulary's size.
public enum VocabularyFile {
    /// The tokens of `data` in id order; nil when a line is not UTF-8.
    public static func tokens(_ data: Data) -> [String]? {
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        for line in lines {
            let bytes = line.last == 0x0D ? line.dropLast() : line
            guard let token = String(bytes: bytes, encoding: .utf8) else { return nil }
            tokens.append(token)
        }
        return tokens
    }

    /// The special tokens a BERT WordPiece tokenizer needs: unknown words, the
    /// sequence start and end, padding. (`[MASK]` is optional: `token_dropout` falls
    /// back to `[UNK]` without it.)
    public static let requiredTokens = ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]

    /// The first of `requiredTokens` missing from `tokens`, or nil when all are there.
    public static func missingRequiredToken(in tokens: [String]) -> String? {
        let present = Set(tokens)
        return requiredTokens.first { !present.contains($0) }
    }

    /// How many tokens `tokens(data)` returns (for UTF-8 data), counted without decoding them.
    public static func tokenCount(_ data: Data) -> Int {
        guard let last = data.last else { return 0 }
        let breaks = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return last == 0x0A ? breaks : breaks + 1
    }
}
