import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// The text augmentations (issue 22) in `check` and `plan`: their tables are read with
/// the runtime's reader and bad ones are errors naming the file and line; a paraphrase
/// table's coverage is noted; numeric data is rejected; p = 0 is the identity, whose
/// trial is the un-augmented one (same key); a frozen encoder with text augmentation
/// gets a note that its features are no longer hoisted.
final class TextAugmentCheckTests: XCTestCase {
    /// glosses-minilm.ftx with `augment` on its data.
    private func glosses(_ augment: String) throws -> String {
        try PlanSandbox.example("glosses-minilm").replacingOccurrences(
            of: "  split = stratified(train: 0.8, valid: 0.1, test: 0.1, seed: 0)\n}",
            with: "  split = stratified(train: 0.8, valid: 0.1, test: 0.1, seed: 0)\n  augment = [\(augment)]\n}")
    }

    private func check(_ sandbox: PlanSandbox, _ text: String) throws -> FileCheck {
        let path = try sandbox.write(text, as: "experiments/glosses.ftx")
        return try checkFile(path: path).get()
    }

    private func codes(_ check: FileCheck) -> [String] { check.diagnostics.map(\.code.rawValue) }

    func testBadTablesAreErrorsNamingFileAndLine() throws {
        let sandbox = try PlanSandbox()
        let cases: [(file: String, contents: String, call: String, code: String, says: String)] = [
            ("s.csv", "word,synonyms\ncat,kitty\n", #"synonyms(0.1, source: "../data/s.csv")"#, "E0204", "the header has no column `synonym`"),
            ("s.csv", "word,synonym\ncat,kitty\ndog,\n", #"synonyms(0.1, source: "../data/s.csv")"#, "E0204", "line 3 of \"../data/s.csv\": the `synonym` cell is empty"),
            ("s.csv", "word,synonym\nice cream,gelato\n", #"random_insertion(0.1, source: "../data/s.csv")"#, "E0204", "line 2 of \"../data/s.csv\": the word `ice cream` is not one word"),
            ("s.csv", "word,synonym\ncat,\"kitty\n", #"synonyms(0.1, source: "../data/s.csv")"#, "E0204", "line 2"),
            ("s.csv", "word,synonym\n", #"synonyms(0.1, source: "../data/s.csv")"#, "E0205", "has no rows"),
            ("p.csv", "text,para\na,b\n", #"paraphrases("../data/p.csv", p: 0.5)"#, "E0204", "the header has no column `paraphrase`"),
            ("p.csv", "", #"paraphrases("../data/p.csv", p: 0.5)"#, "E0204", "the file is empty"),
        ]
        for c in cases {
            try Data(c.contents.utf8).write(to: sandbox.data.appendingPathComponent(c.file))
            let result = try check(sandbox, try glosses(c.call))
            let d = try XCTUnwrap(result.diagnostics.first { $0.code.rawValue == c.code }, "\(c.call) with \(c.contents.debugDescription): \(codes(result))")
            XCTAssertTrue(d.message.contains(c.says), d.message)
            XCTAssertFalse(d.help.isEmpty)
        }
        let missing = try check(sandbox, try glosses(#"synonyms(0.1, source: "../data/none.csv")"#))
        XCTAssertTrue(missing.diagnostics.contains { $0.message.contains("synonym table \"../data/none.csv\" does not exist") }, "\(missing.diagnostics)")
    }

    func testParaphraseCoverageIsNotedAndNoCoverageWarned() throws {
        let sandbox = try PlanSandbox()
        let texts = try String(contentsOf: sandbox.data.appendingPathComponent("wordnet-glosses.csv"), encoding: .utf8)
        let rows = try CSVRows.texts(texts)
        var table = "text,paraphrase\n"
        for t in rows.prefix(3) { table += "\"\(t.replacingOccurrences(of: "\"", with: "\"\""))\",a paraphrase\n" }
        table += "\"\(rows[0])\",another paraphrase\nnot a text of the data,whatever\n"
        try Data(table.utf8).write(to: sandbox.data.appendingPathComponent("p.csv"))
        let result = try check(sandbox, try glosses(#"paraphrases("../data/p.csv", p: 0.5)"#))
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics)")
        let note = try XCTUnwrap(result.diagnostics.first { $0.code == .paraphraseCoverage })
        XCTAssertEqual(note.severity, .note)
        XCTAssertTrue(note.message.contains("has paraphrases for 3 of the \(rows.count) texts of data `glosses`"), note.message)

        try Data("text,paraphrase\nnothing here,nor here\n".utf8).write(to: sandbox.data.appendingPathComponent("p.csv"))
        let none = try check(sandbox, try glosses(#"paraphrases("../data/p.csv", p: 0.5)"#))
        XCTAssertEqual(none.diagnostics.first { $0.code == .paraphrasesCoverNothing }?.severity, .warning)
    }

    func testTextAugmentationOnNumericDataIsRejected() throws {
        let sandbox = try PlanSandbox()
        let text = try PlanSandbox.example("digits-transfer").replacingOccurrences(of: "  normalize = scale(1 / 16)", with: "  normalize = scale(1 / 16)\n  augment = [random_swap(0.1)]")
        let result = try check(sandbox, text)
        XCTAssertTrue(result.diagnostics.contains { $0.message.contains("`random_swap` rewrites texts, but data `digits` has no `text` column") }, "\(result.diagnostics)")
    }

    func testZeroIsTheIdentityWithTheUnaugmentedKey() throws {
        let sandbox = try PlanSandbox()
        func finetuneKey(_ text: String) throws -> String {
            let path = try sandbox.write(text, as: "experiments/glosses.ftx")
            return try XCTUnwrap(try makePlan(path).graph.trials.first { $0.stage == "finetune" }?.id)
        }
        let plain = try finetuneKey(try PlanSandbox.example("glosses-minilm"))
        for zero in ["synonyms(0)", "random_insertion(0)", "random_swap(0.0)", "random_deletion(0)", "synonyms(p: 0), random_swap(0)"] {
            XCTAssertEqual(try finetuneKey(try glosses(zero)), plain, "\(zero) is the stage without augmentation")
        }
        let keys = try ["synonyms(0.1)", "synonyms(0.2)", "random_insertion(0.1)", "random_swap(0.1)", "random_deletion(0.1)",
                        "synonyms(0.1), random_swap(0.1)", "random_swap(0.1), synonyms(0.1)"].map { try finetuneKey(try glosses($0)) }
        XCTAssertEqual(Set(keys + [plain]).count, keys.count + 1, "every other setting is its own trial (order included)")
    }

    func testAFrozenEncoderWithTextAugmentationIsNotedAndNotHoisted() throws {
        let sandbox = try PlanSandbox()
        let path = try sandbox.write(try glosses("synonyms(0.1)"), as: "experiments/glosses.ftx")
        let plan = try makePlan(path)
        XCTAssertTrue(plan.graph.tasks.allSatisfy { $0.kind != .features }, "the probe's encoder input changes per epoch: no hoisted features")
        let notes = plan.warnings.filter { $0.code == .featuresNotHoisted }
        XCTAssertEqual(notes.count, 1, "one note, on the probe (the fine-tune trains its encoder)")
        XCTAssertEqual(notes.first?.severity, .note)
        XCTAssertTrue(notes.first?.message.contains("stage `probe` freezes its encoder, but `synonyms` changes") == true, "\(notes)")
        let plain = try makePlan(try sandbox.write(try PlanSandbox.example("glosses-minilm"), as: "experiments/plain.ftx"))
        XCTAssertTrue(plain.warnings.allSatisfy { $0.code != .featuresNotHoisted })
    }

    func testTheSynonymSweepExampleSharesItsZeroTrialWithGlossesMiniLM() throws {
        let sandbox = try PlanSandbox()
        let sweep = try makePlan(try sandbox.write(try PlanSandbox.example("glosses-synonyms"), as: "experiments/glosses-synonyms.ftx"))
        let plain = try makePlan(try sandbox.write(try PlanSandbox.example("glosses-minilm"), as: "experiments/glosses-minilm.ftx"))
        let finetune = sweep.graph.trials.filter { $0.stage == "finetune" }
        XCTAssertEqual(finetune.count, 3)
        XCTAssertEqual(finetune.first?.id, plain.graph.trials.first { $0.stage == "finetune" }?.id, "p = 0 is glosses-minilm's fine-tune")
    }
}

/// The `text` column of wordnet-glosses.csv, read with the one CSV parser.
enum CSVRows {
    static func texts(_ csv: String) throws -> [String] {
        var bytes = Array(csv.utf8)
        let records = try bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
        let header = try XCTUnwrap(records.header)
        let column = try XCTUnwrap(header.firstIndex(of: "text"))
        return (0..<records.rowLines.count).map { row in
            let k = 2 * (row * header.count + column)
            return String(decoding: bytes[Int(records.spans[k])..<Int(records.spans[k + 1])], as: UTF8.self)
        }
    }
}
