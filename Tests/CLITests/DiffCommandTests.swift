import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// A temporary git repository shaped like the project: experiments/digits-transfer.ftx
/// beside data/digits.csv, committed once.
final class GitSandbox {
    let url: URL
    var file: String { url.appendingPathComponent("experiments/digits-transfer.ftx").path }

    /// `trackData`: whether data/ is committed (else it is listed in .gitignore).
    init(trackData: Bool = true) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-diff-test-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: url.appendingPathComponent("experiments"), withIntermediateDirectories: true)
        try fm.createDirectory(at: url.appendingPathComponent("data"), withIntermediateDirectories: true)
        try fm.copyItem(at: Paths.experiments.appendingPathComponent("digits-transfer.ftx"), to: URL(fileURLWithPath: file))
        try fm.copyItem(at: Paths.root.appendingPathComponent("data/digits.csv"), to: url.appendingPathComponent("data/digits.csv"))
        try git("init", "-q")
        try git("config", "user.name", "ftx tests")
        try git("config", "user.email", "tests@ftx.invalid")
        try git("config", "commit.gpgsign", "false")
        if !trackData { try write(".gitignore", "data/\n") }
        try commit("digits-transfer")
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Runs git in the repository; a failure fails the test with git's message.
    @discardableResult
    func git(_ arguments: String..., environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", url.path] + arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { env[name] = nil }
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_PAGER"] = "cat"
        process.environment = env.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "git", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "git \(arguments.joined(separator: " ")): " + String(decoding: errors, as: UTF8.self)])
        }
        return String(decoding: data, as: UTF8.self)
    }

    func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(relative))
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Rewrites the experiment, failing the test when `find` does not occur in it.
    func edit(_ find: String, _ replacement: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try read("experiments/digits-transfer.ftx")
        XCTAssertTrue(text.contains(find), "`\(find)` is not in the experiment", file: file, line: line)
        try write("experiments/digits-transfer.ftx", text.replacingOccurrences(of: find, with: replacement))
    }

    func commit(_ message: String) throws {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }
}

/// The `--json` object of `ftx diff`, decoded.
struct DiffJSON {
    var changes: [[String: Any]]
    var trials: [String: Int]
    var stages: [String: [String: Int]]
    var recompute: [[String: Any]]

    init(_ invocation: Invocation, file: StaticString = #filePath, line: UInt = #line) throws {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(invocation.out.utf8)) as? [String: Any],
                                   "not one JSON object:\n\(invocation.out)\(invocation.err)", file: file, line: line)
        changes = try XCTUnwrap(object["changes"] as? [[String: Any]], file: file, line: line)
        trials = try XCTUnwrap(object["trials"] as? [String: Int], file: file, line: line)
        stages = try XCTUnwrap(object["stages"] as? [String: [String: Int]], file: file, line: line)
        recompute = try XCTUnwrap((object["recompute"] as? [String: Any])?["tasks"] as? [[String: Any]], file: file, line: line)
    }

    /// `[reused, invalidated, added, removed]`.
    func counts(_ stage: String? = nil) -> [Int] {
        let t = stage.map { stages[$0] ?? [:] } ?? trials
        return ["reused", "invalidated", "added", "removed"].map { t[$0] ?? -1 }
    }
}

/// `ftx diff` on a real git history of digits-transfer (docs/GIT.md, CLI.md).
///
/// The trial rule: every trial of every stage is counted, upstream stages
/// included, so the new side's reused + invalidated + added equals the trial
/// count of `ftx plan` (13 for digits-transfer: 1 pretrain + 12 finetune).
final class DiffCommandTests: XCTestCase {
    /// Trials `ftx plan --json` lists for the file.
    private func planTrials(_ file: String) throws -> Int {
        let plan = ftx(["plan", "--json", file])
        XCTAssertEqual(plan.status, 0, plan.err)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any])
        return try XCTUnwrap(object["trials"] as? [Any]).count
    }

    // (a)
    func testReplacingOneSweepValueRemovesAndAddsItsTrials() throws {
        let repo = try GitSandbox()
        try repo.edit("optimizer.lr = [3e-4, 1e-3, 3e-3]", "optimizer.lr = [3e-4, 1e-3, 1e-2]")

        let result = ftx(["diff", "--json", repo.file])
        XCTAssertEqual(result.status, 0, result.err)
        let diff = try DiffJSON(result)
        XCTAssertEqual(diff.changes.count, 1, "\(diff.changes)")
        let change = try XCTUnwrap(diff.changes.first)
        XCTAssertEqual(change["kind"] as? String, "changed")
        XCTAssertEqual(change["path"] as? String, "stage.finetune.sweep.optimizer.lr")
        XCTAssertEqual(change["old"] as? Double, 0.003)
        XCTAssertEqual(change["new"] as? Double, 0.01)
        XCTAssertEqual(change["subject"] as? String, "sweep-value")
        // finetune: 3 lr × 2 batch sizes × 2 freezes; one lr value's 4 trials go, 4 come. pretrain's trial stays.
        XCTAssertEqual(diff.counts(), [9, 0, 4, 4])
        XCTAssertEqual(diff.counts("finetune"), [8, 0, 4, 4])
        XCTAssertEqual(diff.counts("pretrain"), [1, 0, 0, 0])
        XCTAssertEqual(try planTrials(repo.file), 9 + 0 + 4)
        XCTAssertEqual(diff.recompute.filter { $0["kind"] as? String == "train" }.count, 4)
        XCTAssertTrue(diff.recompute.filter { $0["kind"] as? String == "train" }.allSatisfy { ($0["seconds"] as? Double ?? 0) > 0 })

        let human = ftx(["diff", repo.file])
        XCTAssertEqual(human.status, 0, human.err)
        XCTAssertTrue(human.out.contains("~ sweep value stage.finetune.sweep.optimizer.lr: 0.003 → 0.01\n"), human.out)
        XCTAssertTrue(human.out.contains("trials: 9 reused, 0 invalidated, 4 added, 4 removed"), human.out)
        XCTAssertTrue(human.out.contains("to recompute: 4 train, 4 eval, 1 select, 1 ensemble"), human.out)
        XCTAssertEqual(ftx(["diff", "--exit-code", repo.file]).status, 1)
    }

    func testAddingASweepValueAddsTrialsAndReusesTheRest() throws {
        let repo = try GitSandbox()
        try repo.edit("schedule.batch_size = [16, 32]", "schedule.batch_size = [16, 32, 64]")
        let diff = try DiffJSON(ftx(["diff", "--json", repo.file]))
        XCTAssertEqual(diff.changes.count, 1)
        XCTAssertEqual(diff.changes.first?["kind"] as? String, "added")
        XCTAssertEqual(diff.changes.first?["path"] as? String, "stage.finetune.sweep.schedule.batch_size")
        XCTAssertTrue(diff.changes.first?["old"] is NSNull)
        XCTAssertEqual(diff.changes.first?["new"] as? Int, 64)
        XCTAssertEqual(diff.counts(), [13, 0, 6, 0])
        XCTAssertEqual(try planTrials(repo.file), 19)
        let human = ftx(["diff", repo.file])
        XCTAssertTrue(human.out.contains("+ sweep value stage.finetune.sweep.schedule.batch_size: 64\n"), human.out)
    }

    // (b)
    func testChangingABaseSettingInvalidatesEveryTrialOfTheStageOnly() throws {
        let repo = try GitSandbox()
        try repo.edit("epochs = 12", "epochs = 20")
        let diff = try DiffJSON(ftx(["diff", "--json", repo.file]))
        XCTAssertEqual(diff.changes.count, 1)
        XCTAssertEqual(diff.changes.first?["kind"] as? String, "changed")
        XCTAssertEqual(diff.changes.first?["path"] as? String, "stage.finetune.schedule.epochs")
        XCTAssertEqual(diff.changes.first?["old"] as? Int, 12)
        XCTAssertEqual(diff.changes.first?["new"] as? Int, 20)
        XCTAssertEqual(diff.counts("finetune"), [0, 12, 0, 0])
        XCTAssertEqual(diff.counts("pretrain"), [1, 0, 0, 0], "the upstream stage is reused")
        XCTAssertEqual(diff.counts(), [1, 12, 0, 0])
        let human = ftx(["diff", repo.file])
        XCTAssertTrue(human.out.contains("~ stage.finetune.schedule.epochs: 12 → 20\n"), human.out)
    }

    func testChangingTheUpstreamStageInvalidatesEveryTrialDownstream() throws {
        let repo = try GitSandbox()
        try repo.edit("optimizer = adamw(lr: 1e-3, weight_decay: 0.01)", "optimizer = adamw(lr: 2e-3, weight_decay: 0.01)")
        let diff = try DiffJSON(ftx(["diff", "--json", repo.file]))
        XCTAssertEqual(diff.changes.map { $0["path"] as? String }, ["stage.pretrain.optimizer.lr"])
        XCTAssertEqual(diff.counts("pretrain"), [0, 1, 0, 0])
        XCTAssertEqual(diff.counts("finetune"), [0, 12, 0, 0], "a finetune trial keeps its point but starts from a new checkpoint")
    }

    // (c)
    func testSpellingAndLayoutAreNoSemanticDifference() throws {
        let repo = try GitSandbox()
        let original = try repo.read("experiments/digits-transfer.ftx")
        // Blocks reordered, keys reordered, numbers respelled, comments and spaces added.
        let respelled = """
        # rewritten by hand: same experiment
        stage finetune {
          init = pretrain   # from the checkpoint
          data = digits where label >= 5
          freeze = ["layers.0"]
          head = dense(10)
          optimizer = adamw(weight_decay: 1e-2, lr: 0.0003)
          loss = cross_entropy(label_smoothing: 1e-1) + 0.0001 * l2()
          schedule {
            batch_size = 32
            epochs = 12
            lr = linear(warmup: 0.10)
            early_stop = {patience: 2, metric: valid.loss}
            clip_grad_norm = 1
          }

          sweep grid {
            optimizer.lr = [0.0003, 0.001, 0.003]
            schedule.batch_size = [16, 32]
            freeze = [[], ["layers.0"]]
          }
          ensemble = top(3, by: valid.accuracy)
          select = best(valid.accuracy)
        }

        model mlp {
          head = dense(10)
          input = 64
          layers = [dense(128, activation: relu), dropout(1e-1), dense(128, activation: relu)]
        }

        stage pretrain {
          model   =   mlp
          data = digits where label < 5
          optimizer = adamw(lr: 0.001, weight_decay: 0.01)
          schedule {
            lr = cosine(warmup: 5e-2)
            batch_size = 64
            epochs = 10
          }
          loss = cross_entropy()
        }

        data digits {
          label = "label"
          source = csv("../data/digits.csv")
          split = random(train: 0.8, valid: 0.2, seed: 0)
          normalize = scale(0.0625)
        }

        experiment digits_transfer {
          seed = 0
        }

        """
        XCTAssertNotEqual(original, respelled)
        try repo.write("experiments/digits-transfer.ftx", respelled)

        let human = ftx(["diff", "--exit-code", repo.file])
        XCTAssertEqual(human.status, 0, human.out + human.err)
        XCTAssertTrue(human.out.contains("no semantic difference\n"), human.out)
        XCTAssertTrue(human.out.contains("trials: 13 reused, 0 invalidated, 0 added, 0 removed"), human.out)
        XCTAssertTrue(human.out.contains("to recompute: nothing"), human.out)
        let diff = try DiffJSON(ftx(["diff", "--json", "--exit-code", repo.file]))
        XCTAssertEqual(diff.changes.count, 0, "\(diff.changes)")
        XCTAssertEqual(diff.counts(), [13, 0, 0, 0])
        XCTAssertEqual(diff.recompute.count, 0)

        // Committed, the same holds between revisions.
        try repo.commit("respell")
        XCTAssertEqual(ftx(["diff", "--exit-code", "HEAD~1", "HEAD", repo.file]).status, 0)
    }

    // (d)
    func testRenamedStageIsOneRenameAndReusesItsTrials() throws {
        let repo = try GitSandbox()
        try repo.edit("stage pretrain {", "stage warmup {")
        try repo.edit("init = pretrain", "init = warmup")
        let result = ftx(["diff", "--json", "--exit-code", repo.file])
        XCTAssertEqual(result.status, 1, "a rename is a difference")
        let diff = try DiffJSON(result)
        XCTAssertEqual(diff.changes.count, 1, "\(diff.changes)")
        let change = try XCTUnwrap(diff.changes.first)
        XCTAssertEqual(change["kind"] as? String, "renamed")
        XCTAssertEqual(change["path"] as? String, "stage.pretrain")
        XCTAssertEqual(change["old"] as? String, "pretrain")
        XCTAssertEqual(change["new"] as? String, "warmup")
        XCTAssertEqual(diff.counts(), [13, 0, 0, 0], "keys never hold stage names")
        XCTAssertEqual(diff.counts("warmup"), [1, 0, 0, 0])
        XCTAssertEqual(diff.recompute.count, 0)
        let human = ftx(["diff", repo.file])
        XCTAssertTrue(human.out.hasPrefix("experiments/digits-transfer.ftx: HEAD → working tree\nrenamed stage pretrain → warmup\n"), human.out)
    }

    func testRenamedDataAndModelAreRenames() throws {
        let repo = try GitSandbox()
        try repo.edit("data digits {", "data handwriting {")
        try repo.edit("data = digits where label < 5", "data = handwriting where label < 5")
        try repo.edit("data = digits where label >= 5", "data = handwriting where label >= 5")
        try repo.edit("model mlp {", "model net {")
        try repo.edit("model = mlp", "model = net")
        let diff = try DiffJSON(ftx(["diff", "--json", repo.file]))
        let kinds = diff.changes.map { "\($0["kind"] as? String ?? "") \($0["path"] as? String ?? "")" }
        XCTAssertEqual(kinds, ["renamed data.digits", "renamed model.mlp"])
        XCTAssertEqual(diff.counts(), [13, 0, 0, 0])
    }

    // (e)
    func testCommittedHistory() throws {
        let repo = try GitSandbox()
        try repo.edit("batch_size = 64", "batch_size = 128")
        try repo.commit("bigger pretrain batches")

        let between = ftx(["diff", "--exit-code", "HEAD~1", "HEAD", repo.file])
        XCTAssertEqual(between.status, 1, between.err)
        XCTAssertTrue(between.out.hasPrefix("experiments/digits-transfer.ftx: HEAD~1 → HEAD\n"), between.out)
        XCTAssertTrue(between.out.contains("~ stage.pretrain.schedule.batch_size: 64 → 128\n"), between.out)
        XCTAssertTrue(between.out.contains("trials: 0 reused, 13 invalidated, 0 added, 0 removed"), between.out)

        // One revision: against the working tree, which equals HEAD.
        XCTAssertEqual(ftx(["diff", "--exit-code", "HEAD~1", repo.file]).status, 1)
        XCTAssertEqual(ftx(["diff", "--exit-code", repo.file]).status, 0)
        XCTAssertEqual(ftx(["diff", "--exit-code", "HEAD", "HEAD", repo.file]).status, 0)
        // Reversed, old and new swap.
        let back = try DiffJSON(ftx(["diff", "--json", "HEAD", "HEAD~1", repo.file]))
        XCTAssertEqual(back.changes.first?["old"] as? Int, 128)
        XCTAssertEqual(back.changes.first?["new"] as? Int, 64)
        // A branch name is a revision too.
        try repo.git("branch", "before", "HEAD~1")
        XCTAssertEqual(ftx(["diff", "--exit-code", "before", repo.file]).status, 1)
    }

    func testDataIsReadAtTheOldRevisionWhenTracked() throws {
        let repo = try GitSandbox()
        let csv = try repo.read("data/digits.csv")
        try repo.write("data/digits.csv", csv.replacingOccurrences(of: ",5\n", with: ",6\n"))
        let diff = try DiffJSON(ftx(["diff", "--json", "--exit-code", repo.file]))
        XCTAssertEqual(diff.changes.count, 1)
        XCTAssertEqual(diff.changes.first?["path"] as? String, "data.digits.contents")
        let old = try XCTUnwrap(diff.changes.first?["old"] as? String), new = try XCTUnwrap(diff.changes.first?["new"] as? String)
        var hasher = SHA256()
        hasher.update(Data(csv.utf8))
        XCTAssertEqual(old, "sha256:" + hasher.finalize().hex, "the old side hashes the committed file")
        XCTAssertTrue(new.hasPrefix("sha256:") && new != old)
        XCTAssertEqual(diff.counts(), [0, 13, 0, 0])
        let human = ftx(["diff", "--exit-code", repo.file])
        XCTAssertEqual(human.status, 1)
        XCTAssertTrue(human.out.contains("files of HEAD: ../data/digits.csv read at HEAD"), human.out)
        XCTAssertTrue(human.out.contains("files of working tree: ../data/digits.csv from disk"), human.out)
    }

    func testUntrackedDataIsReadFromDiskAndSaysSo() throws {
        let repo = try GitSandbox(trackData: false)
        try repo.edit("epochs = 10", "epochs = 11")
        let human = ftx(["diff", repo.file])
        XCTAssertEqual(human.status, 0, human.err)
        XCTAssertTrue(human.out.contains("files of HEAD: ../data/digits.csv from disk (not tracked at HEAD)"), human.out)
        XCTAssertTrue(human.out.contains("trials: 0 reused, 13 invalidated"), human.out)
    }

    // (f)
    func testBadInputExitsTwoNamingTheProblem() throws {
        let repo = try GitSandbox()

        let noRevision = ftx(["diff", "no-such-branch", repo.file])
        XCTAssertEqual(noRevision.status, 2)
        XCTAssertTrue(noRevision.err.contains("revision `no-such-branch` does not exist"), noRevision.err)

        let beyond = ftx(["diff", "HEAD~5", repo.file])
        XCTAssertEqual(beyond.status, 2)
        XCTAssertTrue(beyond.err.contains("revision `HEAD~5` does not exist"), beyond.err)

        let other = repo.url.appendingPathComponent("experiments/other.ftx").path
        try FileManager.default.copyItem(atPath: repo.file, toPath: other)
        let notCommitted = ftx(["diff", other])
        XCTAssertEqual(notCommitted.status, 2)
        XCTAssertTrue(notCommitted.err.contains("`experiments/other.ftx` does not exist at revision `HEAD`"), notCommitted.err)

        let missing = ftx(["diff", "HEAD", repo.url.appendingPathComponent("experiments/missing.ftx").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("`experiments/missing.ftx` does not exist at revision `HEAD`"), missing.err)

        let plain = try Workspace()
        let outside = try plain.write("x.ftx", try repo.read("experiments/digits-transfer.ftx"))
        let noRepository = ftx(["diff", outside])
        XCTAssertEqual(noRepository.status, 2)
        XCTAssertTrue(noRepository.err.contains("is not inside a git repository"), noRepository.err)

        // A revision whose file does not check: its diagnostics, rendered.
        try repo.edit("label = \"label\"", "lable = \"label\"")
        try repo.commit("typo")
        try repo.edit("lable = \"label\"", "label = \"label\"")
        let broken = ftx(["diff", "HEAD", repo.file])
        XCTAssertEqual(broken.status, 2)
        XCTAssertTrue(broken.err.contains("`experiments/digits-transfer.ftx` at revision `HEAD` does not check"), broken.err)
        XCTAssertTrue(broken.err.contains("HEAD:experiments/digits-transfer.ftx:"), broken.err)
        XCTAssertTrue(broken.err.contains("did you mean `label`?"), broken.err)
        XCTAssertEqual(ftx(["diff", "--exit-code", "HEAD~1", repo.file]).status, 0, "the fixed file equals the first commit")

        // The working tree's file does not check.
        try repo.edit("seed = 0", "seed = \"zero\"")
        let dirty = ftx(["diff", "HEAD~1", repo.file])
        XCTAssertEqual(dirty.status, 2)
        XCTAssertTrue(dirty.err.contains("in the working tree does not check"), dirty.err)

        XCTAssertEqual(ftx(["diff", "a", "b", "c", repo.file]).status, 64)
        XCTAssertEqual(ftx(["diff"]).status, 64)
    }
}
