import Foundation
import Kernels
import Plan
import Support

/// The rows (0-based data-row indices) of each split, each list in file order.
public struct SplitAssignment: Sendable, Equatable {
    /// Train rows, ascending.
    public var train: [Int]
    /// Valid rows, ascending.
    public var valid: [Int]
    /// Test rows, ascending.
    public var test: [Int]

    /// Creates an assignment from row lists.
    public init(train: [Int], valid: [Int], test: [Int]) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// The rows of `split`.
    public subscript(split: SplitName) -> [Int] {
        switch split {
        case .train: return train
        case .valid: return valid
        case .test: return test
        }
    }
}

/// Divides rows into train / valid / test. The exact rules:
///
/// - **Counts** for `n` rows and fractions `a, b, c`: `train = round(a·n)`; with a
///   test split `valid = min(round(b·n), n − train)` and `test = n − train − valid`;
///   without one (`c = 0`) `valid = n − train`. `round` is Python's (half to even,
///   on the float64 product), the convention of the PyTorch references. Counts
///   always sum to `n`.
/// - **ordered**: the first `train` rows in file order, then the next `valid`, then the rest.
/// - **random(seed)**: `p = SeededGenerator(seed).fork("split").permutation(n)`;
///   train = rows `p[0..<train]`, valid = the next `valid`, test = the rest.
/// - **stratified(seed)**: for each class id `k` in ascending order, its rows in
///   file order are permuted by `SeededGenerator(seed).fork("stratified").fork("class \(k)")`
///   and cut with the count rule above applied to that class's size; the splits are
///   the unions over classes. Per-class rounding means totals can differ from
///   `round(a·n)` by up to one row per class.
///
/// Whatever the kind, **each split lists its rows in file order**: a split is a set
/// of rows, and with `shuffle = false` batches follow the file. One rule for all
/// kinds keeps `ordered` trivially consistent and avoids class-sorted batches
/// after a stratified merge.
public enum SplitPlanner {
    /// Row counts of each split for `n` rows under `rule`'s fractions.
    public static func counts(total n: Int, rule: SplitRule) -> (train: Int, valid: Int, test: Int) {
        rule.counts(total: n)
    }

    /// Checks that the fractions are in [0, 1] and sum to 1 (within 1e-9).
    public static func validate(_ rule: SplitRule, path: String) throws {
        let fractions = [("train", rule.train), ("valid", rule.valid), ("test", rule.test)]
        for (name, f) in fractions where !(f >= 0 && f <= 1) {
            throw DataError(path: path, reason: .invalidSpec(detail: "split fraction \(name) = \(f) is outside [0, 1]"))
        }
        let sum = rule.train + rule.valid + rule.test
        if abs(sum - 1) > 1e-9 {
            throw DataError(path: path, reason: .invalidSpec(detail: "split fractions sum to \(sum), not 1"))
        }
    }

    /// Assigns `rowCount` rows. `classIDs` (one per row) is required for
    /// `stratified`; `path` is used only in errors.
    public static func assign(_ rule: SplitRule, rowCount n: Int, classIDs: [Int32]?, path: String) throws -> SplitAssignment {
        try validate(rule, path: path)
        switch rule.kind {
        case .ordered:
            return cut(Array(0..<n), rule)
        case let .random(seed):
            var g = SeededGenerator(seed: seed).fork("split")
            return cut(g.permutation(n), rule)
        case let .stratified(seed):
            guard let classIDs, classIDs.count == n else {
                throw DataError(path: path, reason: .classLabelsRequired(rule: "a stratified"))
            }
            var byClass: [Int32: [Int]] = [:]
            for (row, k) in classIDs.enumerated() { byClass[k, default: []].append(row) }
            let root = SeededGenerator(seed: seed).fork("stratified")
            var out = SplitAssignment(train: [], valid: [], test: [])
            for k in byClass.keys.sorted() {
                let rows = byClass[k]!
                var g = root.fork("class \(k)")
                let part = cut(g.permutation(rows.count).map { rows[$0] }, rule)
                out.train += part.train
                out.valid += part.valid
                out.test += part.test
            }
            out.train.sort(); out.valid.sort(); out.test.sort()
            return out
        }
    }

    /// Ordered cuts of `order` by the count rule; each part sorted into file order.
    private static func cut(_ order: [Int], _ rule: SplitRule) -> SplitAssignment {
        let c = counts(total: order.count, rule: rule)
        return SplitAssignment(train: order[0..<c.train].sorted(),
                               valid: order[c.train..<(c.train + c.valid)].sorted(),
                               test: order[(c.train + c.valid)...].sorted())
    }
}
