import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Every way a BERT folder can be unusable gives an error naming the file and the problem.
final class BertLoadingTests: XCTestCase {
    func error(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            XCTFail("expected an error")
            return ""
        } catch {
            return "\(error)"
        }
    }

    func editConfig(_ dir: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = dir + "/config.json"
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    func testMissingFolderAndFiles() throws {
        let e1 = error { try BertModel(directory: "/nonexistent/bert-folder") }
        XCTAssertTrue(e1.contains("/nonexistent/bert-folder") && e1.contains("no such model folder"), e1)

        let dir = try BertGradientTests.writeTinyModel()
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        let e2 = error { try BertModel(directory: dir) }
        XCTAssertTrue(e2.contains(dir + "/model.safetensors") && e2.contains("no such file"), e2)

        try FileManager.default.removeItem(atPath: dir + "/config.json")
        let e3 = error { try BertModel(directory: dir) }
        XCTAssertTrue(e3.contains(dir + "/config.json") && e3.contains("no such file"), e3)

        let dir2 = try BertGradientTests.writeTinyModel()
        try FileManager.default.removeItem(atPath: dir2 + "/vocab.txt")
        let e4 = error { try SentenceEmbedder(directory: dir2) }
        XCTAssertTrue(e4.contains(dir2 + "/vocab.txt") && e4.contains("no such file"), e4)
    }

    func testUnsupportedConfigs() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("hidden_act", { $0["hidden_act"] = "relu" }),
            ("position_embedding_type", { $0["position_embedding_type"] = "relative_key" }),
            ("model_type", { $0["model_type"] = "roberta" }),
            ("hidden_size", { $0["num_attention_heads"] = 3 }),
            ("num_hidden_layers", { $0.removeValue(forKey: "num_hidden_layers") }),
            ("vocab_size", { $0["vocab_size"] = "many" }),
        ]
        for (field, edit) in cases {
            let dir = try BertGradientTests.writeTinyModel()
            try editConfig(dir, edit)
            let e = error { try BertModel(directory: dir) }
            XCTAssertTrue(e.contains(dir + "/config.json") && e.contains("`\(field)`"), "\(field): \(e)")
        }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-none-\(UUID().uuidString)/config.json").path
        let e = error { try BertConfig(contentsOf: missing) }
        XCTAssertTrue(e.contains(missing), e)
    }

    func testMissingTensor() throws {
        let dir = try BertGradientTests.writeTinyModel(skip: "encoder.layer.1.intermediate.dense.bias")
        let e = error { try BertModel(directory: dir) }
        XCTAssertTrue(e.contains(dir + "/model.safetensors") && e.contains("encoder.layer.1.intermediate.dense.bias")
                      && e.contains("missing"), e)
        // The unused pooler may be absent.
        XCTAssertNoThrow(try BertModel(directory: try BertGradientTests.writeTinyModel(skip: "pooler.dense.weight")))
    }

    func testMisfitTensorShapeNamesBothShapes() throws {
        let dir = try BertGradientTests.writeTinyModel(reshape: ("encoder.layer.0.attention.self.query.weight", [8, 6]))
        let e = error { try BertModel(directory: dir) }
        XCTAssertTrue(e.contains(dir + "/model.safetensors") && e.contains("encoder.layer.0.attention.self.query.weight")
                      && e.contains("[8, 6]") && e.contains("[8, 8]"), e)
    }

    func testVocabularyWithoutUNK() throws {
        let dir = try BertGradientTests.writeTinyModel()
        try (["[PAD]", "[CLS]", "[SEP]"] + (3..<20).map { "w\($0)" }).joined(separator: "\n")
            .write(toFile: dir + "/vocab.txt", atomically: true, encoding: .utf8)
        let e = error { try SentenceEmbedder(directory: dir) }
        XCTAssertTrue(e.contains(dir + "/vocab.txt") && e.contains("[UNK]"), e)
    }

    func testMaxLengthOutsideThePositionTable() throws {
        let dir = try BertGradientTests.writeTinyModel()
        let e = error { try SentenceEmbedder(directory: dir, maxLength: 13) }
        XCTAssertTrue(e.contains("max_position_embeddings"), e)
        XCTAssertEqual(try SentenceEmbedder(directory: dir).maxLength, 12)
    }
}
