import Kernels
import Plan
import Support
extension Tape {
    func binary(_ op: Broadcast.BinaryOp, _ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        guard let shape = Broadcast.shape(av.shape, bv.shape) else {
            preconditionFailure("shapes \(av.shape) and \(bv.shape) do not broadcast")
        }
        let y = scratch(shape)
        Broadcast.apply(op, av, bv, into: y)
        return record(y, .binary(op, a.id, b.id), inputs: a.id, b.id)
    }

    /// a + b with broadcasting.
    public func add(_ a: Variable, _ b: Variable) -> Variable { binary(.add, a, b) }
    /// a − b with broadcasting.
    public func sub(_ a: Variable, _ b: Variable) -> Variable { binary(.sub, a, b) }
    /// a ⊙ b with broadcasting.
    public func mul(_ a: Variable, _ b: Variable) -> Variable { binary(.mul, a, b) }

    /// k · x
    public func scale(_ x: Variable, by k: Float) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        vectorScale(alpha: k, xv.pointer, out: y.pointer, count: xv.count)
        return record(y, .scale(x.id, k), inputs: x.id)
    }

    /// The same elements under a new shape (a view; one dim may be -1).
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        record(value(x).reshaped(shape), .reshape(x.id), inputs: x.id)
    }

    /// Σx as a scalar.
    public func sum(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch([])
        y.pointer[0] = vectorSum(xv.pointer, count: xv.count)
        return record(y, .sum(x.id, mean: false), inputs: x.id)
    }

    /// mean(x) as a scalar.
    public func mean(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch([])
        y.pointer[0] = vectorSum(xv.pointer, count: xv.count) / Float(max(xv.count, 1))
        return record(y, .sum(x.id, mean: true), inputs: x.id)
    }

    /// x[:, index, :] of x (B, T, C) → (B, C) (BERT's CLS pooling with index 0).
    public func timeSlice(_ x: Variable, at index: Int) -> Variable {
        let xv = value(x)
        precondition(xv.rank == 3 && index >= 0 && index < xv.shape[1], "timeSlice: index \(index) of \(xv.shape)")
        let (b, t, c) = (xv.shape[0], xv.shape[1], xv.shape[2])
        let y = scratch([b, c])
        for i in 0..<b { (y.pointer + i * c).update(from: xv.pointer + (i * t + index) * c, count: c) }
        return record(y, .timeSlice(x.id, index: index), inputs: x.id)
    }

    /// Masked mean over time (sentence-transformers mean pooling):
    /// x (B, T, C), mask (B, T) of 0/1 → (B, C) = Σ_t mask·x / max(Σ_t mask, 1e-9).
    public func maskedMeanPool(_ x: Variable, mask: Tensor) -> Variable {
        let xv = value(x)
        precondition(xv.rank == 3 && mask.count == xv.shape[0] * xv.shape[1], "maskedMeanPool: x \(xv.shape), mask \(mask.shape)")
        let (b, t, c) = (xv.shape[0], xv.shape[1], xv.shape[2])
        let y = scratch([b, c])
        y.fill(0)
        for i in 0..<b {
            var n: Float = 0
            for j in 0..<t { let m = mask.pointer[i * t + j]; n += m; if m != 0 { vectorAxpy(alpha: m, xv.pointer + (i * t + j) * c, y.pointer + i * c, count: c) } }
            vectorScale(alpha: 1 / max(n, 1e-9), y.pointer + i * c, out: y.pointer + i * c, count: c)
        }
        return record(y, .maskedMeanPool(x.id, mask: mask), inputs: x.id)
    }
}

/// Batched matrix product with broadcast batch dims (torch.matmul for rank ≥ 2).
/// a: (…A, m, k)  b: (…B, k, n)  c: (broadcast(…A, …B), m, n); each batch is one `gemm`.
public enum MatmulKernel {
    /// Batch-level broadcast: output batch shape and each operand's matrix strides (0 on broadcast dims).
    static func plan(_ a: [Int], _ b: [Int]) -> (batch: [Int], sa: [Int], sb: [Int]) {
        let ba = Array(a.dropLast(2)), bb = Array(b.dropLast(2))
        guard let batch = Broadcast.shape(ba, bb) else { preconditionFailure("matmul: batch dims \(ba) and \(bb) do not broadcast") }
        return (batch, Broadcast.strides(of: ba, in: batch), Broadcast.strides(of: bb, in: batch))
    }

    /// Calls `body(outBatch, aBatch, bBatch)` for every output matrix.
    static func forEachBatch(_ a: [Int], _ b: [Int], _ body: (Int, Int, Int) -> Void) {
        let (batch, sa, sb) = plan(a, b)
        Broadcast.forEach(batch, sa, sb, body)
    }
}

extension Tape {
    /// torch.matmul for rank-≥2 operands, broadcasting batch dims.
    public func matmul(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        precondition(av.rank >= 2 && bv.rank >= 2, "matmul: operands need rank ≥ 2, got \(av.shape), \(bv.shape)")
        let m = av.shape[av.rank - 2], k = av.shape[av.rank - 1], n = bv.shape[bv.rank - 1]
        precondition(bv.shape[bv.rank - 2] == k, "matmul: inner dims \(av.shape) · \(bv.shape)")
        let (batch, _, _) = MatmulKernel.plan(av.shape, bv.shape)
        let y = scratch(batch + [m, n])
        MatmulKernel.forEachBatch(av.shape, bv.shape) { o, i, j in
            gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                 a: av.pointer + i * m * k, lda: k, b: bv.pointer + j * k * n, ldb: n,
                 beta: 0, c: y.pointer + o * m * n, ldc: n)
        }
        return record(y, .matmul(a: a.id, b: b.id), inputs: a.id, b.id)
    }
}
