import Foundation
import Plan
import Support

/// A float32 tensor for export: row-major `values` of `shape`.
public struct ONNXTensor: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// shape.reduce(1, *) values, row-major.
    public var values: [Float]

    /// A tensor of `shape` holding `values` (row-major).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}

/// A dense layer y = f(x·Wᵀ + b) with `weight` (out, in) in PyTorch layout.
public struct ONNXDenseLayer: Sendable, Equatable {
    /// (out, in).
    public var weight: ONNXTensor
    /// (out), or nil for no bias.
    public var bias: ONNXTensor?
    /// Applied after the affine map, or nil for none.
    public var activation: Activation?

    /// A dense layer.
    public init(weight: ONNXTensor, bias: ONNXTensor?, activation: Activation?) {
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }
}

/// One entry of a layer list (`LayerSpec` with its trained parameters), in evaluation mode.
public enum ONNXLayer: Sendable, Equatable {
    /// `dense(units, activation:)`.
    case dense(ONNXDenseLayer)
    /// `layer_norm(eps:)` over the last axis: `weight` and `bias` (width).
    case layerNorm(weight: ONNXTensor, bias: ONNXTensor, eps: Float)
    /// A bare `activation(f)` entry.
    case activation(Activation)
    /// `dropout(p)`: the identity at inference, so it writes no node.
    case dropout
}

/// Why a model cannot be written as ONNX: a message naming the layer or tensor.
public struct ONNXExportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public let message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Writes ftx models as ONNX (`ModelProto` bytes) that onnxruntime runs on CPU:
/// opset 17 of the default domain, IR version 8 (ONNX ≥ 1.12, onnxruntime ≥ 1.12).
/// Every graph computes what ftx's evaluation forward computes (no dropout), in
/// float32; inputs have a dynamic `batch` axis (and `sequence` for token inputs).
public enum ONNXExport {
    /// The `ai.onnx` opset the models import (see `ONNXModel.opset` for why 17).
    public static var opset: Int { Int(ONNXModel.opset) }
    /// The IR version the models declare.
    public static var irVersion: Int { Int(ONNXModel.irVersion) }

    /// A feed-forward network: input `features` (batch, `inputWidth`) float32, output
    /// `outputName` (batch, out) — `transform` (the data's normalisation) then `layers`
    /// (the model's `layers` then its `head`, in order), as `MLPModel.forward`.
    ///
    /// The normalisation is computed in float64 and rounded once to float32, as ftx
    /// prepares its features (`FeatureTransform`); the input itself is float32, so a
    /// raw value that float32 cannot hold is rounded before (ftx rounds it after).
    /// `names` gives each layer's parameter prefix for the initializers' names
    /// (`layers.0`, …, `head`); nil names entry i `layers.{i}`.
    public static func mlp(layers: [ONNXLayer], inputWidth: Int, transform: FeatureTransform = .identity,
                           outputName: String = "logits", names: [String]? = nil) throws -> Data {
        guard inputWidth >= 1 else { throw ONNXExportError("the input width must be at least 1, got \(inputWidth)") }
        guard !outputName.isEmpty && outputName != "features" else {
            throw ONNXExportError("the output cannot be called \"\(outputName)\" (the input is `features`)")
        }
        let g = ONNXGraphBuilder()
        let input = g.fresh("features"), output = g.fresh(outputName)  // reserved before any other name
        let x = try normalise(input, width: inputWidth, transform, in: g)
        let (out, width) = try append(layers, to: x, width: inputWidth, names: names, in: g)
        g.node("Identity", [out], output: output)
        return try g.model(name: "ftx_mlp", doc: "ftx MLP: features (batch, \(inputWidth)) -> \(outputName) (batch, \(width))",
                       inputs: [ONNXValueInfo(name: input, elementType: .float, shape: [.dynamic("batch"), .fixed(inputWidth)])],
                       outputs: [ONNXValueInfo(name: output, elementType: .float, shape: [.dynamic("batch"), .fixed(width)])])
    }

    /// `mlp(layers:…)` for dense layers only, with an optional standardisation
    /// (x − mean)/std per feature.
    public static func mlp(layers: [ONNXDenseLayer], inputWidth: Int, normalisation: (mean: [Float], std: [Float])?,
                           outputName: String = "logits") throws -> Data {
        let transform = normalisation.map { FeatureTransform.standardize(mean: $0.mean.map(Double.init), std: $0.std.map(Double.init)) }
        return try mlp(layers: layers.map(ONNXLayer.dense), inputWidth: inputWidth, transform: transform ?? .identity,
                       outputName: outputName)
    }

    // MARK: shared pieces

    /// x after `transform`, in float64 then rounded to float32.   x: (batch, width)
    static func normalise(_ x: String, width: Int, _ transform: FeatureTransform, in g: ONNXGraphBuilder) throws -> String {
        let double = ("to", ONNXAttributeValue.int(ONNXDataType.double.rawValue))
        let float = ("to", ONNXAttributeValue.int(ONNXDataType.float.rawValue))
        switch transform {
        case .identity:
            return x
        case let .scale(k):
            let wide = g.node("Cast", [x], "features_f64", attributes: [double])
            let scaled = g.node("Mul", [wide, g.doubles("scale", [k], shape: [])])
            return g.node("Cast", [scaled], "normalised", attributes: [float])
        case let .standardize(mean, std):
            guard mean.count == width && std.count == width else {
                throw ONNXExportError("the normalisation has \(mean.count) means and \(std.count) standard deviations for \(width) features")
            }
            if let j = std.firstIndex(where: { !($0 != 0 && $0.isFinite) }) {
                throw ONNXExportError("the normalisation's standard deviation of feature \(j) is \(std[j]); it must be finite and non-zero")
            }
            let wide = g.node("Cast", [x], "features_f64", attributes: [double])
            let centred = g.node("Sub", [wide, g.doubles("mean", mean, shape: [width])])
            let scaled = g.node("Div", [centred, g.doubles("std", std, shape: [width])])
            return g.node("Cast", [scaled], "normalised", attributes: [float])
        }
    }

    /// Appends `layers` (parameters named `names[i].weight`, …; nil: `layers.{i}`) to
    /// x (batch, width); returns the output and its width.
    static func append(_ layers: [ONNXLayer], to input: String, width: Int, names: [String]?,
                       in g: ONNXGraphBuilder) throws -> (String, Int) {
        if let names, names.count != layers.count {
            throw ONNXExportError("\(names.count) names for \(layers.count) layers")
        }
        var x = input, width = width
        for (i, layer) in layers.enumerated() {
            let name = names?[i] ?? "layers.\(i)"
            switch layer {
            case let .dense(d):
                try check(d.weight, name + ".weight", rank: 2)
                guard d.weight.shape[1] == width else {
                    throw ONNXExportError("\(name).weight has shape \(d.weight.shape) ([out, in]) but its input is \(width) wide")
                }
                let out = d.weight.shape[0]
                let w = g.floats(name + ".weight", d.weight.values, shape: d.weight.shape)
                var b: String?
                if let bias = d.bias {
                    try check(bias, name + ".bias", shape: [out])
                    b = g.floats(name + ".bias", bias.values, shape: [out])
                }
                x = g.gemm(x, weight: w, bias: b, name + ".linear")
                if let f = d.activation { x = g.activation(x, f, name + "." + f.rawValue) }
                width = out
            case let .layerNorm(weight, bias, eps):
                try check(weight, name + ".weight", shape: [width])
                try check(bias, name + ".bias", shape: [width])
                guard eps > 0 && eps.isFinite else { throw ONNXExportError("\(name): layer-norm eps must be positive, got \(eps)") }
                x = g.layerNorm(x, weight: g.floats(name + ".weight", weight.values, shape: [width]),
                                bias: g.floats(name + ".bias", bias.values, shape: [width]), eps: eps, name + ".layer_norm")
            case let .activation(f):
                x = g.activation(x, f, name + "." + f.rawValue)
            case .dropout:
                continue
            }
        }
        return (x, width)
    }

    /// Throws unless `t` has rank `rank` (positive sizes) and as many values as its shape holds.
    static func check(_ t: ONNXTensor, _ name: String, rank: Int) throws {
        guard t.shape.count == rank, t.shape.allSatisfy({ $0 >= 1 }) else {
            throw ONNXExportError("\(name) has shape \(t.shape); expected \(rank) positive dimensions")
        }
        guard t.values.count == t.shape.reduce(1, *) else {
            throw ONNXExportError("\(name) has \(t.values.count) values for shape \(t.shape)")
        }
    }

    /// Throws unless `t` has exactly `shape` and its values.
    static func check(_ t: ONNXTensor, _ name: String, shape: [Int]) throws {
        guard t.shape == shape else { throw ONNXExportError("\(name) has shape \(t.shape); expected \(shape)") }
        try check(t, name, rank: shape.count)
    }
}
