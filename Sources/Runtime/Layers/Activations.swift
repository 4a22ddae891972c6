import Kernels
import Plan
import Support
extension Tape {
    /// y = f(x) elementwise.
    public func activation(_ x: Variable, _ f: Activation) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let x0 = xv.pointer, y0 = y.pointer
        ParallelChunks.vectors(xv.count) { r in
            let n = r.count, x = x0 + r.lowerBound, y = y0 + r.lowerBound
            switch f {
            case .relu: reluForward(x, out: y, count: n)
            case .gelu: geluForward(x, out: y, count: n)
            case .geluTanh: geluTanhForward(x, out: y, count: n)
            case .tanh: tanhForward(x, out: y, count: n)
            case .sigmoid: sigmoidForward(x, out: y, count: n)
            }
        }
        return record(y, .activation(x.id, f), inputs: x.id)
    }

    /// max(x, 0)
    public func relu(_ x: Variable) -> Variable { activation(x, .relu) }
    /// GELU, exact erf form (`approximate: true` for the tanh form).
    public func gelu(_ x: Variable, approximate: Bool = false) -> Variable { activation(x, approximate ? .geluTanh : .gelu) }
    /// tanh(x)
    public func tanh(_ x: Variable) -> Variable { activation(x, .tanh) }
    /// 1 / (1 + e^−x)
    public func sigmoid(_ x: Variable) -> Variable { activation(x, .sigmoid) }
}

/// dx += dy · f′ for activation `f`, given the forward input `x` and output `y`
/// (large tensors on all cores).   // dy, x, y, dx: (n)
func activationBackward(_ f: Activation, _ n: Int, dy: UnsafePointer<Float>,
                        x: UnsafePointer<Float>, y: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    ParallelChunks.vectors(n) { r in
        let n = r.count, o = r.lowerBound
        switch f {
        case .relu: reluBackward(x + o, dout: dy + o, dx: dx + o, count: n, accumulate: true)
        case .gelu: geluBackward(x + o, dout: dy + o, dx: dx + o, count: n, accumulate: true)
        case .geluTanh: geluTanhBackward(x + o, dout: dy + o, dx: dx + o, count: n, accumulate: true)
        case .tanh: tanhBackward(y + o, dout: dy + o, dx: dx + o, count: n, accumulate: true)
        case .sigmoid: sigmoidBackward(y + o, dout: dy + o, dx: dx + o, count: n, accumulate: true)
        }
    }
}
