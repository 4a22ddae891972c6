import Foundation
import XCTest

/// Issue 14: `unfreeze = [{at: N steps, …}]` passed `check` and then `plan` failed ("not
/// supported yet"). It now releases the parameters from optimizer step N (0-based over the
/// stage) on. Iris: 120 training rows in batches of 40, so 3 steps an epoch, 6 in all.
final class UnfreezeAtStepRunTests: XCTestCase {
    static func stage(_ name: String, unfreeze: String?) -> String {
        ExperimentText.stage(name, ["model = mlp", "data = iris", "freeze = [\"layers.0\"]"]
                                 + (unfreeze.map { ["unfreeze = [{at: \($0), layers: [\"layers.0\"]}]"] } ?? []) + ["optimizer = adam(lr: 1e-2)"],
                             schedule: ["epochs = 2", "batch_size = 40"])
    }

    func testIssue14UnfreezeAtStepsTrainsFromThatStepOn() throws {
        let stages = [
            Self.stage("frozen", unfreeze: nil),
            Self.stage("at3steps", unfreeze: "3 steps"),
            Self.stage("at1epoch", unfreeze: "1 epochs"),
            Self.stage("at4steps", unfreeze: "4 steps"),
            Self.stage("at5steps", unfreeze: "5 steps"),
            Self.stage("at6steps", unfreeze: "6 steps"),
        ]
        let run = try ExperimentRun(try Workspace(), ExperimentText.file([
            ExperimentText.header("unfreeze_steps"), ExperimentText.iris(),
            ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu)]", head: 3),
        ] + stages))
        XCTAssertEqual(try run.trial("frozen").history.map { $0["step"] as? Int }, [3, 6], "3 steps an epoch")
        let frozen = try run.weights("frozen")
        let initial = try XCTUnwrap(frozen["layers.0.weight"])
        // Step 6 is never reached (steps 0…5): the whole trial is the frozen one, bit for bit.
        XCTAssertEqual(try run.weights("at6steps"), frozen)
        // Step 3 is the first step of epoch 1: the same trial as `at: 1 epochs`, bit for bit.
        XCTAssertEqual(try run.weights("at3steps"), try run.weights("at1epoch"))
        // From step N on, layers.0 moves: each later release leaves it nearer its start, and different.
        var previous: [Float]?
        for stage in ["at3steps", "at4steps", "at5steps"] {
            let w = try XCTUnwrap(try run.weights(stage)["layers.0.weight"])
            XCTAssertNotEqual(w, initial, "\(stage): layers.0 trains from its step on")
            if let previous { XCTAssertNotEqual(w, previous, "\(stage) releases at another step than the one before") }
            previous = w
        }
        // Released at step 5, it took exactly one Adam step: every weight moved by at most lr (1e-2, Adam's bound).
        let five = try XCTUnwrap(try run.weights("at5steps")["layers.0.weight"])
        let moved = zip(five, initial).map { abs($0 - $1) }
        XCTAssertLessThanOrEqual(moved.max() ?? 1, 1.0001e-2)
        XCTAssertGreaterThan(moved.max() ?? 0, 9e-3, "one Adam step moves a weight by about lr")
    }
}
