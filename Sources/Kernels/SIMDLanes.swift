#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

/// The vector every SIMD kernel computes with: 16 float32 lanes, one AVX-512 register (two
/// AVX2 registers, with the same per-lane arithmetic and so the same results).
///
/// Kernels step through a buffer 16 elements at a time and finish either with a partial
/// vector (`load(_:count:fill:)` / `store(to:count:)`) or with a scalar tail; each kernel's
/// comment says which, because an element's result may depend on it (the SIMD `exp` and
/// the scalar one round differently). The width is fixed: chunk boundaries that keep
/// results independent of the thread count are multiples of 16 (`ParallelChunks.vectors`,
/// `OptimizerShares`).
public typealias Lanes = SIMD16<Float>

extension SIMD16 where Scalar == Float {
    /// 16 floats from `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Self {
        UnsafeRawPointer(p).loadUnaligned(as: Self.self)
    }

    /// 16 floats from `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafeMutablePointer<Float>) -> Self {
        UnsafeRawPointer(p).loadUnaligned(as: Self.self)
    }

    /// Lanes 0..<count from `p` (count ≤ 16), the rest `fill`: a kernel's partial last vector,
    /// which reads nothing past p[count − 1].
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, count: Int, fill: Float = 0) -> Self {
        var v = Self(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the 16 lanes to `p` (no alignment needed).
    @inlinable @inline(__always)
    public func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self)
    }

    /// Stores lanes 0..<count to `p` (count ≤ 16), writing nothing past p[count − 1].
    @inlinable @inline(__always)
    public func store(to p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = self[i] }
    }

    /// Lane-wise IEEE square root (correctly rounded, as `Float.squareRoot()`).
    /// `SIMD16.squareRoot()` is scalarised on Linux (each lane calls `sqrtf` for errno), so on
    /// x86-64 this uses the compiler's own `sqrtps` builtin: the same result, 10× faster.
    @inlinable @inline(__always)
    public static func sqrt(_ v: Self) -> Self {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        return _mm512_sqrt_ps(v)
        #else
        return v.squareRoot()
        #endif
    }
}
