import Foundation
import Kernels
import Plan
import Support

/// A pretrained BERT encoder under a trial's layers and head: its tokenizer and
/// `BertModel` (sharing the trial's `ParameterStore`), and pooled features.
///
/// When every encoder parameter is frozen, the pooled features of a split are
/// computed once in evaluation mode (no dropout) and reused every epoch — the
/// "frozen prefix computed once"; otherwise each batch runs the encoder in
/// training mode (dropout from the trial's per-epoch generator) and
/// back-propagates into its trainable layers.
public final class PretrainedEncoder {
    /// The encoder declaration.
    public let spec: PretrainedSpec
    /// The encoder, over the trial's parameter store.
    public let bert: BertModel
    /// Its WordPiece tokenizer (the spec's vocabulary and lower-casing).
    public let tokenizer: WordPieceTokenizer
    private var cache: [SplitName: [Float]] = [:]
    /// True while the encoder's weights are exactly its folder's (nothing loaded over them, nothing trained).
    public internal(set) var weightsFromFolder = true
    /// Identifies the data a split's features come from (set by the trainer); with
    /// `weightsFromFolder`, features are shared across trials through `FrozenFeatureCache`.
    var dataKey: AnyHashable?

    /// The encoder of `spec` over `parameters`. The spec's vocabulary must fit the
    /// word-embedding table and `spec.maxLength` the position table, so every token
    /// id and position the tokenizer produces indexes a row (`BertFolder`'s checks).
    init(spec: PretrainedSpec, config: BertConfig, parameters: ParameterStore) throws {
        self.spec = spec
        let folder = BertFolder(spec.directory)
        do {
            bert = try BertModel(config: config, parameters: parameters)
            tokenizer = try WordPieceTokenizer(folder: folder, config: config, maxLength: spec.maxLength,
                                               maxLengthSource: "the tokenizer's `max_length`",
                                               vocabularyPath: spec.vocabularyPath, lowercase: spec.lowercase)
        } catch {
            throw TrainingError("cannot load the pretrained model '\(spec.directory)': \(error)")
        }
    }

    /// Whether every encoder parameter is frozen (pooled features are then constant).
    var isFrozen: Bool { bert.frozenPrefixLayers == bert.config.numHiddenLayers }

    /// Number of transformer layers (`encoder.layer.0` … `encoder.layer.{L−1}`).
    var layerCount: Int { bert.config.numHiddenLayers }

    /// Hidden size of the pooled output.
    var width: Int { bert.config.hiddenSize }

    private func tokens(_ texts: [String]) -> TokenBatch { tokenizer.encodeBatch(texts, maxLength: spec.maxLength) }

    /// Pooled features (rows × width) of `texts` in evaluation mode, in input order. Texts
    /// run in batches of similar length (see `lengthSortedBatches`): a frozen encoder's
    /// feature pass then pads about half as much as batches in data order would.
    func evaluate(_ texts: [String]) -> [Float] {
        let w = width
        var out = [Float](repeating: 0, count: texts.count * w)
        for (rows, batch) in tokenizer.lengthSortedBatches(texts, maxLength: spec.maxLength, batchSize: 32) {
            let pooled = bert.forward(batch, pooling: spec.pooling)
            out.withUnsafeMutableBufferPointer { out in
                for (row, i) in rows.enumerated() {
                    (out.baseAddress! + i * w).update(from: pooled.pointer + row * w, count: w)
                }
            }
        }
        return out
    }

    /// Installs precomputed pooled features of a split (a hoisted `features` task's), used while the encoder is frozen.
    func preload(_ split: SplitName, _ features: [Float]) { cache[split] = features }

    /// Pooled features of all of `split`, cached while the encoder is frozen.
    func features(of split: DataSplit) -> [Float] {
        if isFrozen, let f = cache[split.name], f.count == split.rowCount * width { return f }
        var shared: AnyHashable?
        if weightsFromFolder, let dataKey {
            shared = AnyHashable([AnyHashable(spec), dataKey, AnyHashable(split.name)])
            if let f = FrozenFeatureCache.shared.get(shared!), f.count == split.rowCount * width {
                if isFrozen { cache[split.name] = f }
                return f
            }
        }
        let f = evaluate(split.texts)
        if let shared { FrozenFeatureCache.shared.put(shared, f) }
        if isFrozen { cache[split.name] = f } else { cache[split.name] = nil }
        return f
    }

    /// The batch's input on `tape`: cached features when frozen, else a training
    /// forward pass whose gradient `backward(tape:input:)` pushes into the encoder.
    /// The token augmentations of `augment` (train batches only) change the batch's token
    /// ids first, drawing from `augmentGenerator`; a frozen encoder then encodes the changed
    /// tokens in evaluation mode, as its cached features are, instead of reading the cache.
    /// The text augmentations (`text`, train batches only) rewrite each row's text for `epoch`
    /// before it is tokenised, which likewise rules out the cache.
    func batchInput(split: DataSplit, rows: ArraySlice<Int32>, tape: Tape, generator: inout SeededGenerator,
                    augment: [Augmentation], augmentGenerator: inout SeededGenerator,
                    text: TextAugmenter? = nil, epoch: Int = 0) -> (Variable, trains: Bool) {
        let w = width
        let tokenAugment = augment.filter(\.actsOnTokens)
        if isFrozen, tokenAugment.isEmpty, text == nil {
            let all = features(of: split)
            var x = [Float](repeating: 0, count: rows.count * w)
            for (i, r) in rows.enumerated() { for j in 0..<w { x[i * w + j] = all[Int(r) * w + j] } }
            return (tape.input(Tensor(shape: [rows.count, w], data: x)), false)
        }
        var batch = tokens(rows.map { r in
            text.map { $0.augment(split.texts[Int(r)], epoch: epoch, row: Int(r)) } ?? split.texts[Int(r)]
        })
        for a in tokenAugment { Augmenter.apply(a, to: &batch, vocabulary: tokenizer.vocabulary, generator: &augmentGenerator) }
        if isFrozen { return (tape.input(bert.forward(batch, pooling: spec.pooling).copy()), false) }
        weightsFromFolder = false
        let pooled = bert.forward(batch, pooling: spec.pooling, training: true, generator: &generator)
        return (tape.input(pooled.copy(), requiresGradient: true), true)
    }

    /// Back-propagates the tape's gradient at `input` through the encoder.
    func backward(tape: Tape, input: Variable) {
        if let g = tape.gradient(input) { bert.backward(pooledGradient: g) }
    }
}

/// Pooled features of a pretrained encoder's own (folder) weights, shared by
/// every trial of the process that reads the same data with the same encoder:
/// a sweep over a frozen encoder encodes its texts once. Values are a pure
/// function of the key, so sharing never changes a result.
final class FrozenFeatureCache: @unchecked Sendable {
    static let shared = FrozenFeatureCache()
    private let lock = NSLock()
    private var entries: [AnyHashable: [Float]] = [:]
    private var order: [AnyHashable] = []

    func get(_ key: AnyHashable) -> [Float]? { lock.lock(); defer { lock.unlock() }; return entries[key] }

    func put(_ key: AnyHashable, _ value: [Float]) {
        lock.lock(); defer { lock.unlock() }
        if entries[key] == nil { order.append(key) }
        entries[key] = value
        while order.count > 16 { entries[order.removeFirst()] = nil }
    }
}
