/// The transcendental kernels of `BertModel`'s hot loops (GELU, softmax), with
/// float↔int conversions done by bit tricks: `VectorMath.exp`'s
/// `SIMD16<Int32>(_:rounding:)` and `.rounded(_:)` lower to a generic per-lane
/// call on this toolchain (measured: a third of a MiniLM forward pass). Same
/// formulas as `VectorMath` (Cephes `expf`, Abramowitz–Stegun 7.1.26 `erf`).
enum BertMath {
    typealias V = SIMD16<Float>
    typealias I = SIMD16<Int32>

    /// e^x per lane (Cephes' range reduction and polynomial); inputs clamped to [-87.3, 88.7].
    @inline(__always) static func exp(_ x0: V) -> V {
        let x = pointwiseMin(pointwiseMax(x0, V(repeating: -87.336_54)), V(repeating: 88.722_83))
        // Adding 1.5·2²³ rounds to the nearest integer (ties to even) and leaves it in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let shifted = x * 1.442_695_04 + magic
        let fx = shifted - magic
        var r = x - fx * 0.693_359_375
        r = r + fx * 2.121_944_4e-4
        var y = V(repeating: 1.987_569_15e-4)
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_1e-1
        y = y * r * r + r + 1
        let n = unsafeBitCast(shifted, to: I.self) &- I(repeating: 0x4B40_0000)
        return y * unsafeBitCast((n &+ I(repeating: 127)) &<< I(repeating: 23), to: V.self)
    }

    /// erf per lane (Abramowitz–Stegun 7.1.26, |error| ≤ 1.5e-7; PyTorch's vectorised CPU erf).
    @inline(__always) static func erf(_ x: V) -> V {
        let a = pointwiseMax(x, -x)
        let t = 1 / (a * 0.327_591_1 + 1)
        var r = V(repeating: 1.061_405_429)
        r = r * t - 1.453_152_027
        r = r * t + 1.421_413_741
        r = r * t - 0.284_496_736
        r = r * t + 0.254_829_592
        let y = 1 - r * t * exp(-(a * a))
        return y.replacing(with: -y, where: x .< 0)
    }

    /// ½x(1 + erf(x/√2))
    @inline(__always) static func gelu(_ x: V) -> V { 0.5 * x * (1 + erf(x * 0.707_106_781_186_547_5)) }

    /// d gelu / dx = Φ(x) + x·φ(x)
    @inline(__always) static func geluDerivative(_ x: V) -> V {
        let cdf = 0.5 * (1 + erf(x * 0.707_106_781_186_547_5))
        return cdf + x * (0.398_942_280_401_432_7 * exp(-0.5 * x * x))
    }

    /// Loads `count` (< 16) floats, the other lanes `fill`.
    @inline(__always) static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        var v = V(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` (< 16) lanes.
    @inline(__always) static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }
}
