import Foundation

/// The 12×32 register micro-kernel: acc[12×32] = Σ_p a[p,0..<12] ⊗ b[p,0..<32], then
/// C = alpha·acc + beta·S, S the 12×32 tile at `src` with row stride `ldsrc` (C itself, or a
/// bias row with ldsrc 0); S is not read when beta == 0.
// pa: packed A sliver (kc, 12)  pb: packed B sliver (kc, 32), 64-byte aligned  c: (12,32) with row stride ldc
@inline(always)
func microKernel(_ kc: Int, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>,
                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,
                 _ src: UnsafePointer<Float>, _ ldsrc: Int) {
    var c0_0 = Lanes(); var c0_1 = Lanes();
    var c1_0 = Lanes(); var c1_1 = Lanes();
    var c2_0 = Lanes(); var c2_1 = Lanes();
    var c3_0 = Lanes(); var c3_1 = Lanes();
    var c4_0 = Lanes(); var c4_1 = Lanes();
    var c5_0 = Lanes(); var c5_1 = Lanes();
    var c6_0 = Lanes(); var c6_1 = Lanes();
    var c7_0 = Lanes(); var c7_1 = Lanes();
    var c8_0 = Lanes(); var c8_1 = Lanes();
    var c9_0 = Lanes(); var c9_1 = Lanes();
    var c10_0 = Lanes(); var c10_1 = Lanes();
    var c11_0 = Lanes(); var c11_1 = Lanes();
    // One k step: two B vectors, twelve broadcasts of A, 24 FMAs.
    @inline(__always) func step(_ a: UnsafePointer<Float>, _ b: UnsafeRawPointer) {
        let b0 = b.load(fromByteOffset: 0, as: Lanes.self)
        let b1 = b.load(fromByteOffset: 64, as: Lanes.self)
        let a0 = Lanes(repeating: a[0])
        c0_0.addProduct(a0, b0); c0_1.addProduct(a0, b1);
        let a1 = Lanes(repeating: a[1])
        c1_0.addProduct(a1, b0); c1_1.addProduct(a1, b1);
        let a2 = Lanes(repeating: a[2])
        c2_0.addProduct(a2, b0); c2_1.addProduct(a2, b1);
        let a3 = Lanes(repeating: a[3])
        c3_0.addProduct(a3, b0); c3_1.addProduct(a3, b1);
        let a4 = Lanes(repeating: a[4])
        c4_0.addProduct(a4, b0); c4_1.addProduct(a4, b1);
        let a5 = Lanes(repeating: a[5])
        c5_0.addProduct(a5, b0); c5_1.addProduct(a5, b1);
        let a6 = Lanes(repeating: a[6])
        c6_0.addProduct(a6, b0); c6_1.addProduct(a6, b1);
        let a7 = Lanes(repeating: a[7])
        c7_0.addProduct(a7, b0); c7_1.addProduct(a7, b1);
        let a8 = Lanes(repeating: a[8])
        c8_0.addProduct(a8, b0); c8_1.addProduct(a8, b1);
        let a9 = Lanes(repeating: a[9])
        c9_0.addProduct(a9, b0); c9_1.addProduct(a9, b1);
        let a10 = Lanes(repeating: a[10])
        c10_0.addProduct(a10, b0); c10_1.addProduct(a10, b1);
        let a11 = Lanes(repeating: a[11])
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
    let va = Lanes(repeating: alpha)
    if beta == 0 {
        (va * c0_0).store(to: c + 0 &* ldc + 0)
        (va * c0_1).store(to: c + 0 &* ldc + 16)
        (va * c1_0).store(to: c + 1 &* ldc + 0)
        (va * c1_1).store(to: c + 1 &* ldc + 16)
        (va * c2_0).store(to: c + 2 &* ldc + 0)
        (va * c2_1).store(to: c + 2 &* ldc + 16)
        (va * c3_0).store(to: c + 3 &* ldc + 0)
        (va * c3_1).store(to: c + 3 &* ldc + 16)
        (va * c4_0).store(to: c + 4 &* ldc + 0)
        (va * c4_1).store(to: c + 4 &* ldc + 16)
        (va * c5_0).store(to: c + 5 &* ldc + 0)
        (va * c5_1).store(to: c + 5 &* ldc + 16)
        (va * c6_0).store(to: c + 6 &* ldc + 0)
        (va * c6_1).store(to: c + 6 &* ldc + 16)
        (va * c7_0).store(to: c + 7 &* ldc + 0)
        (va * c7_1).store(to: c + 7 &* ldc + 16)
        (va * c8_0).store(to: c + 8 &* ldc + 0)
        (va * c8_1).store(to: c + 8 &* ldc + 16)
        (va * c9_0).store(to: c + 9 &* ldc + 0)
        (va * c9_1).store(to: c + 9 &* ldc + 16)
        (va * c10_0).store(to: c + 10 &* ldc + 0)
        (va * c10_1).store(to: c + 10 &* ldc + 16)
        (va * c11_0).store(to: c + 11 &* ldc + 0)
        (va * c11_1).store(to: c + 11 &* ldc + 16)
    } else {
        let vb = Lanes(repeating: beta)
        do { let p = c + 0 &* ldc + 0; (vb * Lanes.load(src + 0 &* ldsrc + 0)).addingProduct(va, c0_0).store(to: p) }
        do { let p = c + 0 &* ldc + 16; (vb * Lanes.load(src + 0 &* ldsrc + 16)).addingProduct(va, c0_1).store(to: p) }
        do { let p = c + 1 &* ldc + 0; (vb * Lanes.load(src + 1 &* ldsrc + 0)).addingProduct(va, c1_0).store(to: p) }
        do { let p = c + 1 &* ldc + 16; (vb * Lanes.load(src + 1 &* ldsrc + 16)).addingProduct(va, c1_1).store(to: p) }
        do { let p = c + 2 &* ldc + 0; (vb * Lanes.load(src + 2 &* ldsrc + 0)).addingProduct(va, c2_0).store(to: p) }
        do { let p = c + 2 &* ldc + 16; (vb * Lanes.load(src + 2 &* ldsrc + 16)).addingProduct(va, c2_1).store(to: p) }
        do { let p = c + 3 &* ldc + 0; (vb * Lanes.load(src + 3 &* ldsrc + 0)).addingProduct(va, c3_0).store(to: p) }
        do { let p = c + 3 &* ldc + 16; (vb * Lanes.load(src + 3 &* ldsrc + 16)).addingProduct(va, c3_1).store(to: p) }
        do { let p = c + 4 &* ldc + 0; (vb * Lanes.load(src + 4 &* ldsrc + 0)).addingProduct(va, c4_0).store(to: p) }
        do { let p = c + 4 &* ldc + 16; (vb * Lanes.load(src + 4 &* ldsrc + 16)).addingProduct(va, c4_1).store(to: p) }
        do { let p = c + 5 &* ldc + 0; (vb * Lanes.load(src + 5 &* ldsrc + 0)).addingProduct(va, c5_0).store(to: p) }
        do { let p = c + 5 &* ldc + 16; (vb * Lanes.load(src + 5 &* ldsrc + 16)).addingProduct(va, c5_1).store(to: p) }
        do { let p = c + 6 &* ldc + 0; (vb * Lanes.load(src + 6 &* ldsrc + 0)).addingProduct(va, c6_0).store(to: p) }
        do { let p = c + 6 &* ldc + 16; (vb * Lanes.load(src + 6 &* ldsrc + 16)).addingProduct(va, c6_1).store(to: p) }
        do { let p = c + 7 &* ldc + 0; (vb * Lanes.load(src + 7 &* ldsrc + 0)).addingProduct(va, c7_0).store(to: p) }
        do { let p = c + 7 &* ldc + 16; (vb * Lanes.load(src + 7 &* ldsrc + 16)).addingProduct(va, c7_1).store(to: p) }
        do { let p = c + 8 &* ldc + 0; (vb * Lanes.load(src + 8 &* ldsrc + 0)).addingProduct(va, c8_0).store(to: p) }
        do { let p = c + 8 &* ldc + 16; (vb * Lanes.load(src + 8 &* ldsrc + 16)).addingProduct(va, c8_1).store(to: p) }
        do { let p = c + 9 &* ldc + 0; (vb * Lanes.load(src + 9 &* ldsrc + 0)).addingProduct(va, c9_0).store(to: p) }
        do { let p = c + 9 &* ldc + 16; (vb * Lanes.load(src + 9 &* ldsrc + 16)).addingProduct(va, c9_1).store(to: p) }
        do { let p = c + 10 &* ldc + 0; (vb * Lanes.load(src + 10 &* ldsrc + 0)).addingProduct(va, c10_0).store(to: p) }
        do { let p = c + 10 &* ldc + 16; (vb * Lanes.load(src + 10 &* ldsrc + 16)).addingProduct(va, c10_1).store(to: p) }
        do { let p = c + 11 &* ldc + 0; (vb * Lanes.load(src + 11 &* ldsrc + 0)).addingProduct(va, c11_0).store(to: p) }
        do { let p = c + 11 &* ldc + 16; (vb * Lanes.load(src + 11 &* ldsrc + 16)).addingProduct(va, c11_1).store(to: p) }
    }
}
