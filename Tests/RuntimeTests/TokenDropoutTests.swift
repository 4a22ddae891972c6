import Foundation
import Plan
import Runtime
import Support
import XCTest

/// `token_dropout(p)` on a token batch (`Augmenter.apply(_:to:vocabulary:generator:)`):
/// `[CLS]`, `[SEP]` and padding never change, every other token becomes `[MASK]` (or
/// `[UNK]` without one) at rate p, one draw per such token in row order.
final class TokenDropoutTests: XCTestCase {
    static let words = (0..<20).map { "w\($0)" }

    func tokenizer(mask: Bool) throws -> WordPieceTokenizer {
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + (mask ? ["[MASK]"] : [])
        return WordPieceTokenizer(vocabulary: try WordPieceVocabulary(tokens: specials + Self.words))
    }

    /// `rows` texts of 0 to 30 words (so rows are padded), from a fixed generator.
    func texts(_ rows: Int) -> [String] {
        var g = SeededGenerator(seed: 1)
        return (0..<rows).map { _ in (0..<g.nextInt(below: 31)).map { _ in Self.words[g.nextInt(below: Self.words.count)] }.joined(separator: " ") }
    }

    func dropped(_ batch: TokenBatch, p: Double, vocabulary: WordPieceVocabulary, seed: UInt64) -> TokenBatch {
        var out = batch
        var g = SeededGenerator(seed: seed)
        Augmenter.apply(.tokenDropout(p: p), to: &out, vocabulary: vocabulary, generator: &g)
        return out
    }

    func testSpecialTokensAndPaddingNeverChangeAndTheRateIsP() throws {
        let t = try tokenizer(mask: true), v = t.vocabulary
        let batch = t.encodeBatch(texts(400), maxLength: 32)
        let p = 0.3
        let out = dropped(batch, p: p, vocabulary: v, seed: 7)
        XCTAssertEqual(out.mask, batch.mask, "tokens are replaced, not removed")
        XCTAssertEqual(out.lengths, batch.lengths)
        var eligible = 0, replaced = 0
        for (before, after) in zip(batch.ids, out.ids) {
            if [v.classID, v.separatorID, v.paddingID].contains(before) {
                XCTAssertEqual(after, before, "a special token changed")
                continue
            }
            eligible += 1
            if after != before {
                XCTAssertEqual(after, v.maskID, "a replaced token is [MASK]")
                replaced += 1
            }
        }
        // Binomial(n, p): within 4 standard deviations.
        XCTAssertGreaterThan(eligible, 5000)
        let rate = Double(replaced) / Double(eligible), sd = (p * (1 - p) / Double(eligible)).squareRoot()
        XCTAssertLessThan(abs(rate - p), 4 * sd, "rate \(rate) over \(eligible) tokens")
    }

    /// The rule, followed by hand: each non-special token in row order takes one draw `u`, and `u < p` replaces it.
    func testOneDrawPerNonSpecialTokenInRowOrder() throws {
        let t = try tokenizer(mask: true), v = t.vocabulary
        let batch = t.encodeBatch(texts(20), maxLength: 32)
        let out = dropped(batch, p: 0.4, vocabulary: v, seed: 11)
        var g = SeededGenerator(seed: 11)
        var expected = batch.ids
        for i in 0..<batch.count {
            for j in 1..<(batch.lengths[i] - 1) where g.nextDouble() < 0.4 { expected[i * batch.length + j] = v.maskID! }
        }
        XCTAssertEqual(out.ids, expected)
        XCTAssertNotEqual(out.ids, batch.ids)
        XCTAssertEqual(dropped(batch, p: 0.4, vocabulary: v, seed: 11).ids, out.ids, "the same generator state gives the same tokens")
        XCTAssertNotEqual(dropped(batch, p: 0.4, vocabulary: v, seed: 12).ids, out.ids)
    }

    /// `ftx check` rejects augmentations that cannot act on the data; a spec that reaches
    /// the trainer anyway fails the trial instead of training with the augmentation ignored.
    func testTheTrainerRefusesAugmentationsItCannotApply() throws {
        let dir = TrainerFixtures.temporaryDirectory("augment")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = TrainerFixtures.syntheticCSV(in: dir, rows: 20)
        for (augment, says) in [([Augmentation.tokenDropout(p: 0.1)], "replaces tokens"),
                                ([.randomSwap(alpha: 0.1)], "rewrites texts, but the model reads numeric features"),
                                ([.mixup(alpha: 0.2), .mixup(alpha: 0.4)], "`mixup` is given more than once")] {
            var spec = TrainerFixtures.syntheticSpec(csv: csv, epochs: 1)
            spec.data.augment = augment
            XCTAssertThrowsError(try Trainer(spec: spec, key: "k", store: try TaskStore(root: dir + "/store")).run()) {
                XCTAssertTrue("\($0)".contains(says), "\($0)")
            }
        }
    }

    func testWithoutMaskTokensBecomeUnknown() throws {
        let t = try tokenizer(mask: false), v = t.vocabulary
        XCTAssertNil(v.maskID)
        let batch = t.encodeBatch(texts(50), maxLength: 32)
        let out = dropped(batch, p: 0.5, vocabulary: v, seed: 3)
        let changed = zip(batch.ids, out.ids).filter { $0 != $1 }
        XCTAssertFalse(changed.isEmpty)
        XCTAssertTrue(changed.allSatisfy { $0.1 == v.unknownID }, "replaced by [UNK]")
    }
}
