import Kernels
import Plan
import Support
/// NumPy/PyTorch broadcasting for binary elementwise ops and the matching
/// gradient reduction (summing over broadcast dimensions).
///
/// Fast paths: equal shapes (one contiguous SIMD loop), a scalar operand, and an
/// operand whose shape is a suffix of the output's (a bias row over a batch);
/// everything else takes a general strided odometer.
public enum Broadcast {
    /// The broadcast result shape of `a` and `b`, or nil if they are incompatible.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Element strides of `shape` seen through `outShape` (0 on broadcast dims).
    public static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let r = outShape.count
        var strides = [Int](repeating: 0, count: r)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let o = i + (r - shape.count)
            strides[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : s
            s *= shape[i]
        }
        return strides
    }

    /// True when `inner` equals the last dimensions of `outer` (after dropping leading 1s).
    static func isSuffix(_ inner: [Int], of outer: [Int]) -> Bool {
        var i = inner[...]
        while i.first == 1 && i.count > 0 { i = i.dropFirst() }
        return i.count <= outer.count && Array(outer.suffix(i.count)) == Array(i)
    }

    /// Calls `body(outIndex, aIndex, bIndex)` for every output element.
    @inline(always)
    static func forEach(_ outShape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
        let n = outShape.reduce(1, *)
        if n == 0 { return }
        let r = outShape.count
        if r == 0 { body(0, 0, 0); return }
        var idx = [Int](repeating: 0, count: r)
        var ia = 0, ib = 0
        for o in 0..<n {
            body(o, ia, ib)
            var d = r - 1
            while d >= 0 {
                idx[d] += 1; ia += sa[d]; ib += sb[d]
                if idx[d] < outShape[d] { break }
                ia -= sa[d] * outShape[d]; ib -= sb[d] * outShape[d]; idx[d] = 0
                d -= 1
            }
        }
    }

    /// The binary ops broadcasting supports.
    public enum BinaryOp: Sendable { case add, sub, mul }

    /// out = a ∘ b with broadcasting; `out` must have the broadcast shape.
    public static func apply(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, into out: Tensor) {
        let n = out.count
        let pa = a.pointer, pb = b.pointer, po = out.pointer
        if a.count == n && b.count == n {
            switch op {
            case .add: vectorAdd(pa, pb, out: po, count: n)
            case .sub: vectorSub(pa, pb, out: po, count: n)
            case .mul: vectorMul(pa, pb, out: po, count: n)
            }
            return
        }
        if a.count == n && n > 0 && b.count > 0 && n % b.count == 0 && isSuffix(b.shape, of: out.shape) {
            let c = b.count
            for r in 0..<(n / c) {
                switch op {
                case .add: vectorAdd(pa + r * c, pb, out: po + r * c, count: c)
                case .sub: vectorSub(pa + r * c, pb, out: po + r * c, count: c)
                case .mul: vectorMul(pa + r * c, pb, out: po + r * c, count: c)
                }
            }
            return
        }
        let sa = strides(of: a.shape, in: out.shape), sb = strides(of: b.shape, in: out.shape)
        forEach(out.shape, sa, sb) { o, i, j in
            switch op {
            case .add: po[o] = pa[i] + pb[j]
            case .sub: po[o] = pa[i] - pb[j]
            case .mul: po[o] = pa[i] * pb[j]
            }
        }
    }

    /// dInput += reduce(g ⊙ w) where `g` has the output shape, `w` (optional,
    /// broadcast like any operand) multiplies it, and the sum runs over the
    /// dimensions along which `inputShape` was broadcast; `scale` multiplies all.
    public static func reduceAccumulate(_ g: Tensor, times w: Tensor?, scale: Float = 1,
                                        inputShape: [Int], into dInput: UnsafeMutablePointer<Float>) {
        let n = g.count
        let inCount = inputShape.reduce(1, *)
        let pg = g.pointer
        if w == nil && inCount == n {
            vectorAxpy(alpha: scale, pg, dInput, count: n)
            return
        }
        if let w, w.count == n, inCount == n {
            let pw = w.pointer
            for i in 0..<n { dInput[i] += scale * pg[i] * pw[i] }
            return
        }
        if w == nil && inCount > 0 && n % inCount == 0 && isSuffix(inputShape, of: g.shape) {
            for r in 0..<(n / inCount) { vectorAxpy(alpha: scale, pg + r * inCount, dInput, count: inCount) }
            return
        }
        let si = strides(of: inputShape, in: g.shape)
        if let w {
            let sw = strides(of: w.shape, in: g.shape)
            let pw = w.pointer
            forEach(g.shape, si, sw) { o, i, j in dInput[i] += scale * pg[o] * pw[j] }
        } else {
            forEach(g.shape, si, si) { o, i, _ in dInput[i] += scale * pg[o] }
        }
    }
}

extension Tensor {
    static func broadcasting(_ op: Broadcast.BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let shape = Broadcast.shape(a.shape, b.shape) else {
            preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let out = Tensor(zeros: shape)
        Broadcast.apply(op, a, b, into: out)
        return out
    }

    /// Elementwise sum with broadcasting (a new tensor).
    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(.add, a, b) }
    /// Elementwise difference with broadcasting (a new tensor).
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(.sub, a, b) }
    /// Elementwise product with broadcasting (a new tensor).
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(.mul, a, b) }
    /// Every element times `k` (a new tensor).
    public static func * (a: Tensor, k: Float) -> Tensor {
        let out = Tensor(zeros: a.shape)
        vectorScale(alpha: k, a.pointer, out: out.pointer, count: a.count)
        return out
    }
    /// The largest absolute elementwise difference to `other` (same shape).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count)
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(pointer[i] - other.pointer[i])) }
        return m
    }
}
