import Kernels
import Plan
import Support
extension Tape {
    /// Inverted dropout: in training each element is kept with probability 1 − p
    /// and scaled by 1/(1 − p); in evaluation (or p = 0) it is the identity.
    /// The keep mask draws one `nextFloat()` per element, in row-major order
    /// (kept iff u ≥ p), from `rng`.
    public func dropout(_ x: Variable, p: Float, training: Bool, rng: inout SeededGenerator) -> Variable {
        precondition(p >= 0 && p < 1, "dropout probability \(p) not in [0, 1)")
        guard training && p > 0 else { return x }
        let xv = value(x)
        let mask = scratch(xv.shape)
        let keep = 1 / (1 - p)
        let m = mask.pointer
        for i in 0..<xv.count { m[i] = rng.nextFloat() >= p ? keep : 0 }
        let y = scratch(xv.shape)
        vectorMul(xv.pointer, m, out: y.pointer, count: xv.count)
        return record(y, .dropout(x.id, mask: mask), inputs: x.id)
    }
}
