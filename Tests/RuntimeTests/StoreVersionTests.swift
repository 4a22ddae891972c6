import Foundation
import Runtime
import Support
import XCTest

/// Store format versions (issue 18, item 5): today's is read as it is, an older one
/// is upgraded in place atomically with a message, a newer one is refused naming both.
/// No older format was ever released, so the upgrade is tested with a synthetic
/// version 0 and an upgrade step supplied by the test.
final class StoreVersionTests: XCTestCase {
    private func storeAt(version: Int) throws -> String {
        let root = TrainerFixtures.temporaryDirectory("store-version")
        let store = try TaskStore(root: root)
        try store.write(Data("weights".utf8), "final.safetensors", for: "k1")
        try store.writeJSON(["x": 1], "spec.json", for: "k1")
        try store.seal("k1", status: .done, files: ["spec.json", "final.safetensors"])
        try setVersion(version, of: root)
        return root
    }

    private func setVersion(_ version: Int, of root: String) throws {
        try #"{"format":"ftx-store","version":\#(version)}"#.write(toFile: root + "/store.json", atomically: true, encoding: .utf8)
    }

    private func version(of root: String) throws -> Int? {
        try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: root + "/store.json")))["version"]?.intValue
    }

    private func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func testANewerStoreIsRefusedNamingBothVersionsAndLeftUntouched() throws {
        let newer = TaskStore.formatVersion + 1
        let root = try storeAt(version: newer)
        XCTAssertThrowsError(try TaskStore(root: root)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("format version \(newer), written by a newer ftx"), message)
            XCTAssertTrue(message.contains("this ftx reads format version \(TaskStore.formatVersion) and older"), message)
        }
        XCTAssertEqual(try version(of: root), newer)
        XCTAssertEqual(text(root + "/tasks/k1/final.safetensors"), "weights")
    }

    func testAnOlderStoreIsUpgradedInPlaceWithAMessage() throws {
        let root = try storeAt(version: 0)
        let warnings = EventLog()
        let step = StoreMigration(from: 0, summary: "adds a note to every entry") { tasks in
            for key in try FileManager.default.contentsOfDirectory(atPath: tasks) {
                try AtomicFile.write("upgraded", to: tasks + "/" + key + "/note.txt")
            }
        }
        let store = try TaskStore(root: root, create: false, warn: { warnings.append(.warning($0)) }, migrations: [step])
        XCTAssertEqual(warnings.warnings.count, 1)
        XCTAssertTrue(warnings.warnings.first?.contains("from format version 0 to \(TaskStore.formatVersion) (v0 -> v1: adds a note to every entry)") == true,
                      "\(warnings.warnings)")
        XCTAssertEqual(try version(of: root), TaskStore.formatVersion)
        XCTAssertEqual(text(root + "/tasks/k1/note.txt"), "upgraded")
        XCTAssertEqual(store.verify("k1"), .complete(.done), "the entry's sealed files came through the upgrade")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["store.json", "tasks"], "no staging left")
        // Reopening reads it as it is: no second upgrade.
        let again = EventLog()
        _ = try TaskStore(root: root, create: false, warn: { again.append(.warning($0)) }, migrations: [step])
        XCTAssertEqual(again.warnings, [])
    }

    func testAFailedUpgradeLeavesTheOlderStoreExactlyAsItWas() throws {
        let root = try storeAt(version: 0)
        let step = StoreMigration(from: 0, summary: "fails half way") { tasks in
            try AtomicFile.write("half-migrated", to: tasks + "/k1/final.safetensors")
            throw StoreError("disk on fire")
        }
        XCTAssertThrowsError(try TaskStore(root: root, create: false, warn: { _ in }, migrations: [step])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("from format version 0 to \(TaskStore.formatVersion): disk on fire"), message)
            XCTAssertTrue(message.contains("The store is unchanged (still version 0)"), message)
        }
        XCTAssertEqual(try version(of: root), 0)
        XCTAssertEqual(text(root + "/tasks/k1/final.safetensors"), "weights", "the staged copy was written, never the live file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["store.json", "tasks"])
    }

    /// A process killed after the upgrade's commit point (between moving the old
    /// `tasks/` aside and moving the new one in) is rolled forward on the next open.
    func testAnUpgradeKilledAfterItsCommitPointIsFinishedOnOpen() throws {
        let root = try storeAt(version: 0)
        let staging = root + "/.migrating-to-v\(TaskStore.formatVersion)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: staging + "/tasks/k1", withIntermediateDirectories: true)
        try "upgraded".write(toFile: staging + "/tasks/k1/note.txt", atomically: true, encoding: .utf8)
        try "\(TaskStore.formatVersion)\n".write(toFile: staging + "/COMMITTED", atomically: true, encoding: .utf8)
        try fm.moveItem(atPath: root + "/tasks", toPath: staging + "/tasks-before")  // the kill happened here

        _ = try TaskStore(root: root, create: false, warn: { _ in }, migrations: [])
        XCTAssertEqual(try version(of: root), TaskStore.formatVersion)
        XCTAssertEqual(text(root + "/tasks/k1/note.txt"), "upgraded")
        XCTAssertFalse(fm.fileExists(atPath: staging))
    }

    func testAnOlderStoreWithoutAnUpgradeStepIsRefused() throws {
        let root = try storeAt(version: 0)
        XCTAssertThrowsError(try TaskStore(root: root)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("format version 0, written by an older ftx"), message)
            XCTAssertTrue(message.contains("reads format version \(TaskStore.formatVersion) and cannot upgrade version 0"), message)
        }
        XCTAssertEqual(try version(of: root), 0)
    }

    func testAVersionThatIsNotAWholeNumberIsRefused() throws {
        let root = TrainerFixtures.temporaryDirectory("store-version")
        try #"{"format":"ftx-store","version":"1.5"}"#.write(toFile: root + "/store.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TaskStore(root: root)) { error in
            XCTAssertTrue("\(error)".contains("reads format version \(TaskStore.formatVersion) and older"), "\(error)")
        }
    }
}
