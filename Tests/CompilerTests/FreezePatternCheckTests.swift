import Compiler
import DSL
import Foundation
import Plan
import XCTest

/// `freeze` / `unfreeze` patterns in `ftx check` (LANGUAGE.md, "Parameter patterns"):
/// every pattern — in `freeze`, in each `unfreeze` step, in each swept value — must
/// select a trainable parameter, or it is error E0113 with the nearest valid pattern.
final class FreezePatternCheckTests: XCTestCase {
    /// Checked as if in experiments/, where ../data and ../models resolve.
    func check(_ source: String, files: Bool = true) -> FileCheck {
        checkSource(SourceFile(path: TestPaths.root + "/experiments/patterns.ftx", text: source), checkFiles: files)
    }

    /// A file whose stage `fit` trains the MLP (`layers.0`, dropout, `layers.2`, head) with `lines` added.
    func mlp(_ lines: String) -> String {
        trainingFile("""
            \(ExperimentText.digits)

            model mlp {
              layers = [dense(64, activation: relu), dropout(0.1), dense(64, activation: relu)]
              head = dense(10)
            }
            """, stage: "fit", model: "mlp", data: "digits", epochs: 2, lines)
    }

    /// A file whose stage `probe` trains all-MiniLM-L6-v2 (6 layers) with a head, with `lines` added.
    func minilm(_ lines: String) -> String {
        trainingFile("""
            data glosses {
              source = csv("../data/wordnet-glosses.csv")
              text = "text"
              label = "label"
            }

            model minilm {
              pretrained = bert("../models/all-MiniLM-L6-v2")
              head = dense(6)
            }
            """, stage: "probe", model: "minilm", data: "glosses", epochs: 2, optimizer: "adamw(lr: 2e-5, no_decay: bias_and_norm)", lines)
    }

    /// `blocks`, then a stage `stage` that trains `model` on `data` with `optimizer` (adamw(lr: 1e-3))
    /// for `epochs` epochs, with `lines` added. (MiniLM's stages fine-tune at its usual rate, so no lint joins the diagnostics.)
    func trainingFile(_ blocks: String, stage: String, model: String, data: String, epochs: Int, optimizer: String = "adamw(lr: 1e-3)", _ lines: String) -> String {
        """
        \(blocks)

        stage \(stage) {
          model = \(model)
          data = \(data)
          optimizer = \(optimizer)
          schedule {
            epochs = \(epochs)
          }
        \(lines)
        }

        """
    }

    func errors(_ c: FileCheck) -> [String] { c.diagnostics.filter { $0.severity == .error }.map(\.message) }

    func testTheDocumentedMLPHasTheCheckersNames() {
        let file = LanguageReference.patternExampleFiles()[0]
        let c = check(file.source)
        XCTAssertEqual(c.diagnostics, [])
        XCTAssertEqual(c.experiment.stages.first { $0.name == "finetune" }?.parameterNames, LanguageReference.patternMLPNames)
    }

    func testTheDocumentedRejectedPatternsAreErrorsWithTheirSuggestions() {
        let files = LanguageReference.patternExampleFiles(valid: false)
        let examples = LanguageReference.mlpInvalidPatternExamples + LanguageReference.bertInvalidPatternExamples
        XCTAssertEqual(files.count, examples.count)
        for (file, example) in zip(files, examples) {
            let c = check(file.source)
            XCTAssertEqual(c.diagnostics.map(\.code.rawValue), ["E0113"], file.title)
            if let r = example.why.range(of: "did you mean `") {
                let rest = example.why[r.upperBound...]
                XCTAssertEqual(c.diagnostics.first?.fixIts.first?.replacement, String(rest.prefix { $0 != "`" }), file.title)
            }
        }
    }

    /// The bug: a glob over BERT layers passed `check` whatever it named.
    func testAttentionGlobOverBertLayersChecksAgainstTheConfigsNames() {
        let good = check(minilm("  freeze = [\"encoder.layer.*.attention\"]"))
        XCTAssertEqual(good.diagnostics, [])
        let names = good.experiment.stages.first?.parameterNames ?? []
        XCTAssertEqual(names.count, 5 + 6 * 16 + 2 + 2, "embeddings, 6 layers from config.json, pooler, head")
        XCTAssertTrue(names.contains("encoder.layer.5.attention.output.LayerNorm.bias"))
        XCTAssertFalse(names.contains { $0.hasPrefix("encoder.layer.6.") })

        let bad = check(minilm("  freeze = [\"encoder.layer.*.atention\", \"encoder.layer.6\"]"))
        XCTAssertEqual(bad.diagnostics.map(\.code.rawValue), ["E0113", "E0113"])
        XCTAssertEqual(bad.diagnostics[0].fixIts.map(\.replacement), ["\"encoder.layer.*.attention\""])
        XCTAssertEqual(bad.diagnostics[1].notes, ["model `minilm` has 6 encoder layers (`encoder.layer.0` … `encoder.layer.5`)"])
    }

    func testEveryUnfreezeStepIsChecked() {
        let c = check(mlp("""
          freeze = ["layers.0", "layers.2"]
          unfreeze = [{at: 1 epochs, layers: ["layers.2"]}, {at: 1 epochs, layers: ["layers.0", "layers.9"]}]
        """))
        XCTAssertEqual(errors(c), ["\"layers.9\" matches no parameter of model `mlp`"])
        XCTAssertEqual(c.diagnostics.first?.notes, ["model `mlp` has 3 layers (`layers.0` … `layers.2`)"])
    }

    /// An `unfreeze` step no trial reaches would change nothing but the checkpoint's
    /// contents: W0205, against every epoch count a sweep gives, and against the most
    /// steps the data file's rows allow (2 epochs of ⌈1797 digits rows / batch 32⌉ = 57 steps).
    func testUnfreezeStepsNeverReachedAreWarnings() {
        func diagnostics(_ at: String, sweep: String = "") -> [Diagnostic] {
            check(mlp("  freeze = [\"layers.0\"]\n  unfreeze = [{at: \(at), layers: [\"layers.0\"]}]\n" + sweep)).diagnostics
        }
        XCTAssertEqual(diagnostics("1 epochs"), [])
        XCTAssertEqual(diagnostics("2 epochs").map(\.code.rawValue), ["W0205"])
        XCTAssertEqual(diagnostics("2 epochs").first?.severity, .warning)
        XCTAssertEqual(diagnostics("113 steps"), [])
        XCTAssertEqual(diagnostics("114 steps").map(\.message),
                       ["`unfreeze` at 114 steps is never reached: the stage takes at most 114 optimizer steps (2 epochs of at most ⌈1797 rows / 32⌉ batches)"])
        XCTAssertEqual(diagnostics("2 epochs", sweep: "  sweep grid {\n    schedule.epochs = [3, 2]\n  }").map(\.message),
                       ["`unfreeze` at 2 epochs is never reached: the stage trains 2 epochs (0-based: the last is epoch 1) in some trials of the sweep"])
        XCTAssertEqual(diagnostics("2 epochs", sweep: "  sweep grid {\n    schedule.epochs = [3, 4]\n  }"), [])
    }

    func testSweptFreezeAndUnfreezeValuesAreChecked() {
        let c = check(mlp("""
          freeze = ["layers.0"]
          sweep grid {
            freeze = [["layers.0"], ["layers.*.weigth"]]
            unfreeze = [[], [{at: 1 epochs, layers: ["head.bias"]}], [{at: 1 epochs, layers: ["heads"]}]]
          }
        """))
        XCTAssertEqual(errors(c), ["\"layers.*.weigth\" matches no parameter of model `mlp`", "\"heads\" matches no parameter of model `mlp`"])
        XCTAssertEqual(c.diagnostics.flatMap { $0.fixIts.map(\.replacement) }, ["\"layers.*.weight\"", "\"head\""])
    }

    /// Without the model folder the names are unknown; a pattern that can match no name is still an error.
    func testPatternsThatCanMatchNoNameAreErrorsWithoutTheModelsNames() {
        let c = check(minilm("  freeze = [\"\", \"encoder layer\", \"encoder.layers.*\"]"), files: false)
        XCTAssertEqual(c.diagnostics.map(\.code.rawValue), ["E0113", "E0113"])
        XCTAssertEqual(c.diagnostics.flatMap(\.notes), ["an empty pattern selects nothing", "parameter names never contain spaces or control characters"])
    }

    /// The pooler never trains, so freezing everything else freezes everything.
    func testFreezingAllButThePoolerWarnsUnlessSomethingIsUnfrozen() {
        let all = check(minilm("  freeze = [\"embeddings\", \"encoder\", \"head\"]"))
        XCTAssertEqual(all.diagnostics.map(\.code.rawValue), ["W0101"])
        let released = check(minilm("  freeze = [\"embeddings\", \"encoder\", \"head\"]\n  unfreeze = [{at: 1 epochs, layers: [\"head\"]}]"))
        XCTAssertEqual(released.diagnostics, [])
        XCTAssertEqual(check(minilm("  freeze = [\"*\"]")).diagnostics.map(\.code.rawValue), ["W0101"])
    }
}
