import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// all-MiniLM-L6-v2 against Hugging Face (golden/minilm): every sentence's
/// mean-pooled embedding within 1e-3 absolute (un-normalised and normalised),
/// and the layer activations for debugging.
final class BertGoldenTests: XCTestCase {
    /// The model in `models/`, or an error naming `scripts/test`.
    static var modelDir: String { get throws { try Golden.miniLM() } }
    static let goldenDir = Golden.path("minilm")

    /// Loaded once: the model is 90 MB.
    nonisolated(unsafe) static var cachedModel: BertModel?
    static func model() throws -> BertModel {
        if let m = cachedModel { return m }
        let m = try BertModel(directory: modelDir)
        cachedModel = m
        return m
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: goldenDir + "/" + name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func floats(_ any: Any?) throws -> [Float] {
        let d = try XCTUnwrap(any as? [String: Any])
        return try XCTUnwrap(d["data"] as? [Any]).map { Float(truncating: $0 as! NSNumber) }
    }

    /// The golden batch exactly as tokens.json has it (ids, mask, token types).
    static func goldenBatch() throws -> (TokenBatch, [Int32]) {
        let tokens = try json("tokens.json")
        func ints(_ key: String) throws -> [Int32] {
            try XCTUnwrap((tokens[key] as? [String: Any])?["data"] as? [Any]).map { Int32(truncating: $0 as! NSNumber) }
        }
        let sentences = try XCTUnwrap(tokens["sentences"] as? [String])
        let length = try XCTUnwrap(tokens["padded_length"] as? Int)
        let lengths = try XCTUnwrap(tokens["lengths"] as? [Int])
        let batch = TokenBatch(paddedIDs: try ints("input_ids"), mask: try ints("attention_mask"), count: sentences.count, length: length)
        XCTAssertEqual(batch.lengths, lengths)
        return (batch, try ints("token_type_ids"))
    }

    func maxAbs(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testConfigOfMiniLM() throws {
        let c = try BertConfig(contentsOf: Self.modelDir + "/config.json")
        XCTAssertEqual(c, BertConfig(hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, intermediateSize: 1536,
                                     maxPositionEmbeddings: 512, typeVocabSize: 2, vocabSize: 30522, layerNormEps: 1e-12,
                                     hiddenDropout: 0.1, attentionDropout: 0.1, padTokenID: 0))
    }

    func testMeanPooledEmbeddingsMatchGolden() throws {
        let model = try Self.model()
        let (batch, types) = try Self.goldenBatch()
        let golden = try Self.json("embeddings.json")
        let expected = try Self.floats(golden["mean_pooled"])
        let expectedNormalized = try Self.floats(golden["normalized"])
        let pooled = model.forward(batch, tokenTypes: types, pooling: .mean).toArray()
        let c = 384
        var worst: Float = 0, worstNormalized: Float = 0
        for s in 0..<batch.count {
            let got = Array(pooled[(s * c)..<((s + 1) * c)])
            let e = maxAbs(got, Array(expected[(s * c)..<((s + 1) * c)]))
            var normalized = got
            SentenceEmbedder.normalize(&normalized)
            let en = maxAbs(normalized, Array(expectedNormalized[(s * c)..<((s + 1) * c)]))
            XCTAssertLessThanOrEqual(e, 1e-3, "sentence \(s) mean_pooled")
            XCTAssertLessThanOrEqual(en, 1e-3, "sentence \(s) normalized")
            worst = max(worst, e); worstNormalized = max(worstNormalized, en)
        }
        print("MiniLM golden: max |Δ| mean_pooled \(worst), normalized \(worstNormalized)")
    }

    func testSentenceEmbedderMatchesGoldenThroughItsOwnTokenizerAndBatching() throws {
        let tokens = try Self.json("tokens.json")
        let sentences = try XCTUnwrap(tokens["sentences"] as? [String])
        let embedder = try SentenceEmbedder(directory: Self.modelDir, maxLength: 64)
        let golden = try Self.json("embeddings.json")
        let expected = try Self.floats(golden["normalized"])
        // Small batches and a reordered input: sorting and padding must not change anything.
        let order = Array(sentences.indices.reversed())
        let vectors = embedder.embed(order.map { sentences[$0] }, pooling: .mean, normalize: true, batchSize: 5)
        var worst: Float = 0
        for (k, s) in order.enumerated() {
            worst = max(worst, maxAbs(vectors[k], Array(expected[(s * 384)..<((s + 1) * 384)])))
        }
        XCTAssertLessThanOrEqual(worst, 1e-3)
        print("MiniLM SentenceEmbedder: max |Δ| normalized \(worst)")
    }

    func testLayerActivationsMatchGolden() throws {
        let model = try Self.model()
        let (batch, types) = try Self.goldenBatch()
        let file = try SafetensorsFile(contentsOf: Self.goldenDir + "/activations.safetensors")
        let t = batch.length, c = 384
        // Real tokens only: padded rows are not meaningful.
        func compare(_ got: [Float], _ ref: [Float], sequences: Int, _ label: String) -> Float {
            var worst: Float = 0
            for s in 0..<sequences {
                for j in 0..<t where batch.mask[s * t + j] != 0 {
                    let o = (s * t + j) * c
                    worst = max(worst, maxAbs(Array(got[o..<(o + c)]), Array(ref[o..<(o + c)])))
                }
            }
            return worst
        }
        var report: [String] = []
        let two = TokenBatch(paddedIDs: Array(batch.ids[0..<(2 * t)]), mask: Array(batch.mask[0..<(2 * t)]), count: 2, length: t)
        for k in 0...6 {
            let got = model.encodeFrozenPrefix(two, tokenTypes: Array(types[0..<(2 * t)]), layers: k).toArray()
            let e = compare(got, try file.floats("hidden_states.\(k).first2"), sequences: 2, "hidden_states.\(k)")
            XCTAssertLessThanOrEqual(e, 2e-3, "hidden_states.\(k)")
            report.append("h\(k) \(e)")
        }
        _ = model.forward(batch, tokenTypes: types, pooling: .mean)
        let last = compare(model.lastHiddenState.toArray(), try file.floats("last_hidden_state"), sequences: batch.count, "last")
        XCTAssertLessThanOrEqual(last, 2e-3)
        print("MiniLM activations max |Δ|: \(report.joined(separator: ", ")), last_hidden_state \(last)")
    }

    func testCLSPoolingIsFirstTokenOfLastHiddenState() throws {
        let model = try Self.model()
        let (batch, types) = try Self.goldenBatch()
        let file = try SafetensorsFile(contentsOf: Self.goldenDir + "/activations.safetensors")
        let last = try file.floats("last_hidden_state")
        let cls = model.forward(batch, tokenTypes: types, pooling: .cls).toArray()
        for s in 0..<batch.count {
            XCTAssertLessThanOrEqual(maxAbs(Array(cls[(s * 384)..<((s + 1) * 384)]),
                                            Array(last[(s * batch.length * 384)..<(s * batch.length * 384 + 384)])), 2e-3)
        }
    }
}
