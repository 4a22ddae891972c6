import Foundation
import Kernels
import XCTest

/// Every elementwise, activation and reduction kernel against its scalar twin on awkward sizes
/// (tails of every length).
///
/// Tolerances: plain arithmetic is bit-identical (one IEEE operation per step in both);
/// transcendental kernels |fast − twin| ≤ 2e-6 + 2e-6·|twin| (the SIMD exp/tanh/erf
/// approximations are ≲ 2 ulp / 1.5e-7 absolute); reductions ≤ 1e-5 · Σ|x|.
final class KernelTests: KernelTestCase {
    // MARK: arithmetic

    func testArithmeticMatchesTwinsBitForBit() {
        for n in Self.sizes {
            let x = Self.random(n, seed: 1), y = Self.random(n, seed: 2), w = Self.random(n, seed: 3)
            let z = [Float](repeating: .nan, count: n)
            assertBits(run(z) { vectorAdd(x, y, out: $0, count: n) }, run(z) { vectorAddReference(x, y, out: $0, count: n) }, "add \(n)")
            assertBits(run(z) { vectorSub(x, y, out: $0, count: n) }, run(z) { vectorSubReference(x, y, out: $0, count: n) }, "sub \(n)")
            assertBits(run(z) { vectorMul(x, y, out: $0, count: n) }, run(z) { vectorMulReference(x, y, out: $0, count: n) }, "mul \(n)")
            assertBits(run(z) { vectorScale(alpha: -0.37, x, out: $0, count: n) },
                       run(z) { vectorScaleReference(alpha: -0.37, x, out: $0, count: n) }, "scale \(n)")
            assertBits(run(y) { vectorAxpy(alpha: 0.3, x, $0, count: n) }, run(y) { vectorAxpyReference(alpha: 0.3, x, $0, count: n) },
                       "axpy \(n)")
            assertBits(run(y) { vectorMulAccumulate(x, w, $0, count: n) }, run(y) { vectorMulAccumulateReference(x, w, $0, count: n) },
                       "mulAccumulate \(n)")
            assertBits(run(z) { vectorMulAdd(x, w, y, out: $0, count: n) }, run(z) { vectorMulAddReference(x, w, y, out: $0, count: n) },
                       "mulAdd \(n)")
            assertBits(run(z) { vectorAdd3(x, y, w, out: $0, count: n) }, run(z) { vectorAdd3Reference(x, y, w, out: $0, count: n) },
                       "add3 \(n)")
            var clampInput = x
            if n > 3 { clampInput[3] = .nan }
            assertBits(run(clampInput) { vectorClamp($0, count: n, lo: -2, hi: 1.5) },
                       run(clampInput) { vectorClampReference($0, count: n, lo: -2, hi: 1.5) }, "clamp \(n)")
            if n > 3 { XCTAssertTrue(run(clampInput) { vectorClamp($0, count: n, lo: -2, hi: 1.5) }[3].isNaN, "clamp keeps NaN") }
        }
    }

    /// Byte dropout masks give the bits the float factors {1/(1−p), 0} gave (what a fine-tune kept
    /// before the masks became bytes), and match their scalar twins.
    func testDropoutByteMasksMatchFloatFactorsBitForBit() {
        let p: Float = 0.1, keep = dropoutKeepFactor(p: p)
        XCTAssertEqual(keep, 1 / (1 - p))
        for n in Self.sizes {
            let x = Self.random(n, seed: 4), y = Self.random(n, seed: 5)
            var rng = TestRandom(seed: 6)
            let bytes: [UInt8] = (0..<n).map { _ in Float.random(in: 0..<1, using: &rng) >= p ? 1 : 0 }
            let factors: [Float] = bytes.map { $0 != 0 ? keep : 0 }
            let z = [Float](repeating: .nan, count: n)
            let multiplied = run(z) { dropoutMultiply(x, mask: bytes, keep: keep, out: $0, count: n) }
            assertBits(multiplied, run(z) { vectorMul(x, factors, out: $0, count: n) }, "dropout multiply vs float mask \(n)")
            assertBits(multiplied, run(z) { dropoutMultiplyReference(x, mask: bytes, keep: keep, out: $0, count: n) },
                       "dropout multiply vs twin \(n)")
            let added = run(z) { dropoutMultiplyAdd(x, mask: bytes, keep: keep, y, out: $0, count: n) }
            assertBits(added, run(z) { vectorMulAdd(x, factors, y, out: $0, count: n) }, "dropout multiply-add vs float mask \(n)")
            assertBits(added, run(z) { dropoutMultiplyAddReference(x, mask: bytes, keep: keep, y, out: $0, count: n) },
                       "dropout multiply-add vs twin \(n)")
            if let kept = bytes.firstIndex(of: 1) { XCTAssertEqual(multiplied[kept], x[kept] * keep) }
            if let dropped = bytes.firstIndex(of: 0) { XCTAssertEqual(added[dropped], y[dropped] + x[dropped] * 0) }
        }
    }

    /// y + α·x rounds the product first (as every recorded trajectory did): −1 + 3·fl(1/3) is
    /// 0, where a fused multiply-add would keep the product's 3·10⁻⁸ excess.
    func testAxpyRoundsTheProduct() {
        let third: Float = 1.0 / 3
        XCTAssertNotEqual(Float(-1).addingProduct(3, third), 0)
        let got = run([Float](repeating: -1, count: 17)) { vectorAxpy(alpha: 3, [Float](repeating: third, count: 17), $0, count: 17) }
        XCTAssertEqual(got, [Float](repeating: 0, count: 17))
    }

    func testInPlaceAliasing() {
        let n = 37
        let x = Self.random(n, seed: 3), y = Self.random(n, seed: 4)
        var a = x
        a.withUnsafeMutableBufferPointer { p in vectorAdd(p.baseAddress!, y, out: p.baseAddress!, count: n) }
        assertBits(a, zip(x, y).map { $0 + $1 }, "in-place add")
        var g = x
        g.withUnsafeMutableBufferPointer { p in geluForward(p.baseAddress!, out: p.baseAddress!, count: n) }
        assertBits(g, run(x) { geluForward(x, out: $0, count: n) }, "in-place gelu")
    }

    func testBiasAddAndColumnSums() {
        for (r, c) in Self.shapes {
            let x = Self.random(r * c, seed: 5), bias = Self.random(c, seed: 6)
            let z = [Float](repeating: .nan, count: r * c)
            assertBits(run(z) { biasAddRows(x, bias: bias, out: $0, rows: r, cols: c) },
                       run(z) { biasAddRowsReference(x, bias: bias, out: $0, rows: r, cols: c) }, "biasAdd \(r)×\(c)")
            let zc = [Float](repeating: .nan, count: c)
            assertBits(run(zc) { columnSums(x, out: $0, rows: r, cols: c) },
                       run(zc) { columnSumsReference(x, out: $0, rows: r, cols: c) }, "columnSums \(r)×\(c)")
            assertBits(run(bias) { columnSums(x, out: $0, rows: r, cols: c, accumulate: true) },
                       run(bias) { columnSumsReference(x, out: $0, rows: r, cols: c, accumulate: true) }, "columnSums+= \(r)×\(c)")
        }
    }

    // MARK: reductions

    func testReductionsMatchTwins() {
        for n in Self.sizes + [0, 64, 129, 4097] {
            let x = Self.random(n, seed: UInt64(n) + 5), y = Self.random(n, seed: UInt64(n) + 6)
            let absSum = x.reduce(0) { $0 + abs($1) }
            XCTAssertEqual(vectorSum(x, count: n), vectorSumReference(x, count: n), accuracy: 1e-5 * absSum + 1e-30, "sum \(n)")
            let absDot = zip(x, y).reduce(0) { $0 + abs($1.0 * $1.1) }
            XCTAssertEqual(vectorDot(x, y, count: n), vectorDotReference(x, y, count: n), accuracy: 1e-5 * absDot + 1e-30, "dot \(n)")
            XCTAssertEqual(vectorMax(x, count: n), vectorMaxReference(x, count: n), "max \(n)")
            let squares = sumOfSquaresReference(x, count: n)
            XCTAssertEqual(sumOfSquares(x, count: n), squares, accuracy: 1e-6 * squares + 1e-30, "sum of squares \(n)")
            let absolutes = sumOfAbsolutesReference(x, count: n)
            XCTAssertEqual(absolutes, Double(absSum), accuracy: 1e-5 * absolutes + 1e-30)
            XCTAssertEqual(sumOfAbsolutes(x, count: n), absolutes, accuracy: 1e-6 * absolutes + 1e-30, "sum of absolutes \(n)")
            XCTAssertTrue(vectorIsFinite(x, count: n))
        }
        XCTAssertEqual(vectorMax([Float](), count: 0), -.infinity)
        XCTAssertEqual(vectorSum([Float](), count: 0), 0)
    }

    func testFinitenessFindsEveryNonFiniteValue() {
        for n in [1, 16, 17, 40] {
            for bad in [Float.nan, .infinity, -.infinity] {
                for i in Set([0, n / 2, n - 1]) {
                    var x = Self.random(n, seed: 11)
                    x[i] = bad
                    XCTAssertFalse(vectorIsFinite(x, count: n), "\(bad) at \(i) of \(n)")
                    XCTAssertEqual(vectorIsFinite(x, count: n), vectorIsFiniteReference(x, count: n))
                }
            }
        }
    }

    // MARK: activations

    typealias Forward = (P, MP, Int) -> Void
    typealias Backward = (P, P, MP, Int, Bool) -> Void

    func checkActivation(_ name: String, forward: Forward, forwardTwin: Forward,
                         backward: Backward, backwardTwin: Backward, backwardTakesOutput: Bool) {
        for n in Self.sizes {
            let x = Self.random(n, seed: UInt64(n))
            let g = Self.random(n, -1...1, seed: UInt64(n) + 100)
            let z = [Float](repeating: .nan, count: n)
            let y = run(z) { forwardTwin(x, $0, n) }
            assertClose(run(z) { forward(x, $0, n) }, y, abs: 2e-6, rel: 2e-6, "\(name) forward n=\(n)")
            let input = backwardTakesOutput ? y : x
            for accumulate in [false, true] {
                let start = accumulate ? Self.random(n, -1...1, seed: 9) : z
                assertClose(run(start) { backward(input, g, $0, n, accumulate) },
                            run(start) { backwardTwin(input, g, $0, n, accumulate) },
                            abs: 4e-6, rel: 4e-6, "\(name) backward n=\(n) accumulate=\(accumulate)")
            }
        }
    }

    func testActivationsMatchTwins() {
        checkActivation("relu",
                        forward: { reluForward($0, out: $1, count: $2) }, forwardTwin: { reluForwardReference($0, out: $1, count: $2) },
                        backward: { reluBackward($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTwin: { reluBackwardReference($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTakesOutput: false)
        checkActivation("gelu",
                        forward: { geluForward($0, out: $1, count: $2) }, forwardTwin: { geluForwardReference($0, out: $1, count: $2) },
                        backward: { geluBackward($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTwin: { geluBackwardReference($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTakesOutput: false)
        checkActivation("geluTanh",
                        forward: { geluTanhForward($0, out: $1, count: $2) }, forwardTwin: { geluTanhForwardReference($0, out: $1, count: $2) },
                        backward: { geluTanhBackward($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTwin: { geluTanhBackwardReference($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTakesOutput: false)
        checkActivation("tanh",
                        forward: { tanhForward($0, out: $1, count: $2) }, forwardTwin: { tanhForwardReference($0, out: $1, count: $2) },
                        backward: { tanhBackward($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTwin: { tanhBackwardReference($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTakesOutput: true)
        checkActivation("sigmoid",
                        forward: { sigmoidForward($0, out: $1, count: $2) }, forwardTwin: { sigmoidForwardReference($0, out: $1, count: $2) },
                        backward: { sigmoidBackward($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTwin: { sigmoidBackwardReference($0, dout: $1, dx: $2, count: $3, accumulate: $4) },
                        backwardTakesOutput: true)
    }

    /// ReLU is exact, so bit-identical to its twin, including −0 and NaN (both give +0).
    func testReluIsBitIdenticalOnEdgeValues() {
        let x: [Float] = [-0.0, 0, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 3, -3] + Self.random(23, seed: 4)
        let z = [Float](repeating: 7, count: x.count)
        let y = run(z) { reluForward(x, out: $0, count: x.count) }
        assertBits(y, run(z) { reluForwardReference(x, out: $0, count: x.count) }, "relu")
        XCTAssertEqual(y[0].bitPattern, Float(0).bitPattern, "relu(−0) is +0")
        XCTAssertEqual(y[2].bitPattern, Float(0).bitPattern, "relu(NaN) is +0")
    }

    /// The tanh approximation keeps its relative accuracy near 0 (odd polynomial branch).
    func testTanhRelativeAccuracyNearZero() {
        let x: [Float] = (1...64).map { Float($0) * 1e-3 * ($0 % 2 == 0 ? 1 : -1) }
        let got = run(x) { tanhForward(x, out: $0, count: x.count) }
        for i in 0..<x.count { XCTAssertEqual(got[i], Foundation.tanh(x[i]), accuracy: abs(x[i]) * 1e-6) }
    }
}
