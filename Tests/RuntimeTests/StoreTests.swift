import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// The task store: versioning, atomic writes, manifests, corruption detection, locks.
final class StoreTests: XCTestCase {
    func testNewStoreWritesItsFormatVersion() throws {
        let root = TrainerFixtures.temporaryDirectory("store")
        _ = try TaskStore(root: root)
        let json = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: root + "/store.json")))
        XCTAssertEqual(json["format"]?.stringValue, "ftx-store")
        XCTAssertEqual(json["version"]?.intValue, TaskStore.formatVersion)
        _ = try TaskStore(root: root)  // reopening works
    }

    func testUnknownFormatVersionIsAClearError() throws {
        let root = TrainerFixtures.temporaryDirectory("store")
        try #"{"format":"ftx-store","version":99}"#.write(toFile: root + "/store.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TaskStore(root: root)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("version 99"), text)
            XCTAssertTrue(text.contains("reads version \(TaskStore.formatVersion)"), text)
        }
        try "not json at all".write(toFile: root + "/store.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TaskStore(root: root)) { error in
            XCTAssertTrue("\(error)".contains("not an ftx store"), "\(error)")
        }
    }

    func testSealedEntryVerifiesAndCorruptionIsReported() throws {
        let warnings = EventLog()
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"), warn: { warnings.append(.warning($0)) })
        XCTAssertEqual(store.verify("abc123"), .missing)
        try store.write(Data("hello".utf8), "final.safetensors", for: "abc123")
        XCTAssertEqual(store.verify("abc123"), .incomplete)
        try store.writeJSON(["x": 1], "spec.json", for: "abc123")
        try store.seal("abc123", status: .done, files: ["spec.json", "final.safetensors"])
        XCTAssertEqual(store.verify("abc123"), .complete(.done))
        XCTAssertNotNil(store.recordedHash("final.safetensors", for: "abc123"))

        // Truncation (a half-written file) is detected by a fresh reader.
        let path = store.path("final.safetensors", for: "abc123")
        try Data("hel".utf8).write(to: URL(fileURLWithPath: path))
        let reopened = try TaskStore(root: store.root, warn: { warnings.append(.warning($0)) })
        guard case .corrupt(let why) = reopened.verify("abc123") else { return XCTFail("corruption not detected") }
        XCTAssertTrue(why.contains("final.safetensors"), why)
        XCTAssertNil(reopened.completedStatus("abc123"))
        XCTAssertEqual(warnings.warnings.count, 1)
        XCTAssertTrue(warnings.warnings[0].contains("abc123") && warnings.warnings[0].contains("final.safetensors"), warnings.warnings[0])
        XCTAssertEqual(reopened.verify("abc123"), .missing, "a corrupt entry is discarded")
    }

    func testWritesAreAtomicAndLeaveNoTemporaryFiles() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        for i in 0..<20 { try store.writeJSON(["i": .int(i)], "status.json", for: "k") }
        let files = try FileManager.default.contentsOfDirectory(atPath: store.directory(for: "k"))
        XCTAssertEqual(files, ["status.json"])
        XCTAssertEqual(store.readJSON("status.json", for: "k")?["i"]?.intValue, 19)
    }

    func testInvalidKeysAreRejected() {
        XCTAssertTrue(TaskStore.isValidKey("0f3a9c"))
        XCTAssertFalse(TaskStore.isValidKey("../etc"))
        XCTAssertFalse(TaskStore.isValidKey("a/b"))
        XCTAssertFalse(TaskStore.isValidKey(""))
    }

    func testTaskLockExcludesASecondHolderAndRecordsThePID() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        let a = store.lock(for: "k"), b = store.lock(for: "k")
        XCTAssertTrue(try a.tryAcquire())
        XCTAssertFalse(try b.tryAcquire(), "a second open of the same lock must not acquire it")
        XCTAssertEqual(b.holderPID(), getpid())
        a.release()
        XCTAssertTrue(try b.tryAcquire())
        b.release()
    }

    func testALockHeldByAnotherProcessExcludesUsAndDiesWithItsHolder() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else { throw XCTSkip("no /usr/bin/flock") }
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        let lock = store.lock(for: "k")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-o", lock.path, "/usr/bin/sleep", "2"]  // -o: only flock itself holds the lock
        try holder.run()
        var excluded = false
        for _ in 0..<200 {
            if try !lock.tryAcquire() { excluded = true; break }
            lock.release()
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertTrue(excluded, "another process's flock must exclude us")
        kill(holder.processIdentifier, SIGKILL)  // a killed holder leaves no stale lock
        holder.waitUntilExit()
        XCTAssertTrue(try lock.tryAcquire())
        lock.release()
    }

    func testCorruptTrialIsRecomputedIdentically() throws {
        let dir = TrainerFixtures.temporaryDirectory("corrupt")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let graph = TrainerFixtures.graph([TrainerFixtures.syntheticSpec(csv: csv, epochs: 2)], select: false)
        let root = dir + "/store"
        let first = try Executor(graph: graph, store: try TaskStore(root: root)).run()
        XCTAssertTrue(first.succeeded, "\(first.failures)")
        let before = TrainerFixtures.snapshot(root)
        let weights = root + "/tasks/ttrain0/final.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: weights))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: weights))

        let log = EventLog()
        let second = try Executor(graph: graph, store: try TaskStore(root: root), progress: log.append).run()
        XCTAssertTrue(second.succeeded)
        // The retrained weights are bit-identical, so the eval (which records the weights' hash) stays valid.
        XCTAssertEqual(second.executed, ["ttrain0"], "only the corrupt trial is retrained")
        XCTAssertEqual(second.cached.count, 1)
        XCTAssertTrue(log.warnings.contains { $0.contains("ttrain0") && $0.contains("final.safetensors") }, "\(log.warnings)")
        XCTAssertEqual(TrainerFixtures.snapshot(root), before)
    }
}
