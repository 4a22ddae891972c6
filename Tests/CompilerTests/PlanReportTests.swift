import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

final class PlanReportTests: XCTestCase {
    private func digitsPlan(_ sandbox: PlanSandbox) throws -> Plan {
        try makePlan(try sandbox.write(try PlanSandbox.example("digits-transfer"), as: "experiments/digits-transfer.ftx"))
    }

    func testJSONHasTheShapeOfCLIContract() throws {
        let sandbox = try PlanSandbox()
        let plan = try digitsPlan(sandbox)
        let pretrain = try XCTUnwrap(plan.graph.trials.first { $0.stage == "pretrain" })
        let done = Set([pretrain.id, pretrain.evalKey] + plan.graph.tasks.filter { $0.kind == .data }.map(\.key))
        let report = PlanReport(plan: plan, isComplete: { done.contains($0) })
        let json = try JSONParser.parse(report.json())

        XCTAssertEqual(json.keys, ["experiment", "trials", "tasks", "estimate"])
        XCTAssertEqual(json["experiment"]?.stringValue, "digits_transfer")
        let trials = try XCTUnwrap(json["trials"]?.arrayValue)
        XCTAssertEqual(trials.count, 13)
        for trial in trials { XCTAssertEqual(trial.keys, ["id", "stage", "settings", "status"]) }
        XCTAssertEqual(trials[0]["stage"]?.stringValue, "pretrain")
        XCTAssertEqual(trials[0]["status"]?.stringValue, "done")
        XCTAssertEqual(trials[0]["settings"]?.keys, [])
        let first = trials[1]
        XCTAssertEqual(first["status"]?.stringValue, "pending")
        XCTAssertEqual(first["settings"]?.keys, ["optimizer.lr", "schedule.batch_size", "freeze", "init"])
        XCTAssertEqual(first["settings"]?["optimizer.lr"], .double(3e-4))
        XCTAssertEqual(first["settings"]?["schedule.batch_size"], .int(16))
        XCTAssertEqual(first["settings"]?["freeze"]?.stringValue, "[]")
        XCTAssertEqual(first["settings"]?["init"]?.stringValue, pretrain.id)

        let tasks = try XCTUnwrap(json["tasks"]?.arrayValue)
        XCTAssertEqual(tasks.count, plan.graph.tasks.count)
        for task in tasks {
            XCTAssertEqual(task.keys, ["id", "kind", "deps", "status", "stage", "estimated_seconds"])
            let id = try XCTUnwrap(task["id"]?.stringValue)
            XCTAssertGreaterThan(try XCTUnwrap(task["estimated_seconds"]?.doubleValue), 0)
            XCTAssertEqual(task["stage"]?.stringValue, plan.graph.task(id)?.stage)
            XCTAssertEqual(task["status"]?.stringValue, done.contains(id) ? "done" : "pending")
        }
        XCTAssertEqual(Set(tasks.compactMap { $0["kind"]?.stringValue }), ["data", "train", "eval", "select", "ensemble"])
        // The raw text uses the short number spelling.
        XCTAssertTrue(report.json().contains("\"optimizer.lr\":0.0003"))
    }

    func testExplainGivesAReasonPerTask() throws {
        let sandbox = try PlanSandbox()
        let plan = try digitsPlan(sandbox)
        let report = PlanReport(plan: plan, isComplete: { _ in false })
        let data = try XCTUnwrap(plan.graph.tasks.first { $0.kind == .data })
        XCTAssertEqual(report.reason(data), "not in store")
        let pretrain = try XCTUnwrap(plan.graph.trials.first { $0.stage == "pretrain" })
        XCTAssertEqual(report.reason(try XCTUnwrap(plan.graph.task(pretrain.id))), "upstream data \(TaskKey.short(data.key)) must run first")
        let finetune = try XCTUnwrap(plan.graph.trials.first { $0.stage == "finetune" })
        XCTAssertTrue(report.reason(try XCTUnwrap(plan.graph.task(finetune.id))).contains("train \(TaskKey.short(pretrain.id))"))

        let all = Set(plan.graph.tasks.map(\.key))
        let finished = PlanReport(plan: plan, isComplete: { all.contains($0) })
        XCTAssertTrue(plan.graph.tasks.allSatisfy { finished.reason($0) == "done" })
        XCTAssertEqual(finished.pendingSeconds, 0)
        XCTAssertTrue(finished.text().contains("nothing to run"))
    }

    func testTextListsTrialsTasksAndTotals() throws {
        let sandbox = try PlanSandbox()
        let plan = try digitsPlan(sandbox)
        let report = PlanReport(plan: plan, isComplete: { _ in false }, gflops: 5)
        let text = report.text(explain: true)
        XCTAssertTrue(text.hasPrefix("experiment digits_transfer: 13 trials (0 done, 13 pending)\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("trial") })
        XCTAssertEqual(header.split(separator: " ").map(String.init), ["trial", "stage", "status", "settings"])
        let finetune = try XCTUnwrap(plan.graph.trials.first { $0.stage == "finetune" })
        let row = try XCTUnwrap(lines.first { $0.hasPrefix(TaskKey.short(finetune.id)) })
        XCTAssertTrue(row.contains("finetune"))
        XCTAssertTrue(row.contains("optimizer.lr=0.0003 schedule.batch_size=16 freeze=[] init="))
        XCTAssertTrue(lines.contains { $0.hasPrefix("  train") && $0.contains("13") })
        XCTAssertTrue(lines.contains { $0.contains("not in store") })
        XCTAssertTrue(lines.last { !$0.isEmpty }?.hasPrefix("total: 29 tasks, 29 pending; estimated time") ?? false)
        XCTAssertGreaterThan(report.pendingSeconds, 0)
        // Every kind and every stage has its line; the data task's stage is shown as "(data)".
        for kind in ["data", "train", "eval", "select", "ensemble"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("  \(kind)") && $0.contains("~") }, kind)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("  (data)") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("  pretrain") && $0.contains("~") })
        // A faster GEMM makes the products, and only they, faster.
        let faster = PlanReport(plan: plan, isComplete: { _ in false }, gflops: 10)
        XCTAssertLessThan(faster.pendingSeconds, report.pendingSeconds)
    }

    /// The estimate per stage and per kind are the sums of the tasks' estimates, in the text and in `--json`.
    func testEstimatesSumByStageAndKind() throws {
        let sandbox = try PlanSandbox()
        let plan = try digitsPlan(sandbox)
        let pretrain = try XCTUnwrap(plan.graph.trials.first { $0.stage == "pretrain" })
        let done = Set([pretrain.id])
        let report = PlanReport(plan: plan, isComplete: { done.contains($0) }, calibration: .defaults)
        let pending = plan.graph.tasks.filter { !done.contains($0.key) }
        let total = pending.compactMap { report.estimatedSeconds($0.key) }.reduce(0, +)
        XCTAssertEqual(report.pendingSeconds, total, accuracy: 1e-12)
        XCTAssertEqual(report.pendingSecondsByStage.map(\.stage), ["", "pretrain", "finetune"])
        XCTAssertEqual(report.pendingSecondsByStage.map(\.seconds).reduce(0, +), total, accuracy: 1e-12)
        let finetune = pending.filter { $0.stage == "finetune" }.compactMap { report.estimatedSeconds($0.key) }.reduce(0, +)
        XCTAssertEqual(report.pendingSecondsByStage[2].seconds, finetune, accuracy: 1e-12)
        // The done pretrain train task still has an estimate, but is not pending.
        XCTAssertGreaterThan(try XCTUnwrap(report.estimatedSeconds(pretrain.id)), 0)
        let json = try JSONParser.parse(report.json())
        let estimate = try XCTUnwrap(json["estimate"])
        XCTAssertEqual(try XCTUnwrap(estimate["seconds"]?.doubleValue), total, accuracy: 1e-9)
        XCTAssertEqual(estimate["stages"]?.keys, ["", "pretrain", "finetune"])
        XCTAssertEqual(estimate["kinds"]?.keys, ["data", "train", "eval", "select", "ensemble"])
        let kinds = try XCTUnwrap(estimate["kinds"]?.objectValue).compactMap { $0.value.doubleValue }.reduce(0, +)
        XCTAssertEqual(kinds, total, accuracy: 1e-9)
        XCTAssertEqual(estimate["calibration"]?["measured"]?.stringValue, CostCalibration.defaults.measured)
    }

    /// The glosses probe's 12 trials share one hoisted features task; the encoder pass is charged
    /// to it, once, and to no probe trial; the fine-tune, which trains the encoder, pays it per batch.
    func testHoistedFeaturesCarryTheEncoderPass() throws {
        let sandbox = try PlanSandbox()
        let plan = try makePlan(try sandbox.write(try PlanSandbox.example("glosses-minilm"), as: "experiments/glosses-minilm.ftx"))
        let report = PlanReport(plan: plan, isComplete: { _ in false }, calibration: .defaults)
        let features = try XCTUnwrap(plan.graph.tasks.first { $0.kind == .features })
        let probe = plan.graph.trials.filter { $0.stage == "probe" }
        let finetune = try XCTUnwrap(plan.graph.trials.first { $0.stage == "finetune" })
        let featureSeconds = try XCTUnwrap(report.estimatedSeconds(features.key))
        for trial in probe { XCTAssertLessThan(try XCTUnwrap(report.estimatedSeconds(trial.id)), featureSeconds) }
        XCTAssertEqual(plan.estimates[probe[0].id]?.setup.largeFlops, 0)
        XCTAssertGreaterThan(try XCTUnwrap(report.estimatedSeconds(finetune.id)), featureSeconds)
    }

    func testDurationsReadWell() {
        XCTAssertEqual(PlanReport.duration(1.34), "1.3s")
        XCTAssertEqual(PlanReport.duration(42), "42s")
        XCTAssertEqual(PlanReport.duration(185), "3m 05s")
        XCTAssertEqual(PlanReport.duration(7800), "2h 10m")
    }
}
