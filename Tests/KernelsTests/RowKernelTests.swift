import Foundation
import Kernels
import XCTest

/// The row kernels (softmax, log-softmax, masked softmax, layer norm) against their scalar
/// twins on awkward shapes. Tolerances: softmax |fast − twin| ≤ 1e-6 + 1e-5·|twin|
/// (SIMD exp vs libm, a different summation order), log-softmax 1e-5 + 1e-6·|twin|; layer norm
/// against a float64 twin 1e-5 + 1e-5·|twin|.
final class RowKernelTests: KernelTestCase {
    func testSoftmaxMatchesTwins() {
        for (r, c) in Self.shapes {
            let x = Self.random(r * c, -20...20, seed: UInt64(r * 100 + c))
            let g = Self.random(r * c, -1...1, seed: 77)
            let z = [Float](repeating: .nan, count: r * c)
            var logZ = [Float](repeating: .nan, count: r), logZTwin = logZ
            let y = run(z) { out in logZTwin.withUnsafeMutableBufferPointer { softmaxRowsReference(x, out: out, rows: r, cols: c, logNormalizers: $0.baseAddress) } }
            let ys = run(z) { out in logZ.withUnsafeMutableBufferPointer { softmaxRows(x, out: out, rows: r, cols: c, logNormalizers: $0.baseAddress) } }
            assertClose(ys, y, abs: 1e-6, rel: 1e-5, "softmax \(r)×\(c)")
            assertClose(logZ, logZTwin, abs: 1e-5, rel: 1e-6, "log Z \(r)×\(c)")
            for row in 0..<r {
                XCTAssertEqual(ys[(row * c)..<((row + 1) * c)].reduce(0, +), 1, accuracy: 1e-5)
            }
            let ly = run(z) { logSoftmaxRowsReference(x, out: $0, rows: r, cols: c) }
            assertClose(run(z) { logSoftmaxRows(x, out: $0, rows: r, cols: c) }, ly, abs: 1e-5, rel: 1e-6, "logSoftmax \(r)×\(c)")
            for accumulate in [false, true] {
                let start = accumulate ? Self.random(r * c, -1...1, seed: 8) : z
                assertClose(run(start) { softmaxRowsBackward(y, dout: g, dx: $0, rows: r, cols: c, accumulate: accumulate) },
                            run(start) { softmaxRowsBackwardReference(y, dout: g, dx: $0, rows: r, cols: c, accumulate: accumulate) },
                            abs: 1e-5, rel: 1e-5, "softmax backward \(r)×\(c)")
                assertClose(run(start) { logSoftmaxRowsBackward(ly, dout: g, dx: $0, rows: r, cols: c, accumulate: accumulate) },
                            run(start) { logSoftmaxRowsBackwardReference(ly, dout: g, dx: $0, rows: r, cols: c, accumulate: accumulate) },
                            abs: 2e-5, rel: 1e-5, "logSoftmax backward \(r)×\(c)")
            }
            // In place (dx = dout), as attention's backward uses it.
            assertBits(run(g) { softmaxRowsBackward(y, dout: $0, dx: $0, rows: r, cols: c) },
                       run(z) { softmaxRowsBackward(y, dout: g, dx: $0, rows: r, cols: c) }, "in-place softmax backward \(r)×\(c)")
        }
    }

    func testMaskedSoftmaxMatchesTwin() {
        for (r, c) in Self.shapes {
            let x = Self.random(r * c, -20...20, seed: UInt64(r * 100 + c))
            let z = [Float](repeating: .nan, count: r * c)
            // Attention's key mask: masked entries exactly 0; an all-masked mask gives zero rows.
            let mask = (0..<c).map { Float(($0 * 7 + r) % 3 == 0 ? 0 : 1) }
            let masked = run(z) { maskedSoftmaxRows(x, out: $0, rows: r, cols: c, keyMask: mask) }
            assertClose(masked, run(z) { maskedSoftmaxRowsReference(x, out: $0, rows: r, cols: c, keyMask: mask) },
                        abs: 1e-6, rel: 1e-5, "masked softmax \(r)×\(c)")
            for i in 0..<(r * c) where mask[i % c] == 0 { XCTAssertEqual(masked[i], 0) }
            let none = [Float](repeating: 0, count: c)
            XCTAssertEqual(run(z) { maskedSoftmaxRows(x, out: $0, rows: r, cols: c, keyMask: none) }, [Float](repeating: 0, count: r * c))
            let all = [Float](repeating: 1, count: c)
            assertClose(run(z) { maskedSoftmaxRows(x, out: $0, rows: r, cols: c, keyMask: all) },
                        run(z) { softmaxRowsReference(x, out: $0, rows: r, cols: c) }, abs: 1e-6, rel: 1e-5, "unmasked \(r)×\(c)")
        }
    }

    func testSoftmaxIsStableForHugeLogits() {
        let x: [Float] = [1000, 1000, -1000, 999, 0, 1e30, 1e30, 1e30]
        let z = [Float](repeating: .nan, count: x.count)
        let y = run(z) { softmaxRows(x, out: $0, rows: 2, cols: 4) }
        XCTAssertTrue(y.allSatisfy { $0.isFinite })
        XCTAssertEqual(y[0], y[1])
        XCTAssertEqual(y[5], 1.0 / 3, accuracy: 1e-6)
        XCTAssertTrue(run(z) { logSoftmaxRows(x, out: $0, rows: 2, cols: 4) }.allSatisfy { $0.isFinite })
        let ones = [Float](repeating: 1, count: 4)
        XCTAssertTrue(run(z) { maskedSoftmaxRows(x, out: $0, rows: 2, cols: 4, keyMask: ones) }.allSatisfy { $0.isFinite })
    }

    /// `body` with a pointer to `a`'s elements, or nil.
    func withOptional<R>(_ a: [Float]?, _ body: (P?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    func testLayerNormMatchesTwin() {
        for (r, c) in Self.shapes where c > 1 {
            let x = Self.random(r * c, -3...3, seed: UInt64(r + c)).map { $0 + 0.5 }
            let dy = Self.random(r * c, -1...1, seed: 23)
            let start = Self.random(r * c, -1...1, seed: 24), startC = Self.random(c, -1...1, seed: 25)
            for affine in [false, true] {
                let w = affine ? Self.random(c, seed: 21) : nil, b = affine ? Self.random(c, seed: 22) : nil
                let z = [Float](repeating: .nan, count: r * c)
                var stats = [Float](repeating: .nan, count: 2 * r), statsTwin = stats
                withOptional(w) { wp in withOptional(b) { bp in
                    let y = run(z) { layerNormForward(rows: r, cols: c, eps: 1e-5, x: x, weight: wp, bias: bp, y: $0, stats: &stats) }
                    let yTwin = run(z) {
                        layerNormForwardReference(rows: r, cols: c, eps: 1e-5, x: x, weight: wp, bias: bp, y: $0, stats: &statsTwin)
                    }
                    assertClose(y, yTwin, abs: 1e-5, rel: 1e-5, "layer norm \(r)×\(c)")
                    assertClose(stats, statsTwin, abs: 1e-5, rel: 1e-5, "layer norm stats \(r)×\(c)")
                    var dx = start, dw = startC, db = startC
                    var dxTwin = start, dwTwin = startC, dbTwin = startC
                    layerNormBackward(rows: r, cols: c, x: x, weight: wp, stats: stats, dy: dy, dx: &dx,
                                      dweight: &dw, dbias: &db)
                    layerNormBackwardReference(rows: r, cols: c, x: x, weight: wp, stats: stats, dy: dy, dx: &dxTwin,
                                               dweight: &dwTwin, dbias: &dbTwin)
                    assertClose(dx, dxTwin, abs: 1e-4, rel: 1e-4, "layer norm dx \(r)×\(c) affine \(affine)")
                    assertClose(dw, dwTwin, abs: 1e-4, rel: 1e-4, "layer norm dweight \(r)×\(c) affine \(affine)")
                    assertClose(db, dbTwin, abs: 1e-5, rel: 1e-5, "layer norm dbias \(r)×\(c) affine \(affine)")
                } }
            }
        }
    }
}
