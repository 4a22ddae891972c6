import Kernels
import Plan
import Support
/// A batch of token ids ready for a BERT encoder: `[CLS] … [SEP]`, padded on
/// the right to the longest sequence of the batch.
public struct TokenBatch: Sendable, Equatable {
    /// Sequences in the batch.
    public var count: Int
    /// Padded length.
    public var length: Int
    /// ids: (count, length) row-major.
    public var ids: [Int32]
    /// 1 for real tokens, 0 for padding: (count, length).
    public var mask: [Int32]
    /// Real tokens per sequence, including [CLS] and [SEP].
    public var lengths: [Int]
}

/// WordPiece tokenisation equal to the model's own (`BertTokenizer` /
/// `tokenizers.models.WordPiece` with `##` continuations): normalise, split into
/// words, then greedy longest-match-first pieces; a word with no full cover
/// becomes `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    public let normalizer: BertTextNormalizer
    /// Longer words become `[UNK]` without being split (Hugging Face's default, 100).
    public var maxCharactersPerWord = 100

    public init(vocabulary: WordPieceVocabulary, normalizer: BertTextNormalizer = BertTextNormalizer()) {
        self.vocabulary = vocabulary
        self.normalizer = normalizer
    }

    /// The ids of `text` without special tokens.
    public func pieceIDs(_ text: String) -> [Int32] {
        var out: [Int32] = []
        for word in normalizer.words(text) { appendPieces(of: word, to: &out) }
        return out
    }

    private func appendPieces(of word: String, to out: inout [Int32]) {
        let scalars = Array(word.unicodeScalars)
        if scalars.count > maxCharactersPerWord {
            out.append(vocabulary.unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var candidate = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = vocabulary.ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                out.append(vocabulary.unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        out.append(contentsOf: pieces)
    }

    /// `[CLS] pieces [SEP]`, truncated to `maxLength` tokens (specials included).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        let body = pieceIDs(text).prefix(max(0, maxLength - 2))
        return [vocabulary.classID] + body + [vocabulary.separatorID]
    }

    /// Encodes texts and pads them to the longest of the batch.
    public func encodeBatch(_ texts: [String], maxLength: Int) -> TokenBatch {
        let sequences = texts.map { encode($0, maxLength: maxLength) }
        let length = sequences.map(\.count).max() ?? 0
        var ids = [Int32](repeating: vocabulary.paddingID, count: sequences.count * length)
        var mask = [Int32](repeating: 0, count: sequences.count * length)
        for (row, seq) in sequences.enumerated() {
            for (j, id) in seq.enumerated() {
                ids[row * length + j] = id
                mask[row * length + j] = 1
            }
        }
        return TokenBatch(count: sequences.count, length: length, ids: ids, mask: mask, lengths: sequences.map(\.count))
    }
}
