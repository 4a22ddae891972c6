import Foundation
import XCTest

/// `ftx run` records the git commit of the experiment and whether the tree was
/// dirty in each trial it trains; `ftx results` shows it.
final class ProvenanceTests: XCTestCase {
    func git(_ args: [String], in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "git \(args)")
    }

    func testRunRecordsCommitAndDirtyState() throws {
        let workspace = try Workspace()
        let text = ExperimentText.file([
            ExperimentText.header("tiny"), ExperimentText.iris(), ExperimentText.mlp("net", input: 4, layers: "[dense(8, activation: relu)]", head: 3),
            ExperimentText.stage("fit", ["model = net", "data = iris", "optimizer = adam(lr: 1e-2)"], schedule: ["epochs = 2", "batch_size = 16"],
                                 after: ["loss = cross_entropy()", "", "sweep grid {\n  optimizer.lr = [1e-2, 3e-2]\n}"]),
        ])
        let file = try workspace.write("tiny.ftx", text)
        try git(["init", "-q"], in: workspace.url)
        try git(["-c", "user.name=t", "-c", "user.email=t@e", "add", "experiments/tiny.ftx"], in: workspace.url)
        try git(["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "tiny"], in: workspace.url)
        let store = workspace.url.appendingPathComponent("store").path

        XCTAssertEqual(ftx(["run", "--store", store, file]).status, 0)
        let results = ftx(["results", "--json", "--store", store, file])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any])
        let trials = try XCTUnwrap(json["trials"] as? [[String: Any]])
        XCTAssertEqual(trials.count, 2)
        for t in trials {
            let p = try XCTUnwrap(t["provenance"] as? [String: Any], "\(t)")
            XCTAssertEqual((p["commit"] as? String)?.count, 40)
            XCTAssertEqual(p["dirty"] as? Bool, false)
        }
        XCTAssertTrue(ftx(["results", "--store", store, file]).out.contains(String((trials[0]["provenance"] as! [String: Any])["commit"] as! String).prefix(7)))

        // A new sweep value trained with an uncommitted edit is marked dirty; the old trials keep their record.
        try workspace.write("tiny.ftx", text.replacingOccurrences(of: "[1e-2, 3e-2]", with: "[1e-2, 3e-2, 1e-1]"))
        XCTAssertEqual(ftx(["run", "--store", store, file]).status, 0)
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ftx(["results", "--json", "--store", store, file]).out.utf8)) as? [String: Any])
        let dirty = try XCTUnwrap(after["trials"] as? [[String: Any]]).map { (($0["provenance"] as? [String: Any])?["dirty"] as? Bool) }
        XCTAssertEqual(dirty, [false, false, true])

        // `--compare HEAD`: the committed revision's trials beside the working tree's.
        let compared = ftx(["results", "--compare", "HEAD", "--json", "--store", store, file])
        XCTAssertEqual(compared.status, 0, compared.err)
        let comparison = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(compared.out.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(comparison["trials"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.filter { !($0["old"] is NSNull) && !($0["new"] is NSNull) }.count, 2, "two trials exist at both revisions")
        for row in rows where !(row["old"] is NSNull) {
            let old = try XCTUnwrap(row["old"] as? [String: Any]), new = try XCTUnwrap(row["new"] as? [String: Any])
            XCTAssertEqual(old["id"] as? String, new["id"] as? String)
            XCTAssertNotNil((old["metrics"] as? [String: Any])?["valid.accuracy"])
        }
        XCTAssertEqual(ftx(["results", "--compare", "no-such-rev", "--store", store, file]).status, 2)
        XCTAssertTrue(ftx(["results", "--compare", "HEAD", "--store", store, file]).out.contains("valid.accuracy @HEAD"))
    }
}
