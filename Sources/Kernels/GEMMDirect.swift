import Foundation

/// A multithreaded direct-path GEMM: part `i` computes a contiguous range of `directMR`-row blocks.
struct DirectJob {
    let args: GEMMArgs
    let strips: DirectStrips
    let parts: Int
    let blocks: Int

    func run(part: Int) {
        let b0 = blocks * part / parts, b1 = blocks * (part + 1) / parts
        let buf = packPool.take()
        let mr = GEMMBlocking.directMR
        gemmDirect(args, strips, rows: (b0 * mr)..<min(args.m, b1 * mr), tile: buf.tile)
        packPool.give(buf)
    }
}

/// Where the direct path reads op(B): strips of `directNR` (32) columns, strip s at
/// `base + s·stripStride` with row stride `ld`. B stored row-major is read in place (except a
/// last partial strip, copied zero-padded); Bᵀ is packed into (k, 32) strips by register
/// transposes.
struct DirectStrips {
    let base: UnsafePointer<Float>
    let ld: Int
    let stripStride: Int
    let inPlace: Int  // strips read from B itself; the rest come from `copy`
    let copy: UnsafePointer<Float>
}

/// Prepares the strips of op(B) that cannot be read in place (in `buf.b`).
func directStrips(_ g: GEMMArgs, _ buf: PackBuffers) -> DirectStrips {
    let w = GEMMBlocking.directNR
    let nStrips = (g.n + w - 1) / w
    let inPlace = g.transB ? 0 : g.n / w
    let copied = nStrips - inPlace
    if copied > 0 { buf.reserve(a: 0, b: copied * g.k * w + 16) }
    for s in 0..<copied {
        let j0 = (inPlace + s) * w
        let cols = min(w, g.n - j0)
        let d = buf.b + s * g.k * w
        if g.transB && cols == w {
            transposeBlock(g.b + j0 * g.ldb, ld: g.ldb, rows: 16, len: g.k, to: d, stride: w)
            transposeBlock(g.b + (j0 + 16) * g.ldb, ld: g.ldb, rows: 16, len: g.k, to: d + 16, stride: w)
        } else {
            for jj in 0..<w {
                let j = j0 + jj
                if jj >= cols {
                    for p in 0..<g.k { d[p * w + jj] = 0 }
                } else if g.transB {
                    let src = g.b + j * g.ldb
                    for p in 0..<g.k { d[p * w + jj] = src[p] }
                } else {
                    for p in 0..<g.k { d[p * w + jj] = g.b[p * g.ldb + j] }
                }
            }
        }
    }
    return DirectStrips(base: g.b, ld: g.ldb, stripStride: w, inPlace: inPlace, copy: UnsafePointer(buf.b))
}

/// The direct path for small problems over C[rows, :]: op(A) read in place, 6×32 tiles
/// (`directMR` × `directNR`; 6×16 for a last strip of ≤ 16 columns); partial tiles go through
/// `tile`. Same per-element arithmetic as the packed path when k ≤ KC.
func gemmDirect(_ g: GEMMArgs, _ st: DirectStrips, rows: Range<Int>, tile: UnsafeMutablePointer<Float>) {
    let w = GEMMBlocking.directNR, h = GEMMBlocking.directMR
    let (sa, sp) = g.transA ? (1, g.lda) : (g.lda, 1)  // op(A)[i, p] = a[i·sa + p·sp]
    let nStrips = (g.n + w - 1) / w
    var i = rows.lowerBound
    while i < rows.upperBound {
        let mw = min(h, rows.upperBound - i)
        let ai = g.a + i * sa
        for s in 0..<nStrips {
            let j = s * w
            let cols = min(w, g.n - j)
            let (bs, ldb) = s < st.inPlace ? (st.base + j, st.ld) : (st.copy + (s - st.inPlace) * g.k * w, w)
            let cp = g.c + i * g.ldc + j
            let src = g.addend + i * g.ldAddend + j
            if cols == w {
                directKernel(g.k, ai, sa, sp, mw, bs, ldb, cp, g.ldc, g.alpha, g.beta, src, g.ldAddend)
                if let activation = g.activation { finishTile(activation, cp, ldc: g.ldc, rows: mw, cols: w) }
                continue
            }
            if cols <= 16 {
                directKernel16(g.k, ai, sa, sp, mw, bs, ldb, tile, w)
            } else {
                directKernel(g.k, ai, sa, sp, mw, bs, ldb, tile, w, 1, 0, tile, w)
            }
            for r in 0..<mw {
                for jj in 0..<cols {
                    let t = tile[r * w + jj]
                    cp[r * g.ldc + jj] = g.beta == 0 ? g.alpha * t : (g.beta * src[r * g.ldAddend + jj]).addingProduct(g.alpha, t)
                }
            }
            if let activation = g.activation { finishTile(activation, cp, ldc: g.ldc, rows: mw, cols: cols) }
        }
        i += h
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
