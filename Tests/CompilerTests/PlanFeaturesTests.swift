import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// Hoisting a frozen pretrained encoder: trials that share it depend on one `features` task.
final class PlanFeaturesTests: XCTestCase {
    private func glossesPlan(_ sandbox: PlanSandbox, edit: (String) -> String = { $0 }) throws -> Plan {
        let path = try sandbox.write(edit(try PlanSandbox.example("glosses-minilm")), as: "experiments/glosses-minilm.ftx")
        return try makePlan(path)
    }

    func testGlossesProbeSweepSharesOneFeaturesTask() throws {
        let sandbox = try PlanSandbox()
        let plan = try glossesPlan(sandbox)
        let graph = plan.graph
        let features = graph.tasks.filter { $0.kind == .features }
        XCTAssertEqual(features.count, 1)
        let f = try XCTUnwrap(features.first)
        guard case .features(let spec) = f.payload else { return XCTFail("features payload") }
        XCTAssertNotNil(spec.model.pretrained)
        XCTAssertEqual(spec.model.pretrained?.maxLength, 64)
        XCTAssertEqual(f.deps.count, 1)
        XCTAssertEqual(graph.task(f.deps[0])?.kind, .data)

        let probe = graph.trials.filter { $0.stage == "probe" }
        XCTAssertEqual(probe.count, 12)
        for trial in probe {
            let train = try XCTUnwrap(graph.task(trial.id))
            XCTAssertEqual(train.kind, .train)
            XCTAssertTrue(train.deps.contains(f.key), "probe trial \(TaskKey.short(trial.id)) does not depend on the features task")
        }
        // The fine-tune trains encoder layers (dropout makes its frozen prefix stochastic): no features dependency.
        for trial in graph.trials where trial.stage == "finetune" {
            XCTAssertFalse(try XCTUnwrap(graph.task(trial.id)).deps.contains(f.key))
        }
        // Topological: the features task precedes the trials.
        let index = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($1.key, $0) })
        for trial in probe { XCTAssertLessThan(index[f.key]!, index[trial.id]!) }
    }

    func testFeaturesKeyIgnoresOptimizerButNotMaxLength() throws {
        let sandbox = try PlanSandbox()
        let base = try XCTUnwrap(glossesPlan(sandbox).graph.tasks.first { $0.kind == .features }?.key)
        let otherLR = try glossesPlan(sandbox) { $0.replacingOccurrences(of: "optimizer = adamw(lr: 1e-3, weight_decay: 0.01)",
                                                                          with: "optimizer = sgd(lr: 0.1)") }
        XCTAssertEqual(otherLR.graph.tasks.first { $0.kind == .features }?.key, base)
        let otherLength = try glossesPlan(sandbox) { $0.replacingOccurrences(of: "max_length: 64", with: "max_length: 32") }
        let k = try XCTUnwrap(otherLength.graph.tasks.first { $0.kind == .features }?.key)
        XCTAssertNotEqual(k, base)
    }

    func testPartlyFrozenEncoderIsNotHoisted() throws {
        let sandbox = try PlanSandbox()
        let plan = try glossesPlan(sandbox) { $0.replacingOccurrences(of: #"freeze = ["embeddings.*", "encoder.*"]"#,
                                                                       with: #"freeze = ["embeddings.*", "encoder.layer.0.*"]"#) }
        XCTAssertEqual(plan.graph.tasks.filter { $0.kind == .features }.count, 0)
    }
}
