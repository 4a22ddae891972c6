import Foundation

/// Block sizes, thresholds and thread counts of `gemm`, and the choices made from them, all in
/// one place. First measured on a 2-core Zen 4 (AVX-512, 32 KB L1d and 1 MB L2 per core), then
/// on the 2-core Xeon this project now runs on (Emerald Rapids: 48 KB L1d and 2 MB L2 per
/// core), where `kcShort`, `shortRows` and `directPanel` were set: see bench/README.md.
///
/// Every choice that fixes an element's arithmetic (the path, the depth of the K blocks) is a
/// function of the problem's shape alone, never of the machine, so an experiment trains
/// bit-identically on any core count and on AVX2 or AVX-512 builds; the thread count only
/// decides who computes which block.
public enum GEMMBlocking {
    /// Rows of a register tile (broadcast from packed A).
    public static let mr = 12
    /// Columns of a register tile: two `Lanes` vectors from packed B.
    public static let nr = 32
    /// Depth of a packed panel.
    public static let kc = 256
    /// … and when C has fewer than `shortRows` rows: W2's 128-row batches ran 10% more
    /// steps/s with k ≤ 1024 in one block than in blocks of 256 (C is loaded and stored
    /// once, not four times; a 12-row A sliver of 1024 floats still fits L1).
    public static let kcShort = 1024
    /// Fewer rows than this (8 MC blocks, under which 2 threads split C by columns) count as short.
    public static let shortRows = 768
    /// Rows of op(A) packed at once (a multiple of mr).
    public static let mc = 96
    /// Columns of op(B) packed at once (a multiple of nr; the KC×NC panel, 1 MB, lives in L2).
    public static let nc = 1024
    /// The direct path (no packing of A, B read in place or as (k, 32) strips) runs at or
    /// below this many multiply-adds (m·n·k) …
    public static let directWork = 2_097_152
    /// … or when op(B), padded to whole 32-column strips, has at most this many floats (512 KB:
    /// it stays in L2 while every 6-row block of A streams over it) and A is not transposed
    /// (a 6-row block of Aᵀ read in place touches a new page every k step). 1 MB was best on
    /// Zen 4; on the Xeon, n = 512 ran at 0.6× numpy that way, and packed at 1.0×.
    public static let directPanel = 131_072
    /// Rows of the direct path's register tile (its kernel holds 6 × 2 `Lanes` accumulators) …
    public static let directMR = 6
    /// … and its columns: op(B) is read in strips this wide.
    public static let directNR = 32
    /// Below this many multiply-adds a GEMM runs on one thread.
    public static let parallelWork = 1_048_576
    /// Threads used by default: all cores.
    public static let defaultThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Work is cut into up to this many parts per thread, claimed one at a time, so a late or
    /// preempted worker takes fewer.
    public static let partsPerThread = 4
    /// A part packing the packed path's shared panel takes about this many slivers of op(A)
    /// (MR × KC floats each) …
    public static let packSliversA = 8
    /// … or of op(B) (NR × KC floats each).
    public static let packSliversB = 4

    // MARK: - Choices

    /// Whether an (m, n, k) product takes the direct path (see `gemmDirect`) rather than the
    /// packed one: a function of the shape only.
    static func usesDirectPath(m: Int, n: Int, k: Int, transA: Bool) -> Bool {
        let panel = (n + nr - 1) / nr * nr * k
        return m &* n &* k <= directWork || (panel <= directPanel && !transA)
    }

    /// Threads for a product of `work` multiply-adds when the caller allows `requested`.
    static func threads(work: Int, requested: Int) -> Int {
        work < parallelWork ? 1 : max(1, requested)
    }

    /// Depth of each KC block: K split into equal blocks of at most `kc`
    /// (`kcShort` for short C), so no block is a thin remainder (k = 784 runs 4 × 196, not
    /// 3 × 256 + 16: a 16-deep block loads and stores its C tile for 16 FMAs per element).
    /// A function of (m, k) only, never of the thread count: the K blocks fix the rounding.
    static func kcBlock(m: Int, k: Int) -> Int {
        let most = m < shortRows ? kcShort : kc
        let blocks = (k + most - 1) / most
        return (k + blocks - 1) / blocks
    }

    /// The tall-C rule of the packed path: split C by MC-row blocks (each thread packs its
    /// own op(A) blocks against one shared op(B) panel) when there are enough of them for
    /// every thread, else by NR-column slivers (a shared op(A) panel). Only who computes a
    /// block depends on it, never its arithmetic.
    static func splitsByRows(m: Int, threads: Int) -> Bool {
        threads == 1 || (m + mc - 1) / mc >= partsPerThread * threads
    }
}
