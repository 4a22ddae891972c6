import Charts
import Compiler
import Foundation
import Plan
import Runtime
import Support
import XCTest

/// `ftx report` (issue 17): one self-contained HTML file drawn from the store.
final class ReportCommandTests: XCTestCase {
    func testReportDrawsEveryTrialFromTheStoreAndLoadsNothing() throws {
        let workspace = try Workspace()
        let r = try ReportFixture.run(workspace)
        let out = workspace.url.appendingPathComponent("report.html").path
        let report = ftx(["report", "--out", out, "--store", r.store, r.file])
        XCTAssertEqual(report.status, 0, report.err)
        XCTAssertTrue(report.out.hasPrefix("wrote \(out) ("), report.out)
        let html = try String(contentsOfFile: out, encoding: .utf8)

        // Self-contained: a policy that forbids every fetch, and nothing that would fetch.
        XCTAssertTrue(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\""))
        for external in ["http://", "https://", " src=", "url(", "@import", "<link", "@font-face"] {
            XCTAssertFalse(html.contains(external), "the report refers to something outside it: \(external)")
        }

        // Learning curves: per stage, one chart per metric (train.loss, valid.loss, valid.accuracy),
        // each with exactly one line per trial, named by its id.
        for stage in ["train", "tune"] {
            let ids = (r.trials[stage] ?? []).compactMap { $0.json["id"] as? String }
            XCTAssertEqual(ids.count, stage == "train" ? 4 : 1)
            let charts = ReportFixture.charts(html, with: "data-stage=\"\(stage)\" data-metric=")
            XCTAssertEqual(charts.map { ReportFixture.values(of: "data-metric", in: "<svg" + $0).first ?? "" },
                           ["train.loss", "valid.loss", "valid.accuracy"], stage)
            for chart in charts { XCTAssertEqual(ReportFixture.values(of: "data-trial", in: chart), ids, stage) }
            // The lr schedule of every trial, recomputed, agreeing with the history's recorded lr.
            let schedule = try XCTUnwrap(ReportFixture.charts(html, with: "data-chart=\"schedule\" data-stage=\"\(stage)\"").first)
            XCTAssertEqual(ReportFixture.values(of: "data-schedule-trial", in: schedule), ids)
        }
        XCTAssertFalse(html.contains("differs from the lr its history recorded"))
        // `repeat = 2`: a mean ± std band per sweep point and curve metric (2 points × 3 metrics).
        XCTAssertEqual(ReportFixture.values(of: "data-band", in: html).count, 6)
        // The lr spans a decade: a log axis in the sweep plot.
        let sweep = try XCTUnwrap(ReportFixture.charts(html, with: "data-setting=\"optimizer.lr\"").first)
        XCTAssertTrue(sweep.contains("optimizer.lr (log scale)"))
        XCTAssertEqual(ReportFixture.values(of: "data-point-trial", in: sweep).count, 4)
        // Confusion matrices: the selected train trial, tune's only trial and the ensemble, on valid and test.
        XCTAssertEqual(ReportFixture.values(of: "data-split", in: html), ["valid", "test", "valid", "test", "valid", "test"])
        // Each matrix's counts add up to its split's rows (iris: 150 rows, 30 valid and 30 test).
        for chart in ReportFixture.charts(html, with: "data-chart=\"confusion\"") {
            let counts = chart.components(separatedBy: "class=\"count").dropFirst().compactMap { Int($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }) }
            XCTAssertEqual(counts.count, 9)
            XCTAssertEqual(counts.reduce(0, +), 30)
        }
        // The task graph: every task (no group is large enough to be drawn as one box), all in the store.
        XCTAssertEqual(ReportFixture.values(of: "data-task", in: html).count, 13)
        XCTAssertFalse(html.contains(">not run yet<"), "a task box says it did not run")
        // The summary names the selection and why.
        XCTAssertTrue(html.contains("<code>select = best(valid.accuracy)</code> selected trial"), html)
    }

    /// The schedule the report draws is the one the trainer used: at each epoch's last step it
    /// equals, bit for bit, the lr the trainer recorded in the history (plateau reductions included).
    func testScheduleTraceReproducesTheTrainersLearningRates() throws {
        let workspace = try Workspace()
        let r = try ReportFixture.run(workspace)
        let check = try checkFile(path: r.file).get()
        let plan = try Planner().makePlan(check.experiment, file: check.file)
        let store = try TaskStore(root: r.store, create: false)
        var plateauDrops = 0
        for task in plan.graph.tasks {
            guard case .train(let spec) = task.payload else { continue }
            let history = store.history(for: task.key).compactMap(EpochRecord.init(json:))
            XCTAssertFalse(history.isEmpty)
            let trace = try XCTUnwrap(LRScheduleTrace(spec: spec, history: history))
            XCTAssertEqual(trace.learningRates.count, history.last?.step)
            for record in history {
                XCTAssertEqual(trace.learningRates[record.step - 1].bitPattern, record.lr.bitPattern, "\(task.stage) epoch \(record.epoch)")
            }
            if task.stage == "train" {
                // 90 train rows in batches of 16 → 6 batches, accumulated 2 per step → 3 steps per epoch.
                XCTAssertEqual(trace.stepsPerEpoch, 3)
                XCTAssertEqual(trace.learningRates[0], 0, "cosine warm-up starts at 0")
            } else {
                plateauDrops = Set(history.map(\.lr)).count - 1
            }
        }
        XCTAssertGreaterThan(plateauDrops, 0, "the plateau schedule never dropped: the test would not exercise its replay")
    }

    func testReportOfAnExperimentNotRunSaysWhatIsMissing() throws {
        let workspace = try Workspace()
        let file = try workspace.write("report-demo.ftx", ReportFixture.text)
        let out = workspace.url.appendingPathComponent("empty.html").path
        let store = workspace.url.appendingPathComponent("no-store-here").path
        let report = ftx(["report", "--out", out, "--store", store, file])
        XCTAssertEqual(report.status, 0, report.err)
        XCTAssertTrue(report.out.contains("nothing is in the store yet: run `ftx run \(file)`"), report.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store), "a report never creates a store")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("Nothing of this experiment is in the store yet"))
        XCTAssertTrue(html.contains("No trial of this stage has finished an epoch yet"))
        XCTAssertTrue(html.contains("No confusion matrix in the store yet"))
        XCTAssertEqual(ReportFixture.values(of: "data-trial", in: html), [])
        // The plan is drawn all the same, every task not run.
        XCTAssertEqual(ReportFixture.values(of: "data-task", in: html).count, 13)
        XCTAssertEqual(html.components(separatedBy: ">not run yet<").count - 1, 13)
    }

    func testAnUnwritableOutputFailsWithoutALeftoverFile() throws {
        let workspace = try Workspace()
        let file = try workspace.write("report-demo.ftx", ReportFixture.text)
        let out = workspace.url.appendingPathComponent("missing-folder/report.html").path
        let report = ftx(["report", "--out", out, "--store", workspace.url.appendingPathComponent("s").path, file])
        XCTAssertEqual(report.status, 2)
        // The fixture's lints (few steps per epoch on its small data) may come first.
        XCTAssertTrue(report.err.split(separator: "\n").contains { $0.hasPrefix("ftx report: error: cannot write `\(out)`") }, report.err)
        XCTAssertEqual(warningsOtherThanLints(report.err), [], report.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(ftx(["report", "--bogus", file]).status, 64)
    }

    /// `--compare REV`: `ftx diff`'s report of the edit and the matched trials' metrics of both revisions.
    func testCompareShowsTheEditAndHowMetricsMoved() throws {
        let repo = try GitSandbox()
        try repo.write("experiments/digits-transfer.ftx", ExperimentText.file([
            ExperimentText.header("cmp"), ExperimentText.digits,
            ExperimentText.mlp(input: 64, layers: "[dense(16, activation: relu)]", head: 10),
            ExperimentText.stage("train", ["model = mlp", "data = digits", "optimizer = adam(lr: 0.001)"],
                                 schedule: ["epochs = 2", "batch_size = 64"]),
        ]))
        try repo.commit("small")
        let store = repo.url.appendingPathComponent("store").path
        XCTAssertEqual(ftx(["run", "--store", store, repo.file]).status, 0)
        try repo.edit("adam(lr: 0.001)", "adam(lr: 0.003)")
        XCTAssertEqual(ftx(["run", "--store", store, repo.file]).status, 0)
        let out = repo.url.appendingPathComponent("cmp.html").path
        let report = ftx(["report", "--out", out, "--store", store, "--compare", "HEAD", repo.file])
        XCTAssertEqual(report.status, 0, report.err)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Compared with HEAD</h2>"), html)
        XCTAssertTrue(html.contains("~ stage.train.optimizer.lr: 0.001 → 0.003"), html)
        XCTAssertTrue(html.contains("trials: 0 reused, 1 invalidated, 0 added, 0 removed"), html)
        // Both revisions' valid.accuracy and the change between them.
        let results = { (args: [String]) -> Double in
            let r = ftx(["results", "--json", "--store", store] + args)
            let object = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
            let trial = (object?["trials"] as? [[String: Any]])?.first
            return (trial?["metrics"] as? [String: Any])?["valid.accuracy"] as? Double ?? .nan
        }
        let now = results([repo.file])
        XCTAssertTrue(now.isFinite)
        XCTAssertTrue(html.contains(">" + TickFormat.value(now) + "<"), "the current valid.accuracy \(now) is shown")
        XCTAssertEqual(ftx(["report", "--out", out, "--store", store, "--compare", "no-such-rev", repo.file]).status, 2)
    }
}
