import Foundation
import XCTest

/// `ftx check` and `ftx fmt` as CLI.md specifies them: exit codes, output forms.
final class CheckCommandTests: XCTestCase {
    func testEveryExampleChecksClean() throws {
        _ = try Paths.miniLM()  // experiments/glosses-minilm.ftx reads the model's config.json
        let dirs = [Paths.experiments, Paths.golden.appendingPathComponent("trajectories")]
        let files = dirs.flatMap { Paths.ftxFiles(in: $0) }.map(\.path)
        XCTAssertGreaterThanOrEqual(files.count, 7)
        for file in files {
            let result = ftx(["check", file])
            XCTAssertEqual(result.status, 0, "\(file):\n\(result.err)")
            XCTAssertEqual(result.err, "", file)
            XCTAssertEqual(ftx(["fmt", "--check", file]).status, 0, "\(file) is not in canonical form")
        }
    }

    func testErrorsExitOneWithLocationCaretAndJSONSummary() throws {
        let workspace = try Workspace()
        let path = try workspace.write("bad.ftx", """
        experiment x {
          seed = 0
        }

        data d {
          source = csv("../data/iris.csv")
          lable = "label"
          split = random(train: 0.8, valid: 0.2, seed: 0)
        }

        """)
        let human = ftx(["check", path])
        XCTAssertEqual(human.status, 1)
        XCTAssertTrue(human.err.contains("\(path):7:3: error[E"), human.err)
        XCTAssertTrue(human.err.contains("  lable = \"label\"\n  |   ^^^^^"), human.err)
        XCTAssertTrue(human.err.contains("did you mean `label`?"), human.err)

        let json = ftx(["check", "--json", path])
        XCTAssertEqual(json.status, 1)
        let lines = json.out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertTrue(lines.allSatisfy { $0 != nil }, "every line is a JSON object:\n\(json.out)")
        let first = try XCTUnwrap(lines.compactMap { $0 }.first { $0["severity"] as? String == "error" })
        XCTAssertEqual(first["type"] as? String, "diagnostic")
        XCTAssertEqual(first["severity"] as? String, "error")
        XCTAssertEqual(first["file"] as? String, path)
        XCTAssertEqual(first["line"] as? Int, 7)
        XCTAssertEqual(first["column"] as? Int, 3)
        XCTAssertNotNil(first["code"] as? String)
        XCTAssertTrue((first["rendered"] as? String)?.contains("^^^^^") ?? false)
        let summary = try XCTUnwrap(lines.last ?? nil)
        XCTAssertEqual(summary["type"] as? String, "summary")
        XCTAssertEqual(summary["files"] as? Int, 1)
        XCTAssertEqual(summary["errors"] as? Int, lines.compactMap { $0 }.filter { $0["severity"] as? String == "error" }.count)
        XCTAssertEqual(summary["warnings"] as? Int, lines.compactMap { $0 }.filter { $0["severity"] as? String == "warning" }.count)
        XCTAssertEqual(json.err, "", "--json keeps stderr clean")
    }

    func testUnreadableFileExitsTwoAndUsageErrorsExit64() {
        let missing = ftx(["check", "/nonexistent/x.ftx"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("/nonexistent/x.ftx"), missing.err)
        XCTAssertEqual(ftx(["check"]).status, 64)
        XCTAssertEqual(ftx(["check", "--jsn", "x.ftx"]).status, 64)
        XCTAssertTrue(ftx(["check", "--jsn", "x.ftx"]).err.contains("did you mean `--json`?"))
        XCTAssertEqual(ftx(["chekc", "x.ftx"]).status, 64)
        XCTAssertEqual(ftx([]).status, 64)
        XCTAssertEqual(ftx(["fmt", "--check", "--stdout", "x.ftx"]).status, 64)
        let negative = ftx(["run", "--checkpoint-every", "-1", "x.ftx"])
        XCTAssertEqual(negative.status, 64)
        XCTAssertTrue(negative.err.contains("`--checkpoint-every` needs a number of seconds"), negative.err)
    }

    func testFmtRewritesCheckReportsAndSyntaxErrorsAreLeftAlone() throws {
        let workspace = try Workspace()
        let messy = "experiment   x{\nseed=0   # the seed\n}\n"
        let path = try workspace.write("messy.ftx", messy)
        XCTAssertEqual(ftx(["fmt", "--check", path]).status, 1)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), messy, "--check changes nothing")
        let printed = ftx(["fmt", "--stdout", path])
        XCTAssertEqual(printed.status, 0)
        XCTAssertEqual(printed.out, "experiment x {\n  seed = 0  # the seed\n}\n")
        XCTAssertEqual(ftx(["fmt", path]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), printed.out)
        XCTAssertEqual(ftx(["fmt", "--check", path]).status, 0)

        let broken = "experiment x {\n  seed = \n"
        let brokenPath = try workspace.write("broken.ftx", broken)
        let result = ftx(["fmt", brokenPath])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(try String(contentsOfFile: brokenPath, encoding: .utf8), broken, "broken input is never rewritten")
    }

    /// Help output is a contract too: a snapshot of the command list.
    func testHelpListsEveryCommand() {
        let help = ftx(["--help"])
        XCTAssertEqual(help.status, 0)
        for command in ["check", "fmt", "plan", "run", "task", "status", "cancel", "verify", "results", "report", "diff", "explain", "predict", "export", "embed", "bench", "lsp"] {
            XCTAssertTrue(help.out.contains("\n  \(command) "), "help lists `\(command)`:\n\(help.out)")
        }
    }
}
