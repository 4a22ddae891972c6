import Foundation
import Kernels
import XCTest

/// KernelMath's approximations and the activation kernels built on them against float64
/// references on awkward lengths (the SIMD body, the partial tail, or both), and the scalar
/// forms against the SIMD ones.
final class KernelMathTests: KernelTestCase {
    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot())) }
    static func geluTanh(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    func testActivationsMatchFloat64() {
        for n in [1, 7, 16, 17, 33] {
            var x = Self.random(n, -4...4, seed: 3 + UInt64(n))
            x[0] = n == 1 ? 0 : 3.9  // an exact zero and a large-ish value
            let z = [Float](repeating: .nan, count: n)
            let gelu = run(z) { geluForward(x, out: $0, count: n) }
            let geluTanh = run(z) { geluTanhForward(x, out: $0, count: n) }
            let tanh = run(z) { tanhForward(x, out: $0, count: n) }
            let sigmoid = run(z) { sigmoidForward(x, out: $0, count: n) }
            for i in 0..<n {
                let xi = Double(x[i])
                XCTAssertEqual(Double(gelu[i]), Self.gelu(xi), accuracy: 2e-7 * max(1, abs(xi)), "gelu \(xi)")
                XCTAssertEqual(Double(geluTanh[i]), Self.geluTanh(xi), accuracy: 3e-7 * max(1, abs(xi)), "gelu_tanh \(xi)")
                XCTAssertEqual(Double(tanh[i]), Foundation.tanh(xi), accuracy: 2e-7, "tanh \(xi)")
                XCTAssertEqual(tanh[i], KernelMath.tanh(x[i]), accuracy: 1e-7, "tanh: SIMD vs scalar form")
                XCTAssertEqual(Double(sigmoid[i]), Self.sigmoid(xi), accuracy: 1e-7, "sigmoid \(xi)")
            }
        }
    }

    func testExpAndErfMatchFloat64() {
        for v: Float in [-87, -10, -1e-3, 0, 1e-3, 0.5, 1, 10, 80] {
            let lanes = KernelMath.exp(Lanes(repeating: v))
            XCTAssertEqual(Double(lanes[3]), Foundation.exp(Double(v)), accuracy: 3e-7 * Foundation.exp(Double(v)), "exp \(v)")
            XCTAssertEqual(lanes[0], KernelMath.exp(v), "exp \(v): SIMD vs scalar form")
            XCTAssertEqual(Double(KernelMath.erf(v)), Foundation.erf(Double(v)), accuracy: 2e-7, "erf \(v)")
            XCTAssertEqual(Double(KernelMath.erf(Lanes(repeating: v))[5]), Foundation.erf(Double(v)), accuracy: 2e-7, "erf \(v)")
        }
    }

    /// The lane helpers read and write exactly `count` floats of a partial vector.
    /// A diverging run feeds NaN and ±inf to exp (softmax, losses): they must come out as
    /// NaN / the clamped limits, never trap (a float→int conversion of NaN does).
    func testExpOfNaNAndInfinitiesDoesNotTrap() {
        XCTAssertTrue(KernelMath.exp(Float.nan).isNaN)
        XCTAssertTrue(KernelMath.exp(Lanes(repeating: .nan))[7].isNaN)
        XCTAssertEqual(KernelMath.exp(Float.infinity), KernelMath.exp(Float(88.376_26)))
        XCTAssertEqual(KernelMath.exp(-Float.infinity), KernelMath.exp(Float(-87.336_54)))
        XCTAssertEqual(KernelMath.exp(Lanes(repeating: .infinity))[0], KernelMath.exp(Float.infinity))
        XCTAssertTrue(KernelMath.exp(Float.infinity).isFinite)
    }

    /// The scalar form rounds n exactly as the SIMD form does (the 1.5·2²³ trick), over a
    /// dense sweep of the clamped range: an n off by one would be off by a factor of 2.
    /// (The last multiply-add is unfused in the scalar form, so the last bit may differ.)
    func testScalarExpAgreesWithSIMDExpEverywhere() {
        var v: Float = -90
        while v < 90 {
            let simd = KernelMath.exp(Lanes(repeating: v))[0], scalar = KernelMath.exp(v)
            XCTAssertEqual(scalar, simd, accuracy: 2.4e-7 * simd, "exp \(v)")
            v += 0.0137
        }
    }

    func testPartialLoadsAndStoresTouchOnlyCount() {
        let src = (0..<16).map { Float($0) + 1 }
        for count in 0...16 {
            let v = Lanes.load(src, count: count, fill: -1)
            for i in 0..<16 { XCTAssertEqual(v[i], i < count ? src[i] : -1) }
            let out = run([Float](repeating: .nan, count: 17)) { v.store(to: $0, count: count) }
            for i in 0..<17 { XCTAssertEqual(out[i].isNaN, i >= count, "store \(count) wrote [\(i)]") }
        }
    }
}
