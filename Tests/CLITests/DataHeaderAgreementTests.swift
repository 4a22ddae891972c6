import Compiler
import Foundation
import Runtime
import XCTest

/// `ftx check` and `ftx run` read a CSV header with the same parser, so the
/// checker accepts exactly the columns the runtime finds.
final class DataHeaderAgreementTests: XCTestCase {
    func testCheckAndRunSeeTheSameHeader() throws {
        let workspace = try Workspace()
        // A byte-order mark, a quoted comma, a name with a leading space, CRLF line ends.
        var csv = "\u{FEFF}\"f,1\",f2, f3,label\r\n"
        for r in 0..<12 { csv += "\(r),\(r % 3),\(Double(r) / 4),\(r % 2)\r\n" }
        let data = workspace.experiments.appendingPathComponent("tricky.csv")
        try Data(csv.utf8).write(to: data)
        let file = try workspace.write("tricky.ftx", experiment("tricky", source: "csv(\"tricky.csv\")", features: ["f,1", " f3"]))
        let expected = ["f,1", "f2", " f3", "label"]
        XCTAssertEqual(try CSVReader.read(path: data.path).header, expected)
        let checked = try checkFile(path: file).get()
        // (Lints aside: 9 training rows leave few steps per epoch, W0304.)
        XCTAssertEqual(checked.diagnostics.filter { LintTable.lint($0.code) == nil }.map(\.message), [])
        XCTAssertEqual(checked.experiment.data.first?.columns, expected)

        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 0, check.err)
        let store = workspace.url.appendingPathComponent("store").path
        let run = ftx(["run", "--store", store, file])
        XCTAssertEqual(run.status, 0, run.err)

        // A header the runtime rejects is an error for the checker too, at the same line.
        try Data("a,b,a\n1,2,3\n".utf8).write(to: data)
        let duplicate = ftx(["check", file])
        XCTAssertEqual(duplicate.status, 1)
        XCTAssertTrue(duplicate.err.contains("cannot read the header of \"tricky.csv\": line 1: column 'a' appears twice in the header"), duplicate.err)
        XCTAssertThrowsError(try CSVReader.read(path: data.path)) { error in
            XCTAssertEqual("\(error)", "\(data.path):1: column 'a' appears twice in the header")
        }
    }

    /// JSON Lines columns are every key in order of first appearance — a key that only a
    /// later line has is a column for `check` as it is for `run` (the checker once read the
    /// first line only, and rejected it).
    func testCheckAndRunSeeTheSameJSONLinesColumns() throws {
        let workspace = try Workspace()
        var lines = "\u{FEFF}{\"f1\": 0, \"label\": 1}\r\n\n"
        for r in 0..<12 { lines += "{\"f2\": \(r % 3), \"f1\": \(Double(r) / 4), \"label\": \(r % 2)}\n" }
        let data = workspace.experiments.appendingPathComponent("late.jsonl")
        try Data(lines.utf8).write(to: data)
        let file = try workspace.write("late.ftx", experiment("late", source: "jsonl(\"late.jsonl\")", features: ["f1"]))
        let expected = ["f1", "label", "f2"]
        XCTAssertEqual(try JSONLReader.read(path: data.path).header, expected)
        let checked = try checkFile(path: file).get()
        XCTAssertEqual(checked.experiment.data.first?.columns, expected)
        XCTAssertEqual(checked.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        let store = workspace.url.appendingPathComponent("store").path
        let run = ftx(["run", "--store", store, file])
        XCTAssertEqual(run.status, 0, run.err)
        // `f2` first appears on line 3: a column for the checker too, missing on line 1,
        // which `run` cannot read as a number — so `check` says so (no unknown column).
        try workspace.write("late.ftx", try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "features = [\"f1\"]", with: "features = [\"f1\", \"f2\"]"))
        let late = ftx(["check", file])
        XCTAssertEqual(late.status, 1, late.err)
        XCTAssertTrue(late.err.contains("error[E0190]: feature column 'f2' of data"), late.err)
        XCTAssertTrue(late.err.contains("is not numeric: an empty value on line 1 of \"late.jsonl\""), late.err)
        XCTAssertFalse(late.err.contains("E0103"), late.err)

        // A line that is not an object is an error for both, naming the line.
        try Data("{\"f1\": 1}\n[1, 2]\n".utf8).write(to: data)
        let bad = ftx(["check", file])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("line 2: expected an object"), bad.err)
        XCTAssertThrowsError(try JSONLReader.read(path: data.path)) { error in
            XCTAssertTrue("\(error)".contains(":2:"), "\(error)")
        }
    }
    /// An experiment `name` that trains a small net for one epoch on `source` (`csv("…")`
    /// or `jsonl("…")`) with column `label` and `features`, split in order.
    private func experiment(_ name: String, source: String, features: [String]) -> String {
        """
        experiment \(name) {
          seed = 0
        }

        data rows {
          source = \(source)
          label = "label"
          features = [\(features.map { "\"\($0)\"" }.joined(separator: ", "))]
          split = ordered(train: 0.75, valid: 0.25)
        }

        model net {
          layers = [dense(4, activation: relu)]
          head = dense(2)
        }

        stage fit {
          model = net
          data = rows
          optimizer = sgd(lr: 0.1)
          schedule {
            epochs = 1
            batch_size = 4
          }
          loss = cross_entropy()
        }

        """
    }
}
