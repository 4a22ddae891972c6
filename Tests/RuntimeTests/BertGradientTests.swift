import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// BertModel's hand-written backward pass against central finite differences on
/// a tiny random BERT (2 layers, hidden 8, 2 heads) written to a folder with the
/// runtime's safetensors writer and loaded like a real checkpoint.
final class BertGradientTests: XCTestCase {
    static let tinyConfig = BertConfig(hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16,
                                       maxPositionEmbeddings: 12, typeVocabSize: 2, vocabSize: 20, layerNormEps: 1e-12,
                                       hiddenDropout: 0.1, attentionDropout: 0.1, padTokenID: 0)

    /// Writes a random tiny BERT folder and returns its path.
    static func writeTinyModel(config: BertConfig = tinyConfig, seed: UInt64 = 1, skip: String? = nil,
                               reshape: (name: String, shape: [Int])? = nil, prefix: String = "") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-bert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try config.json.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        var g = SeededGenerator(seed: seed)
        var tensors: [SafetensorsTensor] = []
        for spec in ModelCatalog.bert(config) where spec.name != skip {
            var shape = spec.shape
            if let reshape, reshape.name == spec.name { shape = reshape.shape }
            let n = shape.reduce(1, *)
            let isGain = spec.name.hasSuffix("LayerNorm.weight")
            var values = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let z = Float(g.nextGaussian())
                values[i] = isGain ? 1 + 0.2 * z : 0.5 * z
            }
            tensors.append(SafetensorsTensor(name: prefix + spec.name, shape: shape, values: values))
        }
        tensors.append(SafetensorsTensor(name: "cls.predictions.bias", shape: [3], values: [1, 2, 3]))  // ignored
        try SafetensorsWriter.write(tensors, to: dir + "/model.safetensors")
        try (["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + (4..<config.vocabSize).map { "w\($0)" })
            .joined(separator: "\n").write(toFile: dir + "/vocab.txt", atomically: true, encoding: .utf8)
        return dir
    }

    /// Two sequences, the second padded, with both token types.
    static let batch = TokenBatch(paddedIDs: [2, 5, 7, 9, 11, 3, 2, 13, 4, 3, 0, 0],
                                  mask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], count: 2, length: 6)
    static let types: [Int32] = [0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0]

    /// loss = Σ pooled ⊙ r with the dropout masks of `seed`.
    func loss(_ model: BertModel, _ r: [Float], pooling: PretrainedSpec.Pooling, seed: UInt64) -> Double {
        var g = SeededGenerator(seed: seed)
        let pooled = model.forward(Self.batch, tokenTypes: Self.types, pooling: pooling, training: true, generator: &g)
        return zip(pooled.toArray(), r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Checks d loss / d(name[index]) for every listed element; returns the worst relative error.
    func check(_ model: BertModel, names: [String], pooling: PretrainedSpec.Pooling, seed: UInt64 = 42,
               expectZero: Set<String> = []) -> Double {
        var rg = SeededGenerator(seed: 9)
        let r = (0..<(2 * model.config.hiddenSize)).map { _ in Float(rg.nextGaussian()) }
        model.parameters.zeroGradients()
        _ = loss(model, r, pooling: pooling, seed: seed)
        model.backward(pooledGradient: Tensor(shape: [2, model.config.hiddenSize], data: r))
        var worst = 0.0
        for name in names {
            let value = model.parameters.value(name), grad = model.parameters.gradient(name).toArray()
            if expectZero.contains(name) {
                XCTAssertTrue(grad.allSatisfy { $0 == 0 }, "\(name): frozen, gradient must stay zero")
                continue
            }
            // A few elements spread over the tensor (for the word table: rows that occur).
            var elements = Array(Set([0, 1, value.count / 3, value.count / 2, value.count - 1]))
            if name.contains("word_embeddings") { elements = [5 * 8 + 1, 13 * 8 + 6, 4 * 8, 3 * 8 + 7, 0] }
            for i in elements {
                let saved = value[flat: i]
                let eps: Float = 1e-2
                value[flat: i] = saved + eps
                let up = loss(model, r, pooling: pooling, seed: seed)
                value[flat: i] = saved - eps
                let down = loss(model, r, pooling: pooling, seed: seed)
                value[flat: i] = saved
                let numeric = (up - down) / (2 * Double(eps))
                let analytic = Double(grad[i])
                let err = abs(numeric - analytic) / max(1, abs(numeric))
                XCTAssertLessThan(err, 5e-3, "\(name)[\(i)]: analytic \(analytic), numeric \(numeric) (\(pooling))")
                worst = max(worst, err)
            }
        }
        return worst
    }

    static let checkedNames: [String] = {
        var names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                     "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
        for l in 0..<2 {
            for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                      "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"] {
                names += ["encoder.layer.\(l).\(m).weight", "encoder.layer.\(l).\(m).bias"]
            }
        }
        return names
    }()

    func testGradientsMatchFiniteDifferencesWithDropout() throws {
        let model = try BertModel(directory: try Self.writeTinyModel())
        let worstMean = check(model, names: Self.checkedNames, pooling: .mean)
        let worstCLS = check(model, names: Self.checkedNames, pooling: .cls, seed: 7)
        print("tiny BERT gradcheck: worst relative error mean \(worstMean), cls \(worstCLS)")
    }

    func testGradientsWithoutDropoutAndWithBertPrefix() throws {
        var config = Self.tinyConfig
        config.hiddenDropout = 0; config.attentionDropout = 0
        let model = try BertModel(directory: try Self.writeTinyModel(config: config, seed: 3, prefix: "bert."))
        let worst = check(model, names: Self.checkedNames, pooling: .mean)
        print("tiny BERT gradcheck (no dropout): worst relative error \(worst)")
    }

    func testFrozenParametersGetNoGradientAndPrefixIsDetected() throws {
        let model = try BertModel(directory: try Self.writeTinyModel())
        XCTAssertNil(model.frozenPrefixLayers)
        model.parameters.freeze(matching: "embeddings.*")
        XCTAssertEqual(model.frozenPrefixLayers, 0)
        model.parameters.freeze(matching: "encoder.layer.0.*")
        XCTAssertEqual(model.frozenPrefixLayers, 1)
        model.parameters.freeze(matching: "encoder.layer.1.attention.self.query")
        let frozen = Set(Self.checkedNames.filter { $0.hasPrefix("embeddings.") || $0.hasPrefix("encoder.layer.0.") || $0.hasPrefix("encoder.layer.1.attention.self.query") })
        _ = check(model, names: Self.checkedNames, pooling: .mean, expectZero: frozen)
        XCTAssertFalse(model.parameters.slot("pooler.dense.weight").trainable, "the unused pooler is frozen")
        model.parameters.freeze(matching: "encoder.*")
        XCTAssertEqual(model.frozenPrefixLayers, 2)
    }

    func testTrainingFromFrozenPrefixFeaturesEqualsFullPass() throws {
        var config = Self.tinyConfig
        config.hiddenDropout = 0; config.attentionDropout = 0
        let dir = try Self.writeTinyModel(config: config, seed: 5)
        let full = try BertModel(directory: dir), suffix = try BertModel(directory: dir)
        for m in [full, suffix] { m.parameters.freeze(matching: "embeddings"); m.parameters.freeze(matching: "encoder.layer.0") }
        var g = SeededGenerator(seed: 1)
        let r = Tensor(shape: [2, 8], data: (0..<16).map { _ in Float(g.nextGaussian()) })

        full.parameters.zeroGradients()
        let a = full.forward(Self.batch, tokenTypes: Self.types, pooling: .mean, training: true, generator: &g).copy()
        full.backward(pooledGradient: r)

        let features = suffix.encodeFrozenPrefix(Self.batch, tokenTypes: Self.types, layers: 1)
        XCTAssertEqual(features.shape, [2, 6, 8])
        suffix.parameters.zeroGradients()
        let b = suffix.forward(features: features, mask: Self.batch.mask, afterLayers: 1, pooling: .mean, training: true, generator: &g)
        suffix.backward(pooledGradient: r)
        for (x, y) in zip(a.toArray(), b.toArray()) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        let n = full.parameters.totalCount
        for (x, y) in zip(UnsafeBufferPointer(start: full.parameters.gradients.pointer, count: n),
                          UnsafeBufferPointer(start: suffix.parameters.gradients.pointer, count: n)) {
            XCTAssertEqual(x, y, accuracy: 1e-5)
        }
    }

    /// What a training step keeps per layer, from one more layer's cost: q, k, v, context and the
    /// two sums (N, C) each, the probabilities (B, H, T, T), the GELU input (N, I) and the
    /// LayerNorm statistics as floats; the three dropout masks as bytes. Not kept: gelu's output
    /// and the two LayerNorm outputs (recomputed in backward), float dropout factors.
    func testTrainingKeepsPerLayerOnlyWhatBackwardNeeds() throws {
        func bytesAfterStep(layers: Int) throws -> Int {
            var config = Self.tinyConfig
            config.numHiddenLayers = layers
            let model = try BertModel(directory: try Self.writeTinyModel(config: config))
            var g = SeededGenerator(seed: 3)
            let pooled = model.forward(Self.batch, tokenTypes: Self.types, pooling: .mean, training: true, generator: &g)
            model.backward(pooledGradient: Tensor(shape: pooled.shape, repeating: 1))
            return model.activationBytes
        }
        let c = Self.tinyConfig
        let (b, t, h) = (Self.batch.count, Self.batch.length, c.numAttentionHeads)
        let (n, hidden, inter) = (b * t, c.hiddenSize, c.intermediateSize)
        let floats = 6 * n * hidden + b * h * t * t + n * inter + 4 * n
        let maskBytes = b * h * t * t + 2 * n * hidden
        XCTAssertEqual(try bytesAfterStep(layers: 3) - bytesAfterStep(layers: 2), 4 * floats + maskBytes)
    }

    func testEvaluationIsDeterministicAndTrainingDropoutIsSeeded() throws {
        let model = try BertModel(directory: try Self.writeTinyModel())
        let e1 = model.forward(Self.batch, tokenTypes: Self.types, pooling: .mean).toArray()
        let e2 = model.forward(Self.batch, tokenTypes: Self.types, pooling: .mean).toArray()
        XCTAssertEqual(e1, e2)
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
        let t1 = model.forward(Self.batch, tokenTypes: Self.types, pooling: .mean, training: true, generator: &g1).toArray()
        let t2 = model.forward(Self.batch, tokenTypes: Self.types, pooling: .mean, training: true, generator: &g2).toArray()
        XCTAssertEqual(t1, t2)
        XCTAssertNotEqual(t1, e1, "dropout is active in training")
    }
}
