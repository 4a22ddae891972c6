import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Scheduling: caching, jobs-independence, shared stores, select/ensemble, ASHA, divergence.
final class ExecutorTests: XCTestCase {
    private func specs(_ csv: String, lrs: [Double] = [1e-3, 3e-3, 1e-2], prune: PruneSpec? = nil, epochs: Int = 3) -> [TrainingSpec] {
        lrs.enumerated().map { i, lr in TrainerFixtures.syntheticSpec(csv: csv, seed: UInt64(10 + i), lr: lr, epochs: epochs, prune: prune) }
    }

    func testRerunningAFinishedPlanDoesNoWork() throws {
        let dir = TrainerFixtures.temporaryDirectory("rerun")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let first = try Executor(graph: graph, store: try TaskStore(root: dir + "/store")).run()
        XCTAssertTrue(first.succeeded, "\(first.failures)")
        XCTAssertEqual(first.executed.count, graph.tasks.count)
        XCTAssertTrue(first.statuses.values.allSatisfy { $0 == .done })
        let log = EventLog()
        let second = try Executor(graph: graph, store: try TaskStore(root: dir + "/store"), progress: log.append).run()
        XCTAssertEqual(second.executed, [])
        XCTAssertEqual(second.cached.count, graph.tasks.count)
        XCTAssertEqual(log.startedTrains, [])
    }

    func testJobsOneAndTwoGiveIdenticalStores() throws {
        let dir = TrainerFixtures.temporaryDirectory("jobs")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let one = try Executor(graph: graph, store: try TaskStore(root: dir + "/one"), jobs: 1).run()
        let two = try Executor(graph: graph, store: try TaskStore(root: dir + "/two"), jobs: 2).run()
        XCTAssertTrue(one.succeeded && two.succeeded)
        XCTAssertEqual(one.statuses, two.statuses)
        let a = TrainerFixtures.snapshot(dir + "/one"), b = TrainerFixtures.snapshot(dir + "/two")
        XCTAssertEqual(a.count, 11, "3 × (final, history) + 3 evals + select + ensemble")
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (k, v) in a { XCTAssertEqual(v, b[k], "\(k) differs between --jobs 1 and --jobs 2") }
    }

    func testSelectPicksTheBestEvalAndEnsembleAveragesTopK() throws {
        let dir = TrainerFixtures.temporaryDirectory("select")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let store = try TaskStore(root: dir + "/store")
        XCTAssertTrue(try Executor(graph: graph, store: store, jobs: 2).run().succeeded)
        let accuracies = (0..<3).map { store.metrics(for: "teval\($0)")?["metrics"]?["valid.accuracy"]?.doubleValue ?? -1 }
        XCTAssertTrue(accuracies.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(accuracies)")
        let best = accuracies.indices.max { a, b in accuracies[a] != accuracies[b] ? accuracies[a] < accuracies[b] : a > b }!
        let selection = try XCTUnwrap(store.metrics(for: "tselect"))
        XCTAssertEqual(selection["selected"]?.stringValue, "ttrain\(best)")
        XCTAssertEqual(selection["value"]?.doubleValue, accuracies[best])
        let ensemble = try XCTUnwrap(store.metrics(for: "tensemble"))
        XCTAssertEqual(ensemble["members"]?.arrayValue?.count, 2)
        XCTAssertEqual(ensemble["members"]?[0]?.stringValue, "ttrain\(best)")
        let acc = try XCTUnwrap(ensemble["metrics"]?["valid.accuracy"]?.doubleValue)
        XCTAssertTrue(acc >= 0 && acc <= 1)
        XCTAssertNotNil(ensemble["metrics"]?["test.loss"]?.doubleValue)
    }

    func testTwoExecutorsSharingAStoreTrainEachTaskOnce() throws {
        let dir = TrainerFixtures.temporaryDirectory("shared")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let log = EventLog()
        let results = EventLogSummaries()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                do {
                    let store = try TaskStore(root: dir + "/store")
                    results.append(try Executor(graph: graph, store: store, jobs: 2, progress: log.append).run())
                } catch { XCTFail("\(error)") }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.all.count, 2)
        XCTAssertTrue(results.all.allSatisfy { $0.succeeded && $0.statuses.values.allSatisfy { $0 == .done } })
        let started = log.startedTrains
        XCTAssertEqual(started.sorted(), ["ttrain0", "ttrain1", "ttrain2"], "each trial trains exactly once: \(started)")
        let executed = results.all.flatMap(\.executed)
        XCTAssertEqual(executed.count, graph.tasks.count, "every task ran in exactly one executor: \(executed)")
        // Identical to a single executor's results.
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/solo")).run().succeeded)
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store"), TrainerFixtures.snapshot(dir + "/solo"))
    }

    func testASHAPrunesTheSameTrialsWhateverJobs() throws {
        let dir = TrainerFixtures.temporaryDirectory("asha")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let prune = PruneSpec(metric: "valid.loss", minimize: true, minEpochs: 1, reduction: 2)
        let graph = TrainerFixtures.graph(specs(csv, lrs: [1e-4, 3e-3, 1e-2, 3e-4], prune: prune, epochs: 4))
        var outcomes: [[String: TaskStatus]] = []
        for jobs in [1, 2] {
            let log = EventLog()
            let store = try TaskStore(root: dir + "/store\(jobs)")
            let summary = try Executor(graph: graph, store: store, jobs: jobs, progress: log.append).run()
            XCTAssertTrue(summary.succeeded, "\(summary.failures)")
            let trains = (0..<4).map { "ttrain\($0)" }
            let statuses = trains.map { summary.statuses[$0]! }
            XCTAssertEqual(statuses.filter { $0 == .done }.count, 1, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == .pruned }.count, 3, "\(statuses)")
            // Rungs at epochs 1 and 2: two trials stop after 1 epoch, one after 2, the winner trains all 4.
            let epochs = trains.map { store.history(for: $0).count }.sorted()
            XCTAssertEqual(epochs, [1, 1, 2, 4])
            for t in trains { XCTAssertEqual(store.status(of: t), summary.statuses[t]) }
            XCTAssertEqual(store.metrics(for: "tselect")?["selected"]?.stringValue,
                           trains.first { summary.statuses[$0] == .done })
            outcomes.append(summary.statuses)
            // Re-running reaches the same decisions without training.
            let again = EventLog()
            let rerun = try Executor(graph: graph, store: try TaskStore(root: dir + "/store\(jobs)"), jobs: jobs, progress: again.append).run()
            XCTAssertEqual(rerun.statuses, summary.statuses)
            XCTAssertEqual(again.startedTrains, [])
        }
        XCTAssertEqual(outcomes[0], outcomes[1])
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store1"), TrainerFixtures.snapshot(dir + "/store2"))
    }

    func testADivergedTrialDoesNotStopTheSweep() throws {
        let dir = TrainerFixtures.temporaryDirectory("diverge")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        var bad = TrainerFixtures.syntheticSpec(csv: csv, epochs: 2)
        bad.optimizer = OptimizerSpec(kind: .sgd, lr: 1e30)
        bad.schedule.clipGradNorm = nil
        bad.schedule.lr = .constant
        let good = TrainerFixtures.syntheticSpec(csv: csv, epochs: 2)
        let graph = TrainerFixtures.graph([bad, good])
        let store = try TaskStore(root: dir + "/store")
        let summary = try Executor(graph: graph, store: store).run()
        XCTAssertTrue(summary.succeeded, "\(summary.failures)")
        XCTAssertEqual(summary.statuses["ttrain0"], .diverged)
        XCTAssertEqual(summary.statuses["ttrain1"], .done)
        XCTAssertEqual(store.metrics(for: "teval0")?["status"]?.stringValue, "diverged")
        XCTAssertEqual(store.metrics(for: "tselect")?["selected"]?.stringValue, "ttrain1")
        XCTAssertEqual(store.readJSON("status.json", for: "ttrain0")?["status"]?.stringValue, "diverged")
    }

    func testAFailedTaskFailsItsDependentsOnly() throws {
        let dir = TrainerFixtures.temporaryDirectory("fail")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        var broken = TrainerFixtures.syntheticSpec(csv: csv, epochs: 1)
        broken.model.input = 5  // the data has 8 features
        let graph = TrainerFixtures.graph([broken, TrainerFixtures.syntheticSpec(csv: csv, epochs: 1)])
        let summary = try Executor(graph: graph, store: try TaskStore(root: dir + "/store")).run()
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.statuses["ttrain0"], .failed)
        XCTAssertEqual(summary.statuses["teval0"], .failed)
        XCTAssertEqual(summary.statuses["ttrain1"], .done)
        XCTAssertEqual(summary.statuses["tselect"], .done)
        let message = summary.failures.first { $0.key == "ttrain0" }?.message ?? ""
        XCTAssertTrue(message.contains("8 feature") && message.contains("input is 5"), message)
    }
}

/// Thread-safe list of summaries.
final class EventLogSummaries: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ExecutionSummary] = []
    func append(_ s: ExecutionSummary) { lock.lock(); items.append(s); lock.unlock() }
    var all: [ExecutionSummary] { lock.lock(); defer { lock.unlock() }; return items }
}
