import Foundation
import Kernels
import XCTest

/// `gemm` against its scalar twin `gemmReference` on awkward shapes, all transpose
/// combinations, alpha/beta and padded strides; and bit-identity across thread counts.
///
/// Tolerance: per element |c − ref| ≤ 1e-5·(|alpha|·Σ_p|a_ip·b_pj| + |beta·c_ij|) + 1e-30,
/// i.e. a few float32 ulps per unit of the absolute sum, whatever the summation order.
final class GEMMTests: XCTestCase {
    struct Case {
        var transA = false, transB = false
        var m: Int, n: Int, k: Int
        var alpha: Float = 1, beta: Float = 0
        var pad = 0  // extra elements per row of every stored matrix
    }

    /// A stored matrix (rows, cols) with row stride cols + pad, filled from `rng`.
    static func matrix(_ rows: Int, _ cols: Int, pad: Int, _ rng: inout TestRandom) -> (data: [Float], ld: Int) {
        let ld = max(cols + pad, 1)
        var data = [Float](repeating: .nan, count: max(rows * ld, 1))  // padding stays NaN: must never be read
        for i in 0..<rows { for j in 0..<cols { data[i * ld + j] = Float.random(in: -1...1, using: &rng) } }
        return (data, ld)
    }

    /// Runs `gemm` (with `threads`) and `gemmReference` on one case and checks them.
    func check(_ t: Case, threads: Int = GEMMBlocking.defaultThreads, seed: UInt64 = 7,
               file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRandom(seed: seed)
        let (ar, ac) = t.transA ? (t.k, t.m) : (t.m, t.k)
        let (br, bc) = t.transB ? (t.n, t.k) : (t.k, t.n)
        let a = Self.matrix(ar, ac, pad: t.pad, &rng)
        let b = Self.matrix(br, bc, pad: t.pad, &rng)
        var c0 = Self.matrix(t.m, t.n, pad: t.pad, &rng)
        if t.beta == 0 { for i in 0..<t.m { for j in 0..<t.n { c0.data[i * c0.ld + j] = .nan } } }  // beta 0: C is not read
        var got = c0.data, want = c0.data
        var bound = [Float](repeating: 0, count: c0.data.count)
        let absA = a.data.map { abs($0) }, absB = b.data.map { abs($0) }
        got.withUnsafeMutableBufferPointer { cp in
            gemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                 a: a.data, lda: a.ld, b: b.data, ldb: b.ld, beta: t.beta, c: cp.baseAddress!, ldc: c0.ld,
                 threads: threads)
        }
        want.withUnsafeMutableBufferPointer { cp in
            gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                          a: a.data, lda: a.ld, b: b.data, ldb: b.ld, beta: t.beta, c: cp.baseAddress!, ldc: c0.ld)
        }
        bound.withUnsafeMutableBufferPointer { cp in
            gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: abs(t.alpha),
                          a: absA, lda: a.ld, b: absB, ldb: b.ld, beta: 0, c: cp.baseAddress!, ldc: c0.ld)
        }
        var bad = 0
        for i in 0..<t.m {
            for j in 0..<t.n {
                let o = i * c0.ld + j
                let betaC = t.beta == 0 ? 0 : abs(t.beta * c0.data[o])
                let tol = 1e-5 * (bound[o] + betaC) + 1e-30
                if !(abs(got[o] - want[o]) <= tol) {
                    if bad < 3 {
                        XCTFail("\(t) C[\(i),\(j)] = \(got[o]), reference \(want[o]) (tol \(tol))", file: file, line: line)
                    }
                    bad += 1
                }
            }
        }
        // Padding of C is never written.
        for i in 0..<t.m { for j in t.n..<c0.ld where i * c0.ld + j < got.count {
            XCTAssertEqual(got[i * c0.ld + j].bitPattern, c0.data[i * c0.ld + j].bitPattern, "padding written", file: file, line: line)
        } }
        if bad > 0 { XCTFail("\(bad) elements off in \(t)", file: file, line: line) }
    }

    static let awkward = [1, 7, 17, 33, 65]

    func testAwkwardShapesAllTransposes() {
        for m in Self.awkward { for n in Self.awkward { for k in Self.awkward {
            for ta in [false, true] { for tb in [false, true] {
                check(Case(transA: ta, transB: tb, m: m, n: n, k: k))
            } }
        } } }
    }

    func testAlphaBetaAndStrides() {
        let ab: [(Float, Float)] = [(1, 0), (0.5, 1), (-1.5, 2), (2, -0.25), (1, 1)]
        for (alpha, beta) in ab {
            for ta in [false, true] { for tb in [false, true] {
                for (m, n, k) in [(7, 17, 33), (33, 65, 17), (65, 33, 300), (13, 100, 5)] {
                    check(Case(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, beta: beta, pad: 3))
                }
            } }
        }
    }

    /// Shapes above the direct path's size that cross every block boundary (KC, MC, NC) and
    /// leave partial edge tiles, threaded and not.
    func testLargeShapesCrossBlocks() {
        let shapes = [(1000, 33, 17), (17, 1000, 65), (130, 1100, 300), (301, 97, 520), (64, 1024, 784), (1, 1000, 1000),
                      (65, 1000, 33), (1000, 7, 300), (17, 333, 1000), (7, 2000, 200), (500, 301, 900),
                      // k a multiple of 16 and several A slivers per thread: neighbouring slivers
                      // packed concurrently must not overlap (transposeBlock's 16-lane stores).
                      (200, 600, 256), (1000, 600, 512), (128, 1024, 784)]
        for (m, n, k) in shapes {
            for ta in [false, true] { for tb in [false, true] {
                check(Case(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.75, beta: 0.5, pad: 1))
            } }
        }
        check(Case(m: 200, n: 2100, k: 40))
    }

    func testBlockSizesAlignWithTiles() {
        XCTAssertEqual(GEMMBlocking.mc % GEMMBlocking.mr, 0)
        XCTAssertEqual(GEMMBlocking.nc % GEMMBlocking.nr, 0)
        XCTAssertEqual(GEMMBlocking.nr, 32)
    }

    func testDegenerateSizes() {
        check(Case(m: 5, n: 6, k: 0, alpha: 1, beta: 0.5))
        check(Case(m: 5, n: 6, k: 0, alpha: 1, beta: 0))
        check(Case(m: 40, n: 50, k: 60, alpha: 0, beta: 2))
        check(Case(m: 0, n: 6, k: 3))
        check(Case(m: 4, n: 0, k: 3))
    }

    /// The bits of C do not depend on the number of threads (each element's reduction
    /// order is fixed by the blocking, never by the partition).
    func testThreadCountIndependence() {
        // Direct path (small B panel) and packed path (N split, M split), threaded; short C
        // (under 768 rows) with K blocks up to 1024 deep, split by rows on one thread.
        let shapes = [(200, 300, 100), (500, 40, 100), (33, 1000, 65), (257, 513, 300), (1100, 70, 30),
                      (130, 1100, 300), (700, 300, 900), (40, 2000, 300), (128, 700, 1500)]
        for (m, n, k) in shapes {
            for ta in [false, true] { for tb in [false, true] {
                var rng = TestRandom(seed: UInt64(m * 31 + n))
                let a = Self.matrix(ta ? k : m, ta ? m : k, pad: 0, &rng)
                let b = Self.matrix(tb ? n : k, tb ? k : n, pad: 0, &rng)
                let c0 = Self.matrix(m, n, pad: 0, &rng)
                var results: [[Float]] = []
                for threads in [1, 2, 3, 4] {
                    var c = c0.data
                    c.withUnsafeMutableBufferPointer { cp in
                        gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.25, a: a.data, lda: a.ld,
                             b: b.data, ldb: b.ld, beta: 0.5, c: cp.baseAddress!, ldc: c0.ld, threads: threads)
                    }
                    results.append(c)
                }
                for r in results.dropFirst() {
                    XCTAssertTrue(r.elementsEqual(results[0], by: { $0.bitPattern == $1.bitPattern }),
                                  "thread count changed bits for \(m)×\(n)×\(k) transA \(ta) transB \(tb)")
                }
                // The default-threads entry point agrees too.
                var c = c0.data
                c.withUnsafeMutableBufferPointer { cp in
                    gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.25, a: a.data, lda: a.ld,
                         b: b.data, ldb: b.ld, beta: 0.5, c: cp.baseAddress!, ldc: c0.ld)
                }
                XCTAssertTrue(c.elementsEqual(results[0], by: { $0.bitPattern == $1.bitPattern }))
            } }
        }
    }

    /// A bias added in the kernels' store gives the bits of writing the bias rows into C and
    /// calling with beta = 1 (what a linear layer did before), on every path: direct, packed
    /// with several K blocks, partial edge tiles, any thread count; and it matches the reference.
    func testBiasEpilogueEqualsBiasRowsThenBetaOne() {
        let shapes = [(5, 7, 3), (64, 40, 30), (100, 33, 300), (1024, 384, 384), (130, 1100, 300), (128, 1024, 784), (7, 70, 0)]
        for (m, n, k) in shapes {
            for tb in [false, true] {
                var rng = TestRandom(seed: UInt64(m + n + k))
                let a = Self.matrix(m, k, pad: 0, &rng)
                let b = Self.matrix(tb ? n : k, tb ? k : n, pad: 0, &rng)
                let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
                var rows = [Float](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n { rows[i * n + j] = bias[j] } }
                var want = rows
                want.withUnsafeMutableBufferPointer { cp in
                    gemm(transA: false, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: a.ld,
                         b: b.data, ldb: b.ld, beta: 1, c: cp.baseAddress!, ldc: n)
                }
                var reference = [Float](repeating: .nan, count: m * n)
                reference.withUnsafeMutableBufferPointer { cp in
                    gemmReference(transA: false, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: a.ld,
                                  b: b.data, ldb: b.ld, beta: 0, c: cp.baseAddress!, ldc: n, bias: bias)
                }
                for threads in [1, 2] {
                    var got = [Float](repeating: .nan, count: m * n)  // beta 0: C is not read
                    got.withUnsafeMutableBufferPointer { cp in
                        gemm(transA: false, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: a.ld,
                             b: b.data, ldb: b.ld, beta: 0, c: cp.baseAddress!, ldc: n, threads: threads, bias: bias)
                    }
                    XCTAssertTrue(got.elementsEqual(want, by: { $0.bitPattern == $1.bitPattern }),
                                  "bias epilogue differs for \(m)×\(n)×\(k) transB \(tb), \(threads) threads")
                    let worst = zip(got, reference).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-3 * Float(max(k, 1)).squareRoot(), "\(m)×\(n)×\(k) vs reference")
                }
            }
        }
    }

    /// GELU in the kernels' store gives the bits of `geluForward` over each row of C afterwards,
    /// on every path (direct with 6×16 and partial tiles, packed by rows and by columns with
    /// several K blocks: only the last applies it) and any thread count, with a bias or beta.
    func testActivationEpilogueEqualsGELUOverEachRowAfter() {
        let shapes = [(5, 7, 3), (64, 40, 30), (100, 33, 300), (1024, 100, 600), (130, 1100, 300), (128, 1024, 1500), (7, 70, 0)]
        for (m, n, k) in shapes {
            for (tb, withBias) in [(false, true), (true, false)] {
                var rng = TestRandom(seed: UInt64(m * 7 + n + k))
                let a = Self.matrix(m, k, pad: 0, &rng)
                let b = Self.matrix(tb ? n : k, tb ? k : n, pad: 0, &rng)
                let bias = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
                let c0 = (0..<(m * n)).map { _ in Float.random(in: -1...1, using: &rng) }
                let beta: Float = withBias ? 0 : 0.5
                func run(threads: Int, activation: GEMMActivation?) -> [Float] {
                    var c = c0
                    c.withUnsafeMutableBufferPointer { cp in
                        bias.withUnsafeBufferPointer { bp in
                            gemm(transA: false, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: a.ld,
                                 b: b.data, ldb: b.ld, beta: beta, c: cp.baseAddress!, ldc: n, threads: threads,
                                 bias: withBias ? bp.baseAddress : nil, activation: activation)
                        }
                    }
                    return c
                }
                var want = run(threads: 2, activation: nil)
                want.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<m { geluForward(cp.baseAddress! + i * n, out: cp.baseAddress! + i * n, count: n) }
                }
                for threads in [1, 2] {
                    XCTAssertTrue(run(threads: threads, activation: .gelu).elementsEqual(want, by: { $0.bitPattern == $1.bitPattern }),
                                  "GELU epilogue differs for \(m)×\(n)×\(k) transB \(tb), \(threads) threads")
                }
            }
        }
    }

    /// Concurrent callers share the packing-buffer pool and the worker pool safely (a caller
    /// that finds the workers busy runs its parts itself), many times over.
    func testConcurrentCallers() {
        let m = 150, n = 170, k = 190
        var rng = TestRandom(seed: 3)
        let a = Self.matrix(m, k, pad: 0, &rng), b = Self.matrix(k, n, pad: 0, &rng)
        var want = [Float](repeating: 0, count: m * n)
        want.withUnsafeMutableBufferPointer { cp in
            gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a.data, lda: k,
                 b: b.data, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
        }
        struct Flags: @unchecked Sendable { let ok: UnsafeMutablePointer<Bool> }
        let box = Flags(ok: .allocate(capacity: 8))
        box.ok.initialize(repeating: false, count: 8)
        defer { box.ok.deallocate() }
        let ad = a.data, bd = b.data, w = want
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var ok = true
            for _ in 0..<20 {
                var c = [Float](repeating: 0, count: m * n)
                c.withUnsafeMutableBufferPointer { cp in
                    gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: ad, lda: k,
                         b: bd, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
                }
                ok = ok && c.elementsEqual(w, by: { $0.bitPattern == $1.bitPattern })
            }
            box.ok[i] = ok
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: box.ok, count: 8)), [Bool](repeating: true, count: 8))
    }
}
