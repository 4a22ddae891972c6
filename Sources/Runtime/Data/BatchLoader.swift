import Foundation
import Kernels
import Plan
import Support

/// One mini-batch in preallocated buffers, refilled in place every step.
///
/// Only the first `count` rows are valid; `x` has room for `capacity` rows.
/// ```
/// x:       (capacity, F)  float, first count·F valid
/// labels:  (capacity)     int32 class ids          (classes / binary)
/// targets: (capacity)     float targets            (binary / regression)
/// ```
public struct Batch: Sendable {
    /// Rows in this batch (the last batch of an epoch may be smaller).
    public internal(set) var count: Int
    /// Maximum rows (the batch size).
    public let capacity: Int
    /// Features per row.
    public let featureCount: Int
    /// Features, row-major.
    public internal(set) var x: [Float]
    /// Class ids; empty when the split has none.
    public internal(set) var labels: [Int32]
    /// Float targets (mixed when mixup is on); empty when the split has none.
    public internal(set) var targets: [Float]
    /// Row indices within the split of each batch row.
    public internal(set) var rows: [Int32]
    /// Mixup: the weight λ of this batch's own labels; 1 without mixup.
    ///
    /// With mixup each row's input is `λ·x + (1 − λ)·x[π]`; for class targets the
    /// loss is `λ·L(labels) + (1 − λ)·L(mixLabels)` (the mixup paper's criterion,
    /// equal to cross-entropy against the soft target `λ·onehot(y) + (1 − λ)·onehot(y[π])`,
    /// and valid with label smoothing too). Float targets are mixed directly in `targets`.
    public internal(set) var mixWeight: Float
    /// Mixup: the partner row's class id for each row (= `labels` without mixup).
    public internal(set) var mixLabels: [Int32]
    /// The step's augmentation generator as the feature augmentations left it: token
    /// augmentations (`token_dropout`, applied where the batch's texts are tokenised)
    /// continue drawing from it, so the whole batch is one seeded stream.
    public internal(set) var augmentGenerator: SeededGenerator
    /// Scratch for mixup (copy of x, partner permutation).
    var scratchX: [Float]
    var scratchPerm: [Int]

    /// Empty buffers for up to `capacity` rows of `featureCount` features.
    public init(capacity: Int, featureCount: Int, hasLabels: Bool, hasTargets: Bool) {
        self.capacity = capacity
        self.featureCount = featureCount
        count = 0
        x = [Float](repeating: 0, count: capacity * featureCount)
        labels = hasLabels ? [Int32](repeating: 0, count: capacity) : []
        mixLabels = hasLabels ? [Int32](repeating: 0, count: capacity) : []
        targets = hasTargets ? [Float](repeating: 0, count: capacity) : []
        rows = [Int32](repeating: 0, count: capacity)
        mixWeight = 1
        augmentGenerator = SeededGenerator(seed: 0)
        scratchX = []
        scratchPerm = []
    }
}

/// Per-epoch batches of one split, gathered into a reused `Batch`.
///
/// - `shuffle = false`: batch `i` is rows `i·B ..< min((i+1)·B, n)` in split order;
///   the last batch may be smaller.
/// - `shuffle = true`: the epoch's order is `SeededGenerator(seed: k ^ (epoch·φ)).permutation(n)`
///   (SplitMix64-seeded; `k = SeededGenerator(seed).fork("shuffle").next()`,
///   `φ = 0x9E3779B97F4A7C15`): a function of (seed, epoch) only, so a run resumed
///   at epoch `e` sees the same order as an uninterrupted run.
/// - Augmentations (train only) run after gathering, in declared order, drawing from
///   `SeededGenerator(seed: a ^ (step·φ))` with `a = SeededGenerator(seed).fork("augment").next()`:
///   a function of (seed, global step) only. Token augmentations run where the batch's
///   texts are tokenised, continuing from `Batch.augmentGenerator`.
///
/// `beginEpoch` and `fill` do not allocate once the loader and batch exist.
public struct BatchLoader: Sendable {
    /// The split being batched.
    public let split: DataSplit
    /// Rows per batch.
    public let batchSize: Int
    /// Whether each epoch uses a fresh seeded permutation.
    public let shuffle: Bool
    /// Augmentations applied to every batch.
    public let augment: [Augmentation]
    private let shuffleKey: UInt64
    private let augmentKey: UInt64
    /// The current epoch's row order.
    public private(set) var order: [Int]

    /// A loader for `split`. Pass `augment` only for the train split.
    public init(split: DataSplit, batchSize: Int, shuffle: Bool, seed: UInt64, augment: [Augmentation] = []) {
        precondition(batchSize >= 1, "batch size must be at least 1 (checked by ftx check)")
        self.split = split
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.augment = augment
        let root = SeededGenerator(seed: seed)
        var s = root.fork("shuffle"), a = root.fork("augment")
        shuffleKey = s.next()
        augmentKey = a.next()
        order = Array(0..<split.rowCount)
    }

    /// Batches per epoch: ⌈n / B⌉.
    public var batchesPerEpoch: Int { (split.rowCount + batchSize - 1) / batchSize }

    /// Buffers sized for this loader.
    public func makeBatch() -> Batch {
        Batch(capacity: batchSize, featureCount: split.featureCount,
              hasLabels: !split.labels.isEmpty, hasTargets: !split.targets.isEmpty)
    }

    /// The row order of `epoch` (0-based) for `count` rows; identity without shuffle.
    public static func epochOrder(count: Int, shuffle: Bool, seed: UInt64, epoch: Int) -> [Int] {
        var loader = BatchLoader(split: DataSplit(name: .train, rowCount: count, featureCount: 0, features: [],
                                                  labels: [], targets: [], texts: [], sourceRows: []),
                                 batchSize: 1, shuffle: shuffle, seed: seed)
        loader.beginEpoch(epoch)
        return loader.order
    }

    /// Sets the row order for `epoch` (0-based).
    public mutating func beginEpoch(_ epoch: Int) {
        let n = order.count
        order.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { o[i] = i }
            guard shuffle, n > 1 else { return }
            var g = SeededGenerator(seed: shuffleKey ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
            // Fisher–Yates exactly as `SeededGenerator.permutation`, in place.
            for i in stride(from: n - 1, to: 0, by: -1) { o.swapAt(i, g.nextInt(below: i + 1)) }
        }
    }

    /// Gathers batch `index` of the current epoch into `batch`; `step` is the global
    /// batch index, epoch × batches per epoch + index (seeds augmentation; the optimizer
    /// step unless gradients are accumulated).
    public func fill(_ batch: inout Batch, index: Int, step: Int) {
        precondition(index >= 0 && index < batchesPerEpoch, "batch index out of range")
        precondition(batch.capacity >= batchSize && batch.featureCount == split.featureCount, "batch buffers do not fit this loader")
        let start = index * batchSize
        let count = min(batchSize, split.rowCount - start)
        let f = split.featureCount
        batch.count = count
        batch.mixWeight = 1
        split.features.withUnsafeBufferPointer { src in
            batch.x.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let r = order[start + i]
                    for j in 0..<f { dst[i * f + j] = src[r * f + j] }
                }
            }
        }
        for i in 0..<count {
            let r = order[start + i]
            batch.rows[i] = Int32(r)
            if !split.labels.isEmpty { batch.labels[i] = split.labels[r]; batch.mixLabels[i] = split.labels[r] }
            if !split.targets.isEmpty { batch.targets[i] = split.targets[r] }
        }
        if !augment.isEmpty {
            var g = SeededGenerator(seed: augmentKey ^ (UInt64(truncatingIfNeeded: step) &* 0x9E37_79B9_7F4A_7C15))
            for a in augment where a.actsOnFeatures { Augmenter.apply(a, to: &batch, generator: &g) }
            batch.augmentGenerator = g
        }
    }
}
