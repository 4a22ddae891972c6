import XCTest
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// Every SIMD kernel against its scalar twin on awkward sizes (tails of every length).
///
/// Tolerances: plain arithmetic is bit-identical (axpy: one rounding apart, fused vs not);
/// transcendental kernels |fast − twin| ≤ 2e-6 + 2e-6·|twin| (the SIMD exp/tanh/erf
/// approximations are ≲ 2 ulp / 1.5e-7 absolute); reductions ≤ 1e-5 · Σ|x|.
final class KernelTests: XCTestCase {
    static let sizes = [1, 7, 15, 16, 17, 33, 65, 1000]
    static let shapes = [(1, 1), (1, 7), (7, 1), (3, 17), (17, 33), (33, 65), (65, 10), (4, 1000), (1000, 7)]

    typealias P = UnsafePointer<Float>
    typealias MP = UnsafeMutablePointer<Float>

    static func random(_ n: Int, _ range: ClosedRange<Float> = -6...6, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var v = (0..<n).map { _ in Float.random(in: range, using: &rng) }
        // Edge values where the approximations switch branches or saturate.
        let specials: [Float] = [0, -0.0, 0.624, 0.626, -0.626, 1e-4, -1e-4, 20, -20, 90, -90, 9, -9]
        for (i, s) in specials.enumerated() where i * 7 < n { v[i * 7] = s }
        return v
    }

    func assertClose(_ got: [Float], _ want: [Float], abs absTol: Float, rel: Float, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        var bad = 0
        for i in 0..<min(got.count, want.count) {
            let ok = got[i] == want[i] || abs(got[i] - want[i]) <= absTol + rel * abs(want[i])
            if !ok {
                if bad < 3 { XCTFail("\(what)[\(i)] = \(got[i]), twin \(want[i])", file: file, line: line) }
                bad += 1
            }
        }
    }

    func assertBits(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(got.elementsEqual(want, by: { $0.bitPattern == $1.bitPattern }), "\(what) not bit-identical",
                      file: file, line: line)
    }

    /// Runs `f` with an output buffer initialised to `initial`, returns the buffer.
    func run(_ initial: [Float], _ f: (MP) -> Void) -> [Float] {
        var out = initial
        out.withUnsafeMutableBufferPointer { f($0.baseAddress!) }
        return out
    }

    // MARK: arithmetic

    func testArithmeticMatchesTwins() {
        for n in Self.sizes {
            let x = Self.random(n, seed: 1), y = Self.random(n, seed: 2)
            let z = [Float](repeating: .nan, count: n)
            assertBits(run(z) { vectorAdd(x, y, out: $0, count: n) }, run(z) { vectorAddReference(x, y, out: $0, count: n) }, "add \(n)")
            assertBits(run(z) { vectorSub(x, y, out: $0, count: n) }, run(z) { vectorSubReference(x, y, out: $0, count: n) }, "sub \(n)")
            assertBits(run(z) { vectorMul(x, y, out: $0, count: n) }, run(z) { vectorMulReference(x, y, out: $0, count: n) }, "mul \(n)")
            assertBits(run(z) { vectorScale(alpha: -0.37, x, out: $0, count: n) },
                       run(z) { vectorScaleReference(alpha: -0.37, x, out: $0, count: n) }, "scale \(n)")
            assertClose(run(y) { vectorAxpy(alpha: 0.3, x, $0, count: n) }, run(y) { vectorAxpyReference(alpha: 0.3, x, $0, count: n) },
                        abs: 1e-6, rel: 1e-6, "axpy \(n)")
        }
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

    /// The tanh approximation keeps its relative accuracy near 0 (odd polynomial branch).
    func testTanhRelativeAccuracyNearZero() {
        let x: [Float] = (1...64).map { Float($0) * 1e-3 * ($0 % 2 == 0 ? 1 : -1) }
        let got = run(x) { tanhForward(x, out: $0, count: x.count) }
        for i in 0..<x.count { XCTAssertEqual(got[i], Foundation.tanh(x[i]), accuracy: abs(x[i]) * 1e-6) }
    }

    // MARK: rows and reductions

    func testSoftmaxMatchesTwins() {
        for (r, c) in Self.shapes {
            let x = Self.random(r * c, -20...20, seed: UInt64(r * 100 + c))
            let g = Self.random(r * c, -1...1, seed: 77)
            let z = [Float](repeating: .nan, count: r * c)
            let y = run(z) { softmaxRowsReference(x, out: $0, rows: r, cols: c) }
            let ys = run(z) { softmaxRows(x, out: $0, rows: r, cols: c) }
            assertClose(ys, y, abs: 1e-6, rel: 1e-5, "softmax \(r)×\(c)")
            for row in 0..<r {
                XCTAssertEqual(ys[(row * c)..<((row + 1) * c)].reduce(0, +), 1, accuracy: 1e-5)
            }
            // Attention's key mask: masked entries exactly 0; an all-masked mask gives zero rows.
            let mask = (0..<c).map { Float(($0 * 7 + r) % 3 == 0 ? 0 : 1) }
            let masked = run(z) { softmaxRows(x, out: $0, rows: r, cols: c, keyMask: mask) }
            assertClose(masked, run(z) { softmaxRowsReference(x, out: $0, rows: r, cols: c, keyMask: mask) },
                        abs: 1e-6, rel: 1e-5, "masked softmax \(r)×\(c)")
            for i in 0..<(r * c) where mask[i % c] == 0 { XCTAssertEqual(masked[i], 0) }
            let none = [Float](repeating: 0, count: c)
            XCTAssertEqual(run(z) { softmaxRows(x, out: $0, rows: r, cols: c, keyMask: none) }, [Float](repeating: 0, count: r * c))
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
        }
    }

    func testSoftmaxIsStableForHugeLogits() {
        let x: [Float] = [1000, 1000, -1000, 999, 0, 1e30, 1e30, 1e30]
        let z = [Float](repeating: .nan, count: x.count)
        let y = run(z) { softmaxRows(x, out: $0, rows: 2, cols: 4) }
        XCTAssertTrue(y.allSatisfy { $0.isFinite })
        XCTAssertEqual(y[0], y[1])
        XCTAssertEqual(y[5], 1.0 / 3, accuracy: 1e-6)
        let l = run(z) { logSoftmaxRows(x, out: $0, rows: 2, cols: 4) }
        XCTAssertTrue(l.allSatisfy { $0.isFinite })
    }

    func testReductionsMatchTwins() {
        for n in Self.sizes + [0, 64, 129, 4097] {
            let x = Self.random(n, seed: UInt64(n) + 5)
            let absSum = x.reduce(0) { $0 + abs($1) }
            XCTAssertEqual(vectorSum(x, count: n), vectorSumReference(x, count: n), accuracy: 1e-5 * absSum + 1e-30, "sum \(n)")
            XCTAssertEqual(vectorMax(x, count: n), vectorMaxReference(x, count: n), "max \(n)")
        }
        XCTAssertEqual(vectorMax([Float](), count: 0), -.infinity)
        XCTAssertEqual(vectorSum([Float](), count: 0), 0)
    }
}
