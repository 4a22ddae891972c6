import Foundation
import Kernels
import Plan
import Support

/// PyTorch's default parameter initialisation, drawn from our generator.
public enum Initializer {
    /// `nn.Linear.reset_parameters`: kaiming_uniform(a = √5) on the weight — which
    /// is U(−1/√fan_in, 1/√fan_in) — and U(−1/√fan_in, 1/√fan_in) on the bias.
    /// Draws all weight elements (row-major) then all bias elements.
    public static func linear(weight: Tensor, bias: Tensor?, rng: inout SeededGenerator) {
        let fanIn = weight.shape.last ?? 1
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        uniform(weight, bound: bound, rng: &rng)
        if let bias { uniform(bias, bound: bound, rng: &rng) }
    }

    /// U(−bound, bound) elementwise.
    public static func uniform(_ t: Tensor, bound: Double, rng: inout SeededGenerator) {
        for i in 0..<t.count { t.pointer[i] = Float((2 * rng.nextDouble() - 1) * bound) }
    }

    /// N(0, std²) elementwise (PyTorch's `nn.Embedding` default is std 1).
    public static func normal(_ t: Tensor, std: Double = 1, rng: inout SeededGenerator) {
        for i in 0..<t.count { t.pointer[i] = Float(rng.nextGaussian() * std) }
    }
}

/// An MLP built from a layer list plus a head (`nn.Sequential` naming):
/// entry i of `layers` owns `layers.{i}.*`, the head owns `head.*`
/// (`LayerSpec` is the training spec's, in Training/TrainingSpec.swift).
public final class Sequential {
    /// Width of the input features.
    public let inputSize: Int
    /// The layer list, in order.
    public let layers: [LayerSpec]
    /// The task head, if any (normally `.dense(units:activation: nil)`).
    public let head: LayerSpec?
    /// All parameters, in layer order then the head.
    public let parameters: ParameterStore
    /// Width of the output.
    public let outputSize: Int

    private enum Bound {
        case dense(Dense)
        case dropout(Float)
        case layerNorm(LayerNorm)
        case activation(Activation)
    }
    private var bound: [Bound] = []

    /// Builds the model and initialises its parameters as PyTorch does by default
    /// (dense: `Initializer.linear`; layer norm: weight 1, bias 0), in layer order
    /// then the head, all from `rng`.
    public init(inputSize: Int, layers: [LayerSpec], head: LayerSpec?, rng: inout SeededGenerator) {
        self.inputSize = inputSize
        self.layers = layers
        self.head = head
        let (specs, out) = ModelCatalog.mlp(inputSize: inputSize, layers: layers, head: head)
        self.outputSize = out
        let store = ParameterStore(specs)
        self.parameters = store
        func bind(_ layer: LayerSpec, _ prefix: String) -> Bound {
            switch layer {
            case let .dense(_, activation):
                let d = Dense(store: store, prefix: prefix, activation: activation)
                Initializer.linear(weight: store.value(at: d.weight), bias: d.bias.map { store.value(at: $0) }, rng: &rng)
                return .dense(d)
            case let .dropout(p):
                return .dropout(Float(p))
            case let .layerNorm(eps):
                let n = LayerNorm(store: store, prefix: prefix, eps: Float(eps))
                store.value(at: n.weight).fill(1)
                store.value(at: n.bias).fill(0)
                return .layerNorm(n)
            case let .activation(f):
                return .activation(f)
            }
        }
        for (i, layer) in layers.enumerated() { bound.append(bind(layer, "layers.\(i)")) }
        if let head { bound.append(bind(head, "head")) }
    }

    /// Logits (or outputs) for `x` (N, inputSize). Dropout is active only when
    /// `training`, drawing its masks from `rng`.
    public func forward(_ x: Variable, on tape: Tape, training: Bool, rng: inout SeededGenerator) -> Variable {
        var h = x
        for layer in bound {
            switch layer {
            case let .dense(d): h = d(h, on: tape)
            case let .dropout(p): h = tape.dropout(h, p: p, training: training, rng: &rng)
            case let .layerNorm(n): h = n(h, on: tape)
            case let .activation(f): h = tape.activation(h, f)
            }
        }
        return h
    }
}
