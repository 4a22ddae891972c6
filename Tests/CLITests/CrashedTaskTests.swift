import Foundation
import XCTest

/// A task that fails at run time (issue 18, item 2): it is marked failed with its
/// reason, which `ftx results` shows; the other tasks go on; `ftx run` exits 2.
final class CrashedTaskTests: XCTestCase {
    /// Stage `bad` passes `check` but its filter leaves no train rows: its train task throws
    /// while loading its data. Stage `good` does not depend on it.
    static let experiment = ExperimentText.file([
        ExperimentText.header("crash", seed: 3),
        ExperimentText.iris(),
        """
        model mlp {
          input = 4
          layers = [dense(8, activation: relu)]
          head = dense(3)
        }
        """,
        stage("good", data: "iris"),
        stage("bad", data: "iris where label > 5"),
    ])

    static func stage(_ name: String, data: String) -> String {
        """
        stage \(name) {
          model = mlp
          data = \(data)
          optimizer = adamw(lr: 1e-2)
          schedule {
            epochs = 3
            batch_size = 16
          }
          loss = cross_entropy()
        }
        """
    }

    func testAFailingTaskIsReportedWithItsReasonAndTheOthersFinish() throws {
        let workspace = try Workspace()
        let file = try workspace.write("crash.ftx", Self.experiment)
        let store = workspace.url.appendingPathComponent("store").path
        XCTAssertEqual(ftx(["check", file]).status, 0, "the fault shows only at run time")
        let run = ftx(["run", "--store", store, file])
        XCTAssertEqual(run.status, 2, run.out + run.err)
        let reason = "the train split is empty (after the stage's filter)"
        XCTAssertTrue(run.err.contains("failed: \(reason)"), run.err)

        let results = ftx(["results", "--json", "--store", store, file])
        XCTAssertEqual(results.status, 0, results.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any])
        let trials = try XCTUnwrap(json["trials"] as? [[String: Any]])
        let byStage = Dictionary(uniqueKeysWithValues: trials.map { ($0["stage"] as? String ?? "", $0) })
        XCTAssertEqual(byStage["good"]?["status"] as? String, "done", "the independent stage goes on")
        XCTAssertEqual(byStage["good"]?["error"] as? NSNull, NSNull())
        XCTAssertEqual((byStage["good"]?["metrics"] as? [String: Any])?.isEmpty, false)
        XCTAssertEqual(byStage["bad"]?["status"] as? String, "failed")
        XCTAssertEqual(byStage["bad"]?["error"] as? String, reason)
        let table = ftx(["results", "--store", store, file])
        XCTAssertTrue(table.out.contains("failed:\n  "), table.out)
        XCTAssertTrue(table.out.contains(reason), table.out)

        // The good stage's results equal a run of it alone.
        let alone = try workspace.write("alone.ftx", ExperimentText.file([
            ExperimentText.header("crash", seed: 3), ExperimentText.iris(),
            "model mlp {\n  input = 4\n  layers = [dense(8, activation: relu)]\n  head = dense(3)\n}",
            Self.stage("good", data: "iris"),
        ]))
        let aloneStore = workspace.url.appendingPathComponent("alone").path
        XCTAssertEqual(ftx(["run", "--store", aloneStore, alone]).status, 0)
        let aloneJSON = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(ftx(["results", "--json", "--store", aloneStore, alone]).out.utf8)) as? [String: Any])
        let aloneGood = try XCTUnwrap((aloneJSON["trials"] as? [[String: Any]])?.first)
        XCTAssertEqual(aloneGood["metrics"] as? NSDictionary, byStage["good"]?["metrics"] as? NSDictionary)
        XCTAssertEqual(aloneGood["history"] as? NSArray, byStage["good"]?["history"] as? NSArray)
    }
}
