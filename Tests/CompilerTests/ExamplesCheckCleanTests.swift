import DSL
import Compiler
import Foundation
import Plan
import XCTest

/// Every shipped example, project experiment and golden trajectory checks with
/// zero errors and zero warnings, and resolves to the settings it spells out.
final class ExamplesCheckCleanTests: XCTestCase {
    func assertClean(_ directory: String, minimum: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let paths = TestPaths.ftxFiles(in: directory)
        XCTAssertGreaterThanOrEqual(paths.count, minimum, file: file, line: line)
        for path in paths {
            let check = try checkFile(path: path).get()
            XCTAssertEqual(check.diagnostics.map { "\($0.code) \($0.message)" }, [], path, file: file, line: line)
        }
    }

    func testProjectExperimentsCheckClean() throws {
        try TestPaths.requireMiniLM()  // glosses-minilm.ftx reads the model's config.json
        try assertClean(TestPaths.root + "/experiments", minimum: 4)
    }
    func testGoldenTrajectoriesCheckClean() throws { try assertClean(TestPaths.golden + "/trajectories", minimum: 3) }

    func testDigitsTransferResolvesToCanonicalSettings() throws {
        let check = try checkFile(path: TestPaths.root + "/experiments/digits-transfer.ftx").get()
        let x = check.experiment
        XCTAssertEqual(x.name, "digits_transfer")
        XCTAssertEqual(x.seed, 0)
        XCTAssertEqual(x.stages.map(\.name), ["pretrain", "finetune"])
        let digits = try XCTUnwrap(x.data(named: "digits"))
        XCTAssertEqual(digits.features?.count, 64)
        XCTAssertEqual(digits.splits, ["train", "valid"])
        XCTAssertEqual(digits.settings["normalize"]?["k"]?.number, 1.0 / 16)
        let mlp = try XCTUnwrap(x.model(named: "mlp"))
        XCTAssertEqual(mlp.parameterNames, ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "head.weight", "head.bias"])
        let finetune = try XCTUnwrap(x.stage(named: "finetune"))
        XCTAssertEqual(finetune.model, "mlp", "inherited through init")
        XCTAssertEqual(finetune.initialization, .stage("pretrain"))
        XCTAssertEqual(finetune.data, "digits")
        XCTAssertEqual(finetune.settings["data"]?.description, "digits where label >= 5")
        // Defaults are filled in, as PyTorch's.
        XCTAssertEqual(finetune.settings["optimizer"]?.description, "adamw(lr: 0.0003, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false, weight_decay: 0.01, lr_decay: 1, no_decay: none)")
        XCTAssertEqual(finetune.settings.value(at: ["schedule", "shuffle"])?.bool, true)
        XCTAssertEqual(finetune.settings.value(at: ["schedule", "early_stop", "metric"])?.symbol, "valid.loss")
        XCTAssertEqual(finetune.settings["loss"]?.description, "cross_entropy(label_smoothing: 0.1, l2: 0.0001)")
        XCTAssertEqual(finetune.settings["metrics"]?.description, "[accuracy, loss]")
        XCTAssertEqual(finetune.sweeps.count, 1)
        XCTAssertEqual(finetune.sweeps[0].kind, .grid)
        XCTAssertEqual(finetune.sweeps[0].axes.map(\.dottedPath), ["optimizer.lr", "schedule.batch_size", "freeze"])
        XCTAssertEqual(finetune.sweeps[0].pointCount, 12)
        XCTAssertEqual(finetune.select?.description, "best(metric: valid.accuracy)")
        XCTAssertEqual(x.stagesInDependencyOrder.map(\.name), ["pretrain", "finetune"])
    }

    func testWineSearchResolvesConditionalRandomSweep() throws {
        let check = try checkFile(path: TestPaths.root + "/experiments/wine-search.ftx").get()
        let train = try XCTUnwrap(check.experiment.stage(named: "train"))
        let sweep = try XCTUnwrap(train.sweeps.first)
        XCTAssertEqual(sweep.kind, .random(trials: 16, seed: 3))
        XCTAssertEqual(sweep.axes.map(\.dottedPath), ["optimizer", "schedule.batch_size"])
        let options = sweep.axes[0].values
        XCTAssertEqual(options.map { $0.callName }, ["sgd", "adamw"])
        XCTAssertEqual(options[0]["lr"]?.description, "loguniform(a: 0.001, b: 0.1)")
        XCTAssertEqual(train.settings.value(at: ["schedule", "lr", "every"])?.description, "10 steps")
        XCTAssertEqual(train.prune?.description, "asha(metric: valid.loss, min_epochs: 3, reduction: 3)")
    }

    func testGlossesDerivesBertParameterNames() throws {
        try TestPaths.requireMiniLM()
        let check = try checkFile(path: TestPaths.root + "/experiments/glosses-minilm.ftx").get()
        let minilm = try XCTUnwrap(check.experiment.model(named: "minilm"))
        let names = try XCTUnwrap(minilm.parameterNames)
        XCTAssertEqual(names.count, 5 + 6 * 16 + 2 + 2)
        XCTAssertTrue(names.contains("encoder.layer.5.attention.self.query.weight"))
        XCTAssertTrue(names.contains("pooler.dense.bias"))
        XCTAssertEqual(minilm.settings["pooling"]?.symbol, "mean")
        XCTAssertEqual(minilm.settings["tokenizer"]?["max_length"]?.number, 64)
        XCTAssertEqual(check.experiment.stage(named: "finetune")?.initialization, .best("probe"))
    }
}
