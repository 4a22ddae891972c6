import Foundation

/// A multithreaded direct-path GEMM: part `i` computes a contiguous range of 6-row blocks.
struct DirectJob {
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

/// Where the direct path reads op(B): 32-column strips, strip s at `base + s·stripStride`
/// with row stride `ld`. B stored row-major is read in place (except a last partial strip,
/// copied zero-padded); Bᵀ is packed into (k, 32) strips by register transposes.
struct DirectStrips {
    let base: UnsafePointer<Float>
    let ld: Int
    let stripStride: Int
    let inPlace: Int  // strips read from B itself; the rest come from `copy`
    let copy: UnsafePointer<Float>
}

/// Prepares the strips of op(B) that cannot be read in place (in `buf.b`).
func directStrips(_ g: GEMMArgs, _ buf: PackBuffers) -> DirectStrips {
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
func gemmDirect(_ g: GEMMArgs, _ st: DirectStrips, rows: Range<Int>, tile: UnsafeMutablePointer<Float>) {
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
    var c0 = Lanes(), c1 = Lanes(), c2 = Lanes()
    var c3 = Lanes(), c4 = Lanes(), c5 = Lanes()
    var bp = b
    var o = 0
    for _ in 0..<k {
        let bv = Lanes.load(bp)
        c0.addProduct(Lanes(repeating: a0[o]), bv); c1.addProduct(Lanes(repeating: a1[o]), bv)
        c2.addProduct(Lanes(repeating: a2[o]), bv); c3.addProduct(Lanes(repeating: a3[o]), bv)
        c4.addProduct(Lanes(repeating: a4[o]), bv); c5.addProduct(Lanes(repeating: a5[o]), bv)
        bp += ldb
        o += sp
    }
    c0.store(to: tile); c1.store(to: tile + ldt); c2.store(to: tile + 2 * ldt)
    c3.store(to: tile + 3 * ldt); c4.store(to: tile + 4 * ldt); c5.store(to: tile + 5 * ldt)
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
    var c0_0 = Lanes(), c0_1 = Lanes()
    var c1_0 = Lanes(), c1_1 = Lanes()
    var c2_0 = Lanes(), c2_1 = Lanes()
    var c3_0 = Lanes(), c3_1 = Lanes()
    var c4_0 = Lanes(), c4_1 = Lanes()
    var c5_0 = Lanes(), c5_1 = Lanes()
    var bp = b
    var o = 0
    for _ in 0..<k {
        let b0 = Lanes.load(bp), b1 = Lanes.load(bp + 16)
        do { let s = Lanes(repeating: a0[o]); c0_0.addProduct(s, b0); c0_1.addProduct(s, b1) }
        do { let s = Lanes(repeating: a1[o]); c1_0.addProduct(s, b0); c1_1.addProduct(s, b1) }
        do { let s = Lanes(repeating: a2[o]); c2_0.addProduct(s, b0); c2_1.addProduct(s, b1) }
        do { let s = Lanes(repeating: a3[o]); c3_0.addProduct(s, b0); c3_1.addProduct(s, b1) }
        do { let s = Lanes(repeating: a4[o]); c4_0.addProduct(s, b0); c4_1.addProduct(s, b1) }
        do { let s = Lanes(repeating: a5[o]); c5_0.addProduct(s, b0); c5_1.addProduct(s, b1) }
        bp += ldb
        o += sp
    }
    let va = Lanes(repeating: alpha), vb = Lanes(repeating: beta)
    @inline(always) func put(_ r: Int, _ x0: Lanes, _ x1: Lanes) {
        let p = c + r &* ldc, q = src + r &* ldsrc
        if beta == 0 {
            (va * x0).store(to: p); (va * x1).store(to: p + 16)
        } else {
            (vb * Lanes.load(q)).addingProduct(va, x0).store(to: p)
            (vb * Lanes.load(q + 16)).addingProduct(va, x1).store(to: p + 16)
        }
    }
    put(0, c0_0, c0_1)
    if rows > 1 { put(1, c1_0, c1_1) }
    if rows > 2 { put(2, c2_0, c2_1) }
    if rows > 3 { put(3, c3_0, c3_1) }
    if rows > 4 { put(4, c4_0, c4_1) }
    if rows > 5 { put(5, c5_0, c5_1) }
}
