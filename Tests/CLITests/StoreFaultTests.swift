import Foundation
import XCTest

/// Faults in the store (issue 18, item 2): a byte flipped in finished entries is
/// named by `ftx verify`, discarded by `--repair` or by `ftx run`, and recomputed
/// to exactly the bytes of a clean run.
final class StoreFaultTests: XCTestCase {
    /// Five seeds of one small stage: five train trials, their evals and a select.
    static let experiment = ExperimentText.file([
        ExperimentText.header("faults", seed: 3),
        ExperimentText.iris(),
        """
        model mlp {
          input = 4
          layers = [dense(8, activation: relu)]
          head = dense(3)
        }
        """,
        """
        stage fit {
          model = mlp
          data = iris
          optimizer = adamw(lr: 1e-2)
          schedule {
            epochs = 3
            batch_size = 16
          }
          loss = cross_entropy()

          sweep grid {
            seed = [1, 2, 3, 4, 5]
          }
          select = best(valid.accuracy)
        }
        """,
    ])

    /// Every file of every sealed entry: `KEY/NAME` → bytes.
    static func sealedFiles(_ store: String) throws -> [String: Data] {
        let tasks = URL(fileURLWithPath: store).appendingPathComponent("tasks")
        var files: [String: Data] = [:]
        for key in try FileManager.default.contentsOfDirectory(atPath: tasks.path) {
            for name in try Self.manifestFiles(store, key) {
                files[key + "/" + name] = try Data(contentsOf: tasks.appendingPathComponent(key).appendingPathComponent(name))
            }
        }
        return files
    }

    static func manifestFiles(_ store: String, _ key: String) throws -> [String] {
        let url = URL(fileURLWithPath: store).appendingPathComponent("tasks/\(key)/manifest.json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap(json["files"] as? [[String: Any]]).compactMap { $0["name"] as? String }
    }

    /// Flips one bit in the middle of a different file of each of five sealed entries
    /// (the first name of each entry's manifest not flipped yet); the flipped `KEY/NAME`s.
    func corruptFive(_ store: String) throws -> [String] {
        let tasks = URL(fileURLWithPath: store).appendingPathComponent("tasks")
        var flipped: [String] = [], names: Set<String> = []
        for key in try FileManager.default.contentsOfDirectory(atPath: tasks.path).sorted() where flipped.count < 5 {
            guard let name = try Self.manifestFiles(store, key).first(where: { !names.contains($0) }) else { continue }
            let url = tasks.appendingPathComponent(key).appendingPathComponent(name)
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: url)
            names.insert(name)
            flipped.append(key + "/" + name)
        }
        XCTAssertEqual(flipped.count, 5, "five sealed entries with five different files: \(flipped)")
        return flipped
    }

    /// The `corrupt: …` lines of `verify`, as `KEY/NAME` of the entry and the file they name.
    func named(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("corrupt: ") }.compactMap { line -> String? in
            // corrupt: STORE/tasks/KEY: NAME does not match its recorded SHA-256
            let parts = line.dropFirst("corrupt: ".count).components(separatedBy: ": ")
            guard parts.count >= 2, let name = parts[1].split(separator: " ").first else { return nil }
            return (parts[0] as NSString).lastPathComponent + "/" + name
        }.sorted()
    }

    func testVerifyNamesExactlyTheFiveCorruptEntriesAndRepairRecomputesThemIdentically() throws {
        let workspace = try Workspace()
        let file = try workspace.write("faults.ftx", Self.experiment)
        let store = workspace.url.appendingPathComponent("store").path
        let clean = ftx(["run", "--store", store, file])
        XCTAssertEqual(clean.status, 0, clean.err)
        let expected = try Self.sealedFiles(store)
        XCTAssertGreaterThanOrEqual(Set(expected.keys.map { $0.split(separator: "/")[0] }).count, 11, "5 trains, 5 evals, a select")

        let intact = ftx(["verify", "--store", store])
        XCTAssertEqual(intact.status, 0, intact.out + intact.err)
        XCTAssertTrue(intact.out.contains(", 0 corrupt"), intact.out)

        // Report, then repair, then recompute.
        let flipped = try corruptFive(store)
        let report = ftx(["verify", "--store", store, file])
        XCTAssertEqual(report.status, 1, "a corrupt store is a negative answer:\n" + report.out + report.err)
        XCTAssertEqual(named(report.out), flipped.sorted(), report.out)
        XCTAssertTrue(report.out.contains(", 5 corrupt"), report.out)
        let repaired = ftx(["verify", "--repair", "--store", store])
        XCTAssertEqual(repaired.status, 0, repaired.out + repaired.err)
        XCTAssertEqual(named(repaired.out), flipped.sorted(), repaired.out)
        for entry in flipped {
            let key = String(entry.split(separator: "/")[0])
            XCTAssertFalse(FileManager.default.fileExists(atPath: store + "/tasks/" + key), "\(key) discarded")
        }
        let after = ftx(["verify", "--store", store])
        XCTAssertEqual(after.status, 0, after.out)
        let rerun = ftx(["run", "--store", store, file])
        XCTAssertEqual(rerun.status, 0, rerun.err)
        XCTAssertEqual(try Self.sealedFiles(store), expected, "recomputed entries == the clean run, byte for byte")

        // Without `verify`: `ftx run` itself reports each corrupt entry it needs and recomputes it.
        let again = try corruptFive(store)
        let direct = ftx(["run", "--store", store, file])
        XCTAssertEqual(direct.status, 0, direct.err)
        for entry in again {
            let key = String(entry.split(separator: "/")[0])
            XCTAssertTrue(direct.err.contains("store entry \(key) is corrupt"), "run names \(entry):\n\(direct.err)")
        }
        XCTAssertEqual(try Self.sealedFiles(store), expected, "recomputed by `run` == the clean run, byte for byte")
        XCTAssertEqual(ftx(["verify", "--store", store]).status, 0)
    }

    func testVerifyWithoutFileOrStoreIsAUsageError() {
        let r = ftx(["verify"])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("--store DIR"), r.err)
        let missing = ftx(["verify", "--store", "/nonexistent/ftx-store"])
        XCTAssertEqual(missing.status, 2, missing.err)
        XCTAssertTrue(missing.err.contains("/nonexistent/ftx-store"), missing.err)
    }
}

/// A store file that cannot be read (issue 18, item 2) is a clear error naming it, never
/// taken for a corrupt entry, discarded and recomputed; once readable again the run completes
/// with the clean run's bytes.
final class UnreadableStoreFileTests: XCTestCase {
    func testAnUnreadableStoreFileIsAnErrorNotARecompute() throws {
        let workspace = try Workspace()
        let file = try workspace.write("faults.ftx", StoreFaultTests.experiment)
        let store = workspace.url.appendingPathComponent("store").path
        XCTAssertEqual(ftx(["run", "--store", store, file]).status, 0)
        let expected = try StoreFaultTests.sealedFiles(store)
        let weights = try XCTUnwrap(expected.keys.sorted().first { $0.hasSuffix("/final.safetensors") })
        let path = store + "/tasks/" + weights

        // Root reads any file whatever its mode, so the file is replaced by a folder (readable by
        // nobody as a file); as another user, `chmod 000` on the file is tried as well.
        var faultsToTry: [(name: String, make: () throws -> Void, undo: () throws -> Void)] = [
            ("a folder in place of the file",
             { try FileManager.default.removeItem(atPath: path); try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) },
             { try FileManager.default.removeItem(atPath: path); try expected[weights]!.write(to: URL(fileURLWithPath: path)) }),
        ]
        if geteuid() != 0 {
            faultsToTry.append(("mode 000", { XCTAssertEqual(chmod(path, 0), 0) }, { XCTAssertEqual(chmod(path, 0o644), 0) }))
        }
        for fault in faultsToTry {
            try fault.make()
            let run = ftx(["run", "--store", store, file])
            XCTAssertEqual(run.status, 2, "\(fault.name):\n\(run.out)\(run.err)")
            XCTAssertTrue(run.err.contains("cannot read the store file '\(path)'"), "\(fault.name):\n\(run.err)")
            XCTAssertFalse(run.err.contains("is corrupt"), "\(fault.name): not taken for corruption:\n\(run.err)")
            let verify = ftx(["verify", "--repair", "--store", store])
            XCTAssertEqual(verify.status, 2, verify.out)
            XCTAssertTrue(verify.out.contains("unreadable: "), verify.out)
            try fault.undo()
            XCTAssertEqual(try StoreFaultTests.sealedFiles(store), expected, "\(fault.name): nothing discarded or rewritten")
            let resumed = ftx(["run", "--store", store, file])
            XCTAssertEqual(resumed.status, 0, resumed.err)
            XCTAssertTrue(resumed.out.contains("0 tasks run"), resumed.out)
        }
    }
}
