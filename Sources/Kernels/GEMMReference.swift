import Foundation

/// The plain scalar twin of `gemm` (same contract), for tests.
public func gemmReference(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    bias: UnsafePointer<Float>? = nil
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += av * bv
            }
            let addend = bias.map { $0[j] } ?? (beta == 0 ? 0 : beta * c[i * ldc + j])
            c[i * ldc + j] = alpha * sum + addend
        }
    }
}
