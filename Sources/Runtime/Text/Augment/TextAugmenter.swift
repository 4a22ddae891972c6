import Foundation
import Plan
import Support

/// The text augmentations of a spec (`Augmentation.actsOnText`): EDA's four operations
/// (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance on
/// Text Classification Tasks") and paraphrase tables, applied to a training row's text
/// before it is tokenised, in declared order.
///
/// Randomness: row `r` of the train split in epoch `e` draws from
/// `SeededGenerator(seed: k ^ (e·φ) ^ ((r + 1)·ψ))`, `k = SeededGenerator(seed).fork("augment-text").next()`,
/// `φ = 0x9E3779B97F4A7C15`, `ψ = 0xD1B54A32D192ED03`: a function of (stage seed, epoch,
/// row) only, so the texts do not depend on the batch size, the order rows are visited in,
/// `--jobs`, or where a run was interrupted and resumed.
///
/// Words are the text's whitespace-separated pieces; a word's *core* is the part from its
/// first to its last letter or digit (the punctuation around it stays). The result joins the
/// words with single spaces.
public struct TextAugmenter: Sendable {
    /// The text operations, in declared order.
    public let operations: [Augmentation]
    private let synonyms: [SynonymSource: SynonymTable]
    private let paraphrases: [String: [String: [String]]]
    private let key: UInt64

    /// The text operations of `augment` with their tables loaded, or nil when there are none.
    /// Throws `TrainingError` when a table cannot be read.
    public init?(augment: [Augmentation], seed: UInt64) throws {
        let operations = augment.filter(\.actsOnText)
        guard !operations.isEmpty else { return nil }
        self.operations = operations
        var synonyms: [SynonymSource: SynonymTable] = [:]
        var paraphrases: [String: [String: [String]]] = [:]
        for op in operations {
            do {
                switch op {
                case .synonyms(_, let source), .randomInsertion(_, let source):
                    if synonyms[source] == nil { synonyms[source] = try SynonymTable.load(source) }
                case .paraphrases(let path, _):
                    if paraphrases[path] == nil { paraphrases[path] = try TextPairTable.read(path: path, kind: .paraphrases).entries }
                default: break
                }
            } catch {
                throw TrainingError("cannot read the table of \(op): \(error)")
            }
        }
        self.synonyms = synonyms
        self.paraphrases = paraphrases
        var g = SeededGenerator(seed: seed).fork("augment-text")
        key = g.next()
    }

    /// The generator of row `row` in `epoch`.
    public func generator(epoch: Int, row: Int) -> SeededGenerator {
        SeededGenerator(seed: key ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15)
                        ^ (UInt64(truncatingIfNeeded: row + 1) &* 0xD1B5_4A32_D192_ED03))
    }

    /// Train row `row`'s text as epoch `epoch` sees it.
    public func augment(_ text: String, epoch: Int, row: Int) -> String {
        var g = generator(epoch: epoch, row: row)
        var out = text
        for op in operations {
            var table: SynonymTable?
            if case .synonyms(_, let s) = op { table = synonyms[s] }
            if case .randomInsertion(_, let s) = op { table = synonyms[s] }
            var pairs: [String: [String]]?
            if case .paraphrases(let path, _) = op { pairs = paraphrases[path] }
            out = Self.apply(op, to: out, synonyms: table, paraphrases: pairs, generator: &g)
        }
        return out
    }

    /// How many of `texts` the paraphrase tables cover (have rows for), by table path.
    public func paraphraseCoverage(of texts: [String]) -> [(path: String, covered: Int)] {
        operations.compactMap { op in
            guard case .paraphrases(let path, _) = op, let table = paraphrases[path] else { return nil }
            return (path, texts.filter { table[$0] != nil }.count)
        }
    }

    // MARK: The operations

    /// One operation on one text, drawing from `g` (what `augment` does per operation).
    ///
    /// - `synonyms(p)`: for each word in order that is eligible (a core with synonyms,
    ///   not a stop word, written lower, Title or UPPER case), `u = g.nextDouble()`; when
    ///   `u < p` the core becomes synonym `g.nextInt(below: count)`, in the word's case.
    ///   Other words draw nothing.
    /// - `randomInsertion(α)`: n = ⌈α·l⌉ times: the eligible words of the current text,
    ///   one chosen by `g.nextInt(below:)`, a synonym of it by `g.nextInt(below:)`, a
    ///   position in `0 ... count` by `g.nextInt(below: count + 1)`; the synonym is
    ///   inserted there as the table spells it. Stops when no word is eligible.
    /// - `randomSwap(α)`: with l ≥ 2 words, n = ⌈α·l⌉ times `i = g.nextInt(below: l)`,
    ///   `j = g.nextInt(below: l − 1)`, `j += 1` when `j ≥ i`; words i and j swap.
    /// - `randomDeletion(p)`: with l ≥ 2 words, each word in order draws `u`; it is
    ///   deleted when `u < p`. When none is left, word `g.nextInt(below: l)` stays.
    /// - `paraphrases(p)`: a text with rows in the table draws `u`; when `u < p` it
    ///   becomes paraphrase `g.nextInt(below: count)`. Other texts draw nothing.
    ///
    /// ⌈α·l⌉ is computed as ⌈α·l − 10⁻⁹⌉, so that 0.1·30 (3.0000000000000004 in floating point) is 3.
    public static func apply(_ op: Augmentation, to text: String, synonyms: SynonymTable?, paraphrases: [String: [String]]?,
                             generator g: inout SeededGenerator) -> String {
        switch op {
        case .paraphrases(_, let p):
            guard let options = paraphrases?[text], !options.isEmpty else { return text }
            return g.nextDouble() < p ? options[g.nextInt(below: options.count)] : text
        case .synonyms(let p, _):
            var words = Word.split(text)
            for i in words.indices {
                guard let (options, casing) = eligible(words[i], synonyms) else { continue }
                if g.nextDouble() < p { words[i].core = casing.apply(to: options[g.nextInt(below: options.count)]) }
            }
            return Word.join(words)
        case .randomInsertion(let alpha, _):
            var words = Word.split(text)
            for _ in 0..<count(alpha, words.count) {
                let candidates = words.indices.filter { eligible(words[$0], synonyms) != nil }
                guard !candidates.isEmpty, let (options, _) = eligible(words[candidates[g.nextInt(below: candidates.count)]], synonyms) else { break }
                let synonym = options[g.nextInt(below: options.count)]
                words.insert(Word(prefix: "", core: synonym, suffix: ""), at: g.nextInt(below: words.count + 1))
            }
            return Word.join(words)
        case .randomSwap(let alpha):
            var words = Word.split(text)
            let l = words.count
            guard l >= 2 else { return text }
            for _ in 0..<count(alpha, l) {
                let i = g.nextInt(below: l)
                var j = g.nextInt(below: l - 1)
                if j >= i { j += 1 }
                words.swapAt(i, j)
            }
            return Word.join(words)
        case .randomDeletion(let p):
            let words = Word.split(text)
            guard words.count >= 2 else { return text }
            var kept = words.filter { _ in g.nextDouble() >= p }
            if kept.isEmpty { kept = [words[g.nextInt(below: words.count)]] }
            return Word.join(kept)
        case .noise, .mixup, .tokenDropout:
            return text
        }
    }

    /// n = ⌈α·l⌉ (with a tolerance for α·l that floating point lifts just above a whole number).
    static func count(_ alpha: Double, _ l: Int) -> Int {
        max(0, Int((alpha * Double(l) - 1e-9).rounded(.up)))
    }

    /// A word's synonyms and case when `synonyms` would replace it.
    static func eligible(_ word: Word, _ table: SynonymTable?) -> (synonyms: [String], casing: Casing)? {
        guard let table, !word.core.isEmpty, let casing = Casing(of: word.core) else { return nil }
        let lower = word.core.lowercased()
        guard !stopWords.contains(lower), let options = table.entries[lower], !options.isEmpty else { return nil }
        return (options, casing)
    }

    /// How a word is written; a synonym takes the same.
    enum Casing {
        case lower, title, upper

        /// Nil for mixed case (`iPhone`, `McDonald`): such words are left alone.
        init?(of core: String) {
            if core == core.lowercased() { self = .lower; return }
            let first = core.prefix(1), rest = core.dropFirst()
            if first == first.uppercased(), rest == rest.lowercased() { self = .title; return }
            if core == core.uppercased() { self = .upper; return }
            return nil
        }

        func apply(to s: String) -> String {
            switch self {
            case .lower: return s
            case .title: return s.prefix(1).uppercased() + s.dropFirst()
            case .upper: return s.uppercased()
            }
        }
    }

    /// A whitespace-separated piece of text: punctuation before, the core, punctuation after.
    struct Word {
        var prefix: Substring
        var core: String
        var suffix: Substring

        static func split(_ text: String) -> [Word] {
            text.split(whereSeparator: \.isWhitespace).map { piece in
                let isCore: (Character) -> Bool = { $0.isLetter || $0.isNumber }
                guard let start = piece.firstIndex(where: isCore), let last = piece.lastIndex(where: isCore) else {
                    return Word(prefix: piece, core: "", suffix: "")
                }
                let end = piece.index(after: last)
                return Word(prefix: piece[..<start], core: String(piece[start..<end]), suffix: piece[end...])
            }
        }

        static func join(_ words: [Word]) -> String {
            words.map { String($0.prefix) + $0.core + String($0.suffix) }.joined(separator: " ")
        }
    }

    /// Stop words: NLTK's English stop-word list, as EDA's code uses it (127 function words).
    /// Never replaced, never the word a synonym is inserted for. Matched lower-cased.
    public static let stopWords: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and",
        "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between",
        "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on",
        "off", "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all",
        "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same",
        "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
    ]
}
