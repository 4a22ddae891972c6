import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// The tokenizer against the model's own (Hugging Face `tokenizers` with the
/// model's tokenizer.json): the golden batch, and edge cases whose expected ids
/// were produced by `tokenizers` 0.22 from the same file.
final class WordPieceTests: XCTestCase {
    /// The model in `models/`, or an error naming `scripts/test`.
    static var modelDir: String { get throws { try Golden.miniLM() } }
    static let goldenDir = Golden.path("minilm")

    func tokenizer() throws -> WordPieceTokenizer {
        WordPieceTokenizer(vocabulary: try WordPieceVocabulary(path: Self.modelDir + "/vocab.txt"))
    }

    func testGoldenBatchIDsAndMasks() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.goldenDir + "/tokens.json"))
        let golden = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sentences = try XCTUnwrap(golden["sentences"] as? [String])
        let maxLength = try XCTUnwrap(golden["max_length"] as? Int)
        func ints(_ key: String) throws -> [Int32] {
            let t = try XCTUnwrap(golden[key] as? [String: Any])
            return try XCTUnwrap(t["data"] as? [Int]).map(Int32.init)
        }
        let batch = try tokenizer().encodeBatch(sentences, maxLength: maxLength)
        XCTAssertEqual(batch.length, golden["padded_length"] as? Int)
        XCTAssertEqual(batch.lengths, golden["lengths"] as? [Int])
        XCTAssertEqual(batch.ids, try ints("input_ids"))
        XCTAssertEqual(batch.mask, try ints("attention_mask"))
        // Token strings too: the ids' vocabulary entries.
        let tokens = try XCTUnwrap(golden["tokens"] as? [[String]])
        let vocab = try tokenizer().vocabulary
        for (row, expected) in tokens.enumerated() {
            let got = batch.ids[(row * batch.length)..<((row + 1) * batch.length)].map { vocab.tokens[Int($0)] }
            XCTAssertEqual(got, expected, "sentence \(row)")
        }
    }

    func testEdgeCasesMatchHuggingFace() throws {
        let cases: [(String, [Int32])] = [
            ("Café naïve résumé ÉCOLE", [101, 7668, 15743, 13746, 12431, 102]),
            ("我爱北京天安门 and 東京", [101, 1855, 100, 1781, 1755, 1811, 1820, 100, 1998, 1879, 1755, 102]),
            ("tab\there\u{a0}nbsp\u{2028}sep", [101, 21628, 2182, 1050, 5910, 2361, 19802, 102]),
            ("ctrl\u{7}char\u{200b}zero", [101, 14931, 12190, 7507, 15378, 10624, 102]),
            ("$100 + 5% = ^_^ `code` ~x~", [101, 1002, 2531, 1009, 1019, 1003, 1027, 1034, 1035, 1034, 1036, 3642, 1036, 1066, 1060, 1066, 102]),
            ("supercalifragilisticexpialidocious", [101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 102]),
            (String(repeating: "a", count: 120), [101, 100, 102]),
            ("Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", [101, 100, 100, 102]),
            ("emoji 🙂 here", [101, 7861, 29147, 2072, 100, 2182, 102]),
            ("Ünïcödé—dash…ellipsis «quotes»", [101, 27260, 1517, 11454, 1529, 3449, 15000, 6190, 1077, 16614, 1090, 102]),
            ("don't stop-believing", [101, 2123, 1005, 1056, 2644, 1011, 8929, 102]),
            ("x\u{301}y", [101, 1060, 2100, 102]),
        ]
        let tok = try tokenizer()
        for (text, expected) in cases {
            XCTAssertEqual(tok.encode(text, maxLength: 512), expected, text)
        }
    }

    /// Every text lands in exactly one batch, in the same row as its own encoding; batches
    /// run longest first, each padded to its first member, within the size and token budget.
    func testLengthSortedBatchesCoverEveryTextOnce() throws {
        let tokenizer = try tokenizer()
        let texts = ["a cat", "the quick brown fox jumps over the lazy dog", "", "dog", "a cat", "unbelievable things happen",
                     "one two three four five six", "x"]
        let batches = tokenizer.lengthSortedBatches(texts, maxLength: 8, batchSize: 3, tokenBudget: 20)
        var seen: [Int] = []
        var previous = Int.max
        for (rows, batch) in batches {
            XCTAssertLessThanOrEqual(rows.count, 3)
            XCTAssertLessThanOrEqual(rows.count * batch.length, max(20, batch.length))
            XCTAssertLessThanOrEqual(batch.length, previous)
            previous = batch.length
            for (row, i) in rows.enumerated() {
                let own = tokenizer.encode(texts[i], maxLength: 8)
                XCTAssertEqual(Array(batch.ids[(row * batch.length)..<(row * batch.length + own.count)]), own)
                XCTAssertEqual(batch.lengths[row], own.count)
                XCTAssertEqual(batch.mask[(row * batch.length)..<((row + 1) * batch.length)].reduce(0, +), Int32(own.count))
            }
            XCTAssertEqual(batch.length, rows.map { tokenizer.encode(texts[$0], maxLength: 8).count }.max())
            seen += rows
        }
        XCTAssertEqual(seen.sorted(), Array(texts.indices))
        // Equal lengths keep input order (the duplicate "a cat" at 0 and 4).
        XCTAssertLessThan(seen.firstIndex(of: 0)!, seen.firstIndex(of: 4)!)
    }

    func testTruncationKeepsSpecialTokens() throws {
        let ids = try tokenizer().encode("one two three four five six", maxLength: 4)
        XCTAssertEqual(ids, [101, 2028, 2048, 102])
    }

    func testVocabularyWithoutUnknownIsAnErrorNamingTheFile() {
        XCTAssertThrowsError(try WordPieceVocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "a"], path: "m/vocab.txt")) { error in
            XCTAssertTrue("\(error)".contains("m/vocab.txt"))
            XCTAssertTrue("\(error)".contains("[UNK]"))
        }
    }
}
