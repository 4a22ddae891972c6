import Foundation
import Runtime
import Support
import XCTest

/// Issue 14, the tokenizer's settings: each one `ftx check` accepts changes both the
/// trial's key and what `ftx run` trains — `wordpiece(vocab:)`, `wordpiece(lowercase:)`
/// (by default the model folder's `tokenizer_config.json`) and `token_dropout(p)` — and
/// the ones it cannot honour are rejected before anything trains. Run on copies of
/// all-MiniLM-L6-v2 (weights linked, the small files copied so they can be edited) with
/// eight short texts, 16 tokens, one epoch.
final class TokenizerSettingsRunTests: XCTestCase {
    // MARK: wordpiece(vocab:)

    /// A vocabulary that swaps the ids of "cat" and "dog" (same size, so it fits the
    /// table): the texts' tokens change, so do the features and the trained head. The
    /// folder's own vocab.txt, written out, is the default and keeps the default's key.
    func testVocabTakesEffectAndIsPartOfTheKey() throws {
        let w = try Workspace()
        let folder = try miniLMCopy(in: w, "minilm")
        var lines = try String(contentsOfFile: folder + "/vocab.txt", encoding: .utf8).components(separatedBy: "\n")
        let cat = try XCTUnwrap(lines.firstIndex(of: "cat")), dog = try XCTUnwrap(lines.firstIndex(of: "dog"))
        lines.swapAt(cat, dog)
        try lines.joined(separator: "\n").write(toFile: w.url.path + "/swapped.txt", atomically: true, encoding: .utf8)

        let trials = try run(w, experiment(models: [
            ("plain", "minilm", "wordpiece(max_length: 16)"),
            ("own", "minilm", "wordpiece(max_length: 16, vocab: \"../minilm/vocab.txt\")"),
            ("swapped", "minilm", "wordpiece(max_length: 16, vocab: \"../swapped.txt\")"),
        ], stages: [("plain", "plain", "texts", frozen), ("own", "own", "texts", frozen), ("swapped", "swapped", "texts", frozen),
                    ("swappedTrained", "swapped", "texts", topLayer), ("plainTrained", "plain", "texts", topLayer)]))
        XCTAssertEqual(trials["own"]?.key, trials["plain"]?.key, "the folder's own vocab.txt is the default")
        XCTAssertNotEqual(trials["swapped"]?.key, trials["plain"]?.key)
        try assertDifferent(trials["swapped"], trials["plain"], "head.weight")
        try assertDifferent(trials["swappedTrained"], trials["plainTrained"], "encoder.layer.5.output.dense.weight")
        XCTAssertNotEqual(trials["swapped"]?.metrics["valid.loss"], trials["plain"]?.metrics["valid.loss"])
    }

    /// `check` reads the vocabulary as the tokenizer does: a missing special token, too
    /// many tokens for the embedding table, or no file at all stop `run` before it trains.
    func testCheckRejectsAVocabularyTheModelCannotUse() throws {
        let w = try Workspace()
        let folder = try miniLMCopy(in: w, "minilm")
        let tokens = try String(contentsOfFile: folder + "/vocab.txt", encoding: .utf8).components(separatedBy: "\n").filter { !$0.isEmpty }
        try tokens.filter { $0 != "[SEP]" }.joined(separator: "\n").write(toFile: w.url.path + "/no-sep.txt", atomically: true, encoding: .utf8)
        try (tokens + ["extra"]).joined(separator: "\n").write(toFile: w.url.path + "/too-many.txt", atomically: true, encoding: .utf8)
        try Data([0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0xFF, 0xFE]).write(to: w.url.appendingPathComponent("binary.txt"))
        for (vocab, code, says) in [("no-sep.txt", "E0160", "no `[SEP]` token"), ("binary.txt", "E0160", "not UTF-8"),
                                    ("too-many.txt", "E0158", "has 30523 tokens, but the word-embedding table has 30522 rows"),
                                    ("absent.txt", "E0111", "does not exist")] {
            let file = try w.write("vocab.ftx", experiment(models: [("m", "minilm", "wordpiece(max_length: 16, vocab: \"../\(vocab)\")")],
                                                           stages: [("s", "m", "texts", frozen)]))
            let check = ftx(["check", file])
            XCTAssertEqual(check.status, 1, check.err)
            XCTAssertTrue(check.err.contains("error[\(code)]") && check.err.contains(says), "\(vocab):\n\(check.err)")
            try assertRunTrainsNothing(w, file, code)
        }
    }

    // MARK: wordpiece(lowercase:)

    /// MiniLM's tokenizer_config.json says `do_lower_case: true`. Without `lowercase` a
    /// trial lower-cases (as before: same key as `lowercase: true`); `lowercase: false`
    /// keeps "The" and "Cat" as written — pieces the uncased vocabulary lacks — so the
    /// features and the trained head differ. A copy whose tokenizer_config.json says
    /// false is not lower-cased either: its trial is the `lowercase: false` one, key and
    /// weights, bit for bit (run in a store of its own).
    func testLowercaseDefaultsToTheFolderAndOverridesIt() throws {
        let w = try Workspace()
        _ = try miniLMCopy(in: w, "minilm")
        _ = try miniLMCopy(in: w, "cased", tokenizerConfig: #"{"do_lower_case": false}"#)
        let trials = try run(w, experiment(models: [
            ("plain", "minilm", "wordpiece(max_length: 16)"),
            ("lower", "minilm", "wordpiece(max_length: 16, lowercase: true)"),
            ("kept", "minilm", "wordpiece(max_length: 16, lowercase: false)"),
        ], stages: [("plain", "plain", "texts", frozen), ("lower", "lower", "texts", frozen), ("kept", "kept", "texts", frozen)]))
        XCTAssertEqual(trials["lower"]?.key, trials["plain"]?.key, "lower-casing is what every trial did before the setting took effect")
        XCTAssertNotEqual(trials["kept"]?.key, trials["plain"]?.key)
        try assertDifferent(trials["kept"], trials["plain"], "head.weight")
        XCTAssertNotEqual(trials["kept"]?.metrics["valid.loss"], trials["plain"]?.metrics["valid.loss"])

        let cased = try run(w, experiment(models: [("m", "cased", "wordpiece(max_length: 16)")], stages: [("s", "m", "texts", frozen)]),
                            store: "store-cased")
        XCTAssertEqual(cased["s"]?.key, trials["kept"]?.key, "the cased folder's trial is the `lowercase: false` one")
        let a = try weights(cased["s"], "head.weight"), b = try weights(trials["kept"], "head.weight")
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "a cased folder is not lower-cased")
    }

    /// Whether to lower-case comes from tokenizer_config.json unless the experiment says it:
    /// a malformed one is `check`'s error (E0161), not a silent default; `lowercase:` given
    /// means the file is not needed.
    func testAMalformedTokenizerConfigIsRejectedUnlessLowercaseIsGiven() throws {
        let w = try Workspace()
        _ = try miniLMCopy(in: w, "odd", tokenizerConfig: #"{"do_lower_case": "yes"}"#)
        let file = try w.write("odd.ftx", experiment(models: [("m", "odd", "wordpiece(max_length: 16)")], stages: [("s", "m", "texts", frozen)]))
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1, check.err)
        XCTAssertTrue(check.err.contains("error[E0161]") && check.err.contains("`do_lower_case` must be true or false"), check.err)
        try assertRunTrainsNothing(w, file, "E0161")
        let given = try w.write("given.ftx", experiment(models: [("m", "odd", "wordpiece(max_length: 16, lowercase: true)")],
                                                        stages: [("s", "m", "texts", frozen)]))
        XCTAssertEqual(ftx(["check", given]).status, 0)
    }

    // MARK: token_dropout

    /// `token_dropout(0.5)` changes what trains — through a training encoder and through
    /// a frozen one (whose features are then computed per batch) — and its key; two runs
    /// in separate stores train bit-identical weights.
    func testTokenDropoutChangesTrainingDeterministically() throws {
        let w = try Workspace()
        _ = try miniLMCopy(in: w, "minilm")
        let text = experiment(models: [("m", "minilm", "wordpiece(max_length: 16)")],
                              stages: [("plain", "m", "texts", topLayer), ("dropped", "m", "dropped", topLayer),
                                       ("frozenPlain", "m", "texts", frozen), ("frozenDropped", "m", "dropped", frozen)])
        let first = try run(w, text, store: "store-1")
        let second = try run(w, text, store: "store-2")
        for (plain, dropped, name) in [("plain", "dropped", "encoder.layer.5.output.dense.weight"), ("frozenPlain", "frozenDropped", "head.weight")] {
            XCTAssertNotEqual(first[dropped]?.key, first[plain]?.key)
            try assertDifferent(first[dropped], first[plain], name)
            try assertDifferent(first[dropped], first[plain], "head.weight")
            XCTAssertEqual(second[dropped]?.key, first[dropped]?.key)
            for n in [name, "head.weight"] {
                XCTAssertEqual(try weights(second[dropped], n).map(\.bitPattern), try weights(first[dropped], n).map(\.bitPattern),
                               "\(dropped) \(n): same seed, same weights")
            }
        }
    }

    /// Augmentations that cannot act on the data are `check`'s errors, never ignored:
    /// `noise` and `mixup` on text, `token_dropout` on numeric features, a second `mixup`.
    func testAugmentationsThatCannotApplyAreRejected() throws {
        let w = try Workspace()
        _ = try miniLMCopy(in: w, "minilm")
        for augment in ["noise(0.1)", "mixup(0.2)"] {
            let file = try w.write("text.ftx", experiment(models: [("m", "minilm", "wordpiece(max_length: 16)")],
                                                          stages: [("s", "m", "dropped", frozen)]).replacingOccurrences(of: "token_dropout(0.5)", with: augment))
            let check = ftx(["check", file])
            XCTAssertEqual(check.status, 1, check.err)
            XCTAssertTrue(check.err.contains("perturbs numeric features, but data `dropped` is text"), check.err)
            try assertRunTrainsNothing(w, file, "E0120")
        }
        let numeric = try w.write("numeric.ftx", """
            experiment numeric {
              seed = 0
            }

            data iris {
              source = csv("../data/iris.csv")
              label = "label"
              split = random(train: 0.8, valid: 0.2, seed: 0)
              augment = [token_dropout(0.1)]
            }

            model mlp {
              input = 4
              head = dense(3)
            }

            stage s {
              model = mlp
              data = iris
              optimizer = adam(lr: 1e-2)
              schedule {
                epochs = 1
              }
            }

            """)
        let check = ftx(["check", numeric])
        XCTAssertEqual(check.status, 1, check.err)
        XCTAssertTrue(check.err.contains("`token_dropout` drops tokens of text, but data `iris` has no `text` column"), check.err)
        try assertRunTrainsNothing(w, numeric, "E0120")
        // Mixing a mixed batch again would mix its partner labels away (one weight, one partner per row).
        let twice = try w.write("twice.ftx", String(contentsOfFile: numeric, encoding: .utf8)
            .replacingOccurrences(of: "token_dropout(0.1)", with: "mixup(0.2), mixup(0.4)"))
        let mixed = ftx(["check", twice])
        XCTAssertEqual(mixed.status, 1, mixed.err)
        XCTAssertTrue(mixed.err.contains("error[E0162]: `mixup` is given twice in `augment`"), mixed.err)
        try assertRunTrainsNothing(w, twice, "E0162")
    }

    // MARK: max_length

    /// `wordpiece(max_length: 1000)` on a 512-position model: `run` stops at `check`'s
    /// E0157 and trains nothing.
    func testMaxLengthBeyondThePositionTableStopsTheRun() throws {
        let w = try Workspace()
        _ = try miniLMCopy(in: w, "minilm")
        let file = try w.write("long.ftx", experiment(models: [("m", "minilm", "wordpiece(max_length: 1000)")], stages: [("s", "m", "texts", frozen)]))
        let run = try assertRunTrainsNothing(w, file, "E0157")
        XCTAssertTrue(run.err.contains("`max_position_embeddings` is 512, less than the tokenizer's `max_length` 1000"), run.err)
    }

    // MARK: Helpers

    /// Freezes the whole encoder: only the head trains, on pooled features.
    let frozen = ["freeze = [\"embeddings.*\", \"encoder.*\"]"]
    /// Trains the top encoder layer and the head (the encoder runs in training mode every batch).
    let topLayer = ["freeze = [\"embeddings.*\", \"encoder.layer.0\", \"encoder.layer.1\", \"encoder.layer.2\", \"encoder.layer.3\", \"encoder.layer.4\"]"]

    /// Eight texts whose label is whether they are about a cat or a dog, capitalised.
    static let csv = """
        text,label
        The Cat sat on the Mat,0
        A Dog ran in the Park,1
        My Cat likes Fish,0
        The Dog barks at Night,1
        Cats sleep all Day,0
        Dogs fetch the Ball,1
        The small Cat purrs,0
        A big Dog digs,1

        """

    /// An experiment over the texts (data `texts`, and `dropped` with `token_dropout(0.5)` when a stage reads it),
    /// with `models` (name, folder in the workspace, tokenizer) and `stages` (name, model,
    /// data, extra settings) each training one epoch in batches of 3.
    func experiment(models: [(String, String, String)], stages: [(String, String, String, [String])]) -> String {
        let split = "random(train: 0.75, valid: 0.25, seed: 0)"
        var blocks = [ExperimentText.header("tokenizer_settings"), ExperimentText.texts(split: split)]
        if stages.contains(where: { $0.2 == "dropped" }) {
            blocks.append(ExperimentText.texts("dropped", split: split, extra: ["augment = [token_dropout(0.5)]"]))
        }
        for (name, folder, tokenizer) in models {
            blocks.append("""
                model \(name) {
                  pretrained = bert("../\(folder)")
                  tokenizer = \(tokenizer)
                  head = dense(2)
                }
                """)
        }
        for (name, model, data, settings) in stages {
            blocks.append(ExperimentText.stage(name, ["model = \(model)", "data = \(data)"] + settings + ["optimizer = adam(lr: 1e-2)"],
                                               schedule: ["epochs = 1", "batch_size = 3"]))
        }
        return ExperimentText.file(blocks)
    }

    /// A copy of all-MiniLM-L6-v2 in the workspace: config.json, vocab.txt and
    /// tokenizer_config.json (or `tokenizerConfig`) copied, the weights linked.
    @discardableResult
    func miniLMCopy(in w: Workspace, _ name: String, tokenizerConfig: String? = nil) throws -> String {
        let source = try Paths.miniLM(), folder = w.url.appendingPathComponent(name).path
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in ["config.json", "vocab.txt", "tokenizer_config.json"] {
            try fm.copyItem(atPath: source + "/" + file, toPath: folder + "/" + file)
        }
        try fm.createSymbolicLink(atPath: folder + "/model.safetensors", withDestinationPath: source + "/model.safetensors")
        if let tokenizerConfig {
            try fm.removeItem(atPath: folder + "/tokenizer_config.json")
            try tokenizerConfig.write(toFile: folder + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        }
        if !fm.fileExists(atPath: w.url.path + "/texts.csv") {
            try Self.csv.write(toFile: w.url.path + "/texts.csv", atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// One trial's key, final metrics and checkpoint.
    struct Trial {
        var key: String
        var metrics: [String: Double]
        var checkpoint: String?
    }

    /// Checks the experiment (no diagnostics), runs it into `store`, and returns each stage's trial.
    func run(_ w: Workspace, _ text: String, store: String = "store", file: StaticString = #filePath, line: UInt = #line) throws -> [String: Trial] {
        let run = try ExperimentRun(w, name: "tokenizer.ftx", text, store: store, file: file, line: line)
        var trials: [String: Trial] = [:]
        for t in run.allTrials.map(\.json) {
            guard let stage = t["stage"] as? String, let key = t["id"] as? String else { continue }
            trials[stage] = Trial(key: key, metrics: t["metrics"] as? [String: Double] ?? [:], checkpoint: t["checkpoint"] as? String)
        }
        return trials
    }

    func weights(_ trial: Trial?, _ name: String) throws -> [Float] {
        let path = try XCTUnwrap(trial?.checkpoint, "no checkpoint")
        return try SafetensorsFile(contentsOf: path).floats(name)
    }

    func assertDifferent(_ a: Trial?, _ b: Trial?, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try weights(a, name), y = try weights(b, name)
        XCTAssertEqual(x.count, y.count, file: file, line: line)
        XCTAssertNotEqual(x.map(\.bitPattern), y.map(\.bitPattern), "\(name) is the same: the setting changed nothing", file: file, line: line)
    }

    /// `ftx run` exits 1 with `code` (a prefix) in its diagnostics, and the store holds no trial.
    @discardableResult
    func assertRunTrainsNothing(_ w: Workspace, _ path: String, _ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> Invocation {
        let store = w.url.appendingPathComponent("store-rejected").path
        let run = ftx(["run", "--store", store, path])
        XCTAssertEqual(run.status, 1, run.err, file: file, line: line)
        XCTAssertTrue(run.err.contains("error[\(code)"), run.err, file: file, line: line)
        let entries = (try? FileManager.default.subpathsOfDirectory(atPath: store)) ?? []
        XCTAssertFalse(entries.contains { $0.hasSuffix("status.json") || $0.hasSuffix(".safetensors") }, "\(entries)", file: file, line: line)
        return run
    }
}
