import Foundation
import XCTest

/// Issue 18: four `ftx run` processes on one store, with `results`, `plan` and `report`
/// reading it all the while. Every task is trained once, every reader sees whole entries
/// (a trial is either not done, or done with all its metrics — never a torn read), and
/// the results equal one run alone, bit for bit.
final class ConcurrentStoreTests: XCTestCase {
    func testFourRunsAndReadersOnOneStore() throws {
        let workspace = try Workspace()
        let file = try workspace.write("shared.ftx", KillResumeTests.experiment)
        let store = workspace.url.appendingPathComponent("store").path
        let logs = (0..<4).map { workspace.url.appendingPathComponent("run-\($0).log") }
        let runs = try logs.map { try FTXProcess.launch(["run", "--store", store, file], output: $0) }

        // Read while they run: each reader must succeed on whatever state the store is in.
        let report = workspace.url.appendingPathComponent("report.html").path
        var reads = 0, sawPartial = false
        var seenMetricKeys: [String: Set<Set<String>>] = [:]  // trial id → the metric key sets readers saw
        repeat {
            let results = ftx(["results", "--json", "--store", store, file])
            if results.status == 0 {
                let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any], results.out)
                for trial in try XCTUnwrap(json["trials"] as? [[String: Any]]) {
                    // A trial's metrics come from its eval task: none until it is sealed, then all of them.
                    let metrics = try XCTUnwrap(trial["metrics"] as? [String: Any], "\(trial)")
                    seenMetricKeys[try XCTUnwrap(trial["id"] as? String), default: []].insert(Set(metrics.keys))
                    if trial["status"] as? String != "done" || metrics.isEmpty { sawPartial = true }
                }
            } else {
                // Only before the first run has written the experiment record.
                XCTAssertFalse(FileManager.default.fileExists(atPath: store + "/experiments"), "results failed on a live store: \(results.err)")
            }
            let plan = ftx(["plan", "--store", store, file])
            XCTAssertEqual(plan.status, 0, plan.err)
            if FileManager.default.fileExists(atPath: store + "/experiments") {
                let r = ftx(["report", "--out", report, "--store", store, file])
                XCTAssertEqual(r.status, 0, r.err)
                let html = try String(contentsOfFile: report, encoding: .utf8)
                XCTAssertTrue(html.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</html>"), "a whole report, never a torn one")
            }
            reads += 1
        } while runs.contains(where: \.isRunning)
        for run in runs { run.waitUntilExit(); XCTAssertEqual(run.terminationStatus, 0) }
        XCTAssertGreaterThan(reads, 1, "the readers ran while the runs did")
        XCTAssertTrue(sawPartial, "a reader saw the store mid-run")

        // Each task trained once, whoever trained it.
        let lines = try logs.flatMap { try String(contentsOf: $0, encoding: .utf8).split(separator: "\n") }
        let trainStarts = lines.filter { $0.contains(" train ") && $0.hasSuffix(": started") }
        XCTAssertEqual(trainStarts.count, 5, "1 pretrain + 4 finetune trials, each trained once:\n\(lines.joined(separator: "\n"))")
        XCTAssertEqual(Set(trainStarts).count, trainStarts.count)

        // No torn read: every metrics object a reader saw was empty or the trial's whole final set.
        let final = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ftx(["results", "--json", "--store", store, file]).out.utf8)) as? [String: Any])
        for trial in try XCTUnwrap(final["trials"] as? [[String: Any]]) {
            let id = try XCTUnwrap(trial["id"] as? String)
            let all = Set(try XCTUnwrap(trial["metrics"] as? [String: Any]).keys)
            XCTAssertFalse(all.isEmpty)
            XCTAssertTrue(seenMetricKeys[id, default: []].isSubset(of: [[], all]), "trial \(id): readers saw \(seenMetricKeys[id] ?? []), final \(all)")
        }

        let alone = workspace.url.appendingPathComponent("alone").path
        XCTAssertEqual(try FTXProcess.runToEnd(["run", "--store", alone, file]), 0)
        XCTAssertEqual(try finishedResults(file, store: store), try finishedResults(file, store: alone), "shared == alone, bit for bit")
        let leftover = try FileManager.default.subpathsOfDirectory(atPath: store).filter { $0.hasSuffix("lease.json") }
        XCTAssertEqual(leftover, [], "every lease is released")
        XCTAssertEqual(ftx(["verify", "--store", store]).status, 0, "every entry intact")
    }
}
