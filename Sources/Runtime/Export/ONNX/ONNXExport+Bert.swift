import Foundation
import Plan
import Support

extension ONNXExport {
    /// A BERT classifier as ftx evaluates it (`BertForward.swift`, then `MLPModel.forward`):
    /// inputs `input_ids` and `attention_mask`, int64 (batch, sequence), both axes
    /// dynamic (sequence ≤ `max_position_embeddings`); output `logits` (batch, out).
    ///
    /// - Embeddings: word + position (0 ..< sequence) + token type 0, then LayerNorm.
    /// - Post-LN encoder layers: self-attention softmax(q·kᵀ·(1/√head) + mask)·v in which a
    ///   key with `attention_mask` 0 gets probability exactly 0 (a sequence without any
    ///   real token attends to nothing, as in ftx), exact-erf GELU in the feed-forward
    ///   block, every LayerNorm with `config.layerNormEps`.
    /// - Pooling: `.mean` = Σ mask·h / max(Σ mask, 1e-9) over the sequence; `.cls` = h[:, 0].
    ///   `attention_mask` counts as 1 wherever it is non-zero.
    /// - `head`: the model's adaptation `layers` then its `head`, on the pooled vector;
    ///   `names` are their parameter prefixes (nil: `layers.{i}`), as in `mlp`.
    ///
    /// `weights` holds every encoder parameter under its Hugging Face name
    /// (`ModelCatalog.bert`: `embeddings.word_embeddings.weight`, …,
    /// `encoder.layer.{i}.output.LayerNorm.bias`); the pooler is unused and may be absent.
    public static func bertClassifier(config: BertConfig, weights: [String: ONNXTensor],
                                      pooling: PretrainedSpec.Pooling, head: [ONNXLayer], names: [String]? = nil) throws -> Data {
        do { try config.validate() } catch { throw ONNXExportError("the BERT config is invalid: \(error)") }
        for spec in ModelCatalog.bert(config) where !spec.name.hasPrefix("pooler.") {
            guard let t = weights[spec.name] else { throw ONNXExportError("the BERT weights lack \(spec.name) (shape \(spec.shape))") }
            try check(t, spec.name, shape: spec.shape)
        }
        let g = ONNXGraphBuilder()
        let ids = g.fresh("input_ids"), maskInput = g.fresh("attention_mask"), logits = g.fresh("logits")
        let c = config.hiddenSize, h = config.numAttentionHeads, hd = config.headSize
        func param(_ name: String) -> String { g.floats(name, weights[name]!.values, shape: weights[name]!.shape) }
        // A (out, in) weight stored transposed as (in, out) for `MatMul` on (batch, sequence, in).
        func transposed(_ name: String) -> String {
            let w = weights[name]!
            let (rows, cols) = (w.shape[0], w.shape[1])
            var t = [Float](repeating: 0, count: w.values.count)
            for r in 0..<rows { for k in 0..<cols { t[k * rows + r] = w.values[r * cols + k] } }
            return g.floats(name + "_T", t, shape: [cols, rows])
        }
        let ln: (String, String) -> String = { x, prefix in
            g.layerNorm(x, weight: param(prefix + ".weight"), bias: param(prefix + ".bias"), eps: config.layerNormEps, prefix)
        }

        // Embeddings: word[ids] + position[0 ..< T] + type[0].
        let word = g.node("Gather", [param("embeddings.word_embeddings.weight"), ids], "embeddings.word", attributes: [("axis", .int(0))])
        let length = g.node("Shape", [ids], "sequence_length", attributes: [("start", .int(1)), ("end", .int(2))])
        let positions = g.node("Slice", [param("embeddings.position_embeddings.weight"), g.int64s("zero", [0]), length, g.int64s("axis0", [0])],
                               "embeddings.position")
        let types = weights["embeddings.token_type_embeddings.weight"]!
        let type0 = g.floats("embeddings.token_type_embeddings.row0", Array(types.values[0..<c]), shape: [c])
        let summed = g.node("Add", [g.node("Add", [word, positions]), type0], "embeddings.sum")
        var x = ln(summed, "embeddings.LayerNorm")

        // Masks: keep (batch, 1, 1, T) is 1 for a real key, 0 for padding; the additive
        // bias pushes padded scores to −3.4e38 (exp underflows to exactly 0), and the
        // product by keep after the softmax zeroes a row with no real key at all.
        let real = g.node("Not", [g.node("Equal", [maskInput, g.int64s("zero_i64", [0], shape: [])])])
        let mask = g.node("Cast", [real], "mask", attributes: [("to", .int(ONNXDataType.float.rawValue))])
        let keep = g.node("Unsqueeze", [mask, g.int64s("axes12", [1, 2])], "key_keep")
        let bias = g.node("Mul", [g.node("Sub", [g.scalar(1), keep]), g.scalar(-Float.greatestFiniteMagnitude)], "key_bias")
        let heads = g.int64s("heads_shape", [0, 0, h, hd]), merged = g.int64s("merged_shape", [0, 0, c])
        let scale = g.scalar(1 / Float(hd).squareRoot())

        for l in 0..<config.numHiddenLayers {
            let p = "encoder.layer.\(l)."
            func project(_ m: String) -> String {
                g.matMulAdd(x, weightT: transposed(p + m + ".weight"), bias: param(p + m + ".bias"), p + m)
            }
            // (B, T, C) → (B, T, H, hd) → (B, H, T, hd), keys to (B, H, hd, T).
            let q = g.node("Transpose", [g.node("Reshape", [project("attention.self.query"), heads])], attributes: [("perm", .ints([0, 2, 1, 3]))])
            let k = g.node("Transpose", [g.node("Reshape", [project("attention.self.key"), heads])], attributes: [("perm", .ints([0, 2, 3, 1]))])
            let v = g.node("Transpose", [g.node("Reshape", [project("attention.self.value"), heads])], attributes: [("perm", .ints([0, 2, 1, 3]))])
            let scores = g.node("Add", [g.node("Mul", [g.node("MatMul", [q, k]), scale]), bias], p + "attention.scores")
            let probs = g.node("Mul", [g.node("Softmax", [scores], attributes: [("axis", .int(-1))]), keep], p + "attention.probs")
            let context = g.node("Reshape", [g.node("Transpose", [g.node("MatMul", [probs, v])], attributes: [("perm", .ints([0, 2, 1, 3]))]), merged],
                                 p + "attention.context")
            let attended = g.matMulAdd(context, weightT: transposed(p + "attention.output.dense.weight"),
                                       bias: param(p + "attention.output.dense.bias"), p + "attention.output.dense")
            let h1 = ln(g.node("Add", [attended, x]), p + "attention.output.LayerNorm")
            let inner = g.activation(g.matMulAdd(h1, weightT: transposed(p + "intermediate.dense.weight"),
                                                 bias: param(p + "intermediate.dense.bias"), p + "intermediate.dense"),
                                     .gelu, p + "intermediate.gelu")
            let out = g.matMulAdd(inner, weightT: transposed(p + "output.dense.weight"), bias: param(p + "output.dense.bias"), p + "output.dense")
            x = ln(g.node("Add", [out, h1]), p + "output.LayerNorm")
        }

        let pooled: String
        switch pooling {
        case .cls:
            pooled = g.node("Gather", [x, g.int64s("first", [0], shape: [])], "pooled", attributes: [("axis", .int(1))])
        case .mean:
            let axis1 = g.int64s("axis1", [1])
            let weighted = g.node("Mul", [x, g.node("Unsqueeze", [mask, g.int64s("axis2", [2])])])
            let sum = g.node("ReduceSum", [weighted, axis1], "pooled_sum", attributes: [("keepdims", .int(0))])
            let count = g.node("ReduceSum", [mask, axis1], "token_count", attributes: [("keepdims", .int(1))])
            // ftx scales by the reciprocal of the clamped count (`BertKernels.pool`).
            let inverse = g.node("Reciprocal", [g.node("Max", [count, g.scalar(1e-9)])])
            pooled = g.node("Mul", [sum, inverse], "pooled")
        }
        let (out, width) = try append(head, to: pooled, width: c, names: names, in: g)
        g.node("Identity", [out], output: logits)
        let tokens = [ONNXDimension.dynamic("batch"), .dynamic("sequence")]
        return try g.model(name: "ftx_bert_classifier",
                       doc: "ftx BERT classifier (\(config.numHiddenLayers) layers, hidden \(c), \(pooling.rawValue) pooling): input_ids, attention_mask -> logits (batch, \(width))",
                       inputs: [ONNXValueInfo(name: ids, elementType: .int64, shape: tokens),
                                ONNXValueInfo(name: maskInput, elementType: .int64, shape: tokens)],
                       outputs: [ONNXValueInfo(name: logits, elementType: .float, shape: [.dynamic("batch"), .fixed(width)])])
    }

    /// `bertClassifier(…)` with a head of dense layers only.
    public static func bertClassifier(config: BertConfig, weights: [String: ONNXTensor], pooling: PretrainedSpec.Pooling,
                                      head: [ONNXDenseLayer]) throws -> Data {
        try bertClassifier(config: config, weights: weights, pooling: pooling, head: head.map(ONNXLayer.dense))
    }
}
