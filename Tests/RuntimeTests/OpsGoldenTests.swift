import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Every op of golden/ops.json: forward output and every input gradient at the
/// README tolerances (rtol 1e-5, atol 1e-6 scaled).
final class OpsGoldenTests: XCTestCase {
    /// ops.json's `ops`, read once; an unreadable file is each test's error, not a crash.
    nonisolated(unsafe) static let file: Result<[String: Any], Error> = Result {
        try XCTUnwrap(try Golden.json("ops.json")["ops"] as? [String: Any], "ops.json has no `ops` object")
    }

    /// The golden entry of op `name`.
    func golden(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(try Self.file.get()[name] as? [String: Any], "ops.json has no op `\(name)`")
    }

    /// Runs one entry: `build` records the op from the named input variables.
    func run(_ name: String, file: StaticString = #filePath, line: UInt = #line,
             _ build: (Tape, [String: Variable], [String: Any]) -> Variable) throws {
        let entry = try golden(name)
        let inputs = entry["inputs"] as! [String: Any]
        let grads = entry["grads"] as! [String: Any]
        let tape = Tape()
        var vars: [String: Variable] = [:]
        for (k, v) in inputs where ((v as! [String: Any])["dtype"] as! String) == "float32" {
            vars[k] = tape.input(Golden.tensor(v), requiresGradient: grads[k] != nil)
        }
        let out = build(tape, vars, inputs)
        var report = "\(name): output"
        let r0 = assertClose(tape.value(out), Golden.tensor(entry["output"]), "\(name) output", file: file, line: line)
        report += String(format: " %.2g", r0.maxAbs)
        if let go = entry["grad_output"] {
            tape.backward(out, seed: Golden.tensor(go))
        } else {
            tape.backward(out)
        }
        let zeroGrads = Set((entry["mathematically_zero_grads"] as? [String]) ?? [])
        for (k, ref) in grads.sorted(by: { $0.key < $1.key }) {
            guard let v = vars[k], let g = tape.gradient(v) else { XCTFail("\(name): no gradient for \(k)", file: file, line: line); continue }
            if zeroGrads.contains(k) {
                let m = g.toArray().map(abs).max() ?? 0
                XCTAssertLessThanOrEqual(m, 1e-5, "\(name): grad \(k) should be ~0", file: file, line: line)
                report += String(format: ", d%@ (zero) %.2g", k, m)
            } else {
                let r = assertClose(g, Golden.tensor(ref), "\(name) grad \(k)", file: file, line: line)
                report += String(format: ", d%@ %.2g (%.2f of tol)", k, r.maxAbs, r.ratio)
            }
        }
        print("GOLDEN \(report)")
    }

    func testLinear() throws { try run("linear") { t, v, _ in t.linear(v["x"]!, weight: v["weight"]!, bias: v["bias"]!) } }
    func testRelu() throws { try run("relu") { t, v, _ in t.relu(v["x"]!) } }
    func testGelu() throws { try run("gelu") { t, v, _ in t.gelu(v["x"]!) } }
    func testGeluTanh() throws { try run("gelu_tanh") { t, v, _ in t.gelu(v["x"]!, approximate: true) } }
    func testTanh() throws { try run("tanh") { t, v, _ in t.tanh(v["x"]!) } }
    func testSigmoid() throws { try run("sigmoid") { t, v, _ in t.sigmoid(v["x"]!) } }
    func testSoftmax() throws { try run("softmax") { t, v, _ in t.softmax(v["x"]!) } }
    func testLogSoftmax() throws { try run("log_softmax") { t, v, _ in t.logSoftmax(v["x"]!) } }
    func testLayerNorm() throws {
        try run("layer_norm") { t, v, _ in t.layerNorm(v["x"]!, weight: v["weight"]!, bias: v["bias"]!, eps: 1e-12) }
    }
    func testLayerNormEps() throws {
        try run("layer_norm_eps") { t, v, _ in t.layerNorm(v["x"]!, weight: v["weight"]!, bias: v["bias"]!, eps: 1e-5) }
    }
    func testEmbedding() throws {
        try run("embedding") { t, v, inputs in
            t.embedding(v["weight"]!, indices: Golden.ints(inputs["indices"]), shape: Golden.intShape(inputs["indices"]))
        }
    }
    func testCrossEntropy() throws {
        try run("cross_entropy") { t, v, inputs in t.crossEntropy(v["logits"]!, targets: Golden.ints(inputs["target"])) }
    }
    func testCrossEntropyLabelSmoothing() throws {
        try run("cross_entropy_label_smoothing") { t, v, inputs in
            t.crossEntropy(v["logits"]!, targets: Golden.ints(inputs["target"]), labelSmoothing: 0.1)
        }
    }
    func testMSE() throws { try run("mse_loss") { t, v, _ in t.mse(v["input"]!, v["target"]!) } }
    func testBCEWithLogits() throws {
        try run("binary_cross_entropy_with_logits") { t, v, _ in t.binaryCrossEntropyWithLogits(v["input"]!, v["target"]!) }
    }
    func testMatmulBroadcast() throws { try run("matmul_broadcast") { t, v, _ in t.matmul(v["a"]!, v["b"]!) } }

    func testMultiHeadSelfAttention() throws {
        let entry = try golden("multi_head_self_attention")
        var attention: Variable?
        var tapeRef: Tape?
        try run("multi_head_self_attention") { t, v, inputs in
            let mask = Tensor(shape: Golden.intShape(inputs["key_mask"]), data: Golden.ints(inputs["key_mask"]).map(Float.init))
            let q = t.linear(v["x"]!, weight: v["wq"]!, bias: v["bq"]!)
            let k = t.linear(v["x"]!, weight: v["wk"]!, bias: v["bk"]!)
            let val = t.linear(v["x"]!, weight: v["wv"]!, bias: v["bv"]!)
            let a = t.attention(query: q, key: k, value: val, heads: 2, keyMask: mask)
            attention = a; tapeRef = t
            return t.linear(a, weight: v["wo"]!, bias: v["bo"]!)
        }
        let probs = tapeRef!.attentionProbabilities(attention!)!
        assertClose(probs, Golden.tensor(entry["attention_probs"]), "attention_probs")
    }

    /// The layer type the BERT encoder uses must equal the tape-level composition.
    func testMultiHeadSelfAttentionLayerMatchesGolden() throws {
        let entry = try golden("multi_head_self_attention")
        let inputs = entry["inputs"] as! [String: Any]
        let specs = MultiHeadSelfAttention.parameterSpecs(query: "q", key: "k", value: "v", output: "o", modelDim: 8)
        let store = ParameterStore(specs)
        for (p, n) in [("q", "q"), ("k", "k"), ("v", "v"), ("o", "o")] {
            store.value("\(p).weight").assign(Golden.tensor(inputs["w\(n)"]))
            store.value("\(p).bias").assign(Golden.tensor(inputs["b\(n)"]))
        }
        let layer = MultiHeadSelfAttention(store: store, query: "q", key: "k", value: "v", output: "o", heads: 2)
        let tape = Tape()
        let mask = Tensor(shape: [2, 4], data: Golden.ints(inputs["key_mask"]).map(Float.init))
        let x = tape.input(Golden.tensor(inputs["x"]), requiresGradient: true)
        let y = layer(x, keyMask: mask, on: tape)
        assertClose(tape.value(y), Golden.tensor(entry["output"]), "mha layer output")
        store.zeroGradients()
        tape.backward(y, seed: Golden.tensor(entry["grad_output"]))
        let grads = entry["grads"] as! [String: Any]
        assertClose(tape.gradient(x)!, Golden.tensor(grads["x"]), "mha layer dx")
        for n in ["q", "v", "o"] {
            assertClose(store.gradient("\(n).weight"), Golden.tensor(grads["w\(n)"]), "mha layer dw\(n)")
            assertClose(store.gradient("\(n).bias"), Golden.tensor(grads["b\(n)"]), "mha layer db\(n)")
        }
        assertClose(store.gradient("k.weight"), Golden.tensor(grads["wk"]), "mha layer dwk")
        XCTAssertLessThanOrEqual(store.gradient("k.bias").toArray().map(abs).max()!, 1e-5)
    }
}
