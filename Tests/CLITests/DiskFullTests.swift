import Foundation
import XCTest

/// A full disk under the store (issue 18, item 2): `ftx run` exits 2 naming the path
/// and "No space left on device", leaves no entry that looks done but is not, and the
/// store moved to a roomy disk completes to exactly a clean run's results.
final class DiskFullTests: XCTestCase {
    /// Three trials whose checkpoints (weights, Adam moments: ~66 KB each) overflow 200 KB.
    static let experiment = ExperimentText.file([
        ExperimentText.header("full", seed: 3),
        ExperimentText.iris(),
        """
        model wide {
          input = 4
          layers = [dense(2048, activation: relu)]
          head = dense(3)
        }
        """,
        """
        stage fit {
          model = wide
          data = iris
          optimizer = adamw(lr: 1e-3)
          schedule {
            epochs = 2
            batch_size = 32
          }
          loss = cross_entropy()

          sweep grid {
            seed = [1, 2, 3]
          }
          select = best(valid.accuracy)
        }
        """,
    ])

    /// Mounts a `size` tmpfs at `path` (root only), unmounted when the test ends; skips the test where it cannot.
    func mountSmallDisk(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root; the full-disk test is skipped") }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw XCTSkip("cannot mount a tmpfs here (no CAP_SYS_ADMIN?); the full-disk test is skipped") }
        addTeardownBlock {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [path]
            try? umount.run()
            umount.waitUntilExit()
        }
    }

    func testAFullDiskIsAClearErrorAndTheMovedStoreCompletesIdentically() throws {
        let workspace = try Workspace()
        let file = try workspace.write("full.ftx", Self.experiment)
        let small = workspace.url.appendingPathComponent("small").path
        try mountSmallDisk(at: small, size: "200k")

        let clean = workspace.url.appendingPathComponent("clean").path
        XCTAssertEqual(ftx(["run", "--store", clean, file]).status, 0)
        let expected = try finishedResults(file, store: clean)

        let store = small + "/store"
        let full = ftx(["run", "--checkpoint-every", "0", "--store", store, file])
        XCTAssertEqual(full.status, 2, full.out + full.err)
        XCTAssertTrue(full.err.contains("No space left on device"), full.err)
        XCTAssertTrue(full.err.contains(store), "the failed write is named:\n\(full.err)")
        // Nothing sealed is wrong: every entry with a manifest matches it.
        let verify = ftx(["verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        XCTAssertTrue(verify.out.contains(", 0 corrupt"), verify.out)

        // Moved to a roomy disk, the store completes to the clean run's results.
        let moved = workspace.url.appendingPathComponent("moved").path
        try FileManager.default.copyItem(atPath: store, toPath: moved)
        let resumed = ftx(["run", "--checkpoint-every", "0", "--store", moved, file])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertEqual(try finishedResults(file, store: moved), expected, "resumed on a roomy disk == clean, bit for bit")
    }
}
