import Kernels
import Plan
import Support
extension Tape {
    /// Layer norm over the last dim with optional affine weight/bias (C).
    public func layerNorm(_ x: Variable, weight: Variable?, bias: Variable?, eps: Float = 1e-5) -> Variable {
        let xv = value(x)
        let (rows, cols) = xv.rowsAndColumns
        if let weight { precondition(value(weight).count == cols, "layer_norm: weight \(shape(weight)) for \(cols) features") }
        if let bias { precondition(value(bias).count == cols, "layer_norm: bias \(shape(bias)) for \(cols) features") }
        let y = scratch(xv.shape)
        let stats = scratch([rows, 2])
        layerNormForward(rows: rows, cols: cols, eps: eps, x: xv.pointer,
                         weight: weight.map { value($0).pointer }, bias: bias.map { value($0).pointer },
                         y: y.pointer, stats: stats.pointer)
        var inputs = [x.id]
        if let weight { inputs.append(weight.id) }
        if let bias { inputs.append(bias.id) }
        let needs = gradientsEnabled && inputs.contains { nodes[$0].requiresGrad }
        nodes.append(Node(value: y, grad: nil, requiresGrad: needs,
                          op: needs ? .layerNorm(x: x.id, w: weight?.id, b: bias?.id, stats: stats) : .leaf))
        return Variable(id: nodes.count - 1)
    }
}

/// A layer-norm layer bound to `{prefix}.weight` and `{prefix}.bias` (C) in a store.
public struct LayerNorm {
    /// The store holding the parameters.
    public let store: ParameterStore
    /// Slots of the gain and shift.
    public let weight: Int, bias: Int
    /// Added to the variance inside the square root.
    public let eps: Float

    /// Binds `{prefix}.weight` / `{prefix}.bias`.
    public init(store: ParameterStore, prefix: String, eps: Float = 1e-5) {
        guard let w = store.index(of: prefix + ".weight"), let b = store.index(of: prefix + ".bias") else {
            preconditionFailure("no parameters \(prefix).weight / \(prefix).bias")
        }
        self.store = store; self.weight = w; self.bias = b; self.eps = eps
    }

    /// Normalises `x` over its last dim.
    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.layerNorm(x, weight: tape.parameter(store, weight), bias: tape.parameter(store, bias), eps: eps)
    }
}
