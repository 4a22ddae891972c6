import Foundation
import Plan
import Support
import XCTest

/// The one list of parameter names and shapes, against PyTorch's naming and
/// against the tensors of the real all-MiniLM-L6-v2 checkpoint.
final class ModelCatalogTests: XCTestCase {
    /// The model as the README has users link it (`scripts/test` links it before the suite runs).
    static let miniLM = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/all-MiniLM-L6-v2").path

    func testBertNamesAndShapes() {
        let c = BertConfig(hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16,
                           maxPositionEmbeddings: 12, typeVocabSize: 2, vocabSize: 20)
        let specs = ModelCatalog.bert(c)
        XCTAssertEqual(specs.count, 5 + 2 * 16 + 2)
        XCTAssertEqual(specs.first, ParameterSpec(name: "embeddings.word_embeddings.weight", shape: [20, 8], role: .embedding))
        XCTAssertEqual(specs.first { $0.name == "encoder.layer.1.intermediate.dense.weight" }?.shape, [16, 8])
        XCTAssertEqual(specs.first { $0.name == "encoder.layer.1.output.dense.weight" }?.shape, [8, 16])
        XCTAssertTrue(specs.contains { $0.name == "encoder.layer.1.output.LayerNorm.weight" })
        XCTAssertFalse(specs.contains { $0.name == "embeddings.position_ids" }, "a buffer, not a parameter")
        XCTAssertEqual(specs.suffix(2).map(\.name), ["pooler.dense.weight", "pooler.dense.bias"])
        XCTAssertEqual(specs.filter { !ModelCatalog.isBertEncoderParameter($0.name) }.map(\.name), ["pooler.dense.weight", "pooler.dense.bias"])
    }

    /// `layers.{i}` counts every entry, like `nn.Sequential`; the head comes last.
    func testMLPNamesCountEveryEntry() {
        let (specs, width) = ModelCatalog.mlp(inputSize: 4, layers: [.dense(units: 6, activation: .relu), .dropout(p: 0.1), .activation(.relu), .layerNorm(eps: 1e-5)],
                                              head: .dense(units: 3, activation: nil))
        XCTAssertEqual(specs.map(\.name), ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "head.weight", "head.bias"])
        XCTAssertEqual(specs.map(\.shape), [[6, 4], [6], [6], [6], [3, 6], [3]])
        XCTAssertEqual(width, 3)
    }

    /// Every tensor of the published checkpoint is a catalog parameter of its
    /// config with the same shape, and every catalog parameter is in the file
    /// (the `position_ids` buffer aside). Reads only the safetensors header.
    func testCatalogMatchesTheMiniLMCheckpoint() throws {
        let folder = BertFolder(Self.miniLM)
        guard FileManager.default.fileExists(atPath: folder.weightsPath) else {
            XCTFail("all-MiniLM-L6-v2 is not at \(Self.miniLM): run the tests with scripts/test, which links it (scripts/fetch-minilm.sh)")
            return
        }
        let config = try folder.config()
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: folder.weightsPath))
        defer { try? handle.close() }
        let length = try XCTUnwrap(handle.readData(ofLength: 8)).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let header = try JSONParser.parse(handle.readData(ofLength: length))
        var shapes: [String: [Int]] = [:]
        for (name, entry) in try XCTUnwrap(header.objectValue) where name != "__metadata__" {
            shapes[name] = try XCTUnwrap(entry["shape"]?.arrayValue).compactMap(\.intValue)
        }
        let specs = ModelCatalog.bert(config)
        XCTAssertEqual(specs.count, 5 + 6 * 16 + 2)
        for spec in specs {
            XCTAssertEqual(shapes[spec.name], spec.shape, spec.name)
        }
        XCTAssertEqual(Set(shapes.keys).subtracting(specs.map(\.name)), ["embeddings.position_ids"])
        XCTAssertEqual(try folder.vocabularySize(), config.vocabSize, "MiniLM's vocab.txt fills its table exactly")
    }
}
