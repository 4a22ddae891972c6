import Compiler
import DSL
import Foundation
import Plan
import XCTest

/// Issue 21: the lint table, the help lines the checker prints from it, and suppression.
/// (Each lint's input and rendered output: the `warning_lint_*` and `ok_lints_allowed`
/// golden fixtures of `GoldenDiagnosticsTests`.)
final class LintTests: XCTestCase {
    /// Every lint code has one row, and every row is a warning the checker can emit.
    func testEveryLintCodeHasOneRow() {
        // Lints are W0300–W0349 (W035x are text augmentation's notes).
        let lintCodes = DiagnosticCode.allCases.filter { ("W0300"..."W0349").contains($0.rawValue) && $0 != .allowUnknownCode }
        XCTAssertEqual(lintCodes.count, 11)
        for code in lintCodes { XCTAssertNotNil(LintTable.lint(code), "\(code) has no row in LintTable") }
        XCTAssertEqual(LintTable.all.map(\.code).count, Set(LintTable.all.map(\.code)).count, "a code has two rows")
        XCTAssertNotNil(LintTable.lint(.selectionOnTest), "selection on test and on train are in one table")
        for lint in LintTable.all {
            XCTAssertTrue(lint.code.rawValue.hasPrefix("W"), "\(lint.code)")
            XCTAssertFalse(lint.reason.isEmpty || lint.source.isEmpty || lint.threshold.isEmpty, "\(lint.code)")
        }
    }

    /// The help line of every lint fixture's warning is its row's reason and source, and docs/LANGUAGE.md lists the same row.
    func testHelpLinesAndDocsCiteTheTableRow() throws {
        let docs = LanguageReference.markdown()
        var seen = Set<DiagnosticCode>()
        for path in TestPaths.ftxFiles(in: TestPaths.fixtures) where (path as NSString).lastPathComponent.hasPrefix("warning_lint_") {
            for d in try checkFile(path: path).get().diagnostics {
                guard let lint = LintTable.lint(d.code) else { continue }
                seen.insert(d.code)
                let why = try XCTUnwrap(d.help.last, "\(d.code)")
                XCTAssertTrue(why.hasPrefix("why: \(lint.reason) (source: "), "\(d.code): \(why)")
                if d.code != .learningRateUnusual { XCTAssertEqual(why, "why: \(lint.reason) (source: \(lint.source))") }
                XCTAssertTrue(docs.contains("| \(lint.code.rawValue) | \(lint.title) |"), "\(d.code) in docs")
            }
        }
        XCTAssertEqual(seen, Set(LintTable.all.map(\.code)), "a fixture per lint")
    }

    /// The learning-rate warning cites the source of the one range it applied.
    func testLearningRateCitesItsRange() throws {
        let check = try checkFile(path: TestPaths.fixtures + "/warning_lint_learning_rate.ftx").get()
        let lr = check.diagnostics.filter { $0.code == .learningRateUnusual }
        XCTAssertEqual(lr.count, 4)
        XCTAssertTrue(lr[0].help.last?.contains("Devlin et al. 2019") == true, "fine-tuning: BERT's range")
        XCTAssertTrue(lr[1].help.last?.contains("Bengio 2012") == true, "SGD on a head")
        XCTAssertTrue(lr[2].help.last?.contains("Kingma & Ba 2015") == true, "Adam on an MLP")
        XCTAssertEqual(check.file.text(lr[3].primary.span), "1e-2", "a param group's rate points at the group's `lr`")
    }

    private func check(_ text: String) -> FileCheck {
        checkSource(SourceFile(path: TestPaths.fixtures + "/inline.ftx", text: text))
    }

    /// 120 training rows at batch 16: W0304 on line 17, suppressed only where the user says so.
    private func iris(_ batchLines: String, experiment: String = "") -> String {
        """
        experiment x {
          seed = 0
        \(experiment)}
        data iris {
          source = csv("../../../data/iris.csv")
          label = "label"
        }
        model mlp {
          layers = [dense(8, activation: relu)]
          head = dense(3)
        }
        stage train {
          model = mlp
          data = iris
          optimizer = adam(lr: 1e-3)
          schedule {
            epochs = 5
        \(batchLines)
          }
        }
        """
    }

    func testCommentAllowsItsLineAndTheNextOnly() {
        XCTAssertEqual(check(iris("    batch_size = 16")).diagnostics.map(\.code), [.fewStepsPerEpoch])
        XCTAssertEqual(check(iris("    batch_size = 16 # ftx: allow(W0304)")).diagnostics, [])
        XCTAssertEqual(check(iris("    # ftx: allow(W0305, W0304)\n    batch_size = 16")).diagnostics, [])
        XCTAssertEqual(check(iris("    # ftx: allow(W0304)\n\n    batch_size = 16")).diagnostics.map(\.code), [.fewStepsPerEpoch], "two lines above is too far")
        XCTAssertEqual(check(iris("    batch_size = 16 # ftx: allow(W0305)")).diagnostics.map(\.code), [.fewStepsPerEpoch], "another code")
        XCTAssertEqual(check(iris("    batch_size = 16 # allow(W0304)")).diagnostics.map(\.code), [.fewStepsPerEpoch], "the marker is `ftx: allow(`")
    }

    func testExperimentAllowCoversTheFileAndUnknownCodesWarn() {
        XCTAssertEqual(check(iris("    batch_size = 16", experiment: "  allow = [\"W0304\"]\n")).diagnostics, [])
        let bad = check(iris("    batch_size = 16", experiment: "  allow = [\"W0304\", \"W9999\", \"E0133\"]\n"))
        XCTAssertEqual(bad.diagnostics.map(\.code), [.allowUnknownCode, .allowUnknownCode])
        XCTAssertEqual(bad.diagnostics.map { bad.file.text($0.primary.span) }, ["\"W9999\"", "\"E0133\""])
    }

    /// Errors are never allowed: an allow comment on an error's line leaves it.
    func testErrorsCannotBeAllowed() {
        let text = iris("    batch_size = 0 # ftx: allow(E0133)", experiment: "  allow = [\"E0133\"]\n")
        let codes = check(text).diagnostics.map(\.code)
        XCTAssertTrue(codes.contains(.outOfRange), "\(codes)")
        XCTAssertEqual(codes.filter { $0 == .allowUnknownCode }.count, 2, "\(codes)")
    }

    /// A sweep that also tries a usual value is a search: the stage is linted only when every trial has the problem.
    func testASweepWarnsOnlyWhenEveryTrialDoes() {
        // Both values leave fewer than 10 steps (8 and 4); the fixture `warning_lint_batch_size` has a sweep that does not.
        let all = check(iris("    batch_size = 16").replacingOccurrences(of: "  }\n}", with: "  }\n  sweep grid {\n    schedule.batch_size = [16, 32]\n  }\n  select = best(valid.accuracy)\n}"))
        let d = all.diagnostics.filter { $0.code == .fewStepsPerEpoch }
        XCTAssertEqual(d.count, 1, "\(all.diagnostics.map(\.message))")
        XCTAssertEqual(d.first.map { all.file.text($0.primary.span) }, "16", "points at the first trial's swept value")
        XCTAssertEqual(d.first?.notes, ["every one of the 2 trials of stage `train` does"])
    }
}
