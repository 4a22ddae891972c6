import Foundation

/// Splits index ranges over the cores for memory-bound kernels (GEMMs thread themselves).
/// Each chunk is a fixed contiguous range, so the work done on every element does not
/// depend on the number of workers.
public enum ParallelChunks {
    public static let workers = GEMMBlocking.defaultThreads

    /// Runs `body` over `0..<count` in up to `workers` contiguous chunks (chunk index, range);
    /// small jobs (fewer than `minimum` items) run inline as one chunk.
    public static func run(_ count: Int, minimum: Int = 64, _ body: (Int, Range<Int>) -> Void) {
        let parts = count < minimum ? 1 : min(workers, count)
        if parts <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        WorkerPool.shared.run(parts) { p in body(p, (count * p / parts)..<(count * (p + 1) / parts)) }
    }
}

extension ParallelChunks {
    /// Elementwise jobs below this many floats run on one thread (a hand-off costs a few µs).
    public static let elementwiseMinimum = 32_768

    /// `run` for SIMD16 kernels with a scalar tail: chunks start at multiples of 16, so each
    /// element takes the same vector-or-tail path as in one pass over `0..<count`, and results
    /// do not depend on the number of workers.
    public static func vectors(_ count: Int, minimum: Int = elementwiseMinimum, _ body: (Range<Int>) -> Void) {
        let parts = count < minimum ? 1 : workers
        WorkerPool.shared.run(parts) { p in
            let start = count * p / parts & ~15
            let end = p == parts - 1 ? count : count * (p + 1) / parts & ~15
            if end > start { body(start..<end) }
        }
    }
}
