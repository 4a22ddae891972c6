/// The transcendental kernels of `BertModel`'s hot loops (GELU, softmax). The
/// polynomials are the kernels' own (`KernelMath`: Cephes `expf` with the
/// 1.5·2²³ rounding trick — no float→int conversion, which this toolchain
/// lowers to a slow per-lane call — and Abramowitz–Stegun 7.1.26 `erf`); this
/// file adds the GELU forms the encoder fuses into its loops.
enum BertMath {
    typealias V = SIMD16<Float>

    @inline(__always) static func exp(_ x: V) -> V { KernelMath.exp(x) }

    @inline(__always) static func erf(_ x: V) -> V { KernelMath.erf(x) }

    /// ½x(1 + erf(x/√2))
    @inline(__always) static func gelu(_ x: V) -> V { 0.5 * x * (1 + erf(x * 0.707_106_781_186_547_5)) }

    /// d gelu / dx = Φ(x) + x·φ(x)
    @inline(__always) static func geluDerivative(_ x: V) -> V {
        let cdf = 0.5 * (1 + erf(x * 0.707_106_781_186_547_5))
        return cdf + x * (0.398_942_280_401_432_7 * exp(-0.5 * x * x))
    }

    /// Loads `count` (< 16) floats, the other lanes `fill`.
    @inline(__always) static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        KernelMath.load(p, count, fill: fill)
    }

    /// Stores the first `count` (< 16) lanes.
    @inline(__always) static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        KernelMath.store(v, p, count)
    }
}
