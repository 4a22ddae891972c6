import Foundation
import Runtime
import XCTest

/// `ftx task run --store DIR KEY`: one task of a plan at a time (a SLURM array
/// element), through `ftx run`'s own execution path.
final class TaskRunTests: XCTestCase {
    /// Two stages on iris: a two-point sweep with `select`, then a trial initialised from the best.
    static func experiment(downstreamLR: String = "0.01") -> String {
        ExperimentText.file([
            ExperimentText.header("tasks", seed: 1), ExperimentText.iris(),
            ExperimentText.mlp(input: nil, layers: "[dense(8, activation: relu)]", head: 3),
            ExperimentText.stage("up", ["model = mlp", "data = iris", "optimizer = adamw(lr: 0.01)"],
                                 schedule: ["epochs = 2", "batch_size = 16"],
                                 after: ["loss = cross_entropy()", "sweep grid {\n  optimizer.lr = [0.01, 0.03]\n}",
                                         "select = best(valid.accuracy)"]),
            ExperimentText.stage("down", ["init = up", "data = iris", "optimizer = sgd(lr: \(downstreamLR))"],
                                 schedule: ["epochs = 2", "batch_size = 16"], after: ["loss = cross_entropy()"]),
        ])
    }

    struct Task { var key: String; var kind: String; var deps: [String] }

    /// The plan's tasks, in plan order (dependencies first), from `ftx plan --json`.
    func tasks(_ file: String, store: String) throws -> [Task] {
        let plan = ftx(["plan", "--json", "--store", store, file])
        XCTAssertEqual(plan.status, 0, plan.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any])
        return try XCTUnwrap(json["tasks"] as? [[String: Any]]).map {
            Task(key: $0["id"] as? String ?? "", kind: $0["kind"] as? String ?? "", deps: $0["deps"] as? [String] ?? [])
        }
    }

    /// A fresh store that knows the experiment (its `experiments/` record, as `ftx run` wrote it in `from`) and holds no task.
    func freshStore(_ workspace: Workspace, _ name: String, from: String) throws -> String {
        let store = workspace.url.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: store + "/tasks", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: from + "/store.json", toPath: store + "/store.json")
        try FileManager.default.copyItem(atPath: from + "/experiments", toPath: store + "/experiments")
        return store
    }

    func testRunningEveryTaskOneByOneGivesTheStoreOfOneRunBitForBit() throws {
        let workspace = try Workspace()
        let file = try workspace.write("tasks.ftx", Self.experiment())
        let whole = workspace.url.appendingPathComponent("whole").path
        let run = ftx(["run", "--store", whole, file])
        XCTAssertEqual(run.status, 0, run.err)
        let plan = try tasks(file, store: whole)
        XCTAssertEqual(Set(plan.map(\.kind)), ["data", "train", "eval", "select"])

        // A done task: exit 0 at once, nothing trained.
        let trainKey = try XCTUnwrap(plan.first { $0.kind == "train" }?.key)
        let done = ftx(["task", "run", "--store", whole, trainKey])
        XCTAssertEqual(done.status, 0, done.err)
        XCTAssertTrue(done.out.contains("already in the store (done)"), done.out)
        XCTAssertFalse(done.out.contains("task run,"), done.out)

        let single = try freshStore(workspace, "single", from: whole)
        var seen: Set<String> = []
        for task in plan {
            XCTAssertTrue(Set(task.deps).isSubset(of: seen), "plan order puts dependencies first")
            let r = ftx(["task", "run", "--store", single, task.key])
            XCTAssertEqual(r.status, 0, "\(task.kind) \(task.key): \(r.err)")
            XCTAssertTrue(r.out.contains("1 task run, \(Self.closureSize(task.key, plan) - 1) already in the store"), r.out)
            seen.insert(task.key)
        }
        for task in plan {
            for name in ["final.safetensors", "metrics.json", "history.jsonl", "spec.json", "status.json"] {
                let a = FileManager.default.contents(atPath: "\(whole)/tasks/\(task.key)/\(name)")
                let b = FileManager.default.contents(atPath: "\(single)/tasks/\(task.key)/\(name)")
                XCTAssertEqual(a, b, "\(task.kind) \(task.key): \(name) differs between `ftx run` and `ftx task run`")
            }
        }
        // The stores hold real results (not two missing files compared equal).
        XCTAssertNotNil(FileManager.default.contents(atPath: "\(single)/tasks/\(trainKey)/final.safetensors"))
        // The same results, checkpoint paths aside (they name the store).
        XCTAssertEqual(ftx(["results", "--json", "--store", single, file]).out.replacingOccurrences(of: single, with: whole),
                       ftx(["results", "--json", "--store", whole, file]).out)
    }

    /// The task and everything upstream of it.
    static func closureSize(_ key: String, _ plan: [Task]) -> Int {
        var needed: Set<String> = [key], frontier = [key]
        while let k = frontier.popLast() {
            for d in plan.first(where: { $0.key == k })?.deps ?? [] where needed.insert(d).inserted { frontier.append(d) }
        }
        return needed.count
    }

    func testATaskWhoseDependenciesAreNotDoneFailsNamingThemAndRunsNothing() throws {
        let workspace = try Workspace()
        let file = try workspace.write("tasks.ftx", Self.experiment())
        let whole = workspace.url.appendingPathComponent("whole").path
        XCTAssertEqual(ftx(["run", "--store", whole, file]).status, 0)
        let plan = try tasks(file, store: whole)
        let store = try freshStore(workspace, "empty", from: whole)
        let eval = try XCTUnwrap(plan.first { $0.kind == "eval" })
        let r = ftx(["task", "run", "--store", store, eval.key])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("depends on tasks not done yet"), r.err)
        for dep in eval.deps { XCTAssertTrue(r.err.contains(dep), "names \(dep): \(r.err)") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: store + "/tasks")
        XCTAssertEqual(entries, [], "nothing ran")
    }

    func testAnEditedExperimentNoLongerPlansItsOldTasks() throws {
        let workspace = try Workspace()
        let file = try workspace.write("tasks.ftx", Self.experiment())
        let store = workspace.url.appendingPathComponent("store").path
        XCTAssertEqual(ftx(["run", "--store", store, file]).status, 0)
        let plan = try tasks(file, store: store)
        let downTrain = try XCTUnwrap(plan.last { $0.kind == "train" }?.key)
        try FileManager.default.removeItem(atPath: "\(store)/tasks/\(downTrain)")

        try workspace.write("tasks.ftx", Self.experiment(downstreamLR: "0.02"))
        let r = ftx(["task", "run", "--store", store, downTrain])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("the experiment `\(file)` no longer plans task \(downTrain): its settings or inputs changed since it was submitted"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(store)/tasks/\(downTrain)"))
    }

    func testAnUnknownKeyNamesTheStoreAndALeasedTaskIsLeftToItsOwner() throws {
        let workspace = try Workspace()
        let file = try workspace.write("tasks.ftx", Self.experiment())
        let whole = workspace.url.appendingPathComponent("whole").path
        XCTAssertEqual(ftx(["run", "--store", whole, file]).status, 0)
        let unknown = String(repeating: "ab", count: 32)
        let r = ftx(["task", "run", "--store", whole, unknown])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("no experiment run on the store `\(whole)` plans task \(unknown)"), r.err)

        let store = try freshStore(workspace, "leased", from: whole)
        let data = try XCTUnwrap(try tasks(file, store: whole).first { $0.kind == "data" }?.key)
        let lease = try TaskStore(root: store, create: false).lease(for: data)
        XCTAssertTrue(try lease.tryAcquire())
        defer { lease.release() }
        let busy = ftx(["task", "run", "--store", store, data])
        XCTAssertEqual(busy.status, 75, busy.err)
        XCTAssertTrue(busy.out.contains("is being run by another worker"), busy.out)
        XCTAssertNil(try TaskStore(root: store, create: false).completedStatus(data))
    }
}
