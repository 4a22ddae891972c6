import CLI
import Foundation
import XCTest

/// `ftx run`'s output when it is not drawn live (issue 17): plain lines, one when a task
/// starts and one when it ends, epochs only with `--verbose`; and `--log-format json`.
final class RunLogTests: XCTestCase {
    /// Iris (`TaskRunTests.experiment`): four trials of 2 epochs in two stages, evaluations, a selection.
    func experiment() throws -> (Workspace, String) {
        let workspace = try Workspace()
        return (workspace, try workspace.write("log.ftx", TaskRunTests.experiment()))
    }

    func testAPipedRunPrintsOneStartAndOneEndLinePerTaskAndEpochsOnlyWhenVerbose() throws {
        let (workspace, file) = try experiment()
        let run = ftx(["run", "--store", workspace.url.appendingPathComponent("quiet").path, file])
        XCTAssertEqual(run.status, 0, run.err)
        let lines = run.out.split(separator: "\n").map(String.init)
        let ran = try XCTUnwrap(lines.last?.split(separator: " ").first.flatMap { Int($0) })
        XCTAssertEqual(lines.last, "\(ran) tasks run, 0 already in the store")
        XCTAssertEqual(lines.count, 2 * ran + 1, run.out)
        let starts = lines.filter { $0.hasSuffix(": started") }
        let ends = lines.filter { $0.contains(": done in ") }
        XCTAssertEqual(starts.count, ran)
        XCTAssertEqual(ends.count, ran)
        for start in starts {
            let task = start.dropLast(": started".count)
            XCTAssertEqual(ends.filter { $0.hasPrefix(task + ": done in ") }.count, 1, "one end line for \(task)")
        }
        // A trial's end line carries its last epoch's metrics after the event's own text.
        let trialEnds = ends.filter { $0.contains(" train ") }
        XCTAssertEqual(trialEnds.count, 4)
        for line in trialEnds {
            XCTAssertNotNil(line.range(of: #"steps/s\); epoch 2: train\.loss [0-9.]+ valid\.loss [0-9.]+ valid\.accuracy [0-9.]+$"#,
                                       options: .regularExpression), line)
        }
        XCTAssertFalse(run.out.contains(": epoch "), "no epoch lines without --verbose")

        let verbose = ftx(["run", "--verbose", "--store", workspace.url.appendingPathComponent("verbose").path, file])
        XCTAssertEqual(verbose.status, 0, verbose.err)
        XCTAssertEqual(verbose.out.split(separator: "\n").filter { $0.contains(": epoch ") }.count, 4 * 2, "4 trials × 2 epochs")
        XCTAssertEqual(verbose.out.split(separator: "\n").count, 2 * ran + 1 + 8)
    }

    func events(_ out: String) throws -> [[String: Any]] {
        try out.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
    }

    func testJSONLinesCarryEveryEventWithItsFields() throws {
        let (workspace, file) = try experiment()
        let run = ftx(["run", "--log-format", "json", "--store", workspace.url.appendingPathComponent("json").path, file])
        XCTAssertEqual(run.status, 0, run.err)
        let events = try events(run.out)
        let names = events.map { $0["event"] as? String ?? "" }
        XCTAssertEqual(names.last, "summary")
        let summary = try XCTUnwrap(events.last)
        let ran = try XCTUnwrap(summary["run"] as? Int)
        XCTAssertEqual(summary["cached"] as? Int, 0)
        XCTAssertEqual(summary["failed"] as? Int, 0)
        XCTAssertEqual(names.filter { $0 == "started" }.count, ran)
        XCTAssertEqual(names.filter { $0 == "finished" }.count, ran)
        XCTAssertEqual(names.filter { $0 == "epoch" }.count, 4 * 2)
        XCTAssertFalse(names.contains("step"), "step samples only with --verbose")
        for e in events {
            XCTAssertNotNil((e["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression), "\(e)")
            XCTAssertGreaterThanOrEqual(e["elapsed"] as? Double ?? -1, 0)
        }
        let epoch = try XCTUnwrap(events.first { $0["event"] as? String == "epoch" })
        XCTAssertEqual(epoch["epoch"] as? Int, 1)
        XCTAssertEqual(epoch["epochs"] as? Int, 2)
        XCTAssertEqual((epoch["key"] as? String)?.count, 64)
        XCTAssertEqual(epoch["stage"] as? String, "up")
        XCTAssertNotNil(epoch["lr"] as? Double)
        XCTAssertNotNil(epoch["eta"] as? Double)
        let metrics = try XCTUnwrap(epoch["metrics"] as? [String: Any])
        XCTAssertEqual(Set(metrics.keys), ["train.loss", "valid.loss", "valid.accuracy"])
        let trained = try XCTUnwrap(events.first { $0["event"] as? String == "finished" && $0["kind"] as? String == "train" })
        XCTAssertEqual(trained["status"] as? String, "done")
        XCTAssertEqual(trained["steps"] as? Int, epoch["step"].flatMap { $0 as? Int }.map { $0 * 2 })
        for field in ["seconds", "train_seconds", "steps_per_second"] { XCTAssertNotNil(trained[field] as? Double, field) }
        let started = try XCTUnwrap(events.first { $0["event"] as? String == "started" })
        XCTAssertEqual(Set(started.keys), ["event", "time", "elapsed", "key", "kind", "stage", "resumed_at"])

        // Again on the same store: everything is cached.
        let again = try self.events(ftx(["run", "--log-format", "json", "--store", workspace.url.appendingPathComponent("json").path, file]).out)
        XCTAssertEqual(again.filter { $0["event"] as? String == "cached" }.count, ran)
        XCTAssertEqual(again.last?["cached"] as? Int, ran)
    }

    /// `--verbose` adds the step samples: each epoch's last step is among them, so a
    /// consumer sees every epoch's bar full.
    func testVerboseJSONLinesCarryStepSamples() throws {
        let (workspace, file) = try experiment()
        let run = ftx(["run", "--log-format", "json", "--verbose", "--store", workspace.url.appendingPathComponent("s").path, file])
        XCTAssertEqual(run.status, 0, run.err)
        let steps = try events(run.out).filter { $0["event"] as? String == "step" }
        XCTAssertFalse(steps.isEmpty)
        for s in steps {
            XCTAssertEqual(Set(s.keys), ["event", "time", "elapsed", "key", "stage", "epoch", "epochs", "step_in_epoch",
                                         "steps_in_epoch", "step", "loss", "batch_loss", "steps_per_second"])
        }
        let ends = steps.filter { ($0["step_in_epoch"] as? Int) == ($0["steps_in_epoch"] as? Int) }
        XCTAssertEqual(ends.count, 4 * 2, "one sample at each epoch's last step")
    }

    func testAnUnknownLogFormatIsAUsageError() throws {
        let (_, file) = try experiment()
        let run = ftx(["run", "--log-format", "xml", file])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.err.contains("`--log-format` is `text` or `json`, got `xml`"), run.err)
    }
}
