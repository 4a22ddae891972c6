import Foundation
import TestFixtures
import XCTest

/// `ftx augment FILE --stage S --show N`: training texts next to what the stage's text
/// augmentation makes of them, drawn as `run` draws them.
final class AugmentCommandTests: XCTestCase {
    /// The colour texts and a tiny BERT; `augment` on data `texts`, data `plain` without.
    func experiment(_ w: Workspace, augment: String) throws -> String {
        _ = try ColourBertFolder.write(in: w.url.path)
        try "word,synonym\nbig,small\nsmall,big\ncat,dog\ndog,fish\nfish,cat\nred,green\n".write(toFile: w.url.path + "/synonyms.csv", atomically: true, encoding: .utf8)
        return try w.write("augment.ftx", ExperimentText.file([
            ExperimentText.header("augment"),
            ExperimentText.texts(split: "random(train: 0.75, valid: 0.25, seed: 0)", extra: ["augment = [\(augment)]"]),
            ExperimentText.texts("plain", split: "random(train: 0.75, valid: 0.25, seed: 0)"),
            """
            model tiny {
              pretrained = bert("../tiny-bert")
              tokenizer = wordpiece(max_length: 16)
              head = dense(3)
            }
            """,
            ExperimentText.stage("s", ["model = tiny", "data = texts", "optimizer = adam(lr: 1e-2)"], schedule: ["epochs = 2", "batch_size = 8"]),
            ExperimentText.stage("p", ["model = tiny", "data = plain", "optimizer = adam(lr: 1e-2)"], schedule: ["epochs = 1"]),
        ]))
    }

    /// The (original, augmented) pairs of the output.
    func pairs(_ out: String) -> [(String, String)] {
        let lines = out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var result: [(String, String)] = []
        for (i, line) in lines.enumerated() where line.hasPrefix("original:") && i + 1 < lines.count {
            let augmented = lines[i + 1].replacingOccurrences(of: "  (unchanged)", with: "")
            result.append((String(line.dropFirst("original:".count)).trimmingCharacters(in: .whitespaces),
                           String(augmented.dropFirst("augmented:".count)).trimmingCharacters(in: .whitespaces)))
        }
        return result
    }

    func testShowsTrainingTextsNextToTheirAugmentedForm() throws {
        let w = try Workspace()
        let file = try experiment(w, augment: #"synonyms(1, source: "../synonyms.csv")"#)
        let r = ftx(["augment", file, "--stage", "s", "--show", "4"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("augment: synonyms(1, source: \""), r.out)
        XCTAssertTrue(r.out.contains("seed 0, epoch 1 of 2"), r.out)
        // p = 1 with one synonym per word: every listed word is replaced, by hand: big→small, cat→dog, red→green, ….
        let map = ["big": "small", "small": "big", "cat": "dog", "dog": "fish", "fish": "cat", "red": "green"]
        let shown = pairs(r.out)
        XCTAssertEqual(shown.count, 4, r.out)
        for (original, augmented) in shown {
            XCTAssertEqual(augmented, original.split(separator: " ").map { map[String($0)] ?? String($0) }.joined(separator: " "), r.out)
        }
        XCTAssertTrue(r.out.contains("45 of the 45 training texts change in this epoch"), r.out)
        // Same command, same texts; `--seed` and `--epoch` are accepted (with p = 1 the texts do not depend on them).
        XCTAssertEqual(ftx(["augment", file, "--stage", "s", "--show", "4"]).out, r.out)
        XCTAssertEqual(ftx(["augment", file, "--stage", "s", "--show", "4", "--seed", "3", "--epoch", "2"]).status, 0)
    }

    func testRandomOperationsDependOnSeedAndEpoch() throws {
        let w = try Workspace()
        let file = try experiment(w, augment: "random_swap(0.5)")
        let a = ftx(["augment", file, "--stage", "s", "--show", "20"]), b = ftx(["augment", file, "--stage", "s", "--show", "20", "--epoch", "2"])
        let c = ftx(["augment", file, "--stage", "s", "--show", "20", "--seed", "1"])
        XCTAssertEqual(a.status, 0, a.err)
        XCTAssertNotEqual(pairs(a.out).map(\.1), pairs(b.out).map(\.1), "epochs draw anew")
        XCTAssertNotEqual(pairs(a.out).map(\.1), pairs(c.out).map(\.1), "seeds draw anew")
        for (original, augmented) in pairs(a.out) {
            XCTAssertEqual(original.split(separator: " ").sorted(), augmented.split(separator: " ").sorted(), "a swap keeps the words")
        }
    }

    func testUnknownStageAndStagesWithoutTextAugmentationAreErrors() throws {
        let w = try Workspace()
        let file = try experiment(w, augment: "random_swap(0.5)")
        let unknown = ftx(["augment", file, "--stage", "ss"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.err.contains("no stage `ss`") && unknown.err.contains("did you mean `s`?"), unknown.err)
        let plain = ftx(["augment", file, "--stage", "p"])
        XCTAssertEqual(plain.status, 1)
        XCTAssertTrue(plain.err.contains("stage `p` has no text augmentation"), plain.err)
        XCTAssertEqual(ftx(["augment", file]).status, 64, "--stage is required")
    }
}
