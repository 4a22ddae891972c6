import Foundation

/// Per-thread packing space, cached across calls (grow-only, 64-byte aligned).
final class PackBuffers {
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

/// The per-thread packing buffers not in use, shared by all calls.
final class PackPool: @unchecked Sendable {
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

/// Packing buffers for every caller and worker thread.
let packPool = PackPool()

/// Packs op(A)[ic..<ic+mc, pc..<pc+kc] as slivers of MR rows: sliver s holds, for each p,
/// the MR values op(A)[ic+s·MR+r, pc+p] contiguously; rows past mc are zero.
// out: (ceil(mc/MR), kc, MR)
func packA(_ g: GEMMArgs, ic: Int, mc: Int, pc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
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
func packB(_ g: GEMMArgs, pc: Int, kc: Int, jc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
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
                    Lanes.load(s).store(to: d + p * nr)
                    Lanes.load(s + 16).store(to: d + p * nr + 16)
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

private typealias Block16 = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)

@inline(always) private func zipLow(_ a: Lanes, _ b: Lanes) -> Lanes {
    Lanes(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

@inline(always) private func zipHigh(_ a: Lanes, _ b: Lanes) -> Lanes {
    Lanes(a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15])
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
@inline(always) func transposeBlock(_ src: UnsafePointer<Float>, ld: Int, rows: Int, len: Int,
                                    to dst: UnsafeMutablePointer<Float>, stride: Int) {
    @inline(always) func row(_ r: Int, _ p: Int) -> Lanes { r < rows ? Lanes.load(src + r * ld + p) : Lanes() }
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
        m.0.store(to: d); m.1.store(to: d + stride); m.2.store(to: d + 2 * stride); m.3.store(to: d + 3 * stride)
        m.4.store(to: d + 4 * stride); m.5.store(to: d + 5 * stride); m.6.store(to: d + 6 * stride)
        m.7.store(to: d + 7 * stride); m.8.store(to: d + 8 * stride); m.9.store(to: d + 9 * stride)
        m.10.store(to: d + 10 * stride); m.11.store(to: d + 11 * stride); m.12.store(to: d + 12 * stride)
        m.13.store(to: d + 13 * stride); m.14.store(to: d + 14 * stride); m.15.store(to: d + 15 * stride)
        p += 16
    }
    while p < len {
        for r in 0..<rows { dst[p * stride + r] = src[r * ld + p] }
        p += 1
    }
}
