import Foundation

// Row-major float32 GEMM in the BLIS loop nest (BLISlab; Goto & van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication"):
//
//   for jc in N by NC
//     for pc in K by KC (equal blocks) pack op(B)[pc.., jc..] → KC×NR slivers (a KC×NC panel, L2)
//       for ic in M by MC              pack op(A)[ic.., pc..] → KC×MR slivers
//                                      (threads share one of the two panels and claim blocks
//                                      of the other dimension: see gemmPacked)
//         for ir in MC by MR           one A sliver (12 KB) stays in L1 …
//           for jr in NC by NR         … while the B slivers stream from L2
//             MR×NR micro-kernel: 24 SIMD16<Float> accumulators, 2 B loads + 12 broadcasts
//             + 24 FMAs per k step (vbroadcastss, vfmadd231ps zmm; no spills), two steps a trip
//
// (ir outside jr measured ≈ 5–10% faster here than the textbook jr-outside order: with NR = 32
// a KC×NR B sliver is 32 KB, all of L1.) Packing pads the last sliver of each panel with zeros,
// so the micro-kernel always runs on a full tile; a partial tile of C goes through a scratch
// tile. Transposes are absorbed by the packing routines (16×16 register transposes).
//
// Small problems take a direct path (see gemmDirect): no packing of A, no KC blocking.
//
// Determinism: each element of C is one FMA chain over p ascending per KC block, then
// C = alpha·acc + beta·C (fused; C is the bias row in the first block when there is one),
// whatever tile or thread computes it; the path, the K blocks and the tiles depend only on
// (m, n, k), so results are bit-identical for any thread count.

/// Block sizes and thresholds of `gemm`, all in one place. First measured on a 2-core Zen 4
/// (AVX-512, 32 KB L1d and 1 MB L2 per core), then on the 2-core Xeon this project now runs
/// on (Emerald Rapids: 48 KB L1d and 2 MB L2 per core), where `kcShort`, `shortRows` and
/// `directPanel` were set: see bench/README.md.
public enum GEMMBlocking {
    /// Rows of a register tile (broadcast from packed A).
    public static let mr = 12
    /// Columns of a register tile: two SIMD16<Float> vectors from packed B.
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
    /// Below this many multiply-adds a GEMM runs on one thread.
    public static let parallelWork = 1_048_576
    /// Threads used by default: all cores.
    public static let defaultThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// An elementwise function applied to C's final values in the kernel's store, while each
/// tile is still in L1 (a separate pass would read and write all of C again).
public enum GEMMActivation: Sendable {
    /// GELU, exact erf form (`geluForward`).
    case gelu
}

/// C = alpha · op(A) · op(B) + beta · C for row-major float32 matrices.
///
/// `op(X)` is X or Xᵀ as `transA`/`transB` say; transposes are never
/// materialised. Shapes (after op): A (m, k), B (k, n), C (m, n).
/// `lda`, `ldb`, `ldc` are row strides of the matrices as stored.
/// When beta == 0, C is not read (NaNs in C do not propagate). Uses all cores
/// for large problems; results are bit-identical for any thread count.
///
/// `bias` (n floats, only with beta == 0) makes it C = alpha · op(A) · op(B) + bias on every
/// row, added in the kernel's store (a linear layer's forward without a separate pass that
/// writes the bias rows first). Bit-identical to writing the bias rows into C and calling
/// with beta = 1.
///
/// `activation` replaces each element of the result by f(element): bit-identical to calling
/// `geluForward` on each row of C afterwards.
public func gemm(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    bias: UnsafePointer<Float>? = nil,
    activation: GEMMActivation? = nil
) {
    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
         threads: GEMMBlocking.defaultThreads, bias: bias, activation: activation)
}

/// `gemm` with an explicit upper bound on the number of threads (≥ 1). The result does
/// not depend on `threads`, only the speed does.
public func gemm(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int,
    bias: UnsafePointer<Float>? = nil,
    activation: GEMMActivation? = nil
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size")
    precondition(bias == nil || beta == 0, "gemm: a bias needs beta == 0")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        if let bias {
            for i in 0..<m { (c + i * ldc).update(from: bias, count: n) }
        } else {
            scaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
        }
        if let activation { finishTile(activation, c, ldc: ldc, rows: m, cols: n) }
        return
    }
    let work = m &* n &* k
    // The first K block adds beta·(addend); the bias is an addend with row stride 0.
    let args = GEMMArgs(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: bias == nil ? beta : 1, c: c, ldc: ldc,
                        addend: bias ?? UnsafePointer(c), ldAddend: bias == nil ? ldc : 0, activation: activation)
    let panel = (n + GEMMBlocking.nr - 1) / GEMMBlocking.nr * GEMMBlocking.nr * k
    if work <= GEMMBlocking.directWork || (panel <= GEMMBlocking.directPanel && !transA) {
        // Direct path: B strips prepared once, then row blocks of 6, split across threads.
        let buf = packPool.take()
        let strips = directStrips(args, buf)
        let blocks = (m + 5) / 6
        let t = work < GEMMBlocking.parallelWork ? 1 : min(max(1, threads), blocks)
        if t == 1 {
            gemmDirect(args, strips, rows: 0..<m, tile: buf.tile)
        } else {
            // Several parts per thread, claimed one at a time: a late worker takes fewer.
            let parts = min(blocks, 4 * t)
            let job = DirectJob(args: args, strips: strips, parts: parts, blocks: blocks)
            WorkerPool.shared.run(parts) { job.run(part: $0) }
        }
        packPool.give(buf)
        return
    }
    let t = work < GEMMBlocking.parallelWork ? 1 : max(1, threads)
    let buf = packPool.take()
    gemmPacked(args, threads: t, buf)
    packPool.give(buf)
}

/// The plain scalar twin of `gemm` (same contract), for tests.
public func gemmReference(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    bias: UnsafePointer<Float>? = nil
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += av * bv
            }
            let addend = bias.map { $0[j] } ?? (beta == 0 ? 0 : beta * c[i * ldc + j])
            c[i * ldc + j] = alpha * sum + addend
        }
    }
}

// MARK: - Implementation

private struct GEMMArgs {
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    /// beta of the first K block: it adds beta · addend[i·ldAddend + j] (C itself, or a bias
    /// with ldAddend 0); later K blocks add C (beta 1).
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let addend: UnsafePointer<Float>, ldAddend: Int
    /// Applied to each tile of C once its last K block is stored.
    let activation: GEMMActivation?
}

/// Applies `activation` to a finished block of C, row by row (as a pass over each row would).
@inline(__always) private func finishTile(_ activation: GEMMActivation, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                                          rows: Int, cols: Int) {
    switch activation {
    case .gelu: for r in 0..<rows { geluForward(c + r * ldc, out: c + r * ldc, count: cols) }
    }
}

/// A multithreaded direct-path GEMM: part `i` computes a contiguous range of 6-row blocks.
private struct DirectJob {
    let args: GEMMArgs
    let strips: DirectStrips
    let parts: Int
    let blocks: Int

    func run(part: Int) {
        let b0 = blocks * part / parts, b1 = blocks * (part + 1) / parts
        let buf = packPool.take()
        gemmDirect(args, strips, rows: (b0 * 6)..<min(args.m, b1 * 6), tile: buf.tile)
        packPool.give(buf)
    }
}

/// Per-thread packing space, cached across calls (grow-only, 64-byte aligned).
private final class PackBuffers {
    var a: UnsafeMutablePointer<Float>
    var aCount = 0
    var b: UnsafeMutablePointer<Float>
    var bCount = 0
    let tile: UnsafeMutablePointer<Float>

    init() {
        a = Self.allocate(0)
        b = Self.allocate(0)
        tile = Self.allocate(GEMMBlocking.mr * GEMMBlocking.nr)
    }

    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }

    func reserve(a na: Int, b nb: Int) {
        if na > aCount { a.deallocate(); a = Self.allocate(na); aCount = na }
        if nb > bCount { b.deallocate(); b = Self.allocate(nb); bCount = nb }
    }
}

private final class PackPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [PackBuffers] = []

    func take() -> PackBuffers {
        lock.lock(); defer { lock.unlock() }
        return free.popLast() ?? PackBuffers()
    }

    func give(_ buf: PackBuffers) {
        lock.lock(); defer { lock.unlock() }
        free.append(buf)
    }
}

private let packPool = PackPool()

@inline(always) private func loadRow(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(always) private func loadRow(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(always) private func storeRow(_ p: UnsafeMutablePointer<Float>, _ v: SIMD16<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// C = beta · C (C: (m, n)); beta == 0 writes zeros without reading C.
private func scaleC(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
    }
}

/// Depth of each KC block: K split into equal blocks of at most `GEMMBlocking.kc`
/// (`kcShort` for short C), so no block is a thin remainder (k = 784 runs 4 × 196, not
/// 3 × 256 + 16: a 16-deep block loads and stores its C tile for 16 FMAs per element).
/// A function of (m, k) only, never of the thread count: the K blocks fix the rounding.
private func kcBlock(m: Int, k: Int) -> Int {
    let most = m < GEMMBlocking.shortRows ? GEMMBlocking.kcShort : GEMMBlocking.kc
    let blocks = (k + most - 1) / most
    return (k + blocks - 1) / blocks
}

/// The packed BLIS path, for each (NC, KC) block:
/// - tall C (enough MC-row blocks for every thread): the threads first pack op(B)'s KC×NC
///   panel together into a shared buffer; then each claims MC-row blocks, packs that block
///   of op(A) itself (it stays in its core's cache) and computes the block's rows of C;
/// - short C (W2's 128-row batches): the same with the roles swapped: op(A) for all of M is
///   shared, and each part packs and computes a group of NR-column slivers.
/// Each operand is packed once whatever the thread count; parts are claimed one at a time,
/// so a late or preempted worker takes fewer. Which thread packs or computes a block never
/// changes its arithmetic.
private func gemmPacked(_ g: GEMMArgs, threads: Int, _ buf: PackBuffers) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr, mc = GEMMBlocking.mc
    let kcMax = kcBlock(m: g.m, k: g.k)
    let mSlivers = (g.m + mr - 1) / mr
    let rowBlocks = (g.m + mc - 1) / mc
    let byRows = threads == 1 || rowBlocks >= 4 * threads
    // By rows the shared KC×NC panel of op(B) stays within the size of a KC × NC panel (1 MB,
    // L2) however deep KC is: fewer columns when K blocks are deeper than KC.
    let panelFloats = GEMMBlocking.kc * GEMMBlocking.nc
    let ncLimit = byRows ? min(GEMMBlocking.nc, max(nr, panelFloats / kcMax / nr * nr)) : GEMMBlocking.nc
    let ncMax = min(ncLimit, (g.n + nr - 1) / nr * nr)
    // By rows: blocks of at most MC rows, as many as a multiple of the thread count and equal
    // to within one sliver, so the threads finish together (1024 rows: 12 × 84–96, not 10 × 96 + 64).
    let rowParts = (rowBlocks + threads - 1) / threads * threads
    // The shared panel: op(B) (KC × NC) by rows, op(A) (all of M × KC) by columns.
    buf.reserve(a: byRows ? 0 : mSlivers * mr * kcMax + 16, b: byRows ? ncMax * kcMax + 16 : 0)
    let shared = byRows ? buf.b : buf.a
    var jc = 0
    while jc < g.n {
        let nc = min(ncLimit, g.n - jc)
        let nSlivers = (nc + nr - 1) / nr
        var colBlocks = 1
        if !byRows {
            while colBlocks * 2 <= nSlivers && colBlocks < 4 * threads { colBlocks *= 2 }
        }
        var pc = 0
        while pc < g.k {
            let kc = min(kcMax, g.k - pc)
            let step = PanelStep(g: g, shared: shared, byRows: byRows, jc: jc, nc: nc, pc: pc, kc: kc,
                                 beta: pc == 0 ? g.beta : 1, addend: pc == 0 ? g.addend : UnsafePointer(g.c),
                                 ldAddend: pc == 0 ? g.ldAddend : g.ldc, mSlivers: mSlivers, nSlivers: nSlivers,
                                 parts: byRows ? rowParts : colBlocks, threads: threads, last: pc + kc == g.k)
            if threads == 1 {
                for i in 0..<step.packParts { step.pack(part: i) }
                for i in 0..<step.parts { step.compute(part: i, buf) }
            } else {
                WorkerPool.shared.run(step.packParts) { step.pack(part: $0) }
                WorkerPool.shared.run(step.parts) { i in
                    let own = packPool.take()
                    step.compute(part: i, own)
                    packPool.give(own)
                }
            }
            pc += kc
        }
        jc += nc
    }
}

/// One (NC, KC) block of the packed path: packing the shared panel in parts, then the
/// compute parts (MC-row blocks by rows, NR-sliver groups by columns).
private struct PanelStep {
    let g: GEMMArgs
    let shared: UnsafeMutablePointer<Float>
    let byRows: Bool
    let jc: Int, nc: Int, pc: Int, kc: Int
    /// This K block adds beta · addend (row stride ldAddend) to its product.
    let beta: Float
    let addend: UnsafePointer<Float>, ldAddend: Int
    let mSlivers: Int, nSlivers: Int
    let parts: Int
    let threads: Int
    /// The last K block: C's values are final after it (the activation applies).
    let last: Bool

    /// About this many shared slivers per packing part (A slivers are 12 × kc, B slivers 32 × kc) …
    static let aGroup = 8, bGroup = 4
    /// … with the number of parts a multiple of the thread count, sizes equal to within one
    /// sliver (384 columns: 4 parts of 3 slivers, not 3 of 4 on 2 threads).
    var packParts: Int {
        let groups = byRows ? (nSlivers + Self.bGroup - 1) / Self.bGroup : (mSlivers + Self.aGroup - 1) / Self.aGroup
        return min(byRows ? nSlivers : mSlivers, (groups + threads - 1) / threads * threads)
    }

    func pack(part: Int) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        let slivers = byRows ? nSlivers : mSlivers, count = packParts
        let s0 = slivers * part / count, s1 = slivers * (part + 1) / count
        if byRows {
            packB(g, pc: pc, kc: kc, jc: jc + s0 * nr, nc: min(nc, s1 * nr) - s0 * nr, into: shared + s0 * nr * kc)
        } else {
            packA(g, ic: s0 * mr, mc: min(g.m, s1 * mr) - s0 * mr, pc: pc, kc: kc, into: shared + s0 * mr * kc)
        }
    }

    /// Packs this part's private operand into `own` and computes its block of C.
    func compute(part: Int, _ own: PackBuffers) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        if byRows {
            let i0 = mSlivers * part / parts * mr, rows = min(g.m, mSlivers * (part + 1) / parts * mr) - i0
            own.reserve(a: (rows + mr - 1) / mr * mr * kc + 16, b: 0)
            packA(g, ic: i0, mc: rows, pc: pc, kc: kc, into: own.a)
            block(rows: i0..<(i0 + rows), pa: own.a, slivers: 0..<nSlivers, pb: shared, tile: own.tile)
        } else {
            let s0 = nSlivers * part / parts, s1 = nSlivers * (part + 1) / parts
            own.reserve(a: 0, b: (s1 - s0) * nr * kc + 16)
            packB(g, pc: pc, kc: kc, jc: jc + s0 * nr, nc: min(nc, s1 * nr) - s0 * nr, into: own.b)
            // own.b holds slivers s0..<s1 only; `block` addresses sliver s at pb + s·NR·kc.
            block(rows: 0..<g.m, pa: shared, slivers: s0..<s1, pb: own.b - s0 * nr * kc, tile: own.tile)
        }
    }

    /// C[rows, slivers' columns] (+)= the product of A slivers at `pa` (row `rows.lowerBound`
    /// first) and B sliver s at pb + s·NR·kc. Rows in MR slivers, each kept in L1 while the B
    /// slivers stream from L2.
    private func block(rows: Range<Int>, pa: UnsafePointer<Float>, slivers: Range<Int>, pb: UnsafePointer<Float>,
                       tile: UnsafeMutablePointer<Float>) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        var ir = rows.lowerBound
        while ir < rows.upperBound {
            let mw = min(mr, rows.upperBound - ir)
            let asl = pa + (ir - rows.lowerBound) * kc
            for s in slivers {
                let jr = s * nr
                let nw = min(nr, nc - jr)
                let cp = g.c + ir * g.ldc + jc + jr
                let src = addend + ir * ldAddend + jc + jr
                if mw == mr && nw == nr {
                    microKernel(kc, asl, pb + jr * kc, cp, g.ldc, g.alpha, beta, src, ldAddend)
                } else {
                    microKernel(kc, asl, pb + jr * kc, tile, nr, 1, 0, tile, nr)
                    for r in 0..<mw {
                        for j in 0..<nw {
                            let t = tile[r * nr + j]
                            cp[r * g.ldc + j] = beta == 0 ? g.alpha * t : (beta * src[r * ldAddend + j]).addingProduct(g.alpha, t)
                        }
                    }
                }
                if last, let activation = g.activation { finishTile(activation, cp, ldc: g.ldc, rows: mw, cols: nw) }
            }
            ir += mr
        }
    }
}

/// Packs op(A)[ic..<ic+mc, pc..<pc+kc] as slivers of MR rows: sliver s holds, for each p,
/// the MR values op(A)[ic+s·MR+r, pc+p] contiguously; rows past mc are zero.
// out: (ceil(mc/MR), kc, MR)
private func packA(_ g: GEMMArgs, ic: Int, mc: Int, pc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    var i = 0
    var d = dst
    while i < mc {
        let rowsHere = min(mr, mc - i)
        if g.transA {
            // op(A)[i, p] = a[p·lda + i]: MR contiguous floats per p.
            let src = g.a + pc * g.lda + ic + i
            if rowsHere == mr {
                for p in 0..<kc {
                    let s = src + p * g.lda
                    for r in 0..<mr { d[p * mr + r] = s[r] }
                }
            } else {
                for p in 0..<kc {
                    let s = src + p * g.lda
                    for r in 0..<mr { d[p * mr + r] = r < rowsHere ? s[r] : 0 }
                }
            }
        } else {
            // op(A)[i, p] = a[i·lda + p]: MR row streams, transposed 16 p at a time.
            if rowsHere == mr {
                transposeBlock(g.a + (ic + i) * g.lda + pc, ld: g.lda, rows: mr, len: kc, to: d, stride: mr)
                d += mr * kc
                i += mr
                continue
            }
            for r in 0..<mr {
                if r < rowsHere {
                    let s = g.a + (ic + i + r) * g.lda + pc
                    for p in 0..<kc { d[p * mr + r] = s[p] }
                } else {
                    for p in 0..<kc { d[p * mr + r] = 0 }
                }
            }
        }
        d += mr * kc
        i += mr
    }
}

/// Packs op(B)[pc..<pc+kc, jc..<jc+nc] as slivers of NR columns: sliver s holds, for each p,
/// the NR values op(B)[pc+p, jc+s·NR+j] contiguously; columns past nc are zero.
// out: (ceil(nc/NR), kc, NR)
private func packB(_ g: GEMMArgs, pc: Int, kc: Int, jc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    var j = 0
    var d = dst
    while j < nc {
        let colsHere = min(nr, nc - j)
        if !g.transB {
            // op(B)[p, j] = b[p·ldb + j]: rows of NR contiguous floats.
            let src = g.b + pc * g.ldb + jc + j
            if colsHere == nr {
                for p in 0..<kc {
                    let s = src + p * g.ldb
                    storeRow(d + p * nr, loadRow(s))
                    storeRow(d + p * nr + 16, loadRow(s + 16))
                }
            } else {
                for p in 0..<kc {
                    let s = src + p * g.ldb
                    for c in 0..<nr { d[p * nr + c] = c < colsHere ? s[c] : 0 }
                }
            }
        } else {
            // op(B)[p, j] = b[j·ldb + p]: NR column streams, transposed in 16×16 blocks.
            if colsHere == nr {
                let src = g.b + (jc + j) * g.ldb + pc
                transposeBlock(src, ld: g.ldb, rows: 16, len: kc, to: d, stride: nr)
                transposeBlock(src + 16 * g.ldb, ld: g.ldb, rows: 16, len: kc, to: d + 16, stride: nr)
                d += nr * kc
                j += nr
                continue
            }
            for c in 0..<nr {
                if c < colsHere {
                    let s = g.b + (jc + j + c) * g.ldb + pc
                    for p in 0..<kc { d[p * nr + c] = s[p] }
                } else {
                    for p in 0..<kc { d[p * nr + c] = 0 }
                }
            }
        }
        d += nr * kc
        j += nr
    }
}

private typealias V = SIMD16<Float>
private typealias Block16 = (V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V)

@inline(always) private func zipLow(_ a: V, _ b: V) -> V {
    V(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

@inline(always) private func zipHigh(_ a: V, _ b: V) -> V {
    V(a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15])
}

/// One perfect-shuffle round; four rounds transpose a 16×16 block (row i ↔ column i).
@inline(always) private func shuffleRound(_ m: Block16) -> Block16 {
    (zipLow(m.0, m.8), zipHigh(m.0, m.8), zipLow(m.1, m.9), zipHigh(m.1, m.9),
     zipLow(m.2, m.10), zipHigh(m.2, m.10), zipLow(m.3, m.11), zipHigh(m.3, m.11),
     zipLow(m.4, m.12), zipHigh(m.4, m.12), zipLow(m.5, m.13), zipHigh(m.5, m.13),
     zipLow(m.6, m.14), zipHigh(m.6, m.14), zipLow(m.7, m.15), zipHigh(m.7, m.15))
}

/// dst[p·stride + r] = src[r·ld + p] for r < rows (≤ 16), p < len: 16 p at a time through a
/// register transpose, then a scalar tail. Each vector store writes 16 lanes, so with
/// stride < 16 it also writes into the next column's first floats, which the next store
/// overwrites; the last column goes through the scalar tail, so nothing past
/// dst[(len − 1)·stride + rows] is written.
// src: (rows, len) row stride ld  →  dst: (len, stride)
@inline(always) private func transposeBlock(_ src: UnsafePointer<Float>, ld: Int, rows: Int, len: Int,
                                              to dst: UnsafeMutablePointer<Float>, stride: Int) {
    @inline(always) func row(_ r: Int, _ p: Int) -> V { r < rows ? loadRow(src + r * ld + p) : V() }
    // A 16-lane store at column p with stride < 16 spills into column p + 1: keep the last
    // column for the scalar tail, so nothing is written past this sliver (threads pack
    // neighbouring slivers concurrently).
    let vectorLen = stride < 16 ? len - 1 : len
    var p = 0
    while p + 16 <= vectorLen {
        var m: Block16 = (row(0, p), row(1, p), row(2, p), row(3, p), row(4, p), row(5, p), row(6, p), row(7, p),
                          row(8, p), row(9, p), row(10, p), row(11, p), row(12, p), row(13, p), row(14, p), row(15, p))
        m = shuffleRound(shuffleRound(shuffleRound(shuffleRound(m))))
        let d = dst + p * stride
        storeRow(d, m.0); storeRow(d + stride, m.1); storeRow(d + 2 * stride, m.2); storeRow(d + 3 * stride, m.3)
        storeRow(d + 4 * stride, m.4); storeRow(d + 5 * stride, m.5); storeRow(d + 6 * stride, m.6)
        storeRow(d + 7 * stride, m.7); storeRow(d + 8 * stride, m.8); storeRow(d + 9 * stride, m.9)
        storeRow(d + 10 * stride, m.10); storeRow(d + 11 * stride, m.11); storeRow(d + 12 * stride, m.12)
        storeRow(d + 13 * stride, m.13); storeRow(d + 14 * stride, m.14); storeRow(d + 15 * stride, m.15)
        p += 16
    }
    while p < len {
        for r in 0..<rows { dst[p * stride + r] = src[r * ld + p] }
        p += 1
    }
}

/// Where the direct path reads op(B): 32-column strips, strip s at `base + s·stripStride`
/// with row stride `ld`. B stored row-major is read in place (except a last partial strip,
/// copied zero-padded); Bᵀ is packed into (k, 32) strips by register transposes.
private struct DirectStrips {
    let base: UnsafePointer<Float>
    let ld: Int
    let stripStride: Int
    let inPlace: Int  // strips read from B itself; the rest come from `copy`
    let copy: UnsafePointer<Float>
}

private func directStrips(_ g: GEMMArgs, _ buf: PackBuffers) -> DirectStrips {
    let nStrips = (g.n + 31) / 32
    let inPlace = g.transB ? 0 : g.n / 32
    let copied = nStrips - inPlace
    if copied > 0 { buf.reserve(a: 0, b: copied * g.k * 32 + 16) }
    for s in 0..<copied {
        let j0 = (inPlace + s) * 32
        let cols = min(32, g.n - j0)
        let d = buf.b + s * g.k * 32
        if g.transB && cols == 32 {
            transposeBlock(g.b + j0 * g.ldb, ld: g.ldb, rows: 16, len: g.k, to: d, stride: 32)
            transposeBlock(g.b + (j0 + 16) * g.ldb, ld: g.ldb, rows: 16, len: g.k, to: d + 16, stride: 32)
        } else {
            for jj in 0..<32 {
                let j = j0 + jj
                if jj >= cols {
                    for p in 0..<g.k { d[p * 32 + jj] = 0 }
                } else if g.transB {
                    let src = g.b + j * g.ldb
                    for p in 0..<g.k { d[p * 32 + jj] = src[p] }
                } else {
                    for p in 0..<g.k { d[p * 32 + jj] = g.b[p * g.ldb + j] }
                }
            }
        }
    }
    return DirectStrips(base: g.b, ld: g.ldb, stripStride: 32, inPlace: inPlace, copy: UnsafePointer(buf.b))
}

/// The direct path for small problems over C[rows, :]: op(A) read in place, 6×32 tiles
/// (6×16 for a last strip of ≤ 16 columns); partial tiles go through `tile`. Same per-element
/// arithmetic as the packed path when k ≤ KC.
private func gemmDirect(_ g: GEMMArgs, _ st: DirectStrips, rows: Range<Int>, tile: UnsafeMutablePointer<Float>) {
    let (sa, sp) = g.transA ? (1, g.lda) : (g.lda, 1)  // op(A)[i, p] = a[i·sa + p·sp]
    let nStrips = (g.n + 31) / 32
    var i = rows.lowerBound
    while i < rows.upperBound {
        let mw = min(6, rows.upperBound - i)
        let ai = g.a + i * sa
        for s in 0..<nStrips {
            let j = s * 32
            let cols = min(32, g.n - j)
            let (bs, ldb) = s < st.inPlace ? (st.base + j, st.ld) : (st.copy + (s - st.inPlace) * g.k * 32, 32)
            let cp = g.c + i * g.ldc + j
            let src = g.addend + i * g.ldAddend + j
            if cols == 32 {
                directKernel(g.k, ai, sa, sp, mw, bs, ldb, cp, g.ldc, g.alpha, g.beta, src, g.ldAddend)
                if let activation = g.activation { finishTile(activation, cp, ldc: g.ldc, rows: mw, cols: 32) }
                continue
            }
            if cols <= 16 {
                directKernel16(g.k, ai, sa, sp, mw, bs, ldb, tile, 32)
            } else {
                directKernel(g.k, ai, sa, sp, mw, bs, ldb, tile, 32, 1, 0, tile, 32)
            }
            for r in 0..<mw {
                for jj in 0..<cols {
                    let t = tile[r * 32 + jj]
                    cp[r * g.ldc + jj] = g.beta == 0 ? g.alpha * t : (g.beta * src[r * g.ldAddend + jj]).addingProduct(g.alpha, t)
                }
            }
            if let activation = g.activation { finishTile(activation, cp, ldc: g.ldc, rows: mw, cols: cols) }
        }
        i += 6
    }
}

/// 6×16 variant of `directKernel` for narrow outputs: tile = acc (alpha 1, beta 0).
// a: (rows ≤ 6, k) strided  b: (k, ≥16) row stride ldb  tile: (6, 16) row stride ldt
@inline(always)
private func directKernel16(_ k: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ sp: Int, _ rows: Int,
                            _ b: UnsafePointer<Float>, _ ldb: Int, _ tile: UnsafeMutablePointer<Float>, _ ldt: Int) {
    let a0 = a, a1 = a + min(1, rows - 1) &* sa, a2 = a + min(2, rows - 1) &* sa
    let a3 = a + min(3, rows - 1) &* sa, a4 = a + min(4, rows - 1) &* sa, a5 = a + min(5, rows - 1) &* sa
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
    var bp = b
    var o = 0
    for _ in 0..<k {
        let bv = loadRow(bp)
        c0.addProduct(SIMD16(repeating: a0[o]), bv); c1.addProduct(SIMD16(repeating: a1[o]), bv)
        c2.addProduct(SIMD16(repeating: a2[o]), bv); c3.addProduct(SIMD16(repeating: a3[o]), bv)
        c4.addProduct(SIMD16(repeating: a4[o]), bv); c5.addProduct(SIMD16(repeating: a5[o]), bv)
        bp += ldb
        o += sp
    }
    storeRow(tile, c0); storeRow(tile + ldt, c1); storeRow(tile + 2 * ldt, c2)
    storeRow(tile + 3 * ldt, c3); storeRow(tile + 4 * ldt, c4); storeRow(tile + 5 * ldt, c5)
}

/// The direct path's 6×32 kernel: like `microKernel`, but reads op(A) and B in place.
/// op(A)[r, p] = a[r·sa + p·sp] for r < rows (rows past `rows` repeat the last one and are
/// not stored); B rows of 32 floats at b + p·ldb.
// a: (rows ≤ 6, k) strided  b: (k, 32) row stride ldb  c: (rows, 32) row stride ldc
@inline(always)
private func directKernel(_ k: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ sp: Int, _ rows: Int,
                          _ b: UnsafePointer<Float>, _ ldb: Int,
                          _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,
                          _ src: UnsafePointer<Float>, _ ldsrc: Int) {
    let a0 = a + min(0, rows - 1) &* sa
    let a1 = a + min(1, rows - 1) &* sa
    let a2 = a + min(2, rows - 1) &* sa
    let a3 = a + min(3, rows - 1) &* sa
    let a4 = a + min(4, rows - 1) &* sa
    let a5 = a + min(5, rows - 1) &* sa
    var c0_0 = SIMD16<Float>(), c0_1 = SIMD16<Float>()
    var c1_0 = SIMD16<Float>(), c1_1 = SIMD16<Float>()
    var c2_0 = SIMD16<Float>(), c2_1 = SIMD16<Float>()
    var c3_0 = SIMD16<Float>(), c3_1 = SIMD16<Float>()
    var c4_0 = SIMD16<Float>(), c4_1 = SIMD16<Float>()
    var c5_0 = SIMD16<Float>(), c5_1 = SIMD16<Float>()
    var bp = b
    var o = 0
    for _ in 0..<k {
        let b0 = loadRow(bp), b1 = loadRow(bp + 16)
        do { let s = SIMD16<Float>(repeating: a0[o]); c0_0.addProduct(s, b0); c0_1.addProduct(s, b1) }
        do { let s = SIMD16<Float>(repeating: a1[o]); c1_0.addProduct(s, b0); c1_1.addProduct(s, b1) }
        do { let s = SIMD16<Float>(repeating: a2[o]); c2_0.addProduct(s, b0); c2_1.addProduct(s, b1) }
        do { let s = SIMD16<Float>(repeating: a3[o]); c3_0.addProduct(s, b0); c3_1.addProduct(s, b1) }
        do { let s = SIMD16<Float>(repeating: a4[o]); c4_0.addProduct(s, b0); c4_1.addProduct(s, b1) }
        do { let s = SIMD16<Float>(repeating: a5[o]); c5_0.addProduct(s, b0); c5_1.addProduct(s, b1) }
        bp += ldb
        o += sp
    }
    let va = SIMD16<Float>(repeating: alpha), vb = SIMD16<Float>(repeating: beta)
    @inline(always) func put(_ r: Int, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>) {
        let p = c + r &* ldc, q = src + r &* ldsrc
        if beta == 0 {
            storeRow(p, va * x0); storeRow(p + 16, va * x1)
        } else {
            storeRow(p, (vb * loadRow(q)).addingProduct(va, x0))
            storeRow(p + 16, (vb * loadRow(q + 16)).addingProduct(va, x1))
        }
    }
    put(0, c0_0, c0_1)
    if rows > 1 { put(1, c1_0, c1_1) }
    if rows > 2 { put(2, c2_0, c2_1) }
    if rows > 3 { put(3, c3_0, c3_1) }
    if rows > 4 { put(4, c4_0, c4_1) }
    if rows > 5 { put(5, c5_0, c5_1) }
}

/// The 12×32 register micro-kernel: acc[12×32] = Σ_p a[p,0..<12] ⊗ b[p,0..<32], then
/// C = alpha·acc + beta·S, S the 12×32 tile at `src` with row stride `ldsrc` (C itself, or a
/// bias row with ldsrc 0); S is not read when beta == 0.
// pa: packed A sliver (kc, 12)  pb: packed B sliver (kc, 32), 64-byte aligned  c: (12,32) with row stride ldc
@inline(always)
private func microKernel(_ kc: Int, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,
                         _ src: UnsafePointer<Float>, _ ldsrc: Int) {
    var c0_0 = SIMD16<Float>(); var c0_1 = SIMD16<Float>();
    var c1_0 = SIMD16<Float>(); var c1_1 = SIMD16<Float>();
    var c2_0 = SIMD16<Float>(); var c2_1 = SIMD16<Float>();
    var c3_0 = SIMD16<Float>(); var c3_1 = SIMD16<Float>();
    var c4_0 = SIMD16<Float>(); var c4_1 = SIMD16<Float>();
    var c5_0 = SIMD16<Float>(); var c5_1 = SIMD16<Float>();
    var c6_0 = SIMD16<Float>(); var c6_1 = SIMD16<Float>();
    var c7_0 = SIMD16<Float>(); var c7_1 = SIMD16<Float>();
    var c8_0 = SIMD16<Float>(); var c8_1 = SIMD16<Float>();
    var c9_0 = SIMD16<Float>(); var c9_1 = SIMD16<Float>();
    var c10_0 = SIMD16<Float>(); var c10_1 = SIMD16<Float>();
    var c11_0 = SIMD16<Float>(); var c11_1 = SIMD16<Float>();
    // One k step: two B vectors, twelve broadcasts of A, 24 FMAs.
    @inline(__always) func step(_ a: UnsafePointer<Float>, _ b: UnsafeRawPointer) {
        let b0 = b.load(fromByteOffset: 0, as: SIMD16<Float>.self)
        let b1 = b.load(fromByteOffset: 64, as: SIMD16<Float>.self)
        let a0 = SIMD16<Float>(repeating: a[0])
        c0_0.addProduct(a0, b0); c0_1.addProduct(a0, b1);
        let a1 = SIMD16<Float>(repeating: a[1])
        c1_0.addProduct(a1, b0); c1_1.addProduct(a1, b1);
        let a2 = SIMD16<Float>(repeating: a[2])
        c2_0.addProduct(a2, b0); c2_1.addProduct(a2, b1);
        let a3 = SIMD16<Float>(repeating: a[3])
        c3_0.addProduct(a3, b0); c3_1.addProduct(a3, b1);
        let a4 = SIMD16<Float>(repeating: a[4])
        c4_0.addProduct(a4, b0); c4_1.addProduct(a4, b1);
        let a5 = SIMD16<Float>(repeating: a[5])
        c5_0.addProduct(a5, b0); c5_1.addProduct(a5, b1);
        let a6 = SIMD16<Float>(repeating: a[6])
        c6_0.addProduct(a6, b0); c6_1.addProduct(a6, b1);
        let a7 = SIMD16<Float>(repeating: a[7])
        c7_0.addProduct(a7, b0); c7_1.addProduct(a7, b1);
        let a8 = SIMD16<Float>(repeating: a[8])
        c8_0.addProduct(a8, b0); c8_1.addProduct(a8, b1);
        let a9 = SIMD16<Float>(repeating: a[9])
        c9_0.addProduct(a9, b0); c9_1.addProduct(a9, b1);
        let a10 = SIMD16<Float>(repeating: a[10])
        c10_0.addProduct(a10, b0); c10_1.addProduct(a10, b1);
        let a11 = SIMD16<Float>(repeating: a[11])
        c11_0.addProduct(a11, b0); c11_1.addProduct(a11, b1);
    }
    var a = pa
    var b = UnsafeRawPointer(pb)
    // Two k steps per trip: half the loop's pointer and counter updates per FMA (0–3% on
    // best runs here; LLVM interleaves the two steps, each accumulator's FMA order stays).
    for _ in 0..<(kc >> 1) {
        step(a, b)
        step(a + 12, b + 128)
        a += 24
        b += 256
    }
    if kc & 1 != 0 { step(a, b) }
    let va = SIMD16<Float>(repeating: alpha)
    if beta == 0 {
        storeRow(c + 0 &* ldc + 0, va * c0_0)
        storeRow(c + 0 &* ldc + 16, va * c0_1)
        storeRow(c + 1 &* ldc + 0, va * c1_0)
        storeRow(c + 1 &* ldc + 16, va * c1_1)
        storeRow(c + 2 &* ldc + 0, va * c2_0)
        storeRow(c + 2 &* ldc + 16, va * c2_1)
        storeRow(c + 3 &* ldc + 0, va * c3_0)
        storeRow(c + 3 &* ldc + 16, va * c3_1)
        storeRow(c + 4 &* ldc + 0, va * c4_0)
        storeRow(c + 4 &* ldc + 16, va * c4_1)
        storeRow(c + 5 &* ldc + 0, va * c5_0)
        storeRow(c + 5 &* ldc + 16, va * c5_1)
        storeRow(c + 6 &* ldc + 0, va * c6_0)
        storeRow(c + 6 &* ldc + 16, va * c6_1)
        storeRow(c + 7 &* ldc + 0, va * c7_0)
        storeRow(c + 7 &* ldc + 16, va * c7_1)
        storeRow(c + 8 &* ldc + 0, va * c8_0)
        storeRow(c + 8 &* ldc + 16, va * c8_1)
        storeRow(c + 9 &* ldc + 0, va * c9_0)
        storeRow(c + 9 &* ldc + 16, va * c9_1)
        storeRow(c + 10 &* ldc + 0, va * c10_0)
        storeRow(c + 10 &* ldc + 16, va * c10_1)
        storeRow(c + 11 &* ldc + 0, va * c11_0)
        storeRow(c + 11 &* ldc + 16, va * c11_1)
    } else {
        let vb = SIMD16<Float>(repeating: beta)
        do { let p = c + 0 &* ldc + 0; storeRow(p, (vb * loadRow(src + 0 &* ldsrc + 0)).addingProduct(va, c0_0)) }
        do { let p = c + 0 &* ldc + 16; storeRow(p, (vb * loadRow(src + 0 &* ldsrc + 16)).addingProduct(va, c0_1)) }
        do { let p = c + 1 &* ldc + 0; storeRow(p, (vb * loadRow(src + 1 &* ldsrc + 0)).addingProduct(va, c1_0)) }
        do { let p = c + 1 &* ldc + 16; storeRow(p, (vb * loadRow(src + 1 &* ldsrc + 16)).addingProduct(va, c1_1)) }
        do { let p = c + 2 &* ldc + 0; storeRow(p, (vb * loadRow(src + 2 &* ldsrc + 0)).addingProduct(va, c2_0)) }
        do { let p = c + 2 &* ldc + 16; storeRow(p, (vb * loadRow(src + 2 &* ldsrc + 16)).addingProduct(va, c2_1)) }
        do { let p = c + 3 &* ldc + 0; storeRow(p, (vb * loadRow(src + 3 &* ldsrc + 0)).addingProduct(va, c3_0)) }
        do { let p = c + 3 &* ldc + 16; storeRow(p, (vb * loadRow(src + 3 &* ldsrc + 16)).addingProduct(va, c3_1)) }
        do { let p = c + 4 &* ldc + 0; storeRow(p, (vb * loadRow(src + 4 &* ldsrc + 0)).addingProduct(va, c4_0)) }
        do { let p = c + 4 &* ldc + 16; storeRow(p, (vb * loadRow(src + 4 &* ldsrc + 16)).addingProduct(va, c4_1)) }
        do { let p = c + 5 &* ldc + 0; storeRow(p, (vb * loadRow(src + 5 &* ldsrc + 0)).addingProduct(va, c5_0)) }
        do { let p = c + 5 &* ldc + 16; storeRow(p, (vb * loadRow(src + 5 &* ldsrc + 16)).addingProduct(va, c5_1)) }
        do { let p = c + 6 &* ldc + 0; storeRow(p, (vb * loadRow(src + 6 &* ldsrc + 0)).addingProduct(va, c6_0)) }
        do { let p = c + 6 &* ldc + 16; storeRow(p, (vb * loadRow(src + 6 &* ldsrc + 16)).addingProduct(va, c6_1)) }
        do { let p = c + 7 &* ldc + 0; storeRow(p, (vb * loadRow(src + 7 &* ldsrc + 0)).addingProduct(va, c7_0)) }
        do { let p = c + 7 &* ldc + 16; storeRow(p, (vb * loadRow(src + 7 &* ldsrc + 16)).addingProduct(va, c7_1)) }
        do { let p = c + 8 &* ldc + 0; storeRow(p, (vb * loadRow(src + 8 &* ldsrc + 0)).addingProduct(va, c8_0)) }
        do { let p = c + 8 &* ldc + 16; storeRow(p, (vb * loadRow(src + 8 &* ldsrc + 16)).addingProduct(va, c8_1)) }
        do { let p = c + 9 &* ldc + 0; storeRow(p, (vb * loadRow(src + 9 &* ldsrc + 0)).addingProduct(va, c9_0)) }
        do { let p = c + 9 &* ldc + 16; storeRow(p, (vb * loadRow(src + 9 &* ldsrc + 16)).addingProduct(va, c9_1)) }
        do { let p = c + 10 &* ldc + 0; storeRow(p, (vb * loadRow(src + 10 &* ldsrc + 0)).addingProduct(va, c10_0)) }
        do { let p = c + 10 &* ldc + 16; storeRow(p, (vb * loadRow(src + 10 &* ldsrc + 16)).addingProduct(va, c10_1)) }
        do { let p = c + 11 &* ldc + 0; storeRow(p, (vb * loadRow(src + 11 &* ldsrc + 0)).addingProduct(va, c11_0)) }
        do { let p = c + 11 &* ldc + 16; storeRow(p, (vb * loadRow(src + 11 &* ldsrc + 16)).addingProduct(va, c11_1)) }
    }
}
