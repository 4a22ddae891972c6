import Foundation

/// The transcendental functions of every kernel, on `Lanes` (one AVX-512 register per call)
/// and as scalar forms with the same algorithms, for scalar loops and tails:
/// - `exp`: Cephes `expf` — range reduction by ln 2 (split in two constants), degree-6
///   polynomial, scaling by 2ⁿ through the exponent bits; input clamped to
///   [-87.3, 88.4]; relative error ≲ 2 ulp.
/// - `tanh`: Cephes `tanhf` — odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|}+1) above.
/// - `erf`: Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7.
///
/// The SIMD forms write polynomial steps as fused multiply-adds, the scalar forms as a
/// multiply then an add, so the two round differently (by an ulp or so): a kernel with a
/// scalar tail gives its tail elements the scalar form's bits. (Swift does not contract
/// `a * b + c` on its own; the fused form made GELU 1.27× faster with the same error against
/// a double-precision erf.) The kernels' scalar twins (`…Reference`) use Foundation's libm
/// instead, so tests measure these approximations too.
public enum KernelMath {
    /// e^x per lane (Cephes `expf`; clamps to [-87.3, 88.4]).
    @inlinable @inline(__always) public static func exp(_ x0: Lanes) -> Lanes {
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
        var y = Lanes(repeating: 1.987_569_15e-4)
        y = Lanes(repeating: 1.398_199_95e-3).addingProduct(y, r)
        y = Lanes(repeating: 8.333_451_9e-3).addingProduct(y, r)
        y = Lanes(repeating: 4.166_579_59e-2).addingProduct(y, r)
        y = Lanes(repeating: 1.666_666_55e-1).addingProduct(y, r)
        y = Lanes(repeating: 5.000_000_1e-1).addingProduct(y, r)
        y = (r + 1).addingProduct(y, r * r)
        return y * unsafeBitCast((n &+ 127) &<< 23, to: Lanes.self)
    }

    /// tanh per lane (Cephes `tanhf`).
    @inlinable @inline(__always) public static func tanh(_ x: Lanes) -> Lanes {
        let a = abs(x)
        let z = x * x
        var p = Lanes(repeating: -5.704_988_727_45e-3)
        p = Lanes(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
        p = Lanes(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
        p = Lanes(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
        p = Lanes(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
        let small = p * z * x + x
        let e = exp(a + a)
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        large.replace(with: small, where: a .< 0.625)
        return large
    }

    /// erf per lane (Abramowitz–Stegun 7.1.26).
    @inlinable @inline(__always) public static func erf(_ x: Lanes) -> Lanes {
        let a = abs(x)
        let t = 1 / Lanes(repeating: 1).addingProduct(a, 0.327_591_1)
        var p = Lanes(repeating: 1.061_405_429)
        p = Lanes(repeating: -1.453_152_027).addingProduct(p, t)
        p = Lanes(repeating: 1.421_413_741).addingProduct(p, t)
        p = Lanes(repeating: -0.284_496_736).addingProduct(p, t)
        p = Lanes(repeating: 0.254_829_592).addingProduct(p, t)
        var y = 1 - p * t * exp(-a * a)
        y.replace(with: -y, where: x .< 0)
        return y
    }

    /// 1 / (1 + e^−x) per lane.
    @inlinable @inline(__always) public static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

    /// |x| per lane (clears the sign bit).
    @inlinable @inline(__always) public static func abs(_ x: Lanes) -> Lanes {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Lanes.self)
    }

    // MARK: scalar forms (same algorithms; unfused multiply-adds)

    /// Scalar twin of `exp(_:)` (same algorithm, same clamping, same rounding trick).
    /// NaN in, NaN out, as in the SIMD form: n comes from the sum's bits, not from a
    /// float→int conversion, which traps on NaN (and is undefined under -Ounchecked).
    @inlinable @inline(__always) public static func exp(_ x0: Float) -> Float {
        let x = min(max(x0, -87.336_54), 88.376_26)
        let magic: Float = 12_582_912
        let t = x * 1.442_695_04 + magic
        let fx = t - magic
        let n = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        var r = x - fx * 0.693_359_375
        r = r + fx * 2.121_944_4e-4
        var y: Float = 1.987_569_15e-4
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_1e-1
        y = y * (r * r) + r + 1
        return y * Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
    }

    /// tanh, scalar (the kernels' SIMD form is `tanh(_: Lanes)`).
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

    /// erf, scalar (Abramowitz–Stegun 7.1.26, as `erf(_: Lanes)`).
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
}
