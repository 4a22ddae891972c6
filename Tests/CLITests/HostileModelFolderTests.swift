import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Issue 13: a model folder whose files disagree is an error from `ftx check`,
/// `ftx embed` and `ftx run` — naming the files and both numbers — never a read
/// past the end of an embedding table (nor, with bounds checks on, a trap).
final class HostileModelFolderTests: XCTestCase {
    private var directories: [String] = []

    override func tearDown() {
        for d in directories { try? FileManager.default.removeItem(atPath: d) }
    }

    private func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        directories.append(dir)
        return dir
    }

    /// A tiny BERT folder in `dir/model`: `config.json` of `config`, random weights whose
    /// word-embedding table has `tableRows` rows (default: the config's), and a
    /// `vocab.txt` of `vocabularyTokens` tokens (the special ones, then `w4`, `w5`, …).
    private func modelFolder(in dir: String, config: BertConfig, tableRows: Int? = nil, vocabularyTokens: Int) throws -> BertFolder {
        let folder = BertFolder(dir + "/model")
        try FileManager.default.createDirectory(atPath: folder.directory, withIntermediateDirectories: true)
        try config.json.write(toFile: folder.configPath, atomically: true, encoding: .utf8)
        var weights = config
        weights.vocabSize = tableRows ?? config.vocabSize
        let bert = try BertModel(config: weights)
        var g = SeededGenerator(seed: 3)
        for i in bert.parameters.slots.indices {
            let t = bert.parameters.value(at: i)
            for j in 0..<t.count { t.pointer[j] = Float(g.nextGaussian() * 0.1) }
        }
        try SafetensorsWriter.write(bert.exportTensors(), to: folder.weightsPath)
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + (4..<vocabularyTokens).map { "w\($0)" }
        try (tokens.joined(separator: "\n") + "\n").write(toFile: folder.vocabularyPath, atomically: true, encoding: .utf8)
        return folder
    }

    private static let tiny = BertConfig(hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16,
                                         maxPositionEmbeddings: 64, typeVocabSize: 2, vocabSize: 1000)

    /// An experiment in `dir` probing the folder's encoder on a small text file.
    private func experiment(in dir: String, maxLength: Int = 32) throws -> String {
        var csv = "text,label\n"
        for i in 0..<20 { csv += "w\(4 + i) w\(900 + i) w\(2000 + i),\(i % 2)\n" }
        try csv.write(toFile: dir + "/texts.csv", atomically: true, encoding: .utf8)
        let path = dir + "/probe.ftx"
        let stage = """
            stage train {
              model = encoder
              data = texts
              freeze = ["embeddings.*", "encoder.*"]
              optimizer = adamw(lr: 1e-3)
              schedule {
                epochs = 1
                batch_size = 5
              }
              loss = cross_entropy()
            }
            """
        try bertTextExperiment("probe", csv: "texts.csv", train: 0.5, valid: 0.5, model: "encoder", folder: "model",
                               maxLength: maxLength, classes: 2, stages: [stage])
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The exact case: vocab.txt has 30,522 tokens, config.json and the
    /// embedding table 1,000 rows; every text with a token id ≥ 1000 used to read
    /// past the table.
    func testVocabularyLargerThanTheEmbeddingTable() throws {
        let dir = try temporaryDirectory()
        let folder = try modelFolder(in: dir, config: Self.tiny, vocabularyTokens: 30522)
        let texts = dir + "/texts.txt"
        try "w4 w29999\n".write(toFile: texts, atomically: true, encoding: .utf8)

        let embed = ftx(["embed", "--model", folder.directory, texts])
        XCTAssertEqual(embed.status, 2, embed.err)
        XCTAssertEqual(embed.out, "")
        XCTAssertTrue(embed.err.contains("\(folder.vocabularyPath): has 30522 tokens, but the word-embedding table has 1000 rows (`vocab_size` in \(folder.configPath))"), embed.err)

        let file = try experiment(in: dir)
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1, check.err)
        XCTAssertTrue(check.err.contains("\(file):13:21: error[E0158]"), check.err)
        XCTAssertTrue(check.err.contains("\(folder.vocabularyPath): has 30522 tokens") && check.err.contains("1000 rows"), check.err)

        let run = ftx(["run", "--store", dir + "/store", file])
        XCTAssertEqual(run.status, 1, "run stops at the check's error:\n\(run.err)")
        XCTAssertTrue(run.err.contains("error[E0158]"), run.err)
    }

    /// A table with fewer rows than config.json claims: `check` cannot see it (it
    /// never reads weights), so the trial fails with the file and both shapes, exit 2.
    func testEmbeddingTableSmallerThanTheConfigFailsTheRun() throws {
        let dir = try temporaryDirectory()
        var config = Self.tiny
        config.vocabSize = 3000
        let folder = try modelFolder(in: dir, config: config, tableRows: 1000, vocabularyTokens: 3000)
        let file = try experiment(in: dir)
        XCTAssertEqual(ftx(["check", file]).status, 0)

        let run = ftx(["run", "--store", dir + "/store", file])
        XCTAssertEqual(run.status, 2, run.err)
        XCTAssertTrue(run.err.contains(folder.weightsPath) && run.err.contains("embeddings.word_embeddings.weight")
                      && run.err.contains("[1000, 8]") && run.err.contains("[3000, 8]"), run.err)

        let texts = dir + "/texts.txt"
        try "w4 w2999\n".write(toFile: texts, atomically: true, encoding: .utf8)
        let embed = ftx(["embed", "--model", folder.directory, texts])
        XCTAssertEqual(embed.status, 2, embed.err)
        XCTAssertTrue(embed.err.contains("[1000, 8]") && embed.err.contains("[3000, 8]"), embed.err)
    }

    /// A tokenizer longer than the position table: a `check` error at the argument;
    /// `ftx embed --max-length` beyond it exits 2.
    func testMaxLengthBeyondThePositionTable() throws {
        let dir = try temporaryDirectory()
        let folder = try modelFolder(in: dir, config: Self.tiny, vocabularyTokens: 1000)
        let file = try experiment(in: dir, maxLength: 128)
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1, check.err)
        XCTAssertTrue(check.err.contains("\(file):14:37: error[E0157]"), check.err)
        XCTAssertTrue(check.err.contains("\(folder.configPath): `max_position_embeddings` is 64, less than the tokenizer's `max_length` 128"), check.err)

        let texts = dir + "/texts.txt"
        try "w4 w5\n".write(toFile: texts, atomically: true, encoding: .utf8)
        let embed = ftx(["embed", "--model", folder.directory, "--max-length", "65", texts])
        XCTAssertEqual(embed.status, 2, embed.err)
        XCTAssertTrue(embed.err.contains("\(folder.configPath): `max_position_embeddings` is 64, less than the requested max length 65"), embed.err)
        XCTAssertEqual(ftx(["embed", "--model", folder.directory, "--max-length", "64", texts]).status, 0)
    }

    /// A folder whose sizes are absurd is a clean error everywhere, not an allocation.
    func testAbsurdConfigIsAnError() throws {
        let dir = try temporaryDirectory()
        let folder = try modelFolder(in: dir, config: Self.tiny, vocabularyTokens: 1000)
        try Self.tiny.json.replacingOccurrences(of: "\"hidden_size\": 8", with: "\"hidden_size\": 1000000000000")
            .write(toFile: folder.configPath, atomically: true, encoding: .utf8)
        let texts = dir + "/texts.txt"
        try "w4\n".write(toFile: texts, atomically: true, encoding: .utf8)
        let embed = ftx(["embed", "--model", folder.directory, texts])
        XCTAssertEqual(embed.status, 2, embed.err)
        XCTAssertTrue(embed.err.contains("\(folder.configPath): `hidden_size` is 1000000000000, more than the largest supported, 65536"), embed.err)
        let check = ftx(["check", try experiment(in: dir)])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.err.contains("error[E0101]") && check.err.contains("`hidden_size` is 1000000000000"), check.err)
    }
}
