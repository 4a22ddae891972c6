import Foundation

/// Transcendental functions for the tensor code: `exp` on `SIMD16<Float>` (the kernels'
/// `KernelMath.exp`) and scalar forms of exp, tanh, erf and sigmoid with the same
/// algorithms as the kernels' SIMD ones, for scalar loops and tests.
///
/// `exp` is Cephes' `expf` (range reduction by ln 2, degree-6 polynomial,
/// ≤ 2 ulp on [-87, 88]); `tanh` is Cephes' `tanhf` (odd polynomial below
/// 0.625, exp-based above); `erf` is Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7),
/// the formula PyTorch's vectorised CPU `erf` uses.
public enum VectorMath {
    public typealias V = SIMD16<Float>

    /// e^x per lane: the kernels' `KernelMath.exp` (Cephes' polynomial with the
    /// 1.5·2²³ rounding trick — no float→int conversion, which this toolchain
    /// lowers to a slow per-lane call); clamps to [-87.3, 88.4].
    @inlinable @inline(__always) public static func exp(_ x0: V) -> V { KernelMath.exp(x0) }

    /// Scalar twin of `exp(_:)` (same algorithm, same clamping).
    @inlinable @inline(__always) public static func exp(_ x0: Float) -> Float {
        let x = min(max(x0, -87.336_54), 88.376_26)
        let fx = (x * 1.442_695_04).rounded(.toNearestOrEven)
        var r = x - fx * 0.693_359_375
        r = r + fx * 2.121_944_4e-4
        var y: Float = 1.987_569_15e-4
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_1e-1
        y = y * (r * r) + r + 1
        return y * Float(bitPattern: UInt32(Int32(fx) + 127) << 23)
    }

    /// tanh, scalar (the kernels' SIMD form is `KernelMath.tanh`).
    @inlinable @inline(__always) public static func tanh(_ x: Float) -> Float {
        let a = Swift.abs(x)
        if a < 0.625 {
            let z = x * x
            var p: Float = -5.704_988_727_45e-3
            p = p * z + 2.063_908_879_54e-2
            p = p * z - 5.373_971_555_31e-2
            p = p * z + 1.333_144_220_36e-1
            p = p * z - 3.333_328_194_22e-1
            return p * z * x + x
        }
        let e = exp(min(a + a, 88))
        let t = 1 - 2 / (e + 1)
        return x < 0 ? -t : t
    }

    /// erf, scalar (Abramowitz–Stegun 7.1.26, as `KernelMath.erf`).
    @inlinable @inline(__always) public static func erf(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = 1 / (a * 0.327_591_1 + 1)
        var r: Float = 1.061_405_429
        r = r * t - 1.453_152_027
        r = r * t + 1.421_413_741
        r = r * t - 0.284_496_736
        r = r * t + 0.254_829_592
        let y = 1 - r * t * exp(-(a * a))
        return x < 0 ? -y : y
    }

    /// Logistic sigmoid 1 / (1 + e^-x), scalar.
    @inlinable @inline(__always) public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// Loads 16 floats (unaligned).
    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    /// Stores 16 floats (unaligned).
    @inlinable @inline(__always) public static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
