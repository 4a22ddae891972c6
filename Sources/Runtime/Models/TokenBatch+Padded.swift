import Kernels
import Plan
import Support
extension TokenBatch {
    /// A batch from already padded rows: `ids` and `mask` (1 = real token) are
    /// (count, length) row-major, e.g. a data set's stored tokens or a golden file's.
    public init(paddedIDs ids: [Int32], mask: [Int32], count: Int, length: Int) {
        precondition(ids.count == count * length && mask.count == count * length,
                     "ids \(ids.count) and mask \(mask.count) for \(count)×\(length)")
        self.count = count
        self.length = length
        self.ids = ids
        self.mask = mask
        self.lengths = (0..<count).map { r in mask[(r * length)..<((r + 1) * length)].reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }
}
