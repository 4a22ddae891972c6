import Foundation
import Support
import XCTest

/// What `ftx plan --executor slurm` shows (and `ftx run --executor slurm`
/// submits), without a cluster: the jobs, their afterok chain, their sbatch
/// options, and a batch script that really runs each element's task.
final class ClusterJobPlanTests: XCTestCase {
    /// `ftx plan --executor slurm --json ARGS FILE` run as the real binary (so the
    /// scripts name it), its `slurm_jobs`.
    func slurmJobs(_ arguments: [String]) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = try XCTUnwrap(Paths.ftxExecutable)
        process.arguments = ["plan", "--json", "--executor", "slurm"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["slurm_jobs"] as? [[String: Any]])
    }

    func testDigitsTransferIsSixArraysChainedByWhatEachTaskNeeds() throws {
        let workspace = try Workspace()
        let file = try workspace.write("digits-transfer.ftx",
                                       String(contentsOf: Paths.experiments.appendingPathComponent("digits-transfer.ftx"), encoding: .utf8))
        let store = workspace.url.appendingPathComponent("store").path
        let jobs = try slurmJobs(["--jobs", "3", "--slurm-args", "--account=ml --comment='two words'", "--store", store, file])
        XCTAssertEqual(jobs.map { $0["name"] as? String }, [
            "ftx-digits_transfer-data-w0", "ftx-digits_transfer-pretrain-w1", "ftx-digits_transfer-pretrain-w2",
            "ftx-digits_transfer-finetune-w2", "ftx-digits_transfer-finetune-w3", "ftx-digits_transfer-finetune-w4",
        ])
        XCTAssertEqual(jobs.map { ($0["elements"] as? [[String]])?.count }, [1, 1, 1, 12, 12, 2])
        XCTAssertEqual(jobs.map { ($0["after"] as? [String])?.count }, [0, 1, 2, 2, 2, 1])
        XCTAssertEqual(jobs[5]["after"] as? [String], ["ftx-digits_transfer-finetune-w3"], "select and ensemble wait for the evaluations")

        // Every pending task is in exactly one element.
        let plan = ftx(["plan", "--json", "--store", store, file])
        let planned = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any])
        let taskCount = try XCTUnwrap((planned["tasks"] as? [[String: Any]])?.count ?? (planned["summary"] as? [String: Any])?["tasks"] as? Int)
        let keys = jobs.flatMap { ($0["elements"] as? [[String]] ?? []).flatMap { $0 } }
        XCTAssertEqual(keys.count, Set(keys).count)
        XCTAssertEqual(keys.count, taskCount)

        let sbatch = try XCTUnwrap(jobs[3]["sbatch"] as? [String])
        XCTAssertEqual(Array(sbatch.prefix(4)), ["sbatch", "--parsable", "--job-name=ftx-digits_transfer-finetune-w2", "--array=0-11%3"])
        XCTAssertTrue(sbatch.contains("--dependency=afterok:$JOB1:$JOB2"), "\(sbatch)")
        XCTAssertTrue(sbatch.contains("--kill-on-invalid-dep=yes"))
        XCTAssertEqual(Array(sbatch.suffix(3).prefix(2)), ["--account=ml", "--comment=two words"], "site options last, split as sh does")
        XCTAssertTrue(sbatch.contains("--output=\(store)/slurm/logs/%x-%A_%a.log"), "\(sbatch)")
    }

    func testTheBatchScriptRunsEachElementsTaskWithFtxTaskRun() throws {
        let workspace = try Workspace()
        let file = try workspace.write("digits-transfer.ftx",
                                       String(contentsOf: Paths.experiments.appendingPathComponent("digits-transfer.ftx"), encoding: .utf8))
        let store = workspace.url.appendingPathComponent("store").path
        let jobs = try slurmJobs(["--store", store, file])
        let ftxPath = try XCTUnwrap(Paths.ftxExecutable).resolvingSymlinksInPath().path
        let script = try XCTUnwrap(jobs[3]["script"] as? String)
        XCTAssertTrue(script.contains("exec \(ftxPath) task run --wait --store \(store) --checkpoint-every 10 $keys"), script)

        // Run element 7's script with a stand-in ftx that prints its arguments.
        let fake = workspace.url.appendingPathComponent("fake-ftx")
        try Data("#!/bin/sh\necho \"$@\"\n".utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let scriptFile = workspace.url.appendingPathComponent("job.sh")
        try Data(script.replacingOccurrences(of: "exec \(ftxPath) ", with: "exec \(fake.path) ").utf8).write(to: scriptFile)
        func element(_ i: String) throws -> Subprocess.Result {
            var environment = ProcessInfo.processInfo.environment
            environment["SLURM_ARRAY_TASK_ID"] = i
            return try Subprocess.run("sh", [scriptFile.path], environment: environment)
        }
        let elements = try XCTUnwrap(jobs[3]["elements"] as? [[String]])
        let seventh = try element("7")
        XCTAssertEqual(seventh.status, 0, seventh.error)
        XCTAssertEqual(seventh.text, "task run --wait --store \(store) --checkpoint-every 10 \(elements[7][0])\n")
        XCTAssertEqual(try element("12").status, 2, "no such element")
    }

    func testAStageThatPrunesIsOneElementRunningAllItsTrialsAndTaskRunRefusesPartOfIt() throws {
        let workspace = try Workspace()
        let file = try workspace.write("asha.ftx", """
        experiment asha {
          seed = 1
        }

        \(ExperimentText.digits)

        model mlp {
          input = 64
          layers = [dense(16, activation: relu)]
          head = dense(10)
        }

        stage search {
          model = mlp
          data = digits
          optimizer = adamw(lr: 1e-3)
          schedule {
            epochs = 4
            batch_size = 64
          }
          prune = asha(metric: valid.loss, min_epochs: 1, reduction: 2)
          sweep grid {
            optimizer.lr = [1e-4, 1e-3, 1e-2, 1e-1]
          }
          select = best(valid.accuracy)
        }

        """)
        let store = workspace.url.appendingPathComponent("store").path
        let jobs = try slurmJobs(["--store", store, file])
        let asha = try XCTUnwrap(jobs.first { ($0["name"] as? String)?.hasSuffix("-asha") == true })
        let elements = try XCTUnwrap(asha["elements"] as? [[String]])
        XCTAssertEqual(elements.count, 1)
        XCTAssertEqual(elements[0].count, 4, "the four trials are decided together by rungs")

        // `ftx task run` runs the cohort whole or not at all: remove the trials of a
        // finished run, then give it part of the cohort, then all of it.
        XCTAssertEqual(ftx(["run", "--store", store, file]).status, 0)
        let tasks = URL(fileURLWithPath: store).appendingPathComponent("tasks")
        let before = try elements[0].map { try Data(contentsOf: tasks.appendingPathComponent("\($0)/history.jsonl")) }
        for key in elements[0] { try FileManager.default.removeItem(at: tasks.appendingPathComponent(key)) }
        let part = ftx(["task", "run", "--store", store, elements[0][0], elements[0][1]])
        XCTAssertEqual(part.status, 2)
        XCTAssertTrue(part.err.contains("which prunes: its trials run together by rungs, so give all 4 of them"), part.err)
        let whole = ftx(["task", "run", "--store", store] + elements[0])
        XCTAssertEqual(whole.status, 0, whole.err)
        let after = try elements[0].map { try Data(contentsOf: tasks.appendingPathComponent("\($0)/history.jsonl")) }
        XCTAssertEqual(after, before, "the cohort run by `ftx task run` decides the same rungs as `ftx run`")
    }

    func testLocalRunsRejectClusterOptions() {
        XCTAssertEqual(ftx(["run", "--detach", "x.ftx"]).status, 64)
        XCTAssertEqual(ftx(["run", "--slurm-args", "--qos=high", "x.ftx"]).status, 64)
        XCTAssertEqual(ftx(["run", "--executor", "kubernetes", "x.ftx"]).status, 64)
        XCTAssertEqual(ftx(["plan", "--jobs", "2", "x.ftx"]).status, 64)
        let unbalanced = ftx(["plan", "--executor", "slurm", "--slurm-args", "--comment='open", "x.ftx"])
        XCTAssertEqual(unbalanced.status, 64)
        XCTAssertTrue(unbalanced.err.contains("unterminated '"), unbalanced.err)
    }
}
