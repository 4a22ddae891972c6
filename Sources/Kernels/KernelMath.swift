import Foundation

/// SIMD16<Float> building blocks for the pointwise and row kernels: transcendental
/// approximations (one AVX-512 register per call) and partial loads/stores for tails.
///
/// - `exp`: Cephes `expf` — range reduction by ln 2 (split in two constants), degree-6
///   polynomial, scaling by 2ⁿ through the exponent bits; input clamped to
///   [-87.3, 88.4]; relative error ≲ 2 ulp.
/// - `tanh`: Cephes `tanhf` — odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|}+1) above.
/// - `erf`: Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7.
///
/// The kernels' scalar twins use Foundation's libm instead, so tests measure these
/// approximations too. Polynomial steps are written as fused multiply-adds
/// (`addingProduct`): Swift does not contract `a * b + c` on its own, and the fused
/// form made GELU 1.27× faster with the same error against a double-precision erf.
public enum KernelMath {
    public typealias V = SIMD16<Float>

    @inlinable @inline(__always) public static func exp(_ x0: V) -> V {
        // Clamp (NaN-free inputs assumed): results stay finite and normal, e^-87.3 ≈ 1.2e-38.
        var x = x0.replacing(with: -87.336_54, where: x0 .< -87.336_54)
        x.replace(with: 88.376_26, where: x .> 88.376_26)
        // n = round-to-nearest-even(x·log2 e) by the 1.5·2²³ trick: the sum's low mantissa bits
        // hold n, so neither a rounding call nor a float→int conversion is needed.
        let magic: Float = 12_582_912
        let t = x * 1.442_695_04 + magic
        let fx = t - magic
        let n = unsafeBitCast(t, to: SIMD16<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
        var r = x.addingProduct(fx, -0.693_359_375)
        r = r.addingProduct(fx, 2.121_944_4e-4)
        var y = V(repeating: 1.987_569_15e-4)
        y = V(repeating: 1.398_199_95e-3).addingProduct(y, r)
        y = V(repeating: 8.333_451_9e-3).addingProduct(y, r)
        y = V(repeating: 4.166_579_59e-2).addingProduct(y, r)
        y = V(repeating: 1.666_666_55e-1).addingProduct(y, r)
        y = V(repeating: 5.000_000_1e-1).addingProduct(y, r)
        y = (r + 1).addingProduct(y, r * r)
        return y * unsafeBitCast((n &+ 127) &<< 23, to: V.self)
    }

    @inlinable @inline(__always) public static func tanh(_ x: V) -> V {
        let a = abs(x)
        let z = x * x
        var p = V(repeating: -5.704_988_727_45e-3)
        p = V(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
        p = V(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
        p = V(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
        p = V(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
        let small = p * z * x + x
        let e = exp(a + a)
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        large.replace(with: small, where: a .< 0.625)
        return large
    }

    @inlinable @inline(__always) public static func erf(_ x: V) -> V {
        let a = abs(x)
        let t = 1 / V(repeating: 1).addingProduct(a, 0.327_591_1)
        var p = V(repeating: 1.061_405_429)
        p = V(repeating: -1.453_152_027).addingProduct(p, t)
        p = V(repeating: 1.421_413_741).addingProduct(p, t)
        p = V(repeating: -0.284_496_736).addingProduct(p, t)
        p = V(repeating: 0.254_829_592).addingProduct(p, t)
        var y = 1 - p * t * exp(-a * a)
        y.replace(with: -y, where: x .< 0)
        return y
    }

    @inlinable @inline(__always) public static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    @inlinable @inline(__always) public static func abs(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
    }

    /// Lanes 0..<count from p, the rest `fill`.
    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        var v = V(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores lanes 0..<count of v to p.
    @inlinable @inline(__always) public static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inlinable @inline(__always) public static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
