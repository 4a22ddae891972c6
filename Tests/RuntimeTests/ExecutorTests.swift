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
        let logs = [EventLog(), EventLog()]
        let results = EventLogSummaries()
        let group = DispatchGroup()
        for me in 0..<2 {
            group.enter()
            Thread {
                do {
                    let store = try TaskStore(root: dir + "/store")
                    let executor = Executor(graph: graph, store: store, jobs: 1, progress: logs[me].append)
                    // Whoever trains first holds its first trial until the other has started one, so
                    // the test does not depend on which thread is faster: the other must not wait
                    // behind it but take a trial nobody holds. (Bounded: a broken scheduler fails, not hangs.)
                    executor.onStep = { _, _, _ in
                        for _ in 0..<6000 where logs[1 - me].startedTrains.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
                    }
                    results.append(try executor.run())
                } catch { XCTFail("\(error)") }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.all.count, 2)
        XCTAssertTrue(results.all.allSatisfy { $0.succeeded && $0.statuses.values.allSatisfy { $0 == .done } })
        XCTAssertFalse(logs[0].startedTrains.isEmpty, "both executors train: \(logs[0].startedTrains) \(logs[1].startedTrains)")
        XCTAssertFalse(logs[1].startedTrains.isEmpty, "both executors train: \(logs[0].startedTrains) \(logs[1].startedTrains)")
        let started = logs[0].startedTrains + logs[1].startedTrains
        XCTAssertEqual(started.sorted(), ["ttrain0", "ttrain1", "ttrain2"], "each trial trains exactly once: \(started)")
        let executed = results.all.flatMap(\.executed)
        XCTAssertEqual(executed.count, graph.tasks.count, "every task ran in exactly one executor: \(executed)")
        XCTAssertEqual(Set(executed).count, executed.count)
        // Identical to a single executor's results, and no lease is left behind.
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/solo")).run().succeeded)
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store"), TrainerFixtures.snapshot(dir + "/solo"))
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store", files: ["lease.json"]), [:])
    }

    func testATaskLeasedByALiveWorkerIsSkippedAndWaitedForLast() throws {
        let dir = TrainerFixtures.temporaryDirectory("leased")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let store = try TaskStore(root: dir + "/store")
        store.leaseTimeout = 3600
        // Another machine works on ttrain0 (a fresh heartbeat; its pid means nothing here).
        let now = Date().timeIntervalSince1970
        let other = TaskLease.Owner(host: "elsewhere.invalid", pid: 1, started: now, token: "theirs", heartbeat: now)
        try store.prepareEntry("ttrain0")
        let leasePath = store.lease(for: "ttrain0").path
        try AtomicFile.write(JSONWriter.encode(other.json) + "\n", to: leasePath)
        let log = EventLog()
        let waited = DispatchSemaphore(value: 0)
        let executor = Executor(graph: graph, store: store, jobs: 1, progress: { e in
            log.append(e)
            if case .waiting = e { waited.signal() }
        })
        executor.pollInterval = 0.01
        let summary = EventLogSummaries()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { summary.append(try executor.run()) } catch { XCTFail("\(error)") }
            done.signal()
        }.start()
        // It trains the others first and waits only when ttrain0 (and what needs it) is all that is left.
        XCTAssertEqual(waited.wait(timeout: .now() + 300), .success, "the executor waits for the leased task")
        XCTAssertEqual(log.startedTrains, ["ttrain1", "ttrain2"])
        let waits = log.all.compactMap { e -> String? in if case let .waiting(k, h) = e { return "\(k) \(h ?? "")" } else { return nil } }
        XCTAssertEqual(waits, ["ttrain0 pid 1 on elsewhere.invalid"])
        XCTAssertEqual(store.lease(for: "ttrain0").owner()?.token, "theirs", "a live lease is not taken over")
        // The other worker gives up without a result: the task is this executor's now.
        unlink(leasePath)
        XCTAssertEqual(done.wait(timeout: .now() + 300), .success)
        let result = try XCTUnwrap(summary.all.first)
        XCTAssertTrue(result.succeeded && result.statuses.values.allSatisfy { $0 == .done }, "\(result.failures)")
        XCTAssertEqual(log.startedTrains, ["ttrain1", "ttrain2", "ttrain0"])
        XCTAssertTrue(try Executor(graph: graph, store: try TaskStore(root: dir + "/solo")).run().succeeded)
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store"), TrainerFixtures.snapshot(dir + "/solo"))
    }

    func testAKilledWorkersTrialIsResumedFromItsCheckpointByTheNextOwner() throws {
        let dir = TrainerFixtures.temporaryDirectory("takeover")
        let graph = TrainerFixtures.graph(specs(TrainerFixtures.syntheticCSV(in: dir)))
        let store = try TaskStore(root: dir + "/store")
        store.leaseTimeout = 3600  // only the dead pid can free the lease
        let first = Executor(graph: graph, store: store)
        first.interruptAfterEpochs = ["ttrain0": 1]
        first.checkpointInterval = 0
        _ = try first.run()
        XCTAssertEqual(Trainer.epochsCompleted(key: "ttrain0", store: store), 1)
        // As a worker killed in ttrain0's second epoch leaves it: a fresh heartbeat, a dead pid on this host.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let now = Date().timeIntervalSince1970
        let dead = TaskLease.Owner(host: TaskLease.host, pid: gone.processIdentifier, started: now, token: "killed", heartbeat: now)
        try AtomicFile.write(JSONWriter.encode(dead.json) + "\n", to: store.lease(for: "ttrain0").path)
        let log = EventLog()
        let next = Executor(graph: graph, store: try TaskStore(root: dir + "/store"), progress: log.append)
        let summary = try next.run()
        XCTAssertTrue(summary.succeeded, "\(summary.failures)")
        let resumed = log.all.compactMap { e -> Int? in
            if case let .started(key, _, _, at) = e, key == "ttrain0" { return at } else { return nil }
        }
        XCTAssertEqual(resumed, [1], "the next owner resumes after the checkpointed epoch")
        XCTAssertFalse(log.all.contains { if case .waiting = $0 { return true } else { return false } })
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

    func testTwoExecutorsSharingAnASHASweepPruneAsOneExecutorDoes() throws {
        let dir = TrainerFixtures.temporaryDirectory("asha-shared")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let prune = PruneSpec(metric: "valid.loss", minimize: true, minEpochs: 1, reduction: 2)
        let graph = TrainerFixtures.graph(specs(csv, lrs: [1e-4, 3e-3, 1e-2, 3e-4], prune: prune, epochs: 4))
        let alone = try Executor(graph: graph, store: try TaskStore(root: dir + "/solo")).run()
        XCTAssertTrue(alone.succeeded, "\(alone.failures)")
        let results = EventLogSummaries()
        let logs = [EventLog(), EventLog()]
        let group = DispatchGroup()
        for me in 0..<2 {
            group.enter()
            Thread {
                do {
                    let executor = Executor(graph: graph, store: try TaskStore(root: dir + "/store"), jobs: 1, progress: logs[me].append)
                    executor.pollInterval = 0.01
                    results.append(try executor.run())
                } catch { XCTFail("\(error)") }
                group.leave()
            }.start()
        }
        group.wait()
        // Each decides a rung only once every trial reached it in the store, so both reach the solo decisions.
        for r in results.all { XCTAssertEqual(r.statuses, alone.statuses, "\(r.failures)") }
        XCTAssertEqual(TrainerFixtures.snapshot(dir + "/store"), TrainerFixtures.snapshot(dir + "/solo"))
        let store = try TaskStore(root: dir + "/store")
        XCTAssertEqual((0..<4).map { store.history(for: "ttrain\($0)").count }.sorted(), [1, 1, 2, 4])
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
