import Foundation
import XCTest

/// The git set-up docs/GIT.md describes: `*.ftx diff=ftx` with
/// `diff.ftx.textconv = ftx fmt --stdout` (plain `git diff` shows canonical
/// text) and `diff.ftx.command = ftx diff --git-external` / `GIT_EXTERNAL_DIFF`
/// (git shows `ftx diff`'s semantic report).
final class DiffGitIntegrationTests: XCTestCase {
    /// The `ftx` executable built with these tests (git runs it as a separate process).
    private func ftxExecutable() throws -> String {
        var folders = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        folders += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for folder in folders {
            let candidate = folder.appendingPathComponent("ftx").path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw XCTSkip("the ftx executable was not found beside the test bundle (looked in \(folders.map(\.path)))")
    }

    private func configured(textconv: Bool, command: Bool) throws -> (GitSandbox, String) {
        let ftxPath = try ftxExecutable()
        let repo = try GitSandbox()
        try repo.write(".gitattributes", "*.ftx diff=ftx\n")
        try repo.commit("attributes")
        if textconv { try repo.git("config", "diff.ftx.textconv", "'\(ftxPath)' fmt --stdout") }
        if command { try repo.git("config", "diff.ftx.command", "'\(ftxPath)' diff --git-external") }
        return (repo, ftxPath)
    }

    /// The project's own attributes route experiments to the `ftx` driver.
    func testProjectGitattributesNamesTheDriver() throws {
        let text = try String(contentsOf: Paths.root.appendingPathComponent(".gitattributes"), encoding: .utf8)
        XCTAssertTrue(text.split(separator: "\n").contains("*.ftx diff=ftx"), text)
    }

    func testTextconvShowsCanonicalTextAndHidesLayoutEdits() throws {
        let (repo, _) = try configured(textconv: true, command: false)
        try repo.edit("    epochs = 12\n", "    epochs    =     12     \n")
        XCTAssertFalse(try repo.git("diff").contains("@@"), "a spacing-only edit shows no hunk")
        XCTAssertTrue(try repo.git("diff", "--no-textconv").contains("@@"), "without textconv git sees the bytes change")

        try repo.edit("    epochs    =     12     \n", "    epochs   =  20\n")
        let diff = try repo.git("diff")
        XCTAssertTrue(diff.contains("\n-    epochs = 12\n"), diff)
        XCTAssertTrue(diff.contains("\n+    epochs = 20\n"), diff)
    }

    func testDiffDriverCommandShowsTheSemanticReport() throws {
        let (repo, _) = try configured(textconv: true, command: true)
        try repo.edit("epochs = 12", "epochs = 20")
        let diff = try repo.git("diff")
        XCTAssertTrue(diff.contains("ftx diff experiments/digits-transfer.ftx ("), diff)
        XCTAssertTrue(diff.contains("~ stage.finetune.schedule.epochs: 12 → 20\n"), diff)
        XCTAssertTrue(diff.contains("trials: 1 reused, 12 invalidated, 0 added, 0 removed"), diff)
        // `--no-ext-diff` falls back to the textconv view.
        XCTAssertTrue(try repo.git("diff", "--no-ext-diff").contains("+    epochs = 20\n"))

        // History: `git log -p` uses external diffs only when asked.
        try repo.commit("longer finetune")
        let log = try repo.git("log", "-p", "--ext-diff", "-1")
        XCTAssertTrue(log.contains("~ stage.finetune.schedule.epochs: 12 → 20\n"), log)
    }

    func testGitExternalDiffVariableForEveryFile() throws {
        let ftxPath = try ftxExecutable()
        let repo = try GitSandbox()
        try repo.edit("optimizer.lr = [3e-4, 1e-3, 3e-3]", "optimizer.lr = [0.0003, 0.001, 0.01]")
        try repo.write("notes.txt", "not an experiment\n")
        try repo.git("add", "notes.txt")
        let diff = try repo.git("diff", "HEAD", environment: ["GIT_EXTERNAL_DIFF": "'\(ftxPath)' diff --git-external"])
        XCTAssertTrue(diff.contains("~ sweep value stage.finetune.sweep.optimizer.lr: 0.003 → 0.01\n"), diff)
        XCTAssertTrue(diff.contains("trials: 9 reused, 0 invalidated, 4 added, 4 removed"), diff)
        XCTAssertTrue(diff.contains("+not an experiment"), "other files get a plain diff:\n\(diff)")
    }

    // The same entry point in-process, with the 7 arguments git passes.

    func testGitExternalArgumentsInProcess() throws {
        let repo = try GitSandbox()
        let old = repo.url.appendingPathComponent("old-blob.ftx")
        try Data(try repo.read("experiments/digits-transfer.ftx").utf8).write(to: old)
        try repo.edit("epochs = 10", "epochs = 15")
        let zero = String(repeating: "0", count: 40)

        let result = ftx(["diff", "--git-external", repo.file, old.path, "544c4df0123456789", "100644", repo.file, zero, "100644"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("(544c4df → working tree)"), result.out)
        XCTAssertTrue(result.out.contains("~ stage.pretrain.schedule.epochs: 10 → 15\n"), result.out)
        XCTAssertTrue(result.out.contains("trials: 0 reused, 13 invalidated"), result.out)

        let json = ftx(["diff", "--git-external", "--json", repo.file, old.path, "544c4df", "100644", repo.file, zero, "100644"])
        XCTAssertEqual(try DiffJSON(json).counts(), [0, 13, 0, 0])

        let added = ftx(["diff", "--git-external", repo.file, "/dev/null", ".", ".", repo.file, zero, "100644"])
        XCTAssertEqual(added.status, 0)
        XCTAssertTrue(added.out.contains("new experiment"), added.out)

        // An old side that does not check: said so, then the plain diff; git must not stop (exit 0).
        try Data("experiment x {\n  sed = 0\n}\n".utf8).write(to: old)
        let broken = ftx(["diff", "--git-external", repo.file, old.path, "1111111", "100644", repo.file, zero, "100644"])
        XCTAssertEqual(broken.status, 0)
        XCTAssertTrue(broken.out.contains("cannot compare semantically"), broken.out)
        XCTAssertTrue(broken.out.contains("-  sed = 0"), broken.out)

        XCTAssertEqual(ftx(["diff", "--git-external", "a", "b", "c"]).status, 64)
    }
}
