import Foundation
import Plan
import Support

/// Builds an ONNX graph node by node: fresh value names, initializers, and the
/// building blocks ftx's models are made of (dense layers, layer norm, each
/// activation), each spelt exactly as ftx's runtime computes it.
final class ONNXGraphBuilder {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXInitializer] = []
    private var used: Set<String> = []
    private var scalars: [String: String] = [:]

    /// A value name not used yet, from `hint`.
    func fresh(_ hint: String) -> String {
        var name = hint, k = 1
        while used.contains(name) { name = "\(hint)_\(k)"; k += 1 }
        used.insert(name)
        return name
    }

    // MARK: constants

    /// A float32 initializer named (uniquely) after `name`; returns its value name.
    @discardableResult
    func floats(_ name: String, _ values: [Float], shape: [Int]) -> String {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
        let n = fresh(name)
        initializers.append(ONNXInitializer(name: n, dataType: .float, dims: shape,
                                            raw: ProtobufWriter.littleEndianBytes(values)))
        return n
    }

    /// A float64 initializer.
    func doubles(_ name: String, _ values: [Double], shape: [Int]) -> String {
        let n = fresh(name)
        var raw = Data(capacity: values.count * 8)
        for v in values { ProtobufWriter.appendFixed64(v.bitPattern, to: &raw) }
        initializers.append(ONNXInitializer(name: n, dataType: .double, dims: shape, raw: raw))
        return n
    }

    /// An int64 initializer (shapes, axes, indices).
    func int64s(_ name: String, _ values: [Int], shape: [Int]? = nil) -> String {
        let n = fresh(name)
        var raw = Data(capacity: values.count * 8)
        for v in values { ProtobufWriter.appendFixed64(UInt64(bitPattern: Int64(v)), to: &raw) }
        initializers.append(ONNXInitializer(name: n, dataType: .int64, dims: shape ?? [values.count], raw: raw))
        return n
    }

    /// A float32 scalar constant, shared by every node that uses the same value.
    func scalar(_ v: Float) -> String {
        let key = "f\(v.bitPattern)"
        if let n = scalars[key] { return n }
        let n = floats("c_\(v)", [v], shape: [])
        scalars[key] = n
        return n
    }

    // MARK: nodes

    /// Appends one node with a single output and returns the output's name: a fresh name
    /// from `hint`, or exactly `output` (a name reserved with `fresh` beforehand).
    @discardableResult
    func node(_ op: String, _ inputs: [String], _ hint: String? = nil, output: String? = nil,
              attributes: [(name: String, value: ONNXAttributeValue)] = []) -> String {
        let out = output ?? fresh(hint ?? op.lowercased())
        nodes.append(ONNXNode(opType: op, inputs: inputs, outputs: [out], name: fresh("node_" + out), attributes: attributes))
        return out
    }

    /// `f(x)` elementwise, as ftx's kernels compute it (Activations.swift, ActivationKernels.swift):
    /// gelu = 0.5·x·(1 + erf(x·(1/√2))); gelu_tanh = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x·x·x))).
    func activation(_ x: String, _ f: Activation, _ hint: String) -> String {
        switch f {
        case .relu: return node("Relu", [x], hint)
        case .tanh: return node("Tanh", [x], hint)
        case .sigmoid: return node("Sigmoid", [x], hint)
        case .gelu:
            // The constants are ftx's kernel constants, rounded to Float as there.
            let erf = node("Erf", [node("Mul", [x, scalar(0.707_106_781_186_547_5)])])
            let half = node("Mul", [scalar(0.5), x])
            return node("Mul", [half, node("Add", [scalar(1), erf])], hint)
        case .geluTanh:
            let cube = node("Mul", [node("Mul", [node("Mul", [scalar(0.044_715), x]), x]), x])
            let inner = node("Mul", [scalar(0.797_884_560_802_865_4), node("Add", [x, cube])])
            let half = node("Mul", [scalar(0.5), x])
            return node("Mul", [half, node("Add", [scalar(1), node("Tanh", [inner])])], hint)
        }
    }

    /// LayerNormalization over the last axis (opset 17): (x − mean)/√(var + eps)·γ + β,
    /// with the biased variance, as `layerNormForward`.
    func layerNorm(_ x: String, weight: String, bias: String, eps: Float, _ hint: String) -> String {
        node("LayerNormalization", [x, weight, bias], hint, attributes: [("axis", .int(-1)), ("epsilon", .float(eps))])
    }

    /// x·Wᵀ + b for x (N, in) with W (out, in) in PyTorch layout: one `Gemm` (transB = 1).
    func gemm(_ x: String, weight: String, bias: String?, _ hint: String) -> String {
        node("Gemm", [x, weight] + (bias.map { [$0] } ?? []), hint, attributes: [("transB", .int(1))])
    }

    /// x·Wᵀ + b over the last axis of x (…, in): `MatMul` by the transposed weight
    /// (stored as (in, out) by the caller) then `Add`.
    func matMulAdd(_ x: String, weightT: String, bias: String, _ hint: String) -> String {
        node("Add", [node("MatMul", [x, weightT]), bias], hint)
    }

    /// The finished model. Protobuf messages are limited to 2 GB and ftx does not write
    /// ONNX's external-data files, so a larger model is refused.
    func model(name: String, doc: String, inputs: [ONNXValueInfo], outputs: [ONNXValueInfo]) throws -> Data {
        let bytes = initializers.reduce(0) { $0 + $1.raw.count }
        guard bytes < Int(Int32.max) - (1 << 24) else {
            throw ONNXExportError("the model's \(bytes) bytes of weights exceed the 2 GB a single ONNX file (one protobuf message) can hold")
        }
        return ONNXModel(producerVersion: RuntimeVersion.current, docString: doc, graphName: name, nodes: nodes,
                  initializers: initializers, inputs: inputs, outputs: outputs).serialized()
    }
}
