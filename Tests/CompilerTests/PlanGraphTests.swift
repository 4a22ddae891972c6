import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

final class PlanGraphTests: XCTestCase {
    private func examplePlan(_ name: String, sandbox: PlanSandbox) throws -> Plan {
        let path = try sandbox.write(try PlanSandbox.example(name), as: "experiments/\(name).ftx")
        return try makePlan(path)
    }

    private func count(_ plan: Plan, _ kind: PlannedTask.Kind) -> Int { plan.graph.tasks.filter { $0.kind == kind }.count }

    private func trials(_ plan: Plan, _ stage: String) -> [PlannedTrial] { plan.graph.trials.filter { $0.stage == stage } }

    /// Every dependency comes earlier in `tasks`, and every dependency exists.
    private func assertTopological(_ graph: TaskGraph, file: StaticString = #filePath, line: UInt = #line) {
        var seen = Set<String>()
        for task in graph.tasks {
            for dep in task.deps { XCTAssertTrue(seen.contains(dep), "\(task.kind) depends on a later or missing task", file: file, line: line) }
            XCTAssertTrue(seen.insert(task.key).inserted, "duplicate task key", file: file, line: line)
        }
    }

    func testDigitsTransferFansOutFromPretrain() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("digits-transfer", sandbox: sandbox)
        let graph = plan.graph
        XCTAssertEqual(graph.experiment, "digits_transfer")
        XCTAssertEqual(trials(plan, "pretrain").count, 1)
        XCTAssertEqual(trials(plan, "finetune").count, 12)
        XCTAssertEqual(count(plan, .data), 1, "both stages read `digits` (the filter belongs to the train spec)")
        XCTAssertEqual(count(plan, .train), 13)
        XCTAssertEqual(count(plan, .eval), 13)
        XCTAssertEqual(count(plan, .select), 1)
        XCTAssertEqual(count(plan, .ensemble), 1)
        assertTopological(graph)

        let pretrain = trials(plan, "pretrain")[0]
        for trial in trials(plan, "finetune") {
            let task = try XCTUnwrap(graph.task(trial.id))
            XCTAssertEqual(task.kind, .train)
            XCTAssertTrue(task.deps.contains(pretrain.id))
            XCTAssertEqual(trial.settings.map(\.key), ["optimizer.lr", "schedule.batch_size", "freeze", "init"])
            XCTAssertEqual(trial.settings[setting: "init"], .string(pretrain.id))
            guard case .train(let spec) = task.payload else { return XCTFail("train payload") }
            XCTAssertEqual(spec.initialization, .upstream(taskKey: pretrain.id))
            XCTAssertEqual(spec.filter, .compare(.column("label"), .greaterOrEqual, .number(5)))
            XCTAssertEqual(spec.model.head, .dense(units: 10, activation: nil))
            XCTAssertEqual(spec.loss.penalties, [LossSpec.WeightedPenalty(.l2, weight: 1e-4)])
            XCTAssertEqual(spec.schedule.lr, .linear(warmup: .fraction(0.1)))
            XCTAssertEqual(spec.schedule.earlyStop, EarlyStopSpec(metric: "valid.loss", patience: 2, minimize: true))
            XCTAssertEqual(spec.seed, 0)
            let eval = try XCTUnwrap(graph.task(trial.evalKey))
            XCTAssertEqual(eval.kind, .eval)
            XCTAssertEqual(eval.deps.first, trial.id)
        }
        let select = try XCTUnwrap(graph.tasks.first { $0.kind == .select })
        guard case .select(let metric, let minimize, let candidates, _, _) = select.payload else { return XCTFail("select payload") }
        XCTAssertEqual(metric, "valid.accuracy")
        XCTAssertFalse(minimize)
        XCTAssertEqual(candidates, trials(plan, "finetune").map(\.evalKey))
        let ensemble = try XCTUnwrap(graph.tasks.first { $0.kind == .ensemble })
        guard case .ensemble(_, _, let k, let members, _) = ensemble.payload else { return XCTFail("ensemble payload") }
        XCTAssertEqual(k, 3)
        XCTAssertEqual(members.count, 12)
    }

    func testPretrainSpecIsLoweredWithSchemaDefaults() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("digits-transfer", sandbox: sandbox)
        let task = try XCTUnwrap(plan.graph.task(trials(plan, "pretrain")[0].id))
        guard case .train(let spec) = task.payload else { return XCTFail("train payload") }
        XCTAssertEqual(spec.data.source, .csv(path: sandbox.data.appendingPathComponent("digits.csv").standardizedFileURL.path))
        XCTAssertEqual(spec.data.normalize, .scale(1.0 / 16))
        XCTAssertEqual(spec.data.split, SplitRule(.random(seed: 0), train: 0.8, valid: 0.2))
        XCTAssertEqual(spec.data.target, .classes)
        XCTAssertEqual(spec.filter, .compare(.column("label"), .less, .number(5)))
        XCTAssertEqual(spec.model.input, 64)
        XCTAssertEqual(spec.model.layers, [.dense(units: 128, activation: .relu), .dropout(p: 0.1), .dense(units: 128, activation: .relu)])
        XCTAssertEqual(spec.initialization, .random)
        XCTAssertEqual(spec.optimizer.kind, .adamw)
        XCTAssertEqual(spec.optimizer.lr, 1e-3)
        XCTAssertEqual(spec.optimizer.weightDecay, 0.01)
        XCTAssertEqual(spec.optimizer.beta1, 0.9)
        XCTAssertEqual(spec.optimizer.beta2, 0.999)
        XCTAssertEqual(spec.optimizer.eps, 1e-8)
        XCTAssertEqual(spec.schedule, ScheduleSpec(epochs: 10, batchSize: 64, shuffle: true, lr: .cosine(warmup: .fraction(0.05), min: 0)))
        XCTAssertEqual(spec.loss, LossSpec(criterion: .crossEntropy(labelSmoothing: 0)))
        XCTAssertEqual(spec.metrics, ["accuracy", "loss"])
    }

    func testWineSearchPlansSixteenTrials() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("wine-search", sandbox: sandbox)
        XCTAssertEqual(plan.graph.trials.count, 16)
        XCTAssertEqual(count(plan, .train), 16)
        XCTAssertEqual(count(plan, .select), 1)
        assertTopological(plan.graph)
        for trial in plan.graph.trials {
            guard case .train(let spec)? = plan.graph.task(trial.id)?.payload else { return XCTFail("train payload") }
            XCTAssertEqual(spec.prune, PruneSpec(metric: "valid.loss", minimize: true, minEpochs: 3, reduction: 3))
            XCTAssertEqual(spec.schedule.lr, .step(every: .steps(10), gamma: 0.5))
            XCTAssertEqual(spec.seed, 1)
            if case .string("sgd")? = trial.settings[setting: "optimizer"] {
                XCTAssertEqual(spec.optimizer.kind, .sgd)
                XCTAssertEqual(spec.optimizer.weightDecay, 0, "a chosen call starts from its own defaults")
                XCTAssertFalse(spec.optimizer.nesterov)
            } else {
                XCTAssertEqual(spec.optimizer.kind, .adamw)
            }
        }
    }

    func testCancerEnsemblePlansTwelveTrialsWithSweptSeeds() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("cancer-ensemble", sandbox: sandbox)
        XCTAssertEqual(plan.graph.trials.count, 12)
        XCTAssertEqual(count(plan, .ensemble), 1)
        XCTAssertEqual(count(plan, .select), 0)
        var seeds: [UInt64] = []
        for trial in plan.graph.trials {
            guard case .train(let spec)? = plan.graph.task(trial.id)?.payload else { return XCTFail("train payload") }
            seeds.append(spec.seed)
            XCTAssertEqual(spec.data.target, .binary)
            XCTAssertEqual(spec.loss, LossSpec(criterion: .bce, penalties: [.init(.l1, weight: 1e-4)]))
            XCTAssertEqual(spec.metrics, ["accuracy", "f1", "loss"])
            XCTAssertEqual(spec.schedule.lr, .plateau(factor: 0.5, patience: 3, threshold: 1e-4, cooldown: 0, minLR: 0))
        }
        XCTAssertEqual(seeds, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    }

    func testGlossesFinetuneStartsFromTheProbeSelection() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("glosses-minilm", sandbox: sandbox)
        XCTAssertEqual(trials(plan, "probe").count, 12)
        XCTAssertEqual(trials(plan, "finetune").count, 1)
        assertTopological(plan.graph)
        let select = try XCTUnwrap(plan.graph.tasks.first { $0.kind == .select })
        XCTAssertEqual(select.stage, "probe")
        let finetune = try XCTUnwrap(plan.graph.task(trials(plan, "finetune")[0].id))
        XCTAssertTrue(finetune.deps.contains(select.key))
        guard case .train(let spec) = finetune.payload else { return XCTFail("train payload") }
        XCTAssertEqual(spec.initialization, .upstream(taskKey: select.key))
        let pretrained = try XCTUnwrap(spec.model.pretrained)
        XCTAssertEqual(pretrained.maxLength, 64)
        XCTAssertEqual(pretrained.pooling, .mean)
        XCTAssertEqual(pretrained.directory, sandbox.root.appendingPathComponent("models/all-MiniLM-L6-v2").standardizedFileURL.path)
        XCTAssertEqual(spec.data.text, "text")
        XCTAssertEqual(spec.freeze, ["embeddings.*", "encoder.layer.0.*", "encoder.layer.1.*"])
        // The probe's trials share one data task.
        XCTAssertEqual(count(plan, .data), 1)
        // 4200 glosses, 80% train: 210 batches of 16 per epoch, 10 epochs.
        let probe = trials(plan, "probe")
        XCTAssertEqual(Set(probe.compactMap { plan.estimates[$0.id]?.steps }), [2100, 1050])
        // The probe's frozen encoder runs once, in the hoisted features task; fine-tuning four of its six layers costs more per row.
        let probeFlops = try XCTUnwrap(plan.estimates[probe[0].id]?.flops) / 10
        let finetuneFlops = try XCTUnwrap(plan.estimates[finetune.key]?.flops) / 2
        XCTAssertGreaterThan(finetuneFlops, 1.5 * probeFlops)
    }

    func testEstimatesCountStepsFromRowsAndBatchSize() throws {
        let sandbox = try PlanSandbox()
        let plan = try examplePlan("digits-transfer", sandbox: sandbox)
        let pretrain = trials(plan, "pretrain")[0]
        let estimate = try XCTUnwrap(plan.estimates[pretrain.id])
        // digits.csv: 1797 rows; `where label < 5` is assumed to keep half (898.5); 80% train = 719 rows;
        // batches of 64 → 12 steps per epoch, 10 epochs.
        XCTAssertEqual(estimate.rows, 1797)
        XCTAssertEqual(estimate.steps, 120)
        // Training: layers.0 forward and weight gradient (nothing below it needs a gradient), layers.2 and
        // the head forward, weight and input gradients; each epoch then scores the 180 valid rows.
        let train: Double = 719 * (4.0 * 64 * 128 + 6.0 * 128 * 128 + 6.0 * 128 * 10)
        let evaluate: Double = 2.0 * 180 * Double(64 * 128 + 128 * 128 + 128 * 10)
        XCTAssertEqual(estimate.flops, 10 * (train + evaluate), accuracy: 1)
        // With every other price zero, the time is the GEMM operations at the rate.
        var gemmOnly = CostCalibration(gflops: 1, gflops1024: 1, smallGFLOPS: 1, gemmCallSeconds: 0, opSeconds: 0, elementSeconds: 0,
                                       parameterUpdateSeconds: 0, parseByteSeconds: 0, parseFieldSeconds: 0, tokenizeByteSeconds: 0,
                                       writeByteSeconds: 0, readByteSeconds: 0, taskSeconds: 0, measured: "test")
        gemmOnly.gemmPackSeconds = 0
        gemmOnly.gemmOutputSeconds = 0
        XCTAssertEqual(estimate.seconds(gemmOnly), estimate.flops / 1e9, accuracy: 1e-9)
    }
}
