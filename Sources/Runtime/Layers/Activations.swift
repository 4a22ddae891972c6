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
            case .relu: Elementwise.reluForward(n, x, y)
            case .gelu: Elementwise.geluForward(n, x, y)
            case .geluTanh: Elementwise.geluTanhForward(n, x, y)
            case .tanh: Elementwise.tanhForward(n, x, y)
            case .sigmoid: Elementwise.sigmoidForward(n, x, y)
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

extension Elementwise {
    /// dx += dy · f′ for activation `f`, given the forward input `x` and output `y`
    /// (large tensors on all cores).
    public static func activationBackward(_ f: Activation, _ n: Int, dy: UnsafePointer<Float>,
                                          x: UnsafePointer<Float>, y: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        ParallelChunks.vectors(n) { r in
            let n = r.count, o = r.lowerBound
            switch f {
            case .relu: reluBackward(n, dy + o, x + o, dx + o)
            case .gelu: geluBackward(n, dy + o, x + o, dx + o)
            case .geluTanh: geluTanhBackward(n, dy + o, x + o, dx + o)
            case .tanh: tanhBackward(n, dy + o, y + o, dx + o)
            case .sigmoid: sigmoidBackward(n, dy + o, y + o, dx + o)
            }
        }
    }
}
