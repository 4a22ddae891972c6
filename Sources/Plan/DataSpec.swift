import Foundation
import Support

/// A checked `data` declaration, lowered by the compiler into plain values the
/// runtime executes. Paths are already resolved (relative to the `.ftx` file).
///
/// ```swift
/// DataSpec(source: .csv(path: "/abs/data/digits.csv"), label: "label",
///          normalize: .scale(1.0 / 16),
///          split: SplitRule(.random(seed: 0), train: 0.8, valid: 0.2))
/// ```
public struct DataSpec: Sendable, Hashable {
    /// Where rows come from.
    public enum Source: Sendable, Hashable {
        /// An RFC 4180 CSV file with a header record.
        case csv(path: String)
        /// JSON Lines: one flat JSON object per line.
        case jsonl(path: String)

        /// The file read.
        public var path: String {
            switch self {
            case let .csv(path), let .jsonl(path): return path
            }
        }
    }

    /// The file to read.
    public var source: Source
    /// The label column; nil for unlabelled data.
    public var label: String?
    /// Feature columns in this order; nil = every column other than `label` and `text`, in file order.
    public var features: [String]?
    /// A text column kept as strings (for tokenizer models); nil if none.
    public var text: String?
    /// How the label becomes a training target (set by the compiler from the stage's loss).
    public var target: TargetKind
    /// Feature normalisation.
    public var normalize: Normalization
    /// How rows are divided into train / valid / test.
    public var split: SplitRule
    /// Training-time augmentation, applied in order to train batches only.
    public var augment: [Augmentation]

    /// A spec; defaults: class labels, no normalisation, no augmentation.
    public init(source: Source, label: String? = nil, features: [String]? = nil, text: String? = nil,
                target: TargetKind = .classes, normalize: Normalization = .none, split: SplitRule,
                augment: [Augmentation] = []) {
        self.source = source
        self.label = label
        self.features = features
        self.text = text
        self.target = target
        self.normalize = normalize
        self.split = split
        self.augment = augment
    }

    /// The files whose bytes determine what loading this spec produces — the
    /// planner hashes their contents (never their paths) into the task key,
    /// together with a canonical encoding of this spec.
    public var inputPaths: [String] { [source.path] }
}

/// How a label column becomes a target.
public enum TargetKind: Sendable, Hashable {
    /// Class ids (`cross_entropy`): non-negative integer labels are the ids;
    /// otherwise the distinct strings in sorted (UTF-8 byte) order get ids 0, 1, ….
    case classes
    /// A 0/1 target (`bce`), checked on the rows a stage uses (after its `where`
    /// filter): numeric labels must be 0 or 1 there. String labels: a file with exactly
    /// two distinct values gives them 0 and 1 in sorted (UTF-8 byte) order, whatever the
    /// filter; otherwise the rows the stage uses must hold exactly two values, which get
    /// 0 and 1 in sorted order.
    case binary
    /// A real-valued target (`mse`): the label as a Float.
    case regression
}

/// Feature normalisation from the `data` declaration.
public enum Normalization: Sendable, Hashable {
    /// Features as in the file.
    case none
    /// `x · k` for every feature (`scale(1 / 16)`).
    case scale(Double)
    /// `(x − mean) / std` per feature, with mean and population std computed on
    /// the train split (all of it, before any `where` filter); a std of 0 counts as 1.
    case standardize
}

/// A split rule: a kind and the fractions of rows for train, valid and test.
public struct SplitRule: Sendable, Hashable {
    /// How rows are ordered before the cuts.
    public enum Kind: Sendable, Hashable {
        /// File order: `ordered(train:, valid:, test:)`.
        case ordered
        /// A seeded permutation of all rows, then ordered cuts.
        case random(seed: UInt64)
        /// Per class: a seeded permutation, then ordered cuts with the same fractions.
        case stratified(seed: UInt64)
    }

    /// The rule's kind.
    public var kind: Kind
    /// Fraction of rows for training.
    public var train: Double
    /// Fraction of rows for validation.
    public var valid: Double
    /// Fraction of rows for testing (0 when the declaration has no `test:`).
    public var test: Double

    /// A rule; fractions must be in [0, 1] and sum to 1 (checked by `ftx check`
    /// and again by `SplitPlanner`).
    public init(_ kind: Kind, train: Double, valid: Double, test: Double = 0) {
        self.kind = kind
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// Row counts of each split for `n` rows: `train = round(a·n)`; with a test split
    /// `valid = min(round(b·n), n − train)` and `test = n − train − valid`; without one
    /// `valid = n − train`. `round` is Python's (half to even, on the float64 product).
    /// The one count rule: the runtime's `SplitPlanner` cuts by it, `check`'s lints size epochs by it.
    public func counts(total n: Int) -> (train: Int, valid: Int, test: Int) {
        func round(_ f: Double) -> Int { Int((f * Double(n)).rounded(.toNearestOrEven)) }
        let train = min(max(round(self.train), 0), n)
        if test == 0 { return (train, n - train, 0) }
        let valid = min(max(round(self.valid), 0), n - train)
        return (train, valid, n - train - valid)
    }
}

/// One training-time augmentation.
public enum Augmentation: Sendable, Hashable {
    /// Adds `std · N(0, 1)` to every feature of every train row.
    case noise(std: Double)
    /// Mixup (Zhang et al. 2018): per batch, `λ ~ Beta(α, α)` and a permutation π
    /// of the batch; `x ← λ·x + (1 − λ)·x[π]`. See `Batch.mixWeight`.
    case mixup(alpha: Double)
    /// Text models: each token of a train batch other than `[CLS]`, `[SEP]` and `[PAD]`
    /// becomes `[MASK]` (`[UNK]` when the vocabulary has none) with probability `p`.
    /// See `Augmenter.apply(_:to:vocabulary:generator:)`.
    case tokenDropout(p: Double)
    /// EDA's synonym replacement (with a per-word probability): each eligible word of a
    /// train text becomes one of its synonyms with probability `p`. See `TextAugmenter`.
    case synonyms(p: Double, source: SynonymSource)
    /// EDA's random insertion: ⌈α·l⌉ times, a synonym of a random eligible word is inserted at a random position.
    case randomInsertion(alpha: Double, source: SynonymSource)
    /// EDA's random swap: ⌈α·l⌉ times, two random words change places.
    case randomSwap(alpha: Double)
    /// EDA's random deletion: each word is deleted with probability `p` (never every word).
    case randomDeletion(p: Double)
    /// A train text that has rows in the table (`text,paraphrase`, an absolute path) becomes
    /// one of its paraphrases with probability `p`.
    case paraphrases(path: String, p: Double)

    /// Whether it acts on token ids (a pretrained encoder's text) rather than on numeric features.
    public var actsOnTokens: Bool {
        if case .tokenDropout = self { return true }
        return false
    }

    /// Whether it rewrites a train row's text before tokenisation.
    public var actsOnText: Bool {
        switch self {
        case .synonyms, .randomInsertion, .randomSwap, .randomDeletion, .paraphrases: return true
        case .noise, .mixup, .tokenDropout: return false
        }
    }

    /// Whether it perturbs numeric features (a gathered batch's `x`).
    public var actsOnFeatures: Bool { !actsOnTokens && !actsOnText }

    /// The table files it reads (absolute paths), whose contents are part of the trial's identity.
    public var tablePaths: [String] {
        switch self {
        case .synonyms(_, .file(let path)), .randomInsertion(_, .file(let path)), .paraphrases(let path, _): return [path]
        default: return []
        }
    }
}

/// Where `synonyms` and `random_insertion` find a word's synonyms.
public enum SynonymSource: Sendable, Hashable {
    /// The table built from WordNet 3.0 that ships with ftx (`scripts/build-synonyms`).
    case wordnet
    /// A user's CSV of `word,synonym` rows (an absolute path).
    case file(String)
}

/// Which part of a split rule a row belongs to.
public enum SplitName: String, Sendable, Hashable, CaseIterable {
    /// Rows trained on.
    case train
    /// Rows for `valid.*` metrics, early stopping, selection.
    case valid
    /// Held-out rows for `test.*` metrics.
    case test
}
