import Foundation
import Synchronization

/// The packed BLIS path, for each (NC, KC) block:
/// - tall C (enough MC-row blocks for every thread): the threads first pack op(B)'s KC×NC
///   panel together into a shared buffer; then each claims MC-row blocks, packs that block
///   of op(A) itself (it stays in its core's cache) and computes the block's rows of C;
/// - short C (W2's 128-row batches): the same with the roles swapped: op(A) for all of M is
///   shared, and each part packs and computes a group of NR-column slivers.
/// Each operand is packed once whatever the thread count; parts are claimed one at a time,
/// so a late or preempted worker takes fewer; a step's shared panel is packed in the tail of
/// the step before (two panels alternate). Which thread packs or computes a block never
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
    // The shared panel: op(B) (KC × NC) by rows, op(A) (all of M × KC) by columns; two of
    // them, so a step's panel can be packed while the step before it still computes.
    let panelSize = ((byRows ? ncMax * kcMax : mSlivers * mr * kcMax) + 31) / 16 * 16  // 64-byte aligned halves
    buf.reserve(a: byRows ? 0 : 2 * panelSize, b: byRows ? 2 * panelSize : 0)
    let panels = byRows ? buf.b : buf.a
    var steps: [PanelStep] = []
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
            steps.append(PanelStep(g: g, shared: panels + steps.count % 2 * panelSize, byRows: byRows, jc: jc, nc: nc, pc: pc, kc: kc,
                                   beta: pc == 0 ? g.beta : 1, addend: pc == 0 ? g.addend : UnsafePointer(g.c),
                                   ldAddend: pc == 0 ? g.ldAddend : g.ldc, mSlivers: mSlivers, nSlivers: nSlivers,
                                   parts: byRows ? rowParts : colBlocks, threads: threads, last: pc + kc == g.k))
            pc += kc
        }
        jc += nc
    }
    if threads == 1 {
        for step in steps {
            for i in 0..<step.packParts { step.pack(part: i) }
            for i in 0..<step.parts { step.compute(part: i, buf) }
        }
        return
    }
    // One job per step, its tail filled with packing the next step's panel: job i runs step i's
    // compute parts, then step i + 1's pack parts (into the other panel), so a thread that runs
    // out of blocks to compute packs instead of waiting, and no job is spent on packing alone.
    // Job 0 also packs step 0's panel first; its compute parts wait until that is complete.
    // Parts are claimed in index order, so even run inline (a busy pool) every pack precedes
    // the computes that read it. Who packs or computes what never changes the arithmetic.
    let firstPacked = Atomic<Int>(0)
    for (i, step) in steps.enumerated() {
        let before = i == 0 ? step.packParts : 0
        let next = i + 1 < steps.count ? steps[i + 1] : nil
        let after = next?.packParts ?? 0
        WorkerPool.shared.run(before + step.parts + after) { part in
            if part < before {
                step.pack(part: part)
                firstPacked.add(1, ordering: .releasing)
            } else if part < before + step.parts {
                if before > 0 { while firstPacked.load(ordering: .acquiring) < before {} }
                let own = packPool.take()
                step.compute(part: part - before, own)
                packPool.give(own)
            } else {
                next!.pack(part: part - before - step.parts)
            }
        }
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
