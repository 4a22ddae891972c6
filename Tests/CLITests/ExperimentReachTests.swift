import Foundation
import Support
import XCTest

/// Issue 18, item 4 (docs/SECURITY.md): an experiment file cannot make ftx write
/// anywhere but its store. Every file beside the experiment — its data (reached through
/// `..`), its folder, the folder above — is byte-for-byte and time-for-time unchanged after
/// `check`, `fmt --check`, `plan`, `run`, `results` and `verify`, and `run` adds files only
/// under the store; `check` and `plan` create no store at all.
final class ExperimentReachTests: XCTestCase {
    /// Every regular file under `root` (links not followed), outside `excluded`, with its
    /// SHA-256 and modification time.
    private func snapshot(_ root: URL, excluding excluded: String? = nil) throws -> [String: String] {
        var out: [String: String] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        while let relative = enumerator.nextObject() as? String {
            let path = root.appendingPathComponent(relative).path
            if let excluded, path == excluded || path.hasPrefix(excluded + "/") { continue }
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let digest = SHA256.hash(try Data(contentsOf: URL(fileURLWithPath: path))).hex
            out[relative] = "\(digest) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return out
    }

    func testAnExperimentWritesOnlyItsStore() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-reach-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let project = root.appendingPathComponent("project"), experiments = project.appendingPathComponent("experiments")
        try FileManager.default.createDirectory(at: experiments, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: project.appendingPathComponent("data"), withIntermediateDirectories: true)
        // A copy, not a link: the data file itself must come out untouched.
        try FileManager.default.copyItem(at: Paths.root.appendingPathComponent("data/iris.csv"), to: project.appendingPathComponent("data/iris.csv"))
        try Data("a neighbour's file\n".utf8).write(to: root.appendingPathComponent("outside.txt"))
        let file = experiments.appendingPathComponent("reach.ftx").path
        try Data(ExperimentText.file([
            ExperimentText.header("reach"),
            ExperimentText.data("iris", csv: "../data/../data/iris.csv", normalize: "standardize", split: ExperimentText.trainValid),
            ExperimentText.mlp(input: 4, layers: "[dense(8, activation: relu)]", head: 3),
            ExperimentText.stage("fit", ["model = mlp", "data = iris", "optimizer = adamw(lr: 1e-2)"], schedule: ["epochs = 2", "batch_size = 16"]),
        ]).utf8).write(to: URL(fileURLWithPath: file))
        let store = experiments.appendingPathComponent(".ftx").path
        let before = try snapshot(root)

        for command in [["check", file], ["fmt", "--check", file], ["plan", file]] {
            let r = ftx(command)
            XCTAssertEqual(r.status, 0, "\(command): \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: store), "\(command[0]) creates no store")
        }
        let plan = ftx(["plan", file])
        XCTAssertTrue(plan.out.contains("\(project.path)/data/iris.csv"), "plan shows the data path with `..` resolved:\n\(plan.out)")
        XCTAssertEqual(ftx(["run", file]).status, 0)
        for command in [["results", file], ["verify", file]] { XCTAssertEqual(ftx(command).status, 0, "\(command)") }

        XCTAssertEqual(try snapshot(root, excluding: store), before, "nothing outside the store was written")
        XCTAssertFalse(try snapshot(URL(fileURLWithPath: store)).isEmpty, "the store holds the results")
    }
}
