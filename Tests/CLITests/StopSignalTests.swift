import Foundation
import XCTest

/// SIGINT / SIGTERM during training (issue 18, item 2): `ftx run` stops at the next
/// optimizer step, keeps its checkpoints, releases its leases and exits 130 / 143 (not
/// killed by the signal); the next run resumes to exactly an uninterrupted run's results.
final class StopSignalTests: XCTestCase {
    /// Two trials of enough epochs that the signal lands mid-training.
    static let experiment = ExperimentText.file([
        ExperimentText.header("signals", seed: 3),
        ExperimentText.digits,
        """
        model mlp {
          input = 64
          layers = [dense(64, activation: relu)]
          head = dense(10)
        }
        """,
        """
        stage fit {
          model = mlp
          data = digits where label < 4
          optimizer = adamw(lr: 1e-2)
          schedule {
            epochs = 8
            batch_size = 16
          }
          loss = cross_entropy()

          sweep grid {
            seed = [1, 2]
          }
          select = best(valid.accuracy)
        }
        """,
    ])

    /// Starts `ftx ARGS`, waits for `epochs` epoch lines of `--verbose`, sends `signal`, and
    /// returns the process once it ended, with its stderr.
    func interrupt(with signal: Int32, afterEpochs epochs: Int, _ arguments: [String]) throws -> (Process, String) {
        let (process, out, err) = try FTXProcess.launchAndWait(forEpochs: epochs, arguments, keepStandardError: true)
        XCTAssertTrue(process.isRunning, "the signal must land mid-run")
        kill(process.processIdentifier, signal)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err!.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process, stderr)
    }

    func testSIGINTAndSIGTERMStopWithACheckpointAndTheRunResumesIdentically() throws {
        let workspace = try Workspace()
        let file = try workspace.write("signals.ftx", Self.experiment)
        let reference = workspace.url.appendingPathComponent("reference").path
        XCTAssertEqual(ftx(["run", "--store", reference, file]).status, 0)
        let expected = try finishedResults(file, store: reference)

        for (signal, code, name) in [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")] {
            let store = workspace.url.appendingPathComponent("store-\(name)").path
            let (process, stderr) = try interrupt(with: signal, afterEpochs: 2,
                                                  ["run", "--verbose", "--checkpoint-every", "0", "--store", store, file])
            XCTAssertEqual(process.terminationReason, .exit, "\(name) is handled, not fatal:\n\(stderr)")
            XCTAssertEqual(process.terminationStatus, code, stderr)
            XCTAssertTrue(stderr.contains("stopped by \(name)"), stderr)
            // A trial stopped with its checkpoint on disk, and no lease is left behind.
            let tasks = try FileManager.default.subpathsOfDirectory(atPath: store)
            XCTAssertTrue(tasks.contains { $0.hasSuffix("/last-state.json") }, "\(name): a checkpoint:\n\(tasks)")
            XCTAssertEqual(tasks.filter { $0.hasSuffix("lease.json") }, [], "\(name): every lease released")
            let stopped = try XCTUnwrap(tasks.first { $0.hasSuffix("/last-state.json") }).dropLast("last-state.json".count)
            XCTAssertFalse(tasks.contains(stopped + "manifest.json"), "\(name): the stopped trial is not sealed")

            let resumed = ftx(["run", "--checkpoint-every", "0", "--store", store, file])
            XCTAssertEqual(resumed.status, 0, resumed.err)
            XCTAssertEqual(try finishedResults(file, store: store), expected, "\(name): stopped and resumed == uninterrupted, bit for bit")
        }
    }
}
