import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// Issue 14: `select = top(k, by:)` hands k trials downstream, and `repeat = N` trains
/// every sweep point N times with consecutive seeds — as task graphs and keys.
final class SelectionPlanTests: XCTestCase {
    /// Wine, stage `up` sweeping four learning rates with `upLines`, stage `down` starting from `init` with `downLines`.
    /// Batches of 8: 16 steps per epoch on wine's 125 training rows, so no lint (W0304) joins the diagnostics tested.
    private func experiment(upLines: String, initialization: String = "best(up)", downLines: String = "") -> String {
        """
        \(ExperimentText.header("t", seed: 1))

        \(ExperimentText.wineAndNet)

        stage up {
          model = net
          data = wine
          optimizer = adam(lr: 0.01)
          schedule {
            epochs = 2
            batch_size = 8
          }
          sweep grid {
            optimizer.lr = [0.001, 0.003, 0.01, 0.03]
          }
        \(upLines)
        }

        stage down {
          init = \(initialization)
          data = wine
          optimizer = adam(lr: 0.001)
          schedule {
            epochs = 1
            batch_size = 8
          }
        \(downLines)
        }

        """
    }

    private func plan(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Plan {
        let sandbox = try PlanSandbox()
        return try makePlan(try sandbox.write(text), file: file, line: line)
    }

    private func select(_ plan: Plan, stage: String = "up") throws -> PlannedTask {
        try XCTUnwrap(plan.graph.tasks.first { $0.kind == .select && $0.stage == stage })
    }

    private func spec(_ plan: Plan, _ trial: PlannedTrial) throws -> TrainingSpec {
        guard case .train(let spec)? = plan.graph.task(trial.id)?.payload else { throw PlanError("no train task \(trial.id)") }
        return spec
    }

    // MARK: top(k)

    func testTopKStartsOneDownstreamTrialPerRank() throws {
        let plan = try plan(experiment(upLines: "  select = top(3, by: valid.accuracy)"))
        let select = try select(plan)
        guard case .select(let metric, let minimize, let candidates, let k, let replicates) = select.payload else { return XCTFail("select payload") }
        XCTAssertEqual(metric, "valid.accuracy")
        XCTAssertFalse(minimize)
        XCTAssertEqual(k, 3)
        XCTAssertEqual(replicates, 1)
        XCTAssertEqual(candidates, plan.graph.trials.filter { $0.stage == "up" }.map(\.evalKey))

        let down = plan.graph.trials.filter { $0.stage == "down" }
        XCTAssertEqual(down.count, 3)
        XCTAssertEqual(Set(down.map(\.id)).count, 3, "each rank is its own trial")
        for (i, trial) in down.enumerated() {
            XCTAssertEqual(try spec(plan, trial).initialization, .upstream(taskKey: select.key, rank: i + 1))
            XCTAssertEqual(trial.settings[setting: "rank"], .number(Double(i + 1)))
            XCTAssertTrue(try XCTUnwrap(plan.graph.task(trial.id)).deps.contains(select.key))
        }
    }

    func testSelectKeyDependsOnKAndTopOneIsBest() throws {
        let best = try plan(experiment(upLines: "  select = best(valid.accuracy)"))
        let top1 = try plan(experiment(upLines: "  select = top(1, by: valid.accuracy)"))
        let top3 = try plan(experiment(upLines: "  select = top(3, by: valid.accuracy)"))
        let top7 = try plan(experiment(upLines: "  select = top(7, by: valid.accuracy)"))
        // `top(1)` means `best`: same task, same downstream trial (no rank in its key).
        XCTAssertEqual(try select(top1).key, try select(best).key)
        XCTAssertEqual(top1.graph.trials.filter { $0.stage == "down" }.map(\.id), best.graph.trials.filter { $0.stage == "down" }.map(\.id))
        XCTAssertEqual(try spec(best, best.graph.trials.last!).initialization, .upstream(taskKey: try select(best).key))
        XCTAssertEqual(Set([try select(best).key, try select(top3).key, try select(top7).key]).count, 3, "k is part of the select key")
        // Fewer points than k: every point is handed on.
        XCTAssertEqual(top7.graph.trials.filter { $0.stage == "down" }.count, 4)
        // The upstream trials do not move.
        XCTAssertEqual(top7.graph.trials.filter { $0.stage == "up" }.map(\.id), best.graph.trials.filter { $0.stage == "up" }.map(\.id))
    }

    func testTopKDownstreamSweepRunsEveryPointFromEveryRank() throws {
        let plan = try plan(experiment(upLines: "  select = top(2, by: valid.accuracy)",
                                       downLines: "  sweep grid {\n    optimizer.lr = [0.001, 0.002, 0.004]\n  }"))
        let down = plan.graph.trials.filter { $0.stage == "down" }
        XCTAssertEqual(down.count, 6)
        XCTAssertEqual(down.map { $0.settings[setting: "rank"] }, [1, 1, 1, 2, 2, 2].map { SettingValue.number($0) })
    }

    func testInitStageStillStartsFromEveryTrial() throws {
        let plan = try plan(experiment(upLines: "  select = top(2, by: valid.accuracy)", initialization: "up"))
        let up = plan.graph.trials.filter { $0.stage == "up" }
        let down = plan.graph.trials.filter { $0.stage == "down" }
        XCTAssertEqual(try down.map { try spec(plan, $0).initialization }, up.map { .upstream(taskKey: $0.id) })
    }

    // MARK: repeat

    func testRepeatPlansReplicatesWithConsecutiveSeeds() throws {
        let plain = try plan(experiment(upLines: "  seed = 5\n  select = best(valid.accuracy)"))
        let repeated = try plan(experiment(upLines: "  seed = 5\n  repeat = 3\n  select = best(valid.accuracy)"))
        let up = repeated.graph.trials.filter { $0.stage == "up" }
        XCTAssertEqual(up.count, 12)
        XCTAssertEqual(try up.map { try spec(repeated, $0).seed }, Array(repeating: [5, 6, 7], count: 4).flatMap { $0 })
        XCTAssertEqual(up.map(\.replicate), Array(repeating: [0, 1, 2], count: 4).flatMap { $0 })
        XCTAssertEqual(Set(up.map(\.id)).count, 12)
        // Replicate 0 is the trial without `repeat`: same key, so it is reused from the store.
        let plainUp = plain.graph.trials.filter { $0.stage == "up" }
        XCTAssertEqual(up.filter { $0.replicate == 0 }.map(\.id), plainUp.map(\.id))
        for trial in up { XCTAssertEqual(trial.point, up[up.firstIndex { $0.settings[setting: "optimizer.lr"] == trial.settings[setting: "optimizer.lr"] }!].id) }
        // Every replicate but the first differs from the un-repeated trial only in its seed.
        for trial in up where trial.replicate > 0 {
            var s = try spec(repeated, trial)
            s.seed -= UInt64(trial.replicate)
            XCTAssertEqual(s, try spec(repeated, up.first { $0.id == trial.point }!))
        }
        // The selection groups replicates by point (point-major), and has a key of its own.
        let select = try select(repeated)
        guard case .select(_, _, let candidates, let k, let replicates) = select.payload else { return XCTFail("select payload") }
        XCTAssertEqual(k, 1)
        XCTAssertEqual(replicates, 3)
        XCTAssertEqual(candidates, up.map(\.evalKey))
        XCTAssertNotEqual(select.key, try self.select(plain).key)
        // The stage downstream still starts from one trial: the chosen point's best replicate.
        XCTAssertEqual(repeated.graph.trials.filter { $0.stage == "down" }.count, 1)
    }

    func testRepeatWithoutSweepOrSelectNeedsASelectForBestInit() throws {
        // `repeat` alone makes several trials: `init = up` is as ambiguous as after a sweep.
        let text = experiment(upLines: "  repeat = 2", initialization: "up")
            .replacingOccurrences(of: "  sweep grid {\n    optimizer.lr = [0.001, 0.003, 0.01, 0.03]\n  }\n", with: "")
        let result = checkSource(SourceFile(path: TestPaths.root + "/experiments/x.ftx", text: text))
        XCTAssertEqual(result.diagnostics.map(\.code), [.ambiguousInit])
    }

    func testRepeatRejectsASeedSweepAndPrune() throws {
        let seedSweep = experiment(upLines: "  repeat = 3\n  sweep grid {\n    seed = [0, 1]\n  }\n  select = best(valid.accuracy)")
        let withSeed = checkSource(SourceFile(path: TestPaths.root + "/experiments/x.ftx", text: seedSweep))
        XCTAssertEqual(withSeed.diagnostics.map(\.code), [.repeatWithSeedSweep])
        let d = try XCTUnwrap(withSeed.diagnostics.first)
        XCTAssertEqual(d.message, "a stage with `repeat = 3` cannot sweep `seed`")
        XCTAssertEqual(d.secondary.count, 1)
        XCTAssertFalse(d.help.isEmpty)

        let pruned = experiment(upLines: "  repeat = 2\n  prune = asha(metric: valid.loss, min_epochs: 1, reduction: 2)\n  select = best(valid.accuracy)")
        let withPrune = checkSource(SourceFile(path: TestPaths.root + "/experiments/x.ftx", text: pruned))
        XCTAssertEqual(withPrune.diagnostics.map(\.code), [.repeatWithPrune])
        // `repeat = 1` is the default and combines with both.
        let one = experiment(upLines: "  repeat = 1\n  prune = asha(metric: valid.loss, min_epochs: 1, reduction: 2)\n  select = best(valid.accuracy)")
        XCTAssertEqual(checkSource(SourceFile(path: TestPaths.root + "/experiments/x.ftx", text: one)).diagnostics.map(\.code), [])
        // `repeat` is not a sweep axis.
        let swept = experiment(upLines: "  sweep grid {\n    repeat = [1, 2]\n  }\n  select = best(valid.accuracy)")
        XCTAssertEqual(checkSource(SourceFile(path: TestPaths.root + "/experiments/x.ftx", text: swept)).diagnostics.map(\.code), [.sweepAxisNotSweepable])
    }

    func testDiffReportsARepeatChangeAndReusesTheFirstReplicates() throws {
        let path = TestPaths.root + "/experiments/diff-under-test.ftx"
        let old = experiment(upLines: "  select = best(valid.accuracy)")
        let new = experiment(upLines: "  repeat = 3\n  select = best(valid.accuracy)")
        let diff = try ExperimentDiff.compare(old: try DiffSide.source(Array(old.utf8), at: path, label: "old"),
                                              new: try DiffSide.source(Array(new.utf8), at: path, label: "new"))
        XCTAssertEqual(diff.changes.map { "\($0.kind.rawValue) \($0.path)" }, ["changed stage.up.repeat"])
        XCTAssertEqual(diff.changes.first?.text, "~ stage.up.repeat: 1 → 3")
        // The 4 first replicates are the old trials; 8 replicates are new; the selection moves, so `down` retrains.
        XCTAssertEqual(diff.trials, TrialImpact(reused: 4, invalidated: 1, added: 8))
    }
}
