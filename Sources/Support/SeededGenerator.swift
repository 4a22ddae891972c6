import Foundation

/// ftx's only source of randomness: xoshiro256** seeded through SplitMix64.
///
/// Every random decision (splits, shuffles, initialisation, dropout, random
/// search) takes one of these explicitly, so a file and a seed determine a
/// result bit for bit, independent of thread count. Derive independent streams
/// with `fork(_:)` rather than sharing one generator across threads.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm); s1 = splitMix(&sm); s2 = splitMix(&sm); s3 = splitMix(&sm)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// An independent stream for a named purpose (`"dropout"`, `"shuffle"`), derived
    /// from this generator's seed state without advancing it.
    public func fork(_ purpose: String) -> SeededGenerator {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the purpose
        for b in purpose.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return SeededGenerator(seed: s0 ^ rotl(s1, 13) ^ rotl(s2, 29) ^ rotl(s3, 41) ^ h)
    }

    /// Uniform in [0, 1) with 24 bits of precision (exact in Float).
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal by Box–Muller (one value per call; deterministic).
    public mutating func nextGaussian() -> Double {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next(upperBound: UInt64(bound)))
    }

    /// Fisher–Yates shuffle of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }
}
