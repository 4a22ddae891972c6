import Foundation
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Issue 16's ONNX writer. Here: the structure of what it writes, decoded back from the
/// protobuf (opset, IR version, named inputs with dynamic axes, node types, initializer
/// names and shapes) and its refusals. The numbers are checked against onnxruntime by
/// `bench/onnx_check.sh`, which runs `testWritesInteropCasesForOnnxruntime` with
/// $FTX_ONNX_OUT set: that test then writes each model's `.onnx` beside ftx's own logits
/// for fixed inputs (JSON), and the script compares them (goal ≤ 1e-4 absolute).
final class ONNXExportTests: XCTestCase {
    // MARK: structure

    func testMLPWithEveryActivationDecodesToTheExpectedGraph() throws {
        var g = SeededGenerator(seed: 1)
        let spec = ModelSpec(input: 4, layers: Activation.allCases.map { .dense(units: 3, activation: $0) } + [.dropout(p: 0.5), .layerNorm(eps: 1e-5)],
                             head: .dense(units: 2, activation: nil))
        let model = try MLPModel(spec: spec)
        try model.initialize(generator: &g)
        let onnx = try ONNXStructure(ONNXExport.model(model, transform: .standardize(mean: [0, 1, 2, 3], std: [1, 2, 3, 4])))
        XCTAssertEqual(onnx.irVersion, 8)
        XCTAssertEqual(onnx.opsets, ["": 17])
        XCTAssertEqual(onnx.inputs.map(\.name), ["features"])
        XCTAssertEqual(onnx.inputs[0].elementType, 1)
        XCTAssertEqual(onnx.inputs[0].dims, ["batch", "4"])
        XCTAssertEqual(onnx.outputs.map(\.name), ["logits"])
        XCTAssertEqual(onnx.outputs[0].dims, ["batch", "2"])
        // Standardisation in float64, 6 dense layers as Gemm, one LayerNormalization, no dropout.
        let ops = onnx.nodes.map(\.op)
        XCTAssertEqual(Array(ops.prefix(4)), ["Cast", "Sub", "Div", "Cast"])
        XCTAssertEqual(ops.filter { $0 == "Gemm" }.count, 6)
        XCTAssertEqual(ops.filter { $0 == "LayerNormalization" }.count, 1)
        XCTAssertEqual(ops.filter { $0 == "Erf" }.count, 1, "exact GELU")
        XCTAssertEqual(ops.filter { $0 == "Tanh" }.count, 2, "tanh, and the tanh form of GELU")
        XCTAssertEqual(ops.filter { $0 == "Relu" }.count + ops.filter { $0 == "Sigmoid" }.count, 2)
        XCTAssertFalse(ops.contains("Dropout"))
        XCTAssertEqual(ops.last, "Identity")
        XCTAssertEqual(onnx.nodes.last?.outputs, ["logits"])
        // Normalisation 4, Gemm 6, relu/tanh/sigmoid 1 each, GELU 5, tanh-GELU 9, LayerNormalization 1, Identity 1.
        XCTAssertEqual(onnx.nodes.count, 4 + 6 + 3 + 5 + 9 + 1 + 1)
        // Initializers keep ftx's parameter names and PyTorch shapes, with their values.
        XCTAssertEqual(onnx.initializers["layers.0.weight"]?.dims, [3, 4])
        XCTAssertEqual(onnx.initializers["head.weight"]?.dims, [2, 3])
        XCTAssertEqual(onnx.initializers["layers.6.weight"]?.dims, [3])
        XCTAssertEqual(onnx.initializers["mean"]?.dataType, 11)
        XCTAssertEqual(onnx.initializers["head.bias"]?.floats, model.parameters.value("head.bias").toArray())
        // A requested output name wins over the names the graph makes up.
        let w = ONNXTensor(shape: [1, 2], values: [1, 2])
        let renamed = try ONNXStructure(ONNXExport.mlp(layers: [ONNXDenseLayer(weight: w, bias: nil, activation: nil)], inputWidth: 2,
                                                       normalisation: nil, outputName: "layers.0.linear"))
        XCTAssertEqual(renamed.outputs.map(\.name), ["layers.0.linear"])
        XCTAssertEqual(renamed.nodes.map(\.op), ["Gemm", "Identity"])
        XCTAssertEqual(renamed.nodes.map(\.outputs), [["layers.0.linear_1"], ["layers.0.linear"]])
        // Every node input is a graph input, an initializer or an earlier node's output.
        var known = Set(onnx.inputs.map(\.name)).union(onnx.initializers.keys)
        for node in onnx.nodes {
            for i in node.inputs { XCTAssertTrue(known.contains(i), "\(node.op) reads \(i) before it exists") }
            known.formUnion(node.outputs)
        }
    }

    func testBertClassifierDecodesToTheExpectedGraph() throws {
        let dir = TrainerFixtures.temporaryDirectory("onnx-bert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = try ColourBertFolder.write(in: dir)
        let model = try Self.bertModel(folder, pooling: .mean, layers: [.dense(units: 6, activation: .gelu), .dropout(p: 0.1)], classes: 3)
        let onnx = try ONNXStructure(ONNXExport.model(model))
        XCTAssertEqual(onnx.opsets, ["": 17])
        XCTAssertEqual(onnx.inputs.map(\.name), ["input_ids", "attention_mask"])
        XCTAssertEqual(onnx.inputs.map(\.elementType), [7, 7])
        XCTAssertEqual(onnx.inputs.map(\.dims), [["batch", "sequence"], ["batch", "sequence"]])
        XCTAssertEqual(onnx.outputs.map(\.dims), [["batch", "3"]])
        let ops = onnx.nodes.map(\.op)
        let count = { (op: String) in ops.filter { $0 == op }.count }
        // Per layer: 6 projections (MatMul + Add), 2 attention MatMuls, 2 LayerNorms, one Softmax.
        XCTAssertEqual(count("LayerNormalization"), 1 + 2 * 2)
        XCTAssertEqual(count("Softmax"), 2)
        XCTAssertEqual(count("MatMul"), 2 * 8)
        XCTAssertEqual(count("Erf"), 2 + 1, "GELU in each layer and in the adaptation layer")
        XCTAssertEqual(count("Gemm"), 2)
        XCTAssertEqual(count("ReduceSum"), 2, "mean pooling")
        // Linear weights of the encoder are stored transposed for MatMul; embeddings as they are.
        let c = ColourBertFolder.config
        XCTAssertEqual(onnx.initializers["embeddings.word_embeddings.weight"]?.dims, [c.vocabSize, c.hiddenSize])
        XCTAssertEqual(onnx.initializers["encoder.layer.1.intermediate.dense.weight_T"]?.dims, [c.hiddenSize, c.intermediateSize])
        XCTAssertEqual(onnx.initializers["encoder.layer.0.output.LayerNorm.bias"]?.dims, [c.hiddenSize])
        XCTAssertEqual(onnx.initializers["layers.0.weight"]?.dims, [6, c.hiddenSize])
        XCTAssertEqual(onnx.initializers["head.weight"]?.dims, [3, 6])
        XCTAssertNil(onnx.initializers["pooler.dense.weight"], "the pooler is not part of ftx's forward")
        let eps = onnx.nodes.filter { $0.op == "LayerNormalization" }.compactMap { $0.floatAttributes["epsilon"] }
        XCTAssertEqual(eps, [Float](repeating: c.layerNormEps, count: 5))
        let q = model.parameters.value("encoder.layer.0.attention.self.query.weight").toArray()
        let qT = try XCTUnwrap(onnx.initializers["encoder.layer.0.attention.self.query.weight_T"]?.floats)
        XCTAssertEqual(qT[1 * c.hiddenSize + 2], q[2 * c.hiddenSize + 1], "W[2, 1] is Wᵀ[1, 2]")

        let cls = try ONNXStructure(ONNXExport.model(Self.bertModel(folder, pooling: .cls, layers: [], classes: 2)))
        XCTAssertFalse(cls.nodes.contains { $0.op == "ReduceSum" })
        XCTAssertEqual(cls.nodes.filter { $0.op == "Gather" }.count, 2, "word embeddings, and the first position")
    }

    func testRefusesWhatItCannotWriteFaithfully() throws {
        func message(_ body: () throws -> Data) -> String? {
            do { _ = try body(); return nil } catch { return (error as? ONNXExportError)?.message }
        }
        let w = ONNXTensor(shape: [2, 3], values: [Float](repeating: 0.5, count: 6))
        XCTAssertEqual(message { try ONNXExport.mlp(layers: [ONNXDenseLayer(weight: w, bias: nil, activation: nil)], inputWidth: 4, normalisation: nil) },
                       "layers.0.weight has shape [2, 3] ([out, in]) but its input is 4 wide")
        XCTAssertEqual(message { try ONNXExport.mlp(layers: [ONNXDenseLayer(weight: w, bias: ONNXTensor(shape: [3], values: [0, 0, 0]), activation: nil)],
                                                    inputWidth: 3, normalisation: nil) },
                       "layers.0.bias has shape [3]; expected [2]")
        XCTAssertEqual(message { try ONNXExport.mlp(layers: [ONNXDenseLayer(weight: ONNXTensor(shape: [2, 3], values: [1]), bias: nil, activation: nil)],
                                                    inputWidth: 3, normalisation: nil) },
                       "layers.0.weight has 1 values for shape [2, 3]")
        XCTAssertEqual(message { try ONNXExport.mlp(layers: [], inputWidth: 2, normalisation: (mean: [0, 0], std: [1, 0])) },
                       "the normalisation's standard deviation of feature 1 is 0.0; it must be finite and non-zero")
        var weights: [String: ONNXTensor] = [:]
        let c = ColourBertFolder.config
        for spec in ModelCatalog.bert(c) { weights[spec.name] = ONNXTensor(shape: spec.shape, values: [Float](repeating: 0, count: spec.shape.reduce(1, *))) }
        weights["encoder.layer.1.output.dense.bias"] = nil
        XCTAssertEqual(message { try ONNXExport.bertClassifier(config: c, weights: weights, pooling: .mean, head: [ONNXDenseLayer]()) },
                       "the BERT weights lack encoder.layer.1.output.dense.bias (shape [8])")
    }

    // MARK: interop cases for bench/onnx_check.py

    /// With $FTX_ONNX_OUT: writes `NAME.onnx` and `NAME.json` (ftx's inputs and logits) for
    /// an MLP with each activation, a mixed MLP, the tiny colour BERT with mean and cls
    /// pooling and adaptation layers, and all-MiniLM-L6-v2 with a random head (mean pooling;
    /// cls pooling under adaptation layers). Without it:
    /// writes the small cases to a temporary folder and checks each file decodes.
    func testWritesInteropCasesForOnnxruntime() throws {
        let target = ProcessInfo.processInfo.environment["FTX_ONNX_OUT"]
        let dir = target ?? TrainerFixtures.temporaryDirectory("onnx-cases")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if target == nil { try? FileManager.default.removeItem(atPath: dir) } }
        var names: [String] = []
        func write(_ name: String, _ onnx: Data, inputs: [(String, [Int], [Double])], logits: Tensor) throws {
            try AtomicFile.write(onnx, to: dir + "/\(name).onnx")
            func array(_ shape: [Int], _ data: [Double]) -> String {
                "{\"shape\": \(shape), \"data\": [\(data.map { "\($0)" }.joined(separator: ", "))]}"
            }
            let ins = inputs.map { "\"\($0.0)\": \(array($0.1, $0.2))" }.joined(separator: ", ")
            let json = "{\"inputs\": {\(ins)}, \"logits\": \(array(logits.shape, logits.toArray().map(Double.init)))}\n"
            try AtomicFile.write(Data(json.utf8), to: dir + "/\(name).json")
            _ = try ONNXStructure(onnx)
            names.append(name)
        }

        // MLPs: every activation in a hidden layer and as a bare entry, standardised features.
        var g = SeededGenerator(seed: 16)
        let (rows, width) = (5, 6)
        let raw = (0..<(rows * width)).map { _ in Double(Float(g.nextGaussian() * 4 + 1)) }
        let standardize = FeatureTransform.standardize(mean: (0..<width).map { _ in g.nextGaussian() }, std: (0..<width).map { _ in 0.5 + g.nextDouble() })
        let mixed: [LayerSpec] = [.dense(units: 8, activation: .relu), .dropout(p: 0.3), .layerNorm(eps: 1e-5), .activation(.geluTanh), .dense(units: 5, activation: nil)]
        let cases: [(String, [LayerSpec], FeatureTransform)] = Activation.allCases.map {
            ("mlp_\($0.rawValue)", [.dense(units: 16, activation: $0), .dense(units: 8, activation: nil), .activation($0)], standardize)
        } + [("mlp_mixed_scaled", mixed, .scale(0.25)), ("mlp_plain", [], .identity)]
        for (name, layers, transform) in cases {
            let model = try MLPModel(spec: ModelSpec(input: width, layers: layers, head: .dense(units: 3, activation: nil)))
            try model.initialize(generator: &g)
            // Make the activations' whole range matter: scale weights up.
            for i in model.parameters.slots.indices where model.parameters.slots[i].name.hasSuffix("weight") && model.parameters.slots[i].role != .norm {
                let t = model.parameters.value(at: i)
                for j in 0..<t.count { t.pointer[j] *= 3 }
            }
            let features = (0..<raw.count).map { Float(transform.apply(raw[$0], feature: $0 % width)) }
            let tape = Tape()
            var rng = SeededGenerator(seed: 0)
            let logits = tape.value(model.forward(tape.input(Tensor(shape: [rows, width], data: features)), on: tape, training: false, rng: &rng)).copy()
            try write(name, ONNXExport.model(model, transform: transform), inputs: [("features", [rows, width], raw)], logits: logits)
        }

        // BERTs: the tiny colour model (mean and cls pooling, adaptation layers), and MiniLM.
        let tiny = try ColourBertFolder.write(in: dir + "/tiny")
        let colourTexts = ["red cat", "the big green dog", "a small blue fish and a red cat", "zebra", "", "blue blue blue blue blue blue blue blue blue"]
        var berts: [(String, MLPModel, [String])] = [
            ("tiny_bert_mean", try Self.bertModel(tiny, pooling: .mean, layers: [.dense(units: 6, activation: .gelu), .dropout(p: 0.1)], classes: 3), colourTexts),
            ("tiny_bert_cls", try Self.bertModel(tiny, pooling: .cls, layers: [.layerNorm(eps: 1e-5), .activation(.tanh)], classes: 3), colourTexts),
        ]
        if target != nil {
            let texts = ["A man is playing a guitar.", "The new movie is awesome!", "ok",
                         "Fine-tuning exists to produce a model that is used somewhere else, so close the loop."]
            let miniLM = try Golden.miniLM()
            berts.append(("minilm_mean", try Self.bertModel(miniLM, pooling: .mean, layers: [], classes: 4, maxLength: 32), texts))
            berts.append(("minilm_cls_layers", try Self.bertModel(miniLM, pooling: .cls, layers: [.dense(units: 16, activation: .gelu), .layerNorm(eps: 1e-5)],
                                                                  classes: 3, maxLength: 32), texts))
        }
        for (name, model, texts) in berts {
            let encoder = try XCTUnwrap(model.encoder)
            let batch = encoder.tokenizer.encodeBatch(texts, maxLength: encoder.spec.maxLength)
            let pooled = encoder.bert.forward(batch, pooling: encoder.spec.pooling).copy()
            let tape = Tape()
            var rng = SeededGenerator(seed: 0)
            let logits = tape.value(model.forward(tape.input(pooled), on: tape, training: false, rng: &rng)).copy()
            let shape = [batch.count, batch.length]
            try write(name, ONNXExport.model(model), inputs: [("input_ids", shape, batch.ids.map(Double.init)),
                                                              ("attention_mask", shape, batch.mask.map(Double.init))], logits: logits)
        }
        XCTAssertEqual(names.count, Activation.allCases.count + 2 + 2 + (target == nil ? 0 : 2))
    }

    // MARK: helpers

    /// A BERT classifier on `folder` with `layers` then a `classes`-way head, seeded.
    static func bertModel(_ folder: String, pooling: PretrainedSpec.Pooling, layers: [LayerSpec], classes: Int,
                          maxLength: Int = 12) throws -> MLPModel {
        let spec = ModelSpec(input: 0, layers: layers, head: .dense(units: classes, activation: nil),
                             pretrained: PretrainedSpec(architecture: .bert, directory: folder, maxLength: maxLength, pooling: pooling))
        let model = try MLPModel(spec: spec)
        var g = SeededGenerator(seed: 7)
        try model.initialize(generator: &g)
        return model
    }
}

/// What the tests read back from an ONNX `ModelProto` (field numbers of onnx/onnx.proto).
struct ONNXStructure {
    struct Node {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var floatAttributes: [String: Float]
    }
    struct Initializer {
        var dims: [Int]
        var dataType: Int
        var raw: Data
        /// The values of a float32 tensor.
        var floats: [Float] { dataType == 1 ? ProtobufMessage.littleEndianFloats(raw) : [] }
    }
    struct Value {
        var name: String
        var elementType: Int
        /// Each axis as its size or its dynamic name.
        var dims: [String]
    }
    var irVersion: Int64
    var opsets: [String: Int64] = [:]
    var nodes: [Node] = []
    var initializers: [String: Initializer] = [:]
    var inputs: [Value] = []
    var outputs: [Value] = []

    init(_ data: Data) throws {
        let model = try ProtobufMessage(data)
        irVersion = model.int64(1) ?? -1
        for op in try model.messages(8) { opsets[op.string(1) ?? ""] = op.int64(2) }
        let graph = try XCTUnwrap(try model.message(7), "the model has no graph")
        for n in try graph.messages(1) {
            var floats: [String: Float] = [:]
            for a in try n.messages(5) where a.varint(20) == 1 { floats[a.string(1) ?? ""] = a.float(2) }
            nodes.append(Node(op: n.string(4) ?? "", inputs: n.strings(1), outputs: n.strings(2), floatAttributes: floats))
        }
        for t in try graph.messages(5) {
            let type = Int(t.int64(2) ?? 0)
            initializers[t.string(8) ?? ""] = Initializer(dims: try t.int64s(1).map(Int.init), dataType: type, raw: t.bytes(9).last ?? Data())
        }
        func value(_ m: ProtobufMessage) throws -> Value {
            let tensor = try m.message(2)?.message(1)
            let dims = try tensor?.message(2)?.messages(1).map { d in d.string(2) ?? d.int64(1).map { "\($0)" } ?? "?" } ?? []
            return Value(name: m.string(1) ?? "", elementType: Int(tensor?.int64(1) ?? 0), dims: dims)
        }
        inputs = try graph.messages(11).map(value)
        outputs = try graph.messages(12).map(value)
    }
}
