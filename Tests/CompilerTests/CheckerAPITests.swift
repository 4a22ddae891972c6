import DSL
import Compiler
import Foundation
import XCTest

final class CheckerAPITests: XCTestCase {
    func testUnreadableFileIsAReadErrorNotADiagnostic() {
        switch checkFile(path: TestPaths.fixtures + "/does-not-exist.ftx") {
        case .success: XCTFail("expected a read error")
        case .failure(let error):
            XCTAssertTrue(error.description.contains("does-not-exist.ftx"))
            XCTAssertEqual(error.reason, "no such file")
        }
    }

    func testCheckerWithoutFileSystemSkipsFileChecks() throws {
        let file = try SourceFile.load(path: TestPaths.fixtures + "/data_file_missing.ftx")
        XCTAssertTrue(checkSource(file).hasErrors)
        XCTAssertEqual(checkSource(file, checkFiles: false).diagnostics, [])
    }

    func testSchemaDrivesDefaultsOfEveryOptimizer() throws {
        // PyTorch's defaults.
        let expected: [String: [String: Double]] = [
            "sgd": ["lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0],
            "adam": ["lr": 1e-3, "eps": 1e-8, "weight_decay": 0],
            "adamw": ["lr": 1e-3, "eps": 1e-8, "weight_decay": 0.01],
            "rmsprop": ["lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0],
            "adagrad": ["lr": 1e-2, "eps": 1e-10, "initial_accumulator_value": 0],
        ]
        for (name, defaults) in expected {
            let spec = try XCTUnwrap(LanguageSchema.call(name, in: "optimizer"))
            for (param, value) in defaults {
                XCTAssertEqual(spec.param(param)?.defaultValue?.number, value, "\(name).\(param)")
            }
        }
        XCTAssertEqual(LanguageSchema.call("adamw", in: "optimizer")?.param("betas")?.defaultValue?.description, "[0.9, 0.999]")
        XCTAssertNil(LanguageSchema.call("adamw", in: "optimizer")?.param("momentum"), "momentum is dead for adamw")
    }

    func testValueEqualityIgnoresSpellingAndSpans() {
        let a = checkSource(SourceFile(path: "/tmp/a.ftx", text: stage(lr: "1e-3")), checkFiles: false)
        let b = checkSource(SourceFile(path: "/tmp/b.ftx", text: stage(lr: "0.001")), checkFiles: false)
        XCTAssertEqual(a.diagnostics, [])
        XCTAssertEqual(a.experiment.stages[0].settings, b.experiment.stages[0].settings)
        XCTAssertNotEqual(a.experiment.stages[0].settings["optimizer"]?.span, b.experiment.stages[0].settings["optimizer"]?.span)
    }

    func stage(lr: String, name: String = "train", extra: String = "") -> String {
        """
        data d {
          source = csv("x.csv")
          label = "y"
        }
        model m {
          input = 4
          layers = [dense(8, activation: relu)]
          head = dense(3)
        }
        stage \(name) {
          model = m
          data = d
          optimizer = adamw(lr: \(lr))
          schedule {
            epochs = 3
          }
        \(extra)
        }

        """
    }

    /// A 5,000-line file checks well under 100 ms (best of three; release build).
    func testLargeFileChecksQuickly() throws {
        var text = "experiment big {\n  seed = 0\n}\n\n"
        text += "data digits {\n  source = csv(\"../../../data/digits.csv\")\n  label = \"label\"\n  normalize = scale(1 / 16)\n}\n\n"
        text += "model mlp {\n  input = 64\n  layers = [dense(32, activation: relu), dropout(0.1), dense(32, activation: relu)]\n  head = dense(10)\n}\n\n"
        var i = 0
        while text.split(separator: "\n", omittingEmptySubsequences: false).count < 5000 {
            let initLine = i == 0 ? "  model = mlp" : "  init = s\(i - 1)"
            text += """
            stage s\(i) {
            \(initLine)
              data = digits where label < \(i % 10 + 1)
              freeze = ["layers.0"]
              optimizer = adamw(lr: 1e-3, weight_decay: 0.01)
              schedule {
                epochs = 3
                batch_size = 32
                lr = cosine(warmup: 0.1)
                early_stop = {metric: valid.loss, patience: 2}
              }
              loss = cross_entropy(label_smoothing: 0.1) + 1e-4 * l2()
              sweep grid {
                optimizer.lr = [1e-4, 3e-4, 1e-3]
                schedule.batch_size = [16, 32]
              }
              select = best(valid.accuracy)
            }


            """
            i += 1
        }
        let file = SourceFile(path: TestPaths.fixtures + "/big.ftx", text: text)
        XCTAssertGreaterThanOrEqual(file.lineStarts.count, 5000)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = Date()
            let check = checkSource(file)
            best = min(best, Date().timeIntervalSince(start))
            XCTAssertEqual(check.diagnostics, [])
            XCTAssertEqual(check.experiment.stages.count, i)
        }
        print("checked \(file.lineStarts.count) lines in \(Int(best * 1000)) ms")
        XCTAssertLessThan(best, 0.1)
    }
}
