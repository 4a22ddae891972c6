import Foundation
import Plan
import XCTest

/// The optional tokenizer files of a model folder: absent means the default, a
/// malformed one is an error naming the file (never a silent default).
final class BertFolderTests: XCTestCase {
    private func folder(_ files: [String: String]) throws -> BertFolder {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return BertFolder(dir.path)
    }

    private func message(_ body: () throws -> Any?) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    func testLowercasing() throws {
        XCTAssertTrue(try folder([:]).lowercases(), "BERT uncased when there is no tokenizer_config.json")
        XCTAssertTrue(try folder(["tokenizer_config.json": #"{"model_max_length": 512}"#]).lowercases())
        XCTAssertFalse(try folder(["tokenizer_config.json": #"{"do_lower_case": false}"#]).lowercases())
        let wrongType = try folder(["tokenizer_config.json": #"{"do_lower_case": "no"}"#])
        XCTAssertEqual(message { try wrongType.lowercases() }, "\(wrongType.tokenizerConfigPath): `do_lower_case` must be true or false, got \"no\"")
        let broken = try folder(["tokenizer_config.json": "{do_lower_case: false"])
        XCTAssertTrue(message { try broken.lowercases() }.hasPrefix("\(broken.tokenizerConfigPath): not valid JSON"))
        let array = try folder(["tokenizer_config.json": "[]"])
        XCTAssertEqual(message { try array.lowercases() }, "\(array.tokenizerConfigPath): not a JSON object")
    }

    func testSentenceTransformersMaxLength() throws {
        XCTAssertNil(try folder([:]).sentenceTransformersMaxLength())
        XCTAssertEqual(try folder(["sentence_bert_config.json": #"{"max_seq_length": 256, "do_lower_case": false}"#]).sentenceTransformersMaxLength(), 256)
        let tooShort = try folder(["sentence_bert_config.json": #"{"max_seq_length": 1}"#])
        XCTAssertEqual(message { try tooShort.sentenceTransformersMaxLength() },
                       "\(tooShort.sentenceTransformersConfigPath): `max_seq_length` must be an integer of at least 2 ([CLS] and [SEP]), got 1")
    }
}
