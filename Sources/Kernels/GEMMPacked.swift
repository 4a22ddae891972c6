import Foundation

/// The packed BLIS path, for each (NC, KC) block:
/// - tall C (enough MC-row blocks for every thread): the threads first pack op(B)'s KC×NC
///   panel together into a shared buffer; then each claims MC-row blocks, packs that block
///   of op(A) itself (it stays in its core's cache) and computes the block's rows of C;
/// - short C (W2's 128-row batches): the same with the roles swapped: op(A) for all of M is
///   shared, and each part packs and computes a group of NR-column slivers.
/// Each operand is packed once whatever the thread count; parts are claimed one at a time,
/// so a late or preempted worker takes fewer. Which thread packs or computes a block never
/// changes its arithmetic.
func gemmPacked(_ g: GEMMArgs, threads: Int, _ buf: PackBuffers) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr, mc = GEMMBlocking.mc
    let kcMax = GEMMBlocking.kcBlock(m: g.m, k: g.k)
    let mSlivers = (g.m + mr - 1) / mr
    let rowBlocks = (g.m + mc - 1) / mc
    let byRows = GEMMBlocking.splitsByRows(m: g.m, threads: threads)
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
            while colBlocks * 2 <= nSlivers && colBlocks < GEMMBlocking.partsPerThread * threads { colBlocks *= 2 }
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

    /// Packing parts of about `GEMMBlocking.packSliversA` (or `…B`) shared slivers each, their
    /// number a multiple of the thread count, sizes equal to within one sliver (384 columns:
    /// 4 parts of 3 slivers, not 3 of 4 on 2 threads).
    var packParts: Int {
        let groups = byRows ? (nSlivers + GEMMBlocking.packSliversB - 1) / GEMMBlocking.packSliversB
                            : (mSlivers + GEMMBlocking.packSliversA - 1) / GEMMBlocking.packSliversA
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
