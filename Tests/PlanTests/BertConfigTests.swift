import Foundation
import Plan
import Support
import XCTest

/// The one `config.json` reader and the folder checks `ftx check` and the runtime
/// share: every hostile config is an error naming the file, the field and the value.
final class BertConfigTests: XCTestCase {
    /// MiniLM's `config.json`, as published.
    static let miniLM: [(key: String, value: JSONValue)] = [
        ("architectures", ["BertModel"]), ("attention_probs_dropout_prob", 0.1), ("hidden_act", "gelu"),
        ("hidden_dropout_prob", 0.1), ("hidden_size", 384), ("intermediate_size", 1536), ("layer_norm_eps", 1e-12),
        ("max_position_embeddings", 512), ("model_type", "bert"), ("num_attention_heads", 12), ("num_hidden_layers", 6),
        ("pad_token_id", 0), ("position_embedding_type", "absolute"), ("type_vocab_size", 2), ("vocab_size", 30522),
    ]

    private var folders: [String] = []

    override func tearDown() {
        for f in folders { try? FileManager.default.removeItem(atPath: f) }
    }

    /// A fresh folder holding `config.json` with MiniLM's fields, `edit`ed.
    private func folder(_ edit: (inout [(key: String, value: JSONValue)]) -> Void = { _ in }) throws -> BertFolder {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        folders.append(dir)
        var fields = Self.miniLM
        edit(&fields)
        try Data(JSONWriter.encode(.object(fields)).utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return BertFolder(dir)
    }

    private func set(_ key: String, _ value: JSONValue?) -> (inout [(key: String, value: JSONValue)]) -> Void {
        { fields in
            fields.removeAll { $0.key == key }
            if let value { fields.append((key, value)) }
        }
    }

    /// The error `BertConfig(contentsOf:)` throws for the folder's config.
    private func error(_ folder: BertFolder, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try BertConfig(contentsOf: folder.configPath)
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(folder.configPath + ": "), "names the file: \(text)", file: file, line: line)
            return text
        }
    }

    func testReadsMiniLMsConfig() throws {
        let c = try folder().config()
        XCTAssertEqual(c, BertConfig(hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, intermediateSize: 1536,
                                     maxPositionEmbeddings: 512, typeVocabSize: 2, vocabSize: 30522, layerNormEps: 1e-12,
                                     hiddenDropout: 0.1, attentionDropout: 0.1, padTokenID: 0))
        XCTAssertEqual(c.headSize, 32)
        // `json` writes what the reader reads back.
        let round = try folder { $0 = [] }
        try Data(c.json.utf8).write(to: URL(fileURLWithPath: round.configPath))
        XCTAssertEqual(try round.config(), c)
        // Defaults for the optional fields; `null` reads as absent.
        let minimal = try folder {
            $0.removeAll { !["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size"].contains($0.key) }
            $0.append(("pad_token_id", .null))
        }
        let m = try minimal.config()
        XCTAssertEqual([m.maxPositionEmbeddings, m.typeVocabSize, m.padTokenID], [512, 2, 0])
    }

    func testMissingFolderAndFileAndBadJSON() throws {
        XCTAssertThrowsError(try BertFolder("/nonexistent/bert").config()) {
            XCTAssertEqual("\($0)", "/nonexistent/bert: no such model folder")
        }
        let f = try folder()
        try FileManager.default.removeItem(atPath: f.configPath)
        XCTAssertTrue(error(f).contains("no such file"))
        try Data("{\"hidden_size\": 384,".utf8).write(to: URL(fileURLWithPath: f.configPath))
        XCTAssertTrue(error(f).contains("is not valid JSON"), error(f))
        try Data("[384]".utf8).write(to: URL(fileURLWithPath: f.configPath))
        XCTAssertTrue(error(f).hasSuffix("is not a JSON object"), error(f))
    }

    func testUnsupportedArchitectures() throws {
        XCTAssertTrue(error(try folder(set("model_type", "roberta"))).contains("`model_type` is \"roberta\""))
        XCTAssertTrue(error(try folder(set("hidden_act", "relu"))).contains("`hidden_act` is \"relu\""))
        XCTAssertTrue(error(try folder(set("position_embedding_type", "relative_key"))).contains("`position_embedding_type` is \"relative_key\""))
        XCTAssertTrue(error(try folder(set("hidden_act", 3))).contains("`hidden_act` must be a string, got 3"))
    }

    func testMissingAndMistypedSizes() throws {
        XCTAssertTrue(error(try folder(set("hidden_size", nil))).hasSuffix("`hidden_size` is missing"))
        XCTAssertTrue(error(try folder(set("vocab_size", "many"))).hasSuffix("`vocab_size` must be an integer, got \"many\""))
        XCTAssertTrue(error(try folder(set("num_hidden_layers", 2.5))).hasSuffix("`num_hidden_layers` must be an integer, got 2.5"))
        XCTAssertTrue(error(try folder(set("vocab_size", .null))).hasSuffix("`vocab_size` must be an integer, got null"))
        XCTAssertEqual(try folder(set("num_hidden_layers", 6.0)).config().numHiddenLayers, 6, "an integral float is an integer")
    }

    func testNonPositiveSizes() throws {
        for field in ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                      "max_position_embeddings", "type_vocab_size", "vocab_size"] {
            XCTAssertTrue(error(try folder(set(field, 0))).hasSuffix("`\(field)` must be a positive integer, got 0"), field)
        }
        XCTAssertTrue(error(try folder(set("num_hidden_layers", -1))).hasSuffix("`num_hidden_layers` must be a positive integer, got -1"))
    }

    func testHeadsMustDivideTheWidth() throws {
        let e = error(try folder(set("num_attention_heads", 7)))
        XCTAssertTrue(e.hasSuffix("`hidden_size` (384) is not divisible by `num_attention_heads` (7)"), e)
    }

    /// Sizes past the documented bounds are errors, however they are written.
    func testAbsurdSizes() throws {
        var e = error(try folder(set("hidden_size", .int(1_000_000_000_000))))
        XCTAssertTrue(e.hasSuffix("`hidden_size` is 1000000000000, more than the largest supported, 65536"), e)
        e = error(try folder(set("vocab_size", 1e30)))
        XCTAssertTrue(e.contains("`vocab_size` is 1e30") && e.hasSuffix("more than the largest supported, 16777216"), e)
        e = error(try folder(set("num_hidden_layers", .int(Int.max))))
        XCTAssertTrue(e.hasSuffix("`num_hidden_layers` is \(Int.max), more than the largest supported, 1024"), e)
        for (field, limit) in BertConfig.upperBounds {
            var edit = set(field, .int(limit + 1))
            if field == "num_attention_heads" { edit = { self.set(field, .int(limit + 1))(&$0); self.set("hidden_size", .int(limit))(&$0) } }
            XCTAssertTrue(error(try folder(edit)).contains("`\(field)` is \(limit + 1), more than the largest supported, \(limit)"), field)
        }
    }

    /// At every bound at once, the products the runtime forms still fit in `Int` —
    /// the model's floats and bytes, and one sequence's attention scores — with room to spare.
    func testUpperBoundsCannotOverflowTheRuntimesArithmetic() throws {
        let bound = Dictionary(uniqueKeysWithValues: BertConfig.upperBounds.map { ($0.field, $0.limit) })
        let c = BertConfig(hiddenSize: bound["hidden_size"]!, numHiddenLayers: bound["num_hidden_layers"]!,
                           numAttentionHeads: bound["num_attention_heads"]!, intermediateSize: bound["intermediate_size"]!,
                           maxPositionEmbeddings: bound["max_position_embeddings"]!, typeVocabSize: bound["type_vocab_size"]!,
                           vocabSize: bound["vocab_size"]!)
        XCTAssertNoThrow(try c.validate())
        func mul(_ xs: [Int]) -> Int? {
            var p = 1
            for x in xs {
                let (r, overflow) = p.multipliedReportingOverflow(by: x)
                if overflow { return nil }
                p = r
            }
            return p
        }
        var floats = 0
        for spec in ModelCatalog.bert(c) {
            floats += try XCTUnwrap(mul(spec.shape), spec.name)
        }
        XCTAssertLessThan(floats, 1 << 50)
        let bytes = try XCTUnwrap(mul([floats, 4]))
        XCTAssertLessThan(bytes, Int.max >> 8, "room for optimizer state and gradients")
        let scores = try XCTUnwrap(mul([c.numAttentionHeads, c.maxPositionEmbeddings, c.maxPositionEmbeddings]))
        XCTAssertLessThan(scores, 1 << 50, "heads × T² per sequence")
    }

    func testPositionTablePaddingIDAndRates() throws {
        XCTAssertTrue(error(try folder(set("max_position_embeddings", 1))).contains("`max_position_embeddings` is 1, but every sequence holds at least [CLS] and [SEP]"))
        XCTAssertTrue(error(try folder(set("pad_token_id", 30522))).contains("`pad_token_id` is 30522, outside the 30522 rows"))
        XCTAssertTrue(error(try folder(set("pad_token_id", -1))).contains("`pad_token_id` is -1"))
        XCTAssertTrue(error(try folder(set("layer_norm_eps", 0))).hasSuffix("`layer_norm_eps` must be positive, got 0.0"))
        XCTAssertTrue(error(try folder(set("layer_norm_eps", 1e300))).contains("`layer_norm_eps` must be positive"), "inf as a Float")
        XCTAssertTrue(error(try folder(set("hidden_dropout_prob", 1))).hasSuffix("`hidden_dropout_prob` must lie in [0, 1), got 1.0"))
    }

    // MARK: The folder checks

    /// The case: a 30,522-token vocab.txt beside a config with a 1,000-row table.
    func testVocabularyLargerThanTheEmbeddingTable() throws {
        let f = try folder(set("vocab_size", 1000))
        let c = try f.config()
        XCTAssertNoThrow(try f.checkVocabulary(tokens: 1000, config: c))
        XCTAssertNoThrow(try f.checkVocabulary(tokens: 10, config: c), "a table may have spare rows")
        XCTAssertThrowsError(try f.checkVocabulary(tokens: 30522, config: c)) {
            XCTAssertEqual("\($0)", "\(f.vocabularyPath): has 30522 tokens, but the word-embedding table has 1000 rows (`vocab_size` in \(f.configPath)); token ids 1000 and up would have no embedding")
        }
        XCTAssertThrowsError(try f.checkVocabulary(tokens: 1001, vocabularyPath: "/elsewhere/v.txt", config: c)) {
            XCTAssertTrue("\($0)".hasPrefix("/elsewhere/v.txt: has 1001 tokens"), "\($0)")
        }
    }

    func testMaxLengthBeyondThePositionTable() throws {
        let f = try folder(set("max_position_embeddings", 128))
        let c = try f.config()
        XCTAssertNoThrow(try f.checkMaxLength(128, source: "x", config: c))
        XCTAssertThrowsError(try f.checkMaxLength(256, source: "the tokenizer's `max_length`", config: c)) {
            XCTAssertEqual("\($0)", "\(f.configPath): `max_position_embeddings` is 128, less than the tokenizer's `max_length` 256; positions 128 and up would have no embedding")
        }
    }

    func testVocabularySizeCountsLinesAsTheTokenizerReadsThem() throws {
        let f = try folder()
        XCTAssertThrowsError(try f.vocabularySize()) { XCTAssertTrue("\($0)".contains("no such file"), "\($0)") }
        let cases: [(String, [String])] = [
            ("", []), ("a", ["a"]), ("a\n", ["a"]), ("a\nb", ["a", "b"]), ("a\r\nb\r\n", ["a", "b"]),
            ("\n", [""]), ("a\n\nb\n", ["a", "", "b"]), ("[PAD]\n##é\n", ["[PAD]", "##é"]),
        ]
        for (text, tokens) in cases {
            let data = Data(text.utf8)
            XCTAssertEqual(VocabularyFile.tokens(data), tokens, text.debugDescription)
            XCTAssertEqual(VocabularyFile.tokenCount(data), tokens.count, text.debugDescription)
            try data.write(to: URL(fileURLWithPath: f.vocabularyPath))
            XCTAssertEqual(try f.vocabularySize(), tokens.count)
        }
        XCTAssertNil(VocabularyFile.tokens(Data([0x61, 0x0A, 0xFF, 0x0A])), "not UTF-8")
    }
}
