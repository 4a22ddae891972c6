import Foundation
import Plan
import Runtime
import Support
import XCTest

/// The executor's side of `select = top(k, …)` and `repeat`: what a select task records and
/// which checkpoint a ranked `.upstream` resolves to.
final class SelectionExecutorTests: XCTestCase {
    /// Two trials of stage `fit`, a `top(3)` selection over them, and three trials starting from ranks 1, 2 and 3.
    func testARankBeyondTheSelectedTrialsFailsWithItsReason() throws {
        let dir = TrainerFixtures.temporaryDirectory("topk")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let specs = [1e-3, 1e-2].enumerated().map { i, lr in TrainerFixtures.syntheticSpec(csv: csv, seed: UInt64(10 + i), lr: lr, epochs: 2) }
        var graph = TrainerFixtures.graph(specs, select: false)
        let evals = ["teval0", "teval1"]
        graph.tasks.append(PlannedTask(key: "tselect", kind: .select, stage: "fit", deps: evals,
                                       payload: .select(metric: "valid.loss", minimize: true, candidates: evals, k: 3)))
        for rank in 1...3 {
            var down = TrainerFixtures.syntheticSpec(csv: csv, seed: 3, epochs: 1)
            down.initialization = .upstream(taskKey: "tselect", rank: rank)
            graph.tasks.append(PlannedTask(key: "tdown\(rank)", kind: .train, stage: "down", deps: ["tselect"], payload: .train(down)))
        }
        let store = try TaskStore(root: dir + "/store")
        let summary = try Executor(graph: graph, store: store).run()

        let losses = evals.map { store.metrics(for: $0)?["metrics"]?["valid.loss"]?.doubleValue ?? .nan }
        let order = losses[0] <= losses[1] ? [0, 1] : [1, 0]
        let selection = try XCTUnwrap(store.metrics(for: "tselect"))
        XCTAssertEqual(selection["selected"]?.stringValue, "ttrain\(order[0])")
        XCTAssertEqual(selection["k"]?.intValue, 3)
        let list = try XCTUnwrap(selection["selected_list"]?.arrayValue)
        XCTAssertEqual(list.compactMap { $0["trial"]?.stringValue }, order.map { "ttrain\($0)" }, "fewer trials than k: all of them, best first")
        XCTAssertEqual(list.compactMap { $0["value"]?.doubleValue }, order.map { losses[$0] })

        XCTAssertEqual(summary.statuses["tdown1"], .done)
        XCTAssertEqual(summary.statuses["tdown2"], .done)
        XCTAssertEqual(summary.failures.map(\.key), ["tdown3"])
        XCTAssertTrue(summary.failures.first?.message.contains("stage fit selected 2 trial(s)") == true, "\(summary.failures)")
        XCTAssertTrue(summary.failures.first?.message.contains("no rank 3") == true, "\(summary.failures)")
    }

    /// Replicates are grouped by position; a point ranks by the mean of the replicates that
    /// finished, and hands on its best one.
    func testSelectionRanksPointsByTheMeanOfTheirReplicates() throws {
        let dir = TrainerFixtures.temporaryDirectory("replicates")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        // Two points (learning rates) × two replicates (seeds s, s+1).
        let specs = [1e-3, 1e-2].flatMap { lr in (0..<2).map { r in TrainerFixtures.syntheticSpec(csv: csv, seed: UInt64(20 + r), lr: lr, epochs: 2) } }
        var graph = TrainerFixtures.graph(specs, select: false)
        let evals = (0..<4).map { "teval\($0)" }
        graph.tasks.append(PlannedTask(key: "tselect", kind: .select, stage: "fit", deps: evals,
                                       payload: .select(metric: "valid.loss", minimize: true, candidates: evals, k: 2, replicates: 2)))
        let store = try TaskStore(root: dir + "/store")
        XCTAssertTrue(try Executor(graph: graph, store: store).run().succeeded)

        let x = evals.map { store.metrics(for: $0)?["metrics"]?["valid.loss"]?.doubleValue ?? .nan }
        let means = [(x[0] + x[1]) / 2, (x[2] + x[3]) / 2]
        let first = means[0] <= means[1] ? 0 : 1
        let order = [first, 1 - first]
        func bestReplicate(_ p: Int) -> Int { x[2 * p] <= x[2 * p + 1] ? 2 * p : 2 * p + 1 }
        let selection = try XCTUnwrap(store.metrics(for: "tselect"))
        XCTAssertEqual(selection["selected"]?.stringValue, "ttrain\(bestReplicate(first))")
        let list = try XCTUnwrap(selection["selected_list"]?.arrayValue)
        XCTAssertEqual(list.compactMap { $0["trial"]?.stringValue }, order.map { "ttrain\(bestReplicate($0))" })
        XCTAssertEqual(list.compactMap { $0["value"]?.doubleValue }, order.map { means[$0] })
        XCTAssertEqual(list.first?["replicates"]?.arrayValue?.compactMap { $0["trial"]?.stringValue },
                       [2 * first, 2 * first + 1].map { "ttrain\($0)" })
    }
}
