import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Issue 14, "declared is executed", for the optimizer's settings: `param_groups`,
/// `lr_decay`, `no_decay` and `schedule { accumulate }` are checked, lowered and run
/// through `ftx run`, and do what LANGUAGE.md says.
final class ParameterGroupTests: XCTestCase {
    /// An MLP `layers.0` dense, `layers.1` layer norm, `layers.2` dense, then the head.
    static let specs = ModelCatalog.mlp(inputSize: 4, layers: [.dense(units: 8, activation: .relu), .layerNorm(eps: 1e-5),
                                                               .dense(units: 8, activation: .tanh)],
                                        head: .dense(units: 3, activation: nil)).specs

    static let header = [
        ExperimentText.header("groups"), ExperimentText.iris(),
        ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu), layer_norm, dense(8, activation: tanh)]", head: 3),
    ]

    /// One full-batch SGD step per stage from the same known weights. `plain` (rate 0.1, no
    /// decay) gives each gradient, g = (p₀ − p₁)/0.1; `grouped` must move every parameter by
    /// p₀ − η·(g + λ·p₀) with η and λ written out here by name: the first matching group
    /// wins, its `lr` replaces the optimizer's and is multiplied by `lr_decay^depth` (head 0,
    /// `layers.2` 1, `layers.1` 2, `layers.0` 3), a group's `weight_decay` wins over
    /// `no_decay`, which exempts biases and the layer norm.
    func testOneSGDStepMovesEachParameterByItsGroupsRateAndDecay() throws {
        let workspace = try Workspace()
        var g = SeededGenerator(seed: 21)
        let initial = Self.specs.map { s in
            SafetensorsTensor(name: s.name, shape: s.shape, values: (0..<s.shape.reduce(1, *)).map { _ in Float(g.nextGaussian() * 0.4) })
        }
        try SafetensorsWriter.write(initial, to: workspace.experiments.appendingPathComponent("init.safetensors").path)
        func stage(_ name: String, _ settings: [String], optimizer: String) -> String {
            ExperimentText.stage(name, ["model = mlp", "data = iris", "init = checkpoint(\"init.safetensors\")"] + settings + ["optimizer = \(optimizer)"],
                                 schedule: ["epochs = 1", "batch_size = 200", "shuffle = false"])
        }
        let checkpoints = try ExperimentRun(workspace, name: "groups.ftx", ExperimentText.file(Self.header + [
            stage("plain", [], optimizer: "sgd(lr: 0.1)"),
            stage("grouped", ["param_groups = [{params: [\"layers.2\"], lr: 0.3}, {params: [\"layers.*\"], lr: 0.05, weight_decay: 0.2}]"],
                  optimizer: "sgd(lr: 0.1, weight_decay: 0.01, lr_decay: 0.5, no_decay: bias_and_norm)"),
        ])).checkpoints
        let rule: [String: (eta: Double, lambda: Double)] = [
            "head.weight": (0.1, 0.01), "head.bias": (0.1, 0),
            "layers.2.weight": (0.3 * 0.5, 0.01), "layers.2.bias": (0.3 * 0.5, 0),
            "layers.1.weight": (0.05 * 0.25, 0.2), "layers.1.bias": (0.05 * 0.25, 0.2),
            "layers.0.weight": (0.05 * 0.125, 0.2), "layers.0.bias": (0.05 * 0.125, 0.2),
        ]
        let plain = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints["plain"]))
        let grouped = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints["grouped"]))
        XCTAssertEqual(Set(grouped.names), Set(rule.keys))
        for t in initial {
            let (eta, lambda) = try XCTUnwrap(rule[t.name])
            let p1 = try plain.floats(t.name), q1 = try grouped.floats(t.name)
            var worst = 0.0, moved = 0.0
            for (i, p0) in t.values.enumerated() {
                let grad = (Double(p0) - Double(p1[i])) / 0.1
                let expected = Double(p0) - eta * (grad + lambda * Double(p0))
                worst = max(worst, abs(Double(q1[i]) - expected))
                moved = max(moved, abs(Double(q1[i]) - Double(p0)))
            }
            XCTAssertLessThan(worst, 3e-7, "\(t.name): rate \(eta), weight decay \(lambda)")
            XCTAssertGreaterThan(moved, 1e-4, t.name)
        }
    }

    /// `batch_size = 8, accumulate = 4` trains as `batch_size = 32` (same row order, no
    /// dropout) through `ftx run`: the final weights agree to float rounding; `batch_size = 8`
    /// alone does not.
    func testAccumulatedStageMatchesTheLargeBatchStage() throws {
        let workspace = try Workspace()
        func stage(_ name: String, batchSize: Int, accumulate: Int?) -> String {
            ExperimentText.stage(name, ["model = mlp", "data = iris", "optimizer = adamw(lr: 1e-2)", "loss = cross_entropy() + 1e-3 * l2()"],
                                 schedule: ["epochs = 3", "batch_size = \(batchSize)"] + (accumulate.map { ["accumulate = \($0)"] } ?? [])
                                     + ["lr = cosine(warmup: 0.2)", "clip_grad_norm = 1.0"])
        }
        let checkpoints = try ExperimentRun(workspace, name: "groups.ftx", ExperimentText.file(Self.header + [
            stage("large", batchSize: 32, accumulate: nil), stage("accumulated", batchSize: 8, accumulate: 4),
            stage("small", batchSize: 8, accumulate: nil),
        ])).checkpoints
        func difference(_ a: String, _ b: String) throws -> Double {
            let x = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints[a])), y = try SafetensorsFile(contentsOf: try XCTUnwrap(checkpoints[b]))
            var diff = 0.0, ref = 0.0
            for name in y.names {
                for (u, v) in zip(try x.floats(name), try y.floats(name)) {
                    diff = max(diff, Double(abs(u - v)))
                    ref = max(ref, Double(abs(v)))
                }
            }
            return diff / ref
        }
        XCTAssertLessThan(try difference("accumulated", "large"), 1e-5)
        XCTAssertGreaterThan(try difference("small", "large"), 1e-3)
    }
}
