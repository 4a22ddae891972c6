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

        XCTAssertEqual(json.keys, ["experiment", "trials", "tasks"])
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
            XCTAssertEqual(task.keys, ["id", "kind", "deps", "status"])
            let id = try XCTUnwrap(task["id"]?.stringValue)
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
        XCTAssertTrue(lines.last { !$0.isEmpty }?.hasPrefix("total: 29 tasks, 29 pending; estimated training time") ?? false)
        XCTAssertGreaterThan(report.pendingSeconds, 0)
        // Twice the throughput, half the time.
        let faster = PlanReport(plan: plan, isComplete: { _ in false }, gflops: 10)
        XCTAssertEqual(faster.pendingSeconds * 2, report.pendingSeconds, accuracy: 1e-9)
    }

    func testDurationsReadWell() {
        XCTAssertEqual(PlanReport.duration(1.34), "1.3s")
        XCTAssertEqual(PlanReport.duration(42), "42s")
        XCTAssertEqual(PlanReport.duration(185), "3m 05s")
        XCTAssertEqual(PlanReport.duration(7800), "2h 10m")
    }
}
