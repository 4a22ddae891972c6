import CLI
import Foundation
import Support
import XCTest

/// `ftx explain FILE [TRIAL] [SETTING]` (docs/CLI.md): the trial list, a trial's whole
/// configuration with origins, one setting spelled out, `--json`, and the errors.
final class ExplainCommandTests: XCTestCase {
    private var sandbox: URL?

    override func tearDown() {
        if let sandbox { try? FileManager.default.removeItem(at: sandbox) }
    }

    /// glosses-minilm.ftx beside the repository's data and a stand-in for the MiniLM
    /// folder (its `config.json`, a tiny vocabulary, placeholder weights): explain reads
    /// what `check` and `plan` read, and hashing the real 88 MB of weights would only
    /// make the test slow. Trial ids differ from the real folder's, names do not.
    private func glosses() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-explain-\(UUID().uuidString)")
        sandbox = root
        let fm = FileManager.default
        let model = root.appendingPathComponent("models/all-MiniLM-L6-v2")
        try fm.createDirectory(at: model, withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("experiments"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: root.appendingPathComponent("data"), withDestinationURL: Paths.root.appendingPathComponent("data"))
        try Data(contentsOf: Paths.root.appendingPathComponent("Tests/CompilerTests/Fixtures/keys/minilm-config.json"))
            .write(to: model.appendingPathComponent("config.json"))
        try Data("not real weights".utf8).write(to: model.appendingPathComponent("model.safetensors"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n".utf8).write(to: model.appendingPathComponent("vocab.txt"))
        let path = root.appendingPathComponent("experiments/glosses-minilm.ftx")
        try Data(contentsOf: Paths.experiments.appendingPathComponent("glosses-minilm.ftx")).write(to: path)
        return path.path
    }

    /// The 10-digit id `ftx plan` shows for a trial.
    private func shortID(_ path: String, _ name: String) throws -> String {
        let list = try JSONParser.parse(Data(ftx(["explain", "--json", path]).out.utf8))
        let trial = try XCTUnwrap(list["trials"]?.arrayValue?.first { $0["trial"]?.stringValue == name })
        return String(try XCTUnwrap(trial["id"]?.stringValue).prefix(10))
    }

    func testWithoutTrialListsTheTrialsByName() throws {
        let path = try glosses()
        let result = ftx(["explain", path])
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("experiment glosses: 13 trials"), lines[0])
        XCTAssertTrue(lines.contains { $0.hasPrefix("  probe:5 ") && $0.contains("optimizer.lr=0.001 optimizer.weight_decay=0 schedule.batch_size=16") }, result.out)
        let finetune = try shortID(path, "finetune:1")
        XCTAssertTrue(lines.contains { $0.hasPrefix("  finetune:1  \(finetune)") }, result.out)
    }

    func testATrialsWholeConfigurationWithOrigins() throws {
        let path = try glosses()
        let probe = ftx(["explain", path, "probe:5"])
        XCTAssertEqual(probe.status, 0, probe.err)
        let lines = probe.out.split(separator: "\n").map(String.init)
        let id = try shortID(path, "probe:5")
        XCTAssertEqual(lines[0], "trial probe:5 (\(id)) of stage probe")
        func line(_ setting: String) -> String? { lines.first { $0.hasPrefix("  \(setting) = ") } }
        XCTAssertEqual(line("optimizer.lr")?.replacingOccurrences(of: "  +", with: " ", options: .regularExpression),
                       " optimizer.lr = 0.001 ← sweep grid, axis optimizer.lr at 38:5, value 2 of 3")
        XCTAssertTrue(line("optimizer.eps")?.hasSuffix("← default") ?? false, probe.out)
        XCTAssertTrue(line("schedule.epochs")?.hasSuffix("← 31:5 in stage `probe`") ?? false, probe.out)
        XCTAssertTrue(line("seed")?.hasSuffix("← 8:3 in experiment `glosses`, inherited") ?? false, probe.out)

        // The same trial by its id prefix, as `ftx plan` and `ftx results` show it.
        XCTAssertEqual(ftx(["explain", path, String(id.prefix(8))]).out, probe.out)

        let finetune = ftx(["explain", path, "finetune"])
        XCTAssertEqual(finetune.status, 0, finetune.err)
        XCTAssertTrue(finetune.out.contains("  model = minilm"), finetune.out)
        XCTAssertTrue(finetune.out.contains("← 26:3 in stage `probe`, inherited through `init` (46:3)"), finetune.out)
        XCTAssertTrue(finetune.out.contains("  init = best(stage: probe)"), finetune.out)
    }

    func testOneSettingIsSpelledOut() throws {
        let path = try glosses()
        let result = ftx(["explain", path, "probe:5", "optimizer.lr"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("set by sweep block 1 (`sweep grid`, \(path):37:3), axis `optimizer.lr`: value 2 of the axis's 3"), result.out)
        XCTAssertTrue(result.out.contains("| optimizer.lr = [3e-4, 1e-3, 3e-3]"), result.out)
        XCTAssertTrue(result.out.contains("it replaces the stage's own value, written at \(path):29:21"), result.out)
        XCTAssertEqual(result.out.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") }.count, 1, "only that setting")
    }

    func testJSON() throws {
        let path = try glosses()
        let result = ftx(["explain", "--json", path, "probe:5", "optimizer"])
        XCTAssertEqual(result.status, 0, result.err)
        let json = try JSONParser.parse(Data(result.out.utf8))
        XCTAssertEqual(json["trial"]?.stringValue, "probe:5")
        XCTAssertEqual(json["stage"]?.stringValue, "probe")
        XCTAssertEqual(json["id"]?.stringValue?.count, 64)
        let settings = try XCTUnwrap(json["settings"]?.arrayValue)
        XCTAssertEqual(settings.first?["setting"]?.stringValue, "optimizer")
        XCTAssertEqual(settings.first?["value"]?.stringValue, "adamw")
        let lr = try XCTUnwrap(settings.first { $0["setting"]?.stringValue == "optimizer.lr" })
        XCTAssertEqual(lr["value"]?.doubleValue, 0.001)
        XCTAssertEqual(lr["origin"]?["kind"]?.stringValue, "swept")
        XCTAssertEqual(lr["origin"]?["line"]?.intValue, 38)
        XCTAssertEqual(lr["origin"]?["column"]?.intValue, 5)
        XCTAssertEqual(lr["origin"]?["sweep"]?["axis"]?.stringValue, "optimizer.lr")
        XCTAssertEqual(lr["origin"]?["sweep"]?["index"]?.intValue, 2)
        XCTAssertEqual(lr["origin"]?["sweep"]?["count"]?.intValue, 3)
        let eps = try XCTUnwrap(settings.first { $0["setting"]?.stringValue == "optimizer.eps" })
        XCTAssertEqual(eps["origin"]?["kind"]?.stringValue, "default")

        let list = try JSONParser.parse(Data(ftx(["explain", "--json", path]).out.utf8))
        XCTAssertEqual(list["trials"]?.arrayValue?.count, 13)
        XCTAssertEqual(list["trials"]?.arrayValue?.last?["trial"]?.stringValue, "finetune:1")
    }

    func testRandomSweepDrawsAreNamed() throws {
        let path = Paths.experiments.appendingPathComponent("wine-search.ftx").path
        let result = ftx(["explain", path, "train:3", "optimizer.lr"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("sweep random(trials: 16, seed: 3), axis optimizer at 36:5, draw 3 of 16, drawn from loguniform("), result.out)
    }

    func testUnknownTrialOrSettingIsAnErrorWithASuggestion() throws {
        let path = try glosses()
        let trial = ftx(["explain", path, "prob:3"])
        XCTAssertEqual(trial.status, 2)
        XCTAssertTrue(trial.err.contains("did you mean `probe:3`?"), trial.err)
        let beyond = ftx(["explain", path, "probe:13"])
        XCTAssertEqual(beyond.status, 2)
        XCTAssertTrue(beyond.err.contains("numbered probe:1 to probe:12"), beyond.err)
        let ambiguous = ftx(["explain", path, "probe"])
        XCTAssertEqual(ambiguous.status, 2)
        XCTAssertTrue(ambiguous.err.contains("stage `probe` has 12 trials"), ambiguous.err)
        let setting = ftx(["explain", path, "probe:1", "optimizer.lt"])
        XCTAssertEqual(setting.status, 2)
        XCTAssertTrue(setting.err.contains("trial probe:1 has no setting `optimizer.lt`; did you mean `optimizer.lr`?"), setting.err)
        let settingFirst = ftx(["explain", path, "optimizer.lr"])
        XCTAssertEqual(settingFirst.status, 2)
        XCTAssertTrue(settingFirst.err.contains("is a setting; name the trial first"), settingFirst.err)
        XCTAssertEqual(ftx(["explain"]).status, 64)
        XCTAssertEqual(ftx(["explain", path, "probe:1", "seed", "extra"]).status, 64)
    }

    func testAFileWithErrorsPrintsItsDiagnostics() throws {
        let workspace = try Workspace()
        let path = try workspace.write("bad.ftx", "experiment x {\n  seed = \"one\"\n}\n")
        let result = ftx(["explain", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("error["), result.err)
    }
}
