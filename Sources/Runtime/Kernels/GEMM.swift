/// C = alpha · op(A) · op(B) + beta · C for row-major float32 matrices.
///
/// `op(X)` is X or Xᵀ as `transA`/`transB` say; transposes are never
/// materialised. Shapes (after op): A (m, k), B (k, n), C (m, n).
/// `lda`, `ldb`, `ldc` are row strides of the matrices as stored.
///
/// PLACEHOLDER: a plain triple loop until the packed BLIS-style kernel lands.
public func gemm(
    transA: Bool, transB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += av * bv
            }
            c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j]
        }
    }
}
