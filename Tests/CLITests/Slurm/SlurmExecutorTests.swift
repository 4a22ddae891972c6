import Foundation
import Support
import XCTest

/// `ftx run --executor slurm` on a real SLURM cluster (`SlurmTestCluster`): the
/// plan's tasks as job arrays chained with `afterok`, results identical to a local
/// run bit for bit, a cancelled element resumed by the next run, failures
/// reported with job id and log tail, Ctrl-C cancelling what was submitted.
final class SlurmExecutorTests: XCTestCase {
    override class func tearDown() {
        SlurmTestCluster.stopIfStartedHere()
        super.tearDown()
    }

    /// One trial of a wide MLP on digits, slow enough (seconds per epoch-group) to be cancelled mid-run.
    static let slowTrial = """
    experiment slow {
      seed = 5
    }

    \(ExperimentText.digits)

    model wide {
      input = 64
      layers = [dense(512, activation: relu), dense(512, activation: relu)]
      head = dense(10)
    }

    stage train {
      model = wide
      data = digits
      optimizer = adamw(lr: 1e-3)
      schedule {
        epochs = 30
        batch_size = 8
      }
      select = best(valid.accuracy)
    }

    """

    /// A quick experiment: two trials of two epochs.
    static let quick = """
    experiment quick {
      seed = 2
    }

    \(ExperimentText.digits)

    model mlp {
      input = 64
      layers = [dense(32, activation: relu)]
      head = dense(10)
    }

    stage train {
      model = mlp
      data = digits
      optimizer = adamw(lr: 1e-3)
      schedule {
        epochs = 2
        batch_size = 32
      }
      sweep grid {
        seed = [1, 2]
      }
      select = best(valid.accuracy)
    }

    """

    // MARK: The must-show: digits-transfer through SLURM == locally

    func testDigitsTransferThroughSlurmEqualsALocalRunAndChainsArraysWithAfterok() throws {
        try SlurmTestCluster.require()
        let workspace = try Workspace()
        let file = try workspace.write("digits-transfer.ftx",
                                       String(contentsOf: Paths.experiments.appendingPathComponent("digits-transfer.ftx"), encoding: .utf8))
        let local = workspace.url.appendingPathComponent("local").path
        let cluster = workspace.url.appendingPathComponent("cluster").path
        XCTAssertEqual(ftx(["run", "--store", local, file]).status, 0)

        let submitted = try runProcess(["run", "--executor", "slurm", "--detach", "--store", cluster, file])
        XCTAssertEqual(submitted.status, 0, submitted.err)
        XCTAssertTrue(submitted.out.contains("submitted 29 tasks as 6 SLURM jobs"), submitted.out)
        let jobs = try submittedJobs(store: cluster, file: file)
        XCTAssertEqual(jobs.count, 6)
        // While the chain is queued, SLURM holds it by afterok dependencies on array jobs.
        let queue = try Subprocess.run("squeue", ["-h", "-r", "-j", jobs.map(\.id).joined(separator: ","), "-o", "%i|%E"])
        let last = jobs.last!
        XCTAssertTrue(queue.text.contains("\(last.id)_0|afterok:"), "the last job waits on afterok:\n\(queue.text)")
        XCTAssertTrue(queue.text.split(separator: "\n").contains { $0.hasPrefix("\(jobs[3].id)_11|") },
                      "the 12 fine-tunes are one array (elements _0 … _11):\n\(queue.text)")

        // `ftx run` again while they are queued follows them instead of submitting twice.
        let followed = try runProcess(["run", "--executor", "slurm", "--verbose", "--store", cluster, file])
        XCTAssertEqual(followed.status, 0, followed.err)
        XCTAssertTrue(followed.out.contains("following them"), followed.out)
        XCTAssertTrue(followed.out.contains("finetune train"), followed.out)
        // Epochs are read from the trials' histories as their workers write them.
        XCTAssertTrue(followed.out.contains("finetune trial ") && followed.out.contains(": epoch "), followed.out)
        try assertSameResults(local, cluster)

        let status = ftx(["status", "--json", "--store", cluster, file])
        XCTAssertEqual(status.status, 0, status.err)
        XCTAssertTrue(status.out.contains("\"done\":26"), status.out)  // finetune: 12 train + 12 eval + select + ensemble
        let again = try runProcess(["run", "--executor", "slurm", "--store", cluster, file])
        XCTAssertEqual(again.out, "0 tasks run, 29 already in the store\n")
    }

    // MARK: A cancelled element is resumed by the next run

    func testAnElementCancelledMidTrialIsResumedByTheNextRunWithIdenticalResults() throws {
        try SlurmTestCluster.require()
        let workspace = try Workspace()
        let file = try workspace.write("slow.ftx", Self.slowTrial)
        let local = workspace.url.appendingPathComponent("local").path
        let cluster = workspace.url.appendingPathComponent("cluster").path
        XCTAssertEqual(ftx(["run", "--store", local, file]).status, 0)

        let submitted = try runProcess(["run", "--executor", "slurm", "--detach", "--checkpoint-every", "0", "--store", cluster, file])
        XCTAssertEqual(submitted.status, 0, submitted.err)
        let jobs = try submittedJobs(store: cluster, file: file)
        let train = try XCTUnwrap(jobs.first { $0.name.contains("-train-") && $0.elements.count == 1 && $0.name.hasSuffix("w1") })
        let trainKey = train.elements[0][0]
        // Wait for a checkpoint of the trial, then cancel its element.
        let checkpoint = (cluster as NSString).appendingPathComponent("tasks/\(trainKey)/last-state.json")
        try waitUntil(seconds: 180, "a checkpoint of the trial") { FileManager.default.fileExists(atPath: checkpoint) }
        let cancel = try Subprocess.run("scancel", ["\(train.id)_0"])
        XCTAssertEqual(cancel.status, 0, cancel.error)
        try waitUntil(seconds: 60, "the jobs to end") { try activeElements(jobs).isEmpty }

        let status = ftx(["status", "--store", cluster, file])
        XCTAssertTrue(status.out.contains("SLURM job \(train.id)_0 ended CANCELLED"), status.out)

        let resumed = try runProcess(["run", "--executor", "slurm", "--store", cluster, file])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        let log = try logOf(store: cluster, file: file, key: trainKey)
        XCTAssertTrue(log.contains("resuming after epoch"), log)
        try assertSameResults(local, cluster)
    }

    // MARK: Failures and cancellation

    func testAFailedElementIsReportedWithItsJobLogAndTailAndTheNextRunSubmitsWhatIsMissing() throws {
        try SlurmTestCluster.require()
        let workspace = try Workspace()
        let file = try workspace.write("quick.ftx", Self.quick)
        let cluster = workspace.url.appendingPathComponent("cluster").path
        // The elements run a copy of ftx that is gone by the time they start.
        let doomed = workspace.url.appendingPathComponent("bin/ftx")
        try FileManager.default.createDirectory(at: doomed.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try XCTUnwrap(Paths.ftxExecutable), to: doomed)
        let submitted = try runProcess(["run", "--executor", "slurm", "--detach", "--slurm-args", "--begin=now+4", "--store", cluster, file],
                                       executable: doomed)
        XCTAssertEqual(submitted.status, 0, submitted.err)
        try FileManager.default.removeItem(at: doomed)

        let followed = try runProcess(["run", "--executor", "slurm", "--store", cluster, file])
        XCTAssertEqual(followed.status, 2, followed.out + followed.err)
        let jobs = try submittedJobs(store: cluster, file: file)
        XCTAssertTrue(followed.err.contains("(data) did not finish: SLURM job \(jobs[0].id)_0"), followed.err)
        XCTAssertTrue(followed.err.contains("ended FAILED; log: \(cluster)/slurm/logs/"), followed.err)
        XCTAssertTrue(followed.err.contains("  | ") && followed.err.contains("bin/ftx"), "the log's tail names what failed:\n\(followed.err)")
        XCTAssertTrue(followed.err.contains("again submits only what is missing"), followed.err)

        let status = ftx(["status", "--store", cluster, file])
        XCTAssertTrue(status.out.contains("ended FAILED"), status.out)

        let again = try runProcess(["run", "--executor", "slurm", "--store", cluster, file])
        XCTAssertEqual(again.status, 0, again.err)
        let after = ftx(["status", "--json", "--store", cluster, file])
        XCTAssertTrue(after.out.contains("\"failed\":[]"), after.out)
    }

    func testInterruptingAFollowedRunCancelsItsJobsAndARefusedJobCancelsTheSubmission() throws {
        try SlurmTestCluster.require()
        let workspace = try Workspace()
        let file = try workspace.write("quick.ftx", Self.quick)
        let cluster = workspace.url.appendingPathComponent("cluster").path

        // SLURM refuses the first job: nothing is left queued, exit 2 with sbatch's reason.
        let refused = try runProcess(["run", "--executor", "slurm", "--slurm-args", "--partition=no_such_partition", "--store", cluster, file])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.err.contains("sbatch refused the job"), refused.err)

        // Ctrl-C with nobody to ask (stdin is not a terminal): the jobs are cancelled.
        // The stage declares resources: its job asks SLURM for them.
        try workspace.write("quick.ftx", Self.quick.replacingOccurrences(of: "  select = best(valid.accuracy)",
                                                                          with: "  select = best(valid.accuracy)\n  resources {\n    time = \"7m\"\n    partition = \"debug\"\n  }"))
        let process = Process()
        process.executableURL = try XCTUnwrap(Paths.ftxExecutable)
        process.arguments = ["run", "--executor", "slurm", "--slurm-args", "--begin=now+60", "--store", cluster, file]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("submitted") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let jobs = try submittedJobs(store: cluster, file: file)
        XCTAssertFalse(try activeElements(jobs).isEmpty)
        let trainJob = try XCTUnwrap(jobs.first { $0.name.hasPrefix("ftx-quick-train-") })
        let shown = try Subprocess.run("scontrol", ["show", "job", trainJob.id])
        XCTAssertTrue(shown.text.contains("TimeLimit=00:07:00") && shown.text.contains("Partition=debug"), shown.text)
        let dataJob = try Subprocess.run("scontrol", ["show", "job", jobs[0].id])
        XCTAssertFalse(dataJob.text.contains("TimeLimit=00:07:00"), "the data tasks have the experiment's resources (none)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 130, message)
        XCTAssertTrue(message.contains("cancelled SLURM jobs"), message)
        try waitUntil(seconds: 30, "the cancelled jobs to leave the queue") { try activeElements(jobs).isEmpty }

        let cancel = ftx(["cancel", "--store", cluster, file])
        XCTAssertEqual(cancel.status, 0)
        XCTAssertTrue(cancel.out.contains("nothing to cancel"), cancel.out)
    }

    // MARK: Helpers

    struct Job {
        var id: String
        var name: String
        var elements: [[String]]
    }

    func submittedJobs(store: String, file: String) throws -> [Job] {
        let record = (store as NSString).appendingPathComponent("slurm/\(SHA256.hash(file).hex).json")
        let json = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: record)))
        return try XCTUnwrap(json["jobs"]?.arrayValue).map { j in
            Job(id: j["id"]?.stringValue ?? "", name: j["name"]?.stringValue ?? "",
                elements: j["elements"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? [])
        }
    }

    func activeElements(_ jobs: [Job]) throws -> [String] {
        let r = try Subprocess.run("squeue", ["-h", "-r", "-j", jobs.map(\.id).joined(separator: ","), "-o", "%i|%T"])
        return r.text.split(separator: "\n").map(String.init)
            .filter { !$0.hasSuffix("|COMPLETED") && !$0.hasSuffix("|FAILED") && !$0.hasSuffix("|CANCELLED") }
    }

    func logOf(store: String, file: String, key: String) throws -> String {
        let jobs = try submittedJobs(store: store, file: file)
        let (job, element) = try XCTUnwrap(jobs.reversed().lazy.compactMap { j in
            j.elements.firstIndex { $0.contains(key) }.map { (j, $0) }
        }.first)
        let path = (store as NSString).appendingPathComponent("slurm/logs/\(job.name)-\(job.id)_\(element).log")
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func waitUntil(seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else {
                XCTFail("gave up waiting \(Int(seconds)) s for \(what)")
                throw CancellationError()
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Every task's files in `a` and `b` are byte-identical (provenance, which
    /// records when and where, aside).
    func assertSameResults(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fm = FileManager.default
        let tasksA = (a as NSString).appendingPathComponent("tasks"), tasksB = (b as NSString).appendingPathComponent("tasks")
        let keys = try fm.contentsOfDirectory(atPath: tasksA).sorted()
        XCTAssertEqual(keys, try fm.contentsOfDirectory(atPath: tasksB).sorted(), "the same tasks", file: file, line: line)
        var compared = 0
        for key in keys {
            let dir = (tasksA as NSString).appendingPathComponent(key)
            for name in try fm.contentsOfDirectory(atPath: dir) where name != "provenance.json" {
                let x = fm.contents(atPath: (dir as NSString).appendingPathComponent(name))
                let y = fm.contents(atPath: ((tasksB as NSString).appendingPathComponent(key) as NSString).appendingPathComponent(name))
                XCTAssertEqual(x, y, "\(key)/\(name) differs", file: file, line: line)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, keys.count, file: file, line: line)
    }

    func runProcess(_ arguments: [String], executable: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try executable ?? XCTUnwrap(Paths.ftxExecutable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = DataReader(err.fileHandleForReading)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on another thread (so neither pipe of a child fills up).
private final class DataReader: @unchecked Sendable {
    private var data = Data()
    private let group = DispatchGroup()

    init(_ handle: FileHandle) {
        group.enter()
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func wait() -> Data {
        group.wait()
        return data
    }
}
