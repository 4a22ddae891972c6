import Foundation
import Plan
import Runtime
import Support
import XCTest

/// The text augmentations (`TextAugmenter`): EDA's synonym replacement, random insertion,
/// random swap and random deletion (Wei & Zou 2019) and paraphrase tables, each on fixed
/// texts and a fixed generator. Every expected text is written out literally; the draws
/// that lead to it are replayed step by step from a copy of the generator, following the
/// documented rule (`TextAugmenter.apply`), so a reader can check each one by hand.
final class TextAugmenterTests: XCTestCase {
    /// A small table: `big` has two synonyms, `red` and `cat` one each, `sat` none.
    let table = SynonymTable(entries: ["big": ["large", "huge"], "red": ["scarlet"], "cat": ["kitten"], "the": ["da"]])

    private func apply(_ op: Augmentation, _ text: String, seed: UInt64, paraphrases: [String: [String]]? = nil) -> String {
        var g = SeededGenerator(seed: seed)
        return TextAugmenter.apply(op, to: text, synonyms: table, paraphrases: paraphrases, generator: &g)
    }

    // MARK: synonyms

    func testSynonymsDrawOncePerEligibleWordAndKeepCaseAndPunctuation() {
        let text = "The BIG Red cat sat, big-eyed."
        // Eligible: BIG (upper), Red (title), cat (lower). Not: The (a stop word, though the table lists it),
        // sat (no synonyms), big-eyed (its core `big-eyed` is not in the table).
        var h = SeededGenerator(seed: 3)
        var expected = ["The", "BIG", "Red", "cat", "sat,", "big-eyed."]
        let p = 0.6
        let options: [(Int, [String])] = [(1, ["LARGE", "HUGE"]), (2, ["Scarlet"]), (3, ["kitten"])]
        var trace: [String] = []
        for (i, cased) in options {
            let u = h.nextDouble()
            if u < p {
                let k = h.nextInt(below: cased.count)
                expected[i] = cased[k]
                trace.append("\(expected[i]) (u=\(u), k=\(k))")
            } else {
                trace.append("kept (u=\(u))")
            }
        }
        let out = apply(.synonyms(p: p, source: .wordnet), text, seed: 3)
        XCTAssertEqual(out, expected.joined(separator: " "), trace.joined(separator: "; "))
        // The draws: BIG u = 0.6906 ≥ 0.6 kept; Red u = 0.6406 kept; cat u = 0.2183 < 0.6, synonym 0 of 1.
        XCTAssertEqual(out, "The BIG Red kitten sat, big-eyed.", trace.joined(separator: "; "))
    }

    func testSynonymsWithPOneReplaceEveryEligibleWordAndLeaveTheRest() {
        let out = apply(.synonyms(p: 1, source: .wordnet), "a red cat, the Red CAT and iPhone", seed: 9)
        // Mixed case (`iPhone`) and stop words (`a`, `the`, `and`) stay; every other listed word changes.
        XCTAssertEqual(out, "a scarlet kitten, the Scarlet KITTEN and iPhone")
    }

    func testTextsWithoutEligibleWordsAreUnchangedAndDrawNothing() {
        var g = SeededGenerator(seed: 1)
        let before = g
        XCTAssertEqual(TextAugmenter.apply(.synonyms(p: 0.9, source: .wordnet), to: "it is what it is", synonyms: table, paraphrases: nil, generator: &g),
                       "it is what it is")
        var a = g, b = before
        XCTAssertEqual(a.next(), b.next(), "no eligible word, no draw")
    }

    // MARK: random insertion

    func testRandomInsertionInsertsCeilAlphaLSynonymsOfEligibleWords() {
        let text = "the big cat sat"  // l = 4, α = 0.5: n = ⌈2⌉ = 2 insertions
        var h = SeededGenerator(seed: 11)
        var words = ["the", "big", "cat", "sat"]
        for _ in 0..<2 {
            let eligible = words.indices.filter { ["big", "cat", "large", "huge", "kitten"].contains(words[$0]) && table.entries[words[$0]] != nil }
            let chosen = words[eligible[h.nextInt(below: eligible.count)]]
            let synonyms = table.entries[chosen]!
            let synonym = synonyms[h.nextInt(below: synonyms.count)]
            words.insert(synonym, at: h.nextInt(below: words.count + 1))
        }
        let out = apply(.randomInsertion(alpha: 0.5, source: .wordnet), text, seed: 11)
        XCTAssertEqual(out, words.joined(separator: " "))
        XCTAssertEqual(out.split(separator: " ").count, 6)
        XCTAssertEqual(out, "the large large big cat sat")
        // α·l just above a whole number in floating point: 0.1·30 is 3.0000000000000004, n is 3.
        let thirty = Array(repeating: "cat", count: 30).joined(separator: " ")
        XCTAssertEqual(apply(.randomInsertion(alpha: 0.1, source: .wordnet), thirty, seed: 0).split(separator: " ").count, 33)
        XCTAssertEqual(apply(.randomInsertion(alpha: 0.1, source: .wordnet), "it is so", seed: 0), "it is so", "no eligible word: nothing inserted")
    }

    // MARK: random swap

    func testRandomSwapSwapsTwoDifferentWordsCeilAlphaLTimes() {
        let text = "one two three four five"  // l = 5, α = 0.3: n = ⌈1.5⌉ = 2 swaps
        var h = SeededGenerator(seed: 5)
        var words = text.split(separator: " ").map(String.init)
        for _ in 0..<2 {
            let i = h.nextInt(below: 5)
            var j = h.nextInt(below: 4)
            if j >= i { j += 1 }
            words.swapAt(i, j)
        }
        let out = apply(.randomSwap(alpha: 0.3), text, seed: 5)
        XCTAssertEqual(out, words.joined(separator: " "))
        XCTAssertEqual(out, "one four three five two")
        XCTAssertEqual(apply(.randomSwap(alpha: 1), "alone", seed: 5), "alone", "one word: nothing to swap")
    }

    // MARK: random deletion

    func testRandomDeletionDeletesEachWordWithPAndNeverAll() {
        let text = "one two three four five"
        var h = SeededGenerator(seed: 2)
        let kept = text.split(separator: " ").filter { _ in h.nextDouble() >= 0.5 }
        let out = apply(.randomDeletion(p: 0.5), text, seed: 2)
        XCTAssertEqual(out, kept.joined(separator: " "))
        XCTAssertEqual(out, "two four five")
        // p = 1 deletes every word: one word, drawn uniformly after the five deletion draws, stays.
        var h1 = SeededGenerator(seed: 2)
        for _ in 0..<5 { _ = h1.nextDouble() }
        let survivor = ["one", "two", "three", "four", "five"][h1.nextInt(below: 5)]
        XCTAssertEqual(apply(.randomDeletion(p: 1), text, seed: 2), survivor)
        XCTAssertEqual(apply(.randomDeletion(p: 1), "alone", seed: 2), "alone", "a one-word text is left alone")
    }

    // MARK: paraphrases

    func testParaphrasesReplaceCoveredTextsWithProbabilityP() {
        let table = ["a red cat": ["a scarlet cat", "a cat that is red"]]
        var h = SeededGenerator(seed: 4)
        let u = h.nextDouble()
        let expected = u < 0.7 ? table["a red cat"]![h.nextInt(below: 2)] : "a red cat"
        XCTAssertEqual(apply(.paraphrases(path: "t.csv", p: 0.7), "a red cat", seed: 4, paraphrases: table), expected)
        XCTAssertEqual(apply(.paraphrases(path: "t.csv", p: 1), "a blue dog", seed: 4, paraphrases: table), "a blue dog", "texts without a row stay")
        // Over many rows, p is the share replaced.
        var replaced = 0
        for seed in 0..<2000 where apply(.paraphrases(path: "t.csv", p: 0.3), "a red cat", seed: UInt64(seed), paraphrases: table) != "a red cat" { replaced += 1 }
        XCTAssertEqual(Double(replaced) / 2000, 0.3, accuracy: 0.03)
    }

    // MARK: Seeding, tables

    func testATextIsAFunctionOfSeedEpochAndRowOnly() throws {
        let augmenter = try XCTUnwrap(try TextAugmenter(augment: [.synonyms(p: 0.5, source: .wordnet), .randomSwap(alpha: 0.2)], seed: 7))
        let text = "the quick brown fox jumps over the lazy dog near the quiet river bank"
        let a = augmenter.augment(text, epoch: 1, row: 3)
        XCTAssertEqual(a, augmenter.augment(text, epoch: 1, row: 3), "same seed, epoch and row: same text")
        let again = try XCTUnwrap(try TextAugmenter(augment: [.synonyms(p: 0.5, source: .wordnet), .randomSwap(alpha: 0.2)], seed: 7))
        XCTAssertEqual(a, again.augment(text, epoch: 1, row: 3), "a new augmenter (a resumed run) draws the same")
        let variants = Set((0..<6).map { augmenter.augment(text, epoch: $0, row: 3) } + (0..<6).map { augmenter.augment(text, epoch: 1, row: $0) })
        XCTAssertGreaterThan(variants.count, 6, "epochs and rows draw differently")
        XCTAssertNil(try TextAugmenter(augment: [.tokenDropout(p: 0.1)], seed: 0), "no text operation, no augmenter")
    }

    func testTheBuiltInTableIsTheOneTrialsAreKeyedBy() {
        XCTAssertEqual(WordNetSynonyms.digest, SynonymSource.wordnetDigest, "run scripts/build-synonyms: it writes both")
        let entries = WordNetSynonyms.entries
        XCTAssertGreaterThan(entries.count, 30_000)
        XCTAssertEqual(entries["car"].map(Set.init), Set(["auto", "automobile", "gondola", "machine", "motorcar", "railcar"]))
        XCTAssertTrue(entries.values.allSatisfy { $0.allSatisfy { $0.allSatisfy { ("a"..."z").contains($0) } } }, "single lower-case words only")
    }

    func testAUserTableIsReadOneWayWithLowerCasedWords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-synonyms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.csv").path
        try "word,synonym,note\nCat,kitty,x\ncat,feline,\ncat,kitty,dup\n".write(toFile: path, atomically: true, encoding: .utf8)
        let table = try SynonymTable.load(.file(path))
        XCTAssertEqual(table.entries, ["cat": ["kitty", "feline"]])
        var g = SeededGenerator(seed: 0)
        let out = TextAugmenter.apply(.synonyms(p: 1, source: .file(path)), to: "Cat kitty", synonyms: table, paraphrases: nil, generator: &g)
        XCTAssertTrue(["Kitty kitty", "Feline kitty"].contains(out), "`Cat` matches `cat` and keeps its case; `kitty` has no row: \(out)")
    }
}
