extension Tape {
    /// y = f(x) elementwise.
    public func activation(_ x: Variable, _ f: Activation) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let n = xv.count
        switch f {
        case .relu: Elementwise.reluForward(n, xv.pointer, y.pointer)
        case .gelu: Elementwise.geluForward(n, xv.pointer, y.pointer)
        case .geluTanh: Elementwise.geluTanhForward(n, xv.pointer, y.pointer)
        case .tanh: Elementwise.tanhForward(n, xv.pointer, y.pointer)
        case .sigmoid: Elementwise.sigmoidForward(n, xv.pointer, y.pointer)
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
    /// dx += dy · f′ for activation `f`, given the forward input `x` and output `y`.
    public static func activationBackward(_ f: Activation, _ n: Int, dy: UnsafePointer<Float>,
                                          x: UnsafePointer<Float>, y: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        switch f {
        case .relu: reluBackward(n, dy, x, dx)
        case .gelu: geluBackward(n, dy, x, dx)
        case .geluTanh: geluTanhBackward(n, dy, x, dx)
        case .tanh: tanhBackward(n, dy, y, dx)
        case .sigmoid: sigmoidBackward(n, dy, y, dx)
        }
    }
}
