import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// The task store: versioning, atomic writes, manifests, corruption detection, leases.
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
            XCTAssertTrue(text.contains("reads format version \(TaskStore.formatVersion)"), text)
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
        XCTAssertTrue(TaskStore.isValidKey("Trial_2.b-Z9"))
        XCTAssertFalse(TaskStore.isValidKey("."))
        XCTAssertFalse(TaskStore.isValidKey(".."))
        XCTAssertFalse(TaskStore.isValidKey("é"))       // a letter, but not ASCII
        XCTAssertFalse(TaskStore.isValidKey("a b"))
        XCTAssertFalse(TaskStore.isValidKey("a\u{0}b"))
        XCTAssertFalse(TaskStore.isValidKey(String(repeating: "a", count: 201)))
    }

    func testALeaseExcludesASecondHolderAndNamesItsOwner() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        let a = store.lease(for: "k"), b = store.lease(for: "k")
        XCTAssertTrue(try a.tryAcquire())
        XCTAssertFalse(try b.tryAcquire(), "a second holder must not acquire a live lease")
        let owner = try XCTUnwrap(b.liveOwner())
        XCTAssertEqual(owner.host, TaskLease.host)
        XCTAssertEqual(owner.pid, getpid())
        XCTAssertEqual(owner.started, TaskLease.processStart)
        a.release()
        XCTAssertNil(b.owner(), "release deletes the lease")
        XCTAssertTrue(try b.tryAcquire())
        XCTAssertEqual(a.liveOwner()?.token, b.owner()?.token)
        XCTAssertFalse(try a.tryAcquire())
        b.release()
    }

    /// Writes `owner` as `key`'s lease, as another worker would have.
    private func forge(_ owner: TaskLease.Owner, key: String, in store: TaskStore) throws {
        try store.prepareEntry(key)
        try AtomicFile.write(JSONWriter.encode(owner.json) + "\n", to: store.lease(for: key).path)
    }

    func testALeaseWithAnOldHeartbeatIsTakenOverAndAFreshOneIsNot() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        store.leaseTimeout = 60
        let now = Date().timeIntervalSince1970
        // Another machine's live lease: its pid means nothing here, only its heartbeat counts.
        let elsewhere = TaskLease.Owner(host: "elsewhere.invalid", pid: 1, started: now - 100, token: "theirs", heartbeat: now - 5)
        try forge(elsewhere, key: "k", in: store)
        let lease = store.lease(for: "k")
        XCTAssertFalse(try lease.tryAcquire(), "a lease renewed 5 s ago (timeout 60 s) is live")
        XCTAssertEqual(lease.liveOwner(), elsewhere)
        var stale = elsewhere
        stale.heartbeat = now - 61
        try forge(stale, key: "k", in: store)
        XCTAssertNil(lease.liveOwner())
        XCTAssertTrue(try lease.tryAcquire(), "a heartbeat older than the timeout is stale")
        let mine = try XCTUnwrap(lease.owner())
        XCTAssertEqual(mine.host, TaskLease.host)
        XCTAssertNotEqual(mine.token, "theirs")
        let entry = try FileManager.default.contentsOfDirectory(atPath: store.directory(for: "k"))
        XCTAssertEqual(entry, ["lease.json"], "no temporary or moved-aside files remain")
        lease.release()
    }

    func testASameHostLeaseOfADeadProcessIsTakenOverAtOnce() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        let now = Date().timeIntervalSince1970
        try forge(TaskLease.Owner(host: TaskLease.host, pid: sleeper.processIdentifier, started: now, token: "w", heartbeat: now),
                  key: "k", in: store)
        let lease = store.lease(for: "k")
        XCTAssertFalse(try lease.tryAcquire(), "a running owner on this host keeps its lease")
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()
        XCTAssertTrue(try lease.tryAcquire(), "its heartbeat is fresh, but its pid is dead: taken over without waiting")
        lease.release()
    }

    func testAHolderRenewsItsHeartbeatAndNoticesATakeover() throws {
        let store = try TaskStore(root: TrainerFixtures.temporaryDirectory("store"))
        store.leaseRenewal = 0.01
        let lease = store.lease(for: "k")
        XCTAssertTrue(try lease.tryAcquire())
        let first = try XCTUnwrap(lease.owner())
        var renewed = first
        for _ in 0..<2000 where renewed.heartbeat == first.heartbeat {
            Thread.sleep(forTimeInterval: 0.005)
            renewed = try XCTUnwrap(lease.owner())
        }
        XCTAssertGreaterThan(renewed.heartbeat, first.heartbeat, "the holder renews its heartbeat")
        XCTAssertEqual(renewed.token, first.token)
        // Someone judged it stale and took it over: the holder stops renewing and keeps off the new lease.
        var other = renewed
        other.token = "thief"
        for _ in 0..<2000 where !lease.lost {
            // (forged again if a renewal that had already read its own token overwrote it)
            if lease.owner()?.token != "thief" { try forge(other, key: "k", in: store) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTAssertTrue(lease.lost)
        lease.release()
        XCTAssertEqual(lease.owner()?.token, "thief", "releasing a lost lease leaves the new owner's")
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
