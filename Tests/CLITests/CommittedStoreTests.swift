import Foundation
import XCTest

/// A store written by today's ftx (format version 1) is committed in
/// `Tests/Fixtures/stores/v1/` (issue 18, item 5): every later ftx must open it
/// as it is or upgrade it, so a format change that forgets old stores fails here.
final class CommittedStoreTests: XCTestCase {
    private let fm = FileManager.default

    /// A copy of the committed fixture (experiment, data and `.ftx/` store) in a temporary folder.
    private func copyOfFixture() throws -> String {
        let copy = fm.temporaryDirectory.appendingPathComponent("ftx-store-v1-\(UUID().uuidString)").path
        try fm.copyItem(atPath: Paths.root.appendingPathComponent("Tests/Fixtures/stores/v1").path, toPath: copy)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: copy) }
        return copy
    }

    func testTheCommittedVersion1StoreOpensWithEveryTaskCached() throws {
        let dir = try copyOfFixture()
        let results = ftx(["results", dir + "/tiny.ftx"])
        XCTAssertEqual(results.status, 0, results.err)
        XCTAssertTrue(results.out.contains("experiment tiny_store_v1: 1 trials, 1 finished"), results.out)
        XCTAssertTrue(results.out.contains("37737f80d1  train  done    2"), results.out)
        XCTAssertTrue(results.out.contains("1.1559      0.3333"), results.out)

        let run = ftx(["run", dir + "/tiny.ftx"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("0 tasks run, 3 already in the store"), run.out + run.err)
        XCTAssertEqual(warningsOtherThanLints(run.err), [], run.err)
    }

    func testAStoreFromANewerFtxIsRefusedWithExit2() throws {
        let dir = try copyOfFixture()
        try #"{"format":"ftx-store","version":2}"#.write(toFile: dir + "/.ftx/store.json", atomically: true, encoding: .utf8)
        for command in ["results", "run"] {
            let result = ftx([command, dir + "/tiny.ftx"])
            XCTAssertEqual(result.status, 2, "\(command): \(result.out)")
            XCTAssertTrue(result.err.contains("has format version 2, written by a newer ftx; this ftx reads format version 1 and older"),
                          "\(command): \(result.err)")
        }
    }

    /// An entry folder replaced by a link to a folder outside the store: the task is
    /// not written through it; the run fails naming the link (issue 18, item 4).
    func testALinkedEntryFolderIsNotWrittenThrough() throws {
        let dir = try copyOfFixture()
        let entry = dir + "/.ftx/tasks/4aafa560de560ea704941a57d5107a671c1312308621612ca11d01b17ae51e04"
        let outside = dir + "/outside"
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try fm.removeItem(atPath: entry)
        try fm.createSymbolicLink(atPath: entry, withDestinationPath: outside)

        let run = ftx(["run", dir + "/tiny.ftx"])
        XCTAssertEqual(run.status, 2, run.out)
        XCTAssertTrue((run.out + run.err).contains("'\(entry)' is a symbolic link; ftx never writes through links in its store"),
                      run.out + run.err)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside), [])
    }

    /// The store's record of experiments (`experiments/`) replaced by a link: not written through.
    func testALinkedRecordFolderIsNotWrittenThrough() throws {
        let dir = try copyOfFixture()
        let records = dir + "/.ftx/experiments"
        let outside = dir + "/outside"
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try fm.removeItem(atPath: records)
        try fm.createSymbolicLink(atPath: records, withDestinationPath: outside)

        let run = ftx(["run", dir + "/tiny.ftx"])
        XCTAssertEqual(run.status, 2, run.out)
        XCTAssertTrue(run.err.contains("'\(records)' is a symbolic link; ftx never writes through links in its store"), run.err)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside), [])
    }
}

/// `ftx plan` lists what the experiment reads, with `..` resolved, and the store it
/// writes (issue 18, item 4: what a `.ftx` file can reach is visible before a run).
final class PlanShowsReadsAndWritesTests: XCTestCase {
    func testPlanShowsResolvedInputsAndTheStore() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("ftx-plan-reads-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = Paths.root.appendingPathComponent("Tests/Fixtures/stores/v1").path
        try fm.copyItem(atPath: fixture + "/iris-30.csv", toPath: dir + "/iris-30.csv")
        let text = try String(contentsOfFile: fixture + "/tiny.ftx", encoding: .utf8)
            .replacingOccurrences(of: #"csv("iris-30.csv")"#, with: #"csv("../sub/./../iris-30.csv")"#)
        XCTAssertTrue(text.contains("../sub/./../iris-30.csv"))
        try text.write(toFile: dir + "/sub/x.ftx", atomically: true, encoding: .utf8)

        let plan = ftx(["plan", dir + "/sub/x.ftx"])
        XCTAssertEqual(plan.status, 0, plan.err)
        let resolved = (dir as NSString).resolvingSymlinksInPath
        XCTAssertTrue(plan.out.contains("reads (never written):\n  data  \(resolved)/iris-30.csv\n"), plan.out)
        XCTAssertTrue(plan.out.contains("writes: \(resolved)/sub/.ftx (the store, the only place written)"), plan.out)
        XCTAssertFalse(plan.out.contains(".."), plan.out)
    }
}
