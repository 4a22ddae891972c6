import DSL
import Compiler
import Foundation
import Plan
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

}
