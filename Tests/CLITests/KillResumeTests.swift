import Foundation
import XCTest

/// `ftx run` as a process: killed with SIGKILL at random moments and started
/// again, it ends with exactly the results of an uninterrupted run; `--jobs`
/// does not change results; two runs on one store share the work and train each task once.
final class KillResumeTests: XCTestCase {
    static var executable: URL? { Paths.ftxExecutable }

    /// A small two-stage sweep on real data: quick, but long enough to be killed mid-trial.
    static let experiment = """
    experiment resume {
      seed = 3
    }

    \(ExperimentText.digits)

    model mlp {
      input = 64
      layers = [dense(128, activation: relu), dropout(0.1)]
      head = dense(10)
    }

    stage pretrain {
      model = mlp
      data = digits where label < 5
      optimizer = adamw(lr: 1e-3)
      schedule {
        epochs = 10
        batch_size = 16
        lr = cosine(warmup: 0.1)
      }
      loss = cross_entropy()
    }

    stage finetune {
      init = pretrain
      data = digits where label >= 5
      optimizer = sgd(lr: 0.05, momentum: 0.9)
      schedule {
        epochs = 10
        batch_size = 16
        lr = step(every: 2 epochs, gamma: 0.5)
      }
      loss = cross_entropy(label_smoothing: 0.1)

      sweep grid {
        optimizer.lr = [0.01, 0.05]
        seed = [1, 2]
      }
      select = best(valid.accuracy)
    }

    """

    /// Starts `ftx ARGS`, waits until it reports `epochs` finished epochs (the epoch lines
    /// of `--verbose`), then `delay` µs, and kills it with SIGKILL. Whether the kill landed mid-run.
    func killAfter(epochs: Int, delay: UInt32, _ arguments: [String]) throws -> Bool {
        let (process, stdout, _) = try FTXProcess.launchAndWait(forEpochs: epochs, arguments)
        defer { withExtendedLifetime(stdout) {} }  // its reading end stays open until the kill
        usleep(delay)
        let landed = process.isRunning
        if landed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return landed && process.terminationReason == .uncaughtSignal
    }

    func testKilledRunsResumeToIdenticalResultsWhateverTheJobs() throws {
        let _ = try XCTUnwrap(Self.executable, "`swift test` builds the ftx executable beside the tests")
        let workspace = try Workspace()
        let file = try workspace.write("resume.ftx", Self.experiment)
        let stores = workspace.url.appendingPathComponent("stores")

        let reference = stores.appendingPathComponent("reference").path
        XCTAssertEqual(try FTXProcess.runToEnd(["run", "--store", reference, file]), 0)
        let expected = try finishedResults(file, store: reference)

        // Kill three times mid-run: after a seeded random number of completed
        // epochs (1–4) plus a random delay of up to 30 ms, so the kill lands
        // anywhere in the next epoch, in a checkpoint write or between tasks.
        let killed = stores.appendingPathComponent("killed").path
        var rng = CheckRobustnessTests.Generator(state: 0xC0FFEE)
        var kills = 0
        for _ in 0..<3 {
            let epochs = Int.random(in: 1...4, using: &rng)
            let delay = UInt32(Int.random(in: 0...30_000, using: &rng))
            if try killAfter(epochs: epochs, delay: delay, ["run", "--verbose", "--checkpoint-every", "0", "--store", killed, file]) {
                kills += 1
            }
        }
        XCTAssertEqual(kills, 3, "the run must really be interrupted, several times")
        // A killed run leaves its lease (its pid, this host): the next run takes it over at once.
        let resumedLog = workspace.url.appendingPathComponent("resumed.log")
        XCTAssertEqual(try FTXProcess.runToEnd(["run", "--checkpoint-every", "0", "--store", killed, file], output: resumedLog), 0)
        let resumedOutput = try String(contentsOf: resumedLog, encoding: .utf8)
        XCTAssertFalse(resumedOutput.contains("waiting for task"), resumedOutput)
        XCTAssertEqual(try finishedResults(file, store: killed), expected, "killed and resumed == uninterrupted, bit for bit")

        let twoJobs = stores.appendingPathComponent("jobs2").path
        XCTAssertEqual(try FTXProcess.runToEnd(["run", "--jobs", "2", "--store", twoJobs, file]), 0)
        XCTAssertEqual(try finishedResults(file, store: twoJobs), expected, "--jobs 2 == --jobs 1")

        // A second run of an unchanged experiment trains nothing.
        let again = ftx(["run", "--store", reference, file])
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.out.contains("0 tasks run"), again.out)
    }

    func testTwoConcurrentRunsOnOneStoreTrainEachTaskOnce() throws {
        let _ = try XCTUnwrap(Self.executable, "`swift test` builds the ftx executable beside the tests")
        let workspace = try Workspace()
        let file = try workspace.write("resume.ftx", Self.experiment)
        let store = workspace.url.appendingPathComponent("shared-store").path
        let logA = workspace.url.appendingPathComponent("a.log"), logB = workspace.url.appendingPathComponent("b.log")
        let a = try FTXProcess.launch(["run", "--store", store, file], output: logA)
        let b = try FTXProcess.launch(["run", "--store", store, file], output: logB)
        a.waitUntilExit()
        b.waitUntilExit()
        XCTAssertEqual(a.terminationStatus, 0)
        XCTAssertEqual(b.terminationStatus, 0)
        let lines = (try String(contentsOf: logA, encoding: .utf8) + String(contentsOf: logB, encoding: .utf8))
            .split(separator: "\n")
        let trainStarts = lines.filter { $0.contains(" train ") && $0.hasSuffix(": started") }
        XCTAssertEqual(trainStarts.count, 5, "1 pretrain + 4 finetune trials, each trained once:\n\(lines.joined(separator: "\n"))")
        XCTAssertEqual(Set(trainStarts).count, trainStarts.count)
        // They share the work: the one that waits for the other's pretrain then takes finetune trials nobody holds.
        for log in [logA, logB] {
            let own = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            XCTAssertTrue(own.contains { $0.contains(" train ") && $0.hasSuffix(": started") },
                          "each run trains at least one trial:\n\(own.joined(separator: "\n"))")
        }
        let reference = workspace.url.appendingPathComponent("reference-store").path
        XCTAssertEqual(try FTXProcess.runToEnd(["run", "--store", reference, file]), 0)
        XCTAssertEqual(try finishedResults(file, store: store), try finishedResults(file, store: reference), "shared == alone, bit for bit")
        let leftover = try FileManager.default.subpathsOfDirectory(atPath: store).filter { $0.hasSuffix("lease.json") }
        XCTAssertEqual(leftover, [], "every lease is released")
    }
}
