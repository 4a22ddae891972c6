import Foundation
import XCTest

/// Issue 21: lints are warnings of `ftx check`; `--deny-warnings` fails the check on them
/// (exit 1, as errors do), `--json` carries them as it carries errors, and an allowed
/// warning is neither printed nor counted.
final class LintCheckCommandTests: XCTestCase {
    /// Iris: 120 training rows, so `batch_size = 16` leaves 8 steps per epoch (W0304).
    func experiment(batchLine: String) -> String {
        """
        data iris {
          source = csv("../data/iris.csv")
          label = "label"
        }

        model mlp {
          layers = [dense(8, activation: relu)]
          head = dense(3)
        }

        stage train {
          model = mlp
          data = iris
          optimizer = adam(lr: 1e-3)
          schedule {
            epochs = 5
            \(batchLine)
          }
        }

        """
    }

    func testDenyWarningsFailsTheCheckAndJSONCarriesTheWarning() throws {
        let workspace = try Workspace()
        let path = try workspace.write("lint.ftx", experiment(batchLine: "batch_size = 16"))

        let plain = ftx(["check", path])
        XCTAssertEqual(plain.status, 0, "a warning alone passes the check")
        XCTAssertTrue(plain.err.contains("\(path):17:18: warning[W0304]: `batch_size = 16` leaves 8 optimizer steps per epoch"), plain.err)
        XCTAssertTrue(plain.err.contains("= help: why: "), "the help line cites the reason:\n\(plain.err)")

        let denied = ftx(["check", "--deny-warnings", path])
        XCTAssertEqual(denied.status, 1, "denied warnings fail as errors do")
        XCTAssertTrue(denied.err.contains("warning[W0304]"), denied.err)
        XCTAssertTrue(denied.err.contains("--deny-warnings"), denied.err)

        let json = ftx(["check", "--json", "--deny-warnings", path])
        XCTAssertEqual(json.status, 1)
        XCTAssertEqual(json.err, "", "--json keeps stderr clean")
        let lines = json.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(lines.count, 2, json.out)
        XCTAssertEqual(lines[0]["type"] as? String, "diagnostic")
        XCTAssertEqual(lines[0]["severity"] as? String, "warning")
        XCTAssertEqual(lines[0]["code"] as? String, "W0304")
        XCTAssertEqual(lines[0]["line"] as? Int, 17)
        XCTAssertEqual(lines[0]["column"] as? Int, 18)
        XCTAssertEqual(lines[1]["type"] as? String, "summary")
        XCTAssertEqual(lines[1]["errors"] as? Int, 0)
        XCTAssertEqual(lines[1]["warnings"] as? Int, 1)
    }

    func testAnAllowedWarningIsNeitherPrintedNorDenied() throws {
        let workspace = try Workspace()
        let path = try workspace.write("lint.ftx", experiment(batchLine: "batch_size = 16 # ftx: allow(W0304)"))
        let denied = ftx(["check", "--deny-warnings", path])
        XCTAssertEqual(denied.status, 0, denied.err)
        XCTAssertEqual(denied.err, "")
        let json = ftx(["check", "--json", path])
        XCTAssertEqual(json.out, #"{"type":"summary","files":1,"errors":0,"warnings":0}"# + "\n")
    }
}
