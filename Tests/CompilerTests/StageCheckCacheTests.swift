import Compiler
import DSL
import Foundation
import Support
import XCTest

/// Issue 19 (latency): a check that reuses the previous check's stages through a
/// `StageCheckCache` (as `ftx lsp` does on every edit) reports exactly what a full check of
/// the same text reports, and resolves the same experiment, after each of a seeded sequence
/// of edits: numbers changed in place and lengthened, lines deleted, duplicated and
/// inserted (errors, comments, allowances), `init` pointed elsewhere (cycles included),
/// stages renamed, braces dropped, the data and model changed under the stages.
final class StageCheckCacheTests: XCTestCase {
    /// The benchmark's experiment (bench/gen_large_ftx.py) with `stages` stages.
    static func largeExperiment(stages: Int) -> String {
        // The text bench/gen_large_ftx.py writes for C1 (one template for both).
        let template = (try? String(contentsOfFile: TestPaths.root + "/Tests/Fixtures/large-experiment.template", encoding: .utf8)) ?? ""
        let parts = template.components(separatedBy: "\n@@ stage:")
        precondition(parts.count == 2, "Tests/Fixtures/large-experiment.template has no `@@ stage:` line")
        var text = parts[0].replacingOccurrences(of: "@DATA@", with: "../data/digits.csv") + "\n"
        let stage = String(parts[1].drop { $0 != "\n" }.dropFirst())  // the marker line's explanation
        for i in 0..<stages {
            text += stage.replacingOccurrences(of: "@INIT@", with: i > 0 ? "  init = best(s\(i - 1))\n" : "")
                .replacingOccurrences(of: "@I@", with: "\(i)").replacingOccurrences(of: "@CUT@", with: "\(i % 5)")
                .replacingOccurrences(of: "@LR@", with: "\(i % 9 + 1)e-4").replacingOccurrences(of: "@EPOCHS@", with: "\(2 + i % 5)")
        }
        return text
    }

    /// One seeded edit of `text`'s lines.
    static func edit(_ text: String, _ rng: inout SeededGenerator) -> String {
        var lines = text.components(separatedBy: "\n")
        let i = Int.random(in: 0..<lines.count, using: &rng)
        func replaceFirst(_ pattern: String, _ with: String) {
            guard let at = lines.indices.shuffled(using: &rng).first(where: { lines[$0].contains(pattern) }) else { return }
            lines[at] = lines[at].replacingOccurrences(of: pattern, with: with)
        }
        switch Int.random(in: 0..<14, using: &rng) {
        case 0:  // a digit in place (the benchmark's edit)
            if let at = lines[i].firstIndex(where: \.isNumber) { lines[i].replaceSubrange(at...at, with: String(Int.random(in: 0...9, using: &rng))) }
        case 1: lines[i] = lines[i].replacingOccurrences(of: "2", with: "12")
        case 2: lines.remove(at: i)
        case 3: lines.insert(lines[i], at: i)
        case 4: lines.insert("  batch_sise = 8", at: i)
        case 5: lines.insert("# a comment", at: i)
        case 6: lines.insert("  # ftx: allow(W0304, W0305)", at: i)
        case 7:  // `init` elsewhere: earlier, later (a cycle), or nowhere
            replaceFirst("best(s\(Int.random(in: 0..<30, using: &rng)))", "best(s\(Int.random(in: 0..<30, using: &rng)))")
        case 8: replaceFirst("stage s\(Int.random(in: 0..<30, using: &rng)) {", "stage renamed\(Int.random(in: 0..<3, using: &rng)) {")
        case 9: if lines[i].trimmingCharacters(in: .whitespaces) == "}" || i + 1 == lines.count { lines.remove(at: i) } else { replaceFirst("  }", "") }
        case 10: replaceFirst("[16, 32]", "[4096, 8192]")  // batches larger than the training split: a lint in every trial
        case 11: replaceFirst("input = 64", "input = \(Int.random(in: 63...65, using: &rng))")
        case 12: replaceFirst("label = \"label\"", Bool.random(using: &rng) ? "label = \"lable\"" : "label = \"label\"")
        default: lines.insert("stage extra\(i) {\n  model = mlp\n  data = digits\n  schedule { epochs = 1 }\n}", at: i)
        }
        return lines.joined(separator: "\n")
    }

    static func dumped(_ experiment: CheckedExperiment) -> String {
        var out = ""
        dump(experiment, to: &out)
        return out
    }

    /// Checks `text` after each of `count` edits, with one cache throughout, against a check without it.
    func assertSameAsFullCheck(path: String, text: String, edits count: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededGenerator(seed: seed)
        let cache = StageCheckCache(), dataCache = DataFileCache()
        let original = text
        var text = text
        for step in 0...count {
            // Edits pile up errors; now and then start again from the clean file (and its lints).
            if step > 0 { text = Int.random(in: 0..<6, using: &rng) == 0 ? original : Self.edit(text, &rng) }
            let source = SourceFile(path: path, text: text)
            let incremental = checkSource(source, parsed: Parser.parse(source), dataCache: dataCache, stageCache: cache)
            let full = checkSource(source)
            XCTAssertEqual(incremental.diagnostics, full.diagnostics, "\(path), edit \(step)", file: file, line: line)
            XCTAssertEqual(Self.dumped(incremental.experiment), Self.dumped(full.experiment), "\(path), edit \(step)", file: file, line: line)
            if incremental.diagnostics != full.diagnostics { return }
        }
    }

    func testSeededEditsOfALargeFileCheckAsAFullCheck() {
        assertSameAsFullCheck(path: TestPaths.root + "/experiments/large-under-test.ftx", text: Self.largeExperiment(stages: 16), edits: 60, seed: 19)
    }

    func testSeededEditsOfTheExamplesCheckAsAFullCheck() throws {
        try TestPaths.requireMiniLM()  // glosses-minilm.ftx reads the model's config.json
        let paths = TestPaths.ftxFiles(in: TestPaths.root + "/experiments")
        XCTAssertGreaterThanOrEqual(paths.count, 4)
        for (k, path) in paths.enumerated() {
            assertSameAsFullCheck(path: path, text: try String(contentsOfFile: path, encoding: .utf8), edits: 12, seed: UInt64(k))
        }
    }

    /// An edit inside one stage checks that stage and the stages after it on its `init`
    /// chain; the others are taken from the cache (this is what makes `ftx lsp` fast).
    func testAnEditChecksOnlyTheStagesThatDependOnIt() throws {
        let path = TestPaths.root + "/experiments/large-under-test.ftx"
        let text = Self.largeExperiment(stages: 10)
        let cache = StageCheckCache(), dataCache = DataFileCache()
        func check(_ text: String) -> FileCheck {
            let source = SourceFile(path: path, text: text)
            return checkSource(source, parsed: Parser.parse(source), dataCache: dataCache, stageCache: cache)
        }
        XCTAssertEqual(check(text).diagnostics, [])
        XCTAssertEqual(cache.reusedStages, 0)
        XCTAssertEqual(check(text).diagnostics, [])
        XCTAssertEqual(cache.reusedStages, 10)
        // s7's epochs: s7 is checked again, and s8, whose `init` reads s7; s9 reads only s8 (which has its own model).
        let edited = text.replacingOccurrences(of: "stage s7 {\n  model = mlp\n  init = best(s6)\n  data = digits where label >= 2\n  freeze = [\"layers.0\"]\n  optimizer = adamw(lr: 8e-4, weight_decay: 0.01)\n  schedule {\n    epochs = 4",
                                               with: "stage s7 {\n  model = mlp\n  init = best(s6)\n  data = digits where label >= 2\n  freeze = [\"layers.0\"]\n  optimizer = adamw(lr: 8e-4, weight_decay: 0.01)\n  schedule {\n    epochs = 5")
        XCTAssertNotEqual(edited, text)
        XCTAssertEqual(check(edited).diagnostics, [])
        XCTAssertEqual(cache.reusedStages, 8)
        // Lines typed above stages move them: they are reused where they now are.
        let typed = edited.replacingOccurrences(of: "# stage 5: a fine-tune", with: "# stage 5: typing\n# a fine-tune")
            .replacingOccurrences(of: "  batch_size = 32\n    lr = cosine", with: "  batch_size = 32\n    lr = cosine")
        let moved = check(typed.replacingOccurrences(of: "\n  select = best(valid.accuracy)\n}\n\n# stage 3", with: "\n  select = best(valid.accuracy)\n  batch_sise = 1\n}\n\n# stage 3"))
        XCTAssertEqual(moved.diagnostics, checkSource(moved.file).diagnostics)
        XCTAssertEqual(moved.diagnostics.map(\.code), [.unknownKey])
        XCTAssertEqual(cache.reusedStages, 8, "s2 changed, and s3 reads it; s4…s9 moved")
        XCTAssertEqual(Self.dumped(moved.experiment), Self.dumped(checkSource(moved.file).experiment))
        // The model changes under every stage: nothing is reused.
        XCTAssertEqual(check(edited.replacingOccurrences(of: "dropout(0.1)", with: "dropout(0.2)")).diagnostics, [])
        XCTAssertEqual(cache.reusedStages, 0)
    }
}
