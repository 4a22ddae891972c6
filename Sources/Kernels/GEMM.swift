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
//             MR×NR micro-kernel: 24 `Lanes` accumulators, 2 B loads + 12 broadcasts
//             + 24 FMAs per k step (vbroadcastss, vfmadd231ps zmm; no spills), two steps a trip
//
// (ir outside jr measured ≈ 5–10% faster here than the textbook jr-outside order: with NR = 32
// a KC×NR B sliver is 32 KB, all of L1.) Packing pads the last sliver of each panel with zeros,
// so the micro-kernel always runs on a full tile; a partial tile of C goes through a scratch
// tile. Transposes are absorbed by the packing routines (16×16 register transposes).
//
// Small problems take a direct path (see gemmDirect): no packing of A, no KC blocking.
//
// Files: this driver (entry points, path choice); GEMMBlocking (sizes, thresholds, thread
// counts and the choices made from them); GEMMPacked (the loop nest above); GEMMPacking
// (packing routines and buffers); GEMMMicroKernel (the MR×NR kernel); GEMMDirect (the direct
// path); GEMMReference (the plain scalar twin).
//
// Determinism: each element of C is one FMA chain over p ascending per KC block, then
// C = alpha·acc + beta·C (fused; C is the bias row in the first block when there is one),
// whatever tile or thread computes it; the path, the K blocks and the tiles depend only on
// (m, n, k), so results are bit-identical for any thread count.

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
///
/// `threads` bounds the number of threads (≥ 1; default: all cores). The result does not
/// depend on it, only the speed does.
public func gemm(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int = GEMMBlocking.defaultThreads,
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
    if GEMMBlocking.usesDirectPath(m: m, n: n, k: k, transA: transA) {
        // Direct path: B strips prepared once, then blocks of `directMR` rows, split across threads.
        let buf = packPool.take()
        let strips = directStrips(args, buf)
        let blocks = (m + GEMMBlocking.directMR - 1) / GEMMBlocking.directMR
        let t = min(GEMMBlocking.threads(work: work, requested: threads), blocks)
        if t == 1 {
            gemmDirect(args, strips, rows: 0..<m, tile: buf.tile)
        } else {
            // Several parts per thread, claimed one at a time: a late worker takes fewer.
            let parts = min(blocks, GEMMBlocking.partsPerThread * t)
            let job = DirectJob(args: args, strips: strips, parts: parts, blocks: blocks)
            WorkerPool.shared.run(parts) { job.run(part: $0) }
        }
        packPool.give(buf)
        return
    }
    let t = GEMMBlocking.threads(work: work, requested: threads)
    let buf = packPool.take()
    gemmPacked(args, threads: t, buf)
    packPool.give(buf)
}

// MARK: - Shared by both paths

/// One call's arguments as both paths read them.
struct GEMMArgs {
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
@inline(__always) func finishTile(_ activation: GEMMActivation, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                                  rows: Int, cols: Int) {
    switch activation {
    case .gelu: for r in 0..<rows { geluForward(c + r * ldc, out: c + r * ldc, count: cols) }
    }
}

/// C = beta · C (C: (m, n)); beta == 0 writes zeros without reading C.
private func scaleC(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
    }
}
