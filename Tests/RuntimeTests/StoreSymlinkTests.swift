import Foundation
import Runtime
import Support
import XCTest

/// The store is the only place ftx writes, and it never writes through a symbolic
/// link found in it (issue 18, item 4): a link to a file is replaced by the atomic
/// rename, a linked entry folder or `tasks/` folder is refused.
final class StoreSymlinkTests: XCTestCase {
    private let fm = FileManager.default

    /// A store and, beside it, a folder "outside" holding a file that must survive.
    private func storeAndOutside() throws -> (TaskStore, outside: String) {
        let base = TrainerFixtures.temporaryDirectory("store-links")
        let outside = base + "/outside"
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "precious".write(toFile: outside + "/target", atomically: true, encoding: .utf8)
        return (try TaskStore(root: base + "/store"), outside)
    }

    private func text(_ path: String) -> String? {
        fm.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func testALinkedFileIsReplacedByTheWriteNotWrittenThrough() throws {
        let (store, outside) = try storeAndOutside()
        try store.prepareEntry("k")
        let link = store.path("final.safetensors", for: "k")
        try fm.createSymbolicLink(atPath: link, withDestinationPath: outside + "/target")

        try store.write(Data("weights".utf8), "final.safetensors", for: "k")
        XCTAssertEqual(text(outside + "/target"), "precious")
        XCTAssertEqual(try fm.attributesOfItem(atPath: link)[.type] as? FileAttributeType, .typeRegular, "the link itself was replaced")
        XCTAssertEqual(text(link), "weights")

        // The streamed safetensors writer goes through the same rename.
        try fm.removeItem(atPath: link)
        try fm.createSymbolicLink(atPath: link, withDestinationPath: outside + "/target")
        try [Float(1), 2].withUnsafeBufferPointer { values in
            try store.writeTensors([(name: "w", shape: [2], values: values)], "final.safetensors", for: "k")
        }
        XCTAssertEqual(text(outside + "/target"), "precious")
        XCTAssertEqual(try fm.attributesOfItem(atPath: link)[.type] as? FileAttributeType, .typeRegular)
    }

    func testALinkedEntryFolderIsRefusedAndNothingOutsideChanges() throws {
        let (store, outside) = try storeAndOutside()
        try fm.createSymbolicLink(atPath: store.directory(for: "k"), withDestinationPath: outside)
        try "stray".write(toFile: outside + "/.final.safetensors.tmp-1-2", atomically: true, encoding: .utf8)

        XCTAssertThrowsError(try store.write(Data("x".utf8), "status.json", for: "k")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("'\(store.directory(for: "k"))' is a symbolic link; ftx never writes through links in its store"), message)
            XCTAssertTrue(message.contains("Remove the link"), message)
        }
        XCTAssertThrowsError(try store.discard("k"))
        store.removeStrayTemporaryFiles("k")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside).sorted(), [".final.safetensors.tmp-1-2", "target"])
        XCTAssertEqual(text(outside + "/target"), "precious")
    }

    func testALinkedTasksFolderIsRefused() throws {
        let (store, outside) = try storeAndOutside()
        let tasks = store.root + "/tasks"
        try fm.removeItem(atPath: tasks)
        try fm.createSymbolicLink(atPath: tasks, withDestinationPath: outside)
        XCTAssertThrowsError(try store.write(Data("x".utf8), "status.json", for: "k")) { error in
            XCTAssertTrue("\(error)".contains("'\(tasks)' is a symbolic link"), "\(error)")
        }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside), ["target"])
    }

    /// A sealed entry whose file was swapped for a link is corrupt; discarding it
    /// removes the link, never the file it points at.
    func testDiscardingACorruptEntryRemovesALinkNotItsTarget() throws {
        let (store, outside) = try storeAndOutside()
        try store.write(Data("weights".utf8), "final.safetensors", for: "k")
        try store.seal("k", status: .done, files: ["final.safetensors"])
        let link = store.path("final.safetensors", for: "k")
        try fm.removeItem(atPath: link)
        try fm.createSymbolicLink(atPath: link, withDestinationPath: outside + "/target")

        let reopened = try TaskStore(root: store.root)
        XCTAssertNil(reopened.completedStatus("k"))
        XCTAssertEqual(reopened.verify("k"), .missing)
        XCTAssertEqual(text(outside + "/target"), "precious")
    }
}
