import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

final class PlanLoweringTests: XCTestCase {
    /// A golden-trajectory style experiment: a checkpoint init, an ordered split, steps in units.
    private func trajectory(schedule: String, checkpoint: String = "init.safetensors", filter: String = "") -> String {
        """
        \(ExperimentText.header("traj"))

        data rows {
          source = csv("../data/digits.csv")
          label = "label"
          normalize = scale(1 / 16)
          split = ordered(train: 0.8, valid: 0.2)
          augment = [noise(0.05)]
        }

        model mlp {
          input = 64
          layers = [dense(32, activation: tanh), layer_norm(), gelu]
          head = dense(10)
        }

        stage fit {
          model = mlp
          init = checkpoint("\(checkpoint)")
          data = rows\(filter)
          optimizer = sgd(lr: 0.05, momentum: 0.9)
          schedule {
            epochs = 2
            batch_size = 32
            shuffle = false
        \(schedule)
            clip_grad_norm = 1.0
          }
          loss = cross_entropy()
        }

        """
    }

    private func trainSpec(_ plan: Plan, _ index: Int = 0) throws -> TrainingSpec {
        guard case .train(let spec)? = plan.graph.task(plan.graph.trials[index].id)?.payload else {
            XCTFail("no train payload")
            throw PlanError("no train payload")
        }
        return spec
    }

    func testCheckpointInitStepUnitsAndLayers() throws {
        let sandbox = try PlanSandbox()
        try Data("weights v1".utf8).write(to: sandbox.experiments.appendingPathComponent("init.safetensors"))
        let text = trajectory(schedule: "    lr = step(every: 1 epochs, gamma: 0.5)")
        let spec = try trainSpec(try makePlan(try sandbox.write(text)))
        XCTAssertEqual(spec.initialization, .checkpoint(path: sandbox.experiments.appendingPathComponent("init.safetensors").standardizedFileURL.path))
        XCTAssertEqual(spec.schedule, ScheduleSpec(epochs: 2, batchSize: 32, shuffle: false, lr: .step(every: .epochs(1), gamma: 0.5), clipGradNorm: 1.0))
        XCTAssertEqual(spec.data.split, SplitRule(.ordered, train: 0.8, valid: 0.2))
        XCTAssertEqual(spec.data.augment, [.noise(std: 0.05)])
        XCTAssertEqual(spec.model.layers, [.dense(units: 32, activation: .tanh), .layerNorm(eps: 1e-5), .activation(.gelu)])
        XCTAssertEqual(spec.optimizer, OptimizerSpec(kind: .sgd, lr: 0.05, weightDecay: 0, momentum: 0.9))

        let warm = try trainSpec(try makePlan(try sandbox.write(trajectory(schedule: "    lr = linear(warmup: 4 steps)"))))
        XCTAssertEqual(warm.schedule.lr, .linear(warmup: .steps(4)))
        let multistep = try trainSpec(try makePlan(try sandbox.write(trajectory(schedule: "    lr = multistep([1 epochs, 30 steps], gamma: 0.5)"))))
        XCTAssertEqual(multistep.schedule.lr, .multistep(milestones: [.epochs(1), .steps(30)], gamma: 0.5))
    }

    func testCheckpointContentIsPartOfTheKeyButNotItsPath() throws {
        let sandbox = try PlanSandbox()
        let weights = sandbox.experiments.appendingPathComponent("init.safetensors")
        try Data("weights v1".utf8).write(to: weights)
        let schedule = "    lr = constant()"
        let first = try makePlan(try sandbox.write(trajectory(schedule: schedule)))
        // Same bytes under another name: same key.
        try Data("weights v1".utf8).write(to: sandbox.experiments.appendingPathComponent("copy.safetensors"))
        let renamed = try makePlan(try sandbox.write(trajectory(schedule: schedule, checkpoint: "copy.safetensors")))
        XCTAssertEqual(renamed.graph.trials.map(\.id), first.graph.trials.map(\.id))
        // Other bytes: another key.
        try Data("weights v2".utf8).write(to: weights)
        let changed = try makePlan(try sandbox.write(trajectory(schedule: schedule)))
        XCTAssertNotEqual(changed.graph.trials.map(\.id), first.graph.trials.map(\.id))
        XCTAssertEqual(changed.graph.tasks.filter { $0.kind == .data }.map(\.key), first.graph.tasks.filter { $0.kind == .data }.map(\.key))
    }

    func testFiltersLowerToRowPredicates() throws {
        let sandbox = try PlanSandbox()
        try Data("w".utf8).write(to: sandbox.experiments.appendingPathComponent("init.safetensors"))
        let plan = try makePlan(try sandbox.write(trajectory(schedule: "    lr = constant()", filter: " where label >= 5 and not (label == 7) or label < 1")))
        let spec = try trainSpec(plan)
        XCTAssertEqual(spec.filter, .or(
            .and(.compare(.column("label"), .greaterOrEqual, .number(5)), .not(.compare(.column("label"), .equal, .number(7)))),
            .compare(.column("label"), .less, .number(1))))
    }

    func testStageSeedOverridesExperimentSeedAndSweptSeedOverridesBoth() throws {
        let sandbox = try PlanSandbox()
        let own = try makePlan(try sandbox.write(wineExperiment(sweeps: "  seed = 5\n")))
        XCTAssertEqual(try trainSpec(own).seed, 5)
        let inherited = try makePlan(try sandbox.write(wineExperiment(sweeps: "")))
        XCTAssertEqual(try trainSpec(inherited).seed, 1)
        let swept = try makePlan(try sandbox.write(wineExperiment(sweeps: "  seed = 5\n  sweep grid {\n    seed = [7, 8]\n  }\n")))
        XCTAssertEqual(try [trainSpec(swept, 0).seed, trainSpec(swept, 1).seed], [7, 8])
    }

    func testOptimizerDefaultsComeFromTheSchema() throws {
        let sandbox = try PlanSandbox()
        let plan = try makePlan(try sandbox.write(wineExperiment(sweeps: """
          sweep grid {
            optimizer = [adam(lr: 0.001), adamw(lr: 0.001), rmsprop(lr: 0.001), adagrad(lr: 0.01)]
          }
        """)))
        let specs = try (0..<4).map { try trainSpec(plan, $0).optimizer }
        XCTAssertEqual(specs.map(\.kind), [.adam, .adamw, .rmsprop, .adagrad])
        XCTAssertEqual(specs.map(\.weightDecay), [0, 0.01, 0, 0])
        XCTAssertEqual(specs[0].eps, 1e-8)
        XCTAssertEqual(specs[2].alpha, 0.99)
        XCTAssertEqual(specs[3].eps, 1e-10)
        // Settings show the arguments that differ from the call's defaults (only rmsprop's lr does: its default is 0.01).
        XCTAssertEqual(plan.graph.trials.map { $0.settings.map(\.key) }, [["optimizer"], ["optimizer"], ["optimizer", "optimizer.lr"], ["optimizer"]])
    }
}
