import Foundation
import Plan
import Runtime
import Support
import TestFixtures
import XCTest

/// Issue 16: `ftx predict` and `ftx export`. Predicting a split's rows reproduces the metrics
/// the store holds for it, bit for bit (a trial and an ensemble); an exported folder predicts
/// what the store predicts; what a format cannot express is refused with no folder written;
/// bad rows stop the command before any output exists (or are skipped on request).
final class PredictExportTests: XCTestCase {
    // MARK: Fixtures

    /// Cancer, bce on one logit, two seeds, the best and an ensemble of both; a test split.
    static let cancerExperiment = ExperimentText.file([
        ExperimentText.header("cancer_predict", seed: 2),
        ExperimentText.data("cancer", csv: "../data/breast_cancer.csv", normalize: "standardize",
                            split: "stratified(train: 0.7, valid: 0.15, test: 0.15, seed: 2)"),
        ExperimentText.mlp("net", input: 30, layers: "[dense(8, activation: tanh), dropout(0.1)]", head: 1),
        ExperimentText.stage("train", ["model = net", "data = cancer", "optimizer = adam(lr: 1e-2)"],
                             schedule: ["epochs = 3", "batch_size = 32"],
                             after: ["loss = bce() + 1e-4 * l1()", "metrics = [accuracy, f1, loss]",
                                     "sweep grid {\n  seed = [0, 1]\n}", "select = best(valid.f1)", "ensemble = top(2, by: valid.f1)"]),
    ])

    /// The cancer data as the experiment declares it, split and normalised.
    func cancerData() throws -> PreparedData {
        let path = Paths.root.appendingPathComponent("data/breast_cancer.csv").path
        let spec = DataSpec(source: .csv(path: path), label: "label", target: .binary, normalize: .standardize,
                            split: SplitRule(.stratified(seed: 2), train: 0.7, valid: 0.15, test: 0.15))
        return try Dataset(spec: spec, table: CSVReader.read(path: path)).prepare()
    }

    /// The rows `rows` (0-based data rows, in this order) of the CSV at `source`, with its header, written to `path`.
    func writeRows(_ rows: [Int], of source: String, to path: String) throws {
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        try ([String(lines[0])] + rows.map { String(lines[$0 + 1]) }).joined(separator: "\n").appending("\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
    }

    struct Row {
        var row: Int
        var label: String
        var probabilities: [(String, Float)]
        var logits: [[Float]]
    }

    func parseJSONLines(_ text: String) throws -> [Row] {
        try text.split(separator: "\n").map { line in
            let j = try JSONParser.parse(String(line))
            let logits = j["logits"].map { [$0.floatArray ?? []] } ?? (j["member_logits"]?.arrayValue?.map { $0.floatArray ?? [] } ?? [])
            return Row(row: j["row"]?.intValue ?? -1, label: j["label"]?.stringValue ?? "",
                       probabilities: (j["probabilities"]?.objectValue ?? []).map { ($0.key, Float($0.value.doubleValue ?? .nan)) },
                       logits: logits)
        }
    }

    func results(_ file: String) throws -> JSONValue {
        let r = ftx(["results", "--json", file])
        XCTAssertEqual(r.status, 0, r.err)
        return try JSONParser.parse(r.out)
    }

    func metrics(_ json: JSONValue?) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: (json?.objectValue ?? []).compactMap { e in e.value.doubleValue.map { (e.key, $0) } })
    }

    // MARK: predict = stored metrics

    /// `predict` on the test split's rows, scored by the evaluation's own metric code, gives the
    /// stored `test.*` metrics exactly: for the selected trial (loss from its logits, as eval
    /// scores it) and for the ensemble (the mean of the members' probabilities).
    func testPredictOnTheTestSplitReproducesTheStoredMetricsOfATrialAndTheEnsemble() throws {
        let w = try Workspace()
        let file = try w.write("cancer.ftx", Self.cancerExperiment)
        XCTAssertEqual(ftx(["run", file]).status, 0)
        let stored = try results(file)
        let data = try cancerData()
        let testCSV = w.url.appendingPathComponent("test.csv").path
        try writeRows(data.test.sourceRows, of: Paths.root.appendingPathComponent("data/breast_cancer.csv").path, to: testCSV)
        let loss = try TrialLoss(LossSpec(criterion: .bce), train: data.train, outputs: 1)
        let requested = ["accuracy", "f1", "loss"]

        let best = try XCTUnwrap(stored["best"]?["train"]?.stringValue)
        let trial = try XCTUnwrap(stored["trials"]?.arrayValue?.first { $0["id"]?.stringValue == best })
        let single = ftx(["predict", file, "--trial", "best", "--data", testCSV, "--json"])
        XCTAssertEqual(single.status, 0, single.err)
        let rows = try parseJSONLines(single.out)
        XCTAssertEqual(rows.map(\.row), Array(0..<data.test.rowCount))
        let p = rows.map { $0.probabilities[1].1 }, logits = rows.map { $0.logits[0][0] }
        let scored = TrialEvaluation.metrics(probabilities: p, outputs: logits, width: 1, split: data.test, loss: loss,
                                             requested: requested, prefix: "test")
        let expected = metrics(trial["metrics"]).filter { $0.key.hasPrefix("test.") }
        XCTAssertEqual(expected.count, 3)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: scored.map { ($0.key, $0.value) }), expected)

        let ensemble = try XCTUnwrap(stored["ensembles"]?.arrayValue?.first)
        let both = ftx(["predict", file, "--data", testCSV, "--json"])  // default: the stage's ensemble
        XCTAssertEqual(both.status, 0, both.err)
        let members = try parseJSONLines(both.out)
        XCTAssertEqual(members.first?.logits.count, 2)
        let mean = members.map { $0.probabilities[1].1 }
        let scoredMean = TrialEvaluation.metrics(probabilities: mean, width: 1, split: data.test, loss: loss,
                                                 requested: requested, prefix: "test")
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: scoredMean.map { ($0.key, $0.value) }),
                       metrics(ensemble["metrics"]).filter { $0.key.hasPrefix("test.") })
        // Labels are the label column's values, the predicted class of the mean probability.
        XCTAssertEqual(members.map(\.label), mean.map { $0 > 0.5 ? "1" : "0" })
    }

    // MARK: export round trip

    /// An exported MLP (one trial, the ensemble) predicts, from its folder alone, the same
    /// bytes as `predict` from the store; the folder holds every file a reader needs.
    func testExportedMLPAndEnsemblePredictWhatTheStorePredicts() throws {
        let w = try Workspace()
        let file = try w.write("cancer.ftx", Self.cancerExperiment)
        XCTAssertEqual(ftx(["run", file]).status, 0)
        let rows = w.url.appendingPathComponent("rows.csv").path
        try writeRows(Array(0..<40), of: Paths.root.appendingPathComponent("data/breast_cancer.csv").path, to: rows)
        for (trial, folder) in [("best", "best-model"), ("ensemble", "ensemble-model")] {
            let out = w.url.appendingPathComponent(folder).path
            let export = ftx(["export", file, "--trial", trial, "--format", "safetensors", "--out", out])
            XCTAssertEqual(export.status, 0, export.err)
            let fromStore = ftx(["predict", file, "--trial", trial, "--data", rows, "--json"])
            let fromFolder = ftx(["predict", "--model", out, "--data", rows, "--json"])
            XCTAssertEqual(fromStore.status, 0, fromStore.err)
            XCTAssertEqual(fromFolder.status, 0, fromFolder.err)
            XCTAssertEqual(fromFolder.out, fromStore.out, trial)
            XCTAssertEqual(try parseJSONLines(fromFolder.out).count, 40)
            let csvStore = ftx(["predict", file, "--trial", trial, "--data", rows]).out
            XCTAssertEqual(ftx(["predict", "--model", out, "--data", rows, "--csv"]).out, csvStore)
            XCTAssertTrue(csvStore.hasPrefix("row,label,p_0,p_1\n0,"), csvStore)
            let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
            XCTAssertTrue(readme.contains("test.f1") && readme.contains("ftx predict --model"), readme)
            let listing = Set(try FileManager.default.subpathsOfDirectory(atPath: out))
            if trial == "ensemble" {
                XCTAssertTrue(listing.isSuperset(of: ["ensemble.json", "README.md", "members/0/model.safetensors", "members/1/ftx-model.json"]), "\(listing)")
            } else {
                XCTAssertEqual(listing, ["README.md", "model.safetensors", "ftx-model.json"])
                let weights = try SafetensorsFile(contentsOf: out + "/model.safetensors")
                XCTAssertEqual(Set(weights.names), ["layers.0.weight", "layers.0.bias", "head.weight", "head.bias"])
            }
        }
        // The same rows as JSON Lines predict the same.
        let csvLines = try String(contentsOfFile: rows, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let jsonl = csvLines.dropFirst().map { f in
            "{" + zip(csvLines[0], f).map { "\(JSONWriter.quote(String($0))): \($1)" }.joined(separator: ", ") + "}"
        }.joined(separator: "\n") + "\n"
        try jsonl.write(toFile: w.url.path + "/rows.jsonl", atomically: true, encoding: .utf8)
        let fromJSONL = ftx(["predict", file, "--data", w.url.path + "/rows.jsonl", "--json"])
        XCTAssertEqual(fromJSONL.status, 0, fromJSONL.err)
        XCTAssertEqual(fromJSONL.out, ftx(["predict", file, "--data", rows, "--json"]).out)
        // Writing `--out` over an existing folder needs --force; the old folder is untouched otherwise.
        let again = ftx(["export", file, "--format", "safetensors", "--out", w.url.appendingPathComponent("best-model").path])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.err.contains("already exists"), again.err)
        XCTAssertEqual(ftx(["export", file, "--format", "safetensors", "--force", "--out", w.url.appendingPathComponent("best-model").path]).status, 0)
    }

    /// A fine-tuned BERT (the tiny random one) exported as safetensors and as
    /// sentence-transformers predicts from either folder what the store predicts; the
    /// sentence-transformers folder has its modules, pooling as trained, the head as an
    /// identity `Dense`, every encoder parameter under Hugging Face names, and the labels.
    func testExportedBertPredictsWhatTheStorePredictsInBothFormats() throws {
        let w = try Workspace()
        _ = try ColourBertFolder.write(in: w.url.path)
        let texts = try String(contentsOfFile: w.url.path + "/texts.csv", encoding: .utf8)
        // String labels, so the exported labels are the column's values.
        let named = texts.replacingOccurrences(of: ",0\n", with: ",red\n").replacingOccurrences(of: ",1\n", with: ",green\n")
            .replacingOccurrences(of: ",2\n", with: ",blue\n")
        try named.write(toFile: w.url.path + "/named.csv", atomically: true, encoding: .utf8)
        let file = try w.write("colours.ftx", ExperimentText.file([
            ExperimentText.header("colours"), ExperimentText.texts(csv: "../named.csv", split: "random(train: 0.7, valid: 0.3, seed: 0)"),
            """
            model tiny {
              pretrained = bert("../tiny-bert")
              tokenizer = wordpiece(max_length: 8)
              pooling = cls
              head = dense(3)
            }
            """,
            ExperimentText.stage("tune", ["model = tiny", "data = texts", "freeze = [\"embeddings.*\"]", "optimizer = adamw(lr: 1e-2)"],
                                 schedule: ["epochs = 2", "batch_size = 8"], after: ["loss = cross_entropy()"]),
        ]))
        let run = ftx(["run", file])
        XCTAssertEqual(run.status, 0, run.err)
        let rows = w.url.path + "/named.csv"
        let fromStore = ftx(["predict", file, "--data", rows, "--json"])
        XCTAssertEqual(fromStore.status, 0, fromStore.err)
        XCTAssertEqual(try parseJSONLines(fromStore.out).count, 60)
        XCTAssertTrue(fromStore.out.contains("\"probabilities\":{\"blue\":"), fromStore.out)
        for format in ["safetensors", "sentence-transformers"] {
            let out = w.url.appendingPathComponent(format).path
            let export = ftx(["export", file, "--format", format, "--out", out])
            XCTAssertEqual(export.status, 0, export.err)
            let fromFolder = ftx(["predict", "--model", out, "--data", rows, "--json"])
            XCTAssertEqual(fromFolder.status, 0, fromFolder.err)
            XCTAssertEqual(fromFolder.out, fromStore.out, format)
            let config = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: out + "/config.json")))
            XCTAssertEqual(config["id2label"]?["0"]?.stringValue, "blue")
            XCTAssertEqual(config["label2id"]?["red"]?.intValue, 2)
            let encoder = try SafetensorsFile(contentsOf: out + "/model.safetensors")
            let all = Set(ModelCatalog.bert(ColourBertFolder.config).map(\.name))
            XCTAssertTrue(all.isSubset(of: Set(encoder.names)), "every encoder parameter, frozen ones included")
        }
        let st = w.url.appendingPathComponent("sentence-transformers").path
        let modules = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: st + "/modules.json")))
        XCTAssertEqual(modules.arrayValue?.compactMap { $0["type"]?.stringValue },
                       ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling", "sentence_transformers.models.Dense"])
        let pooling = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: st + "/1_Pooling/config.json")))
        XCTAssertEqual(pooling["pooling_mode_cls_token"]?.boolValue, true)
        XCTAssertEqual(pooling["pooling_mode_mean_tokens"]?.boolValue, false)
        let dense = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: st + "/2_Dense/config.json")))
        XCTAssertEqual(dense["activation_function"]?.stringValue, "torch.nn.modules.linear.Identity")
        XCTAssertEqual(dense["out_features"]?.intValue, 3)
        XCTAssertEqual(Set(try SafetensorsFile(contentsOf: st + "/2_Dense/model.safetensors").names), ["linear.weight", "linear.bias"])
        let sbert = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: st + "/sentence_bert_config.json")))
        XCTAssertEqual(sbert["max_seq_length"]?.intValue, 8)

        // ONNX: the graph (its numerics are checked against onnxruntime by bench/interop.sh
        // and bench/onnx_check.sh) with token inputs and the tokenizer beside it.
        let onnx = w.url.appendingPathComponent("onnx").path
        let exported = ftx(["export", file, "--format", "onnx", "--out", onnx])
        XCTAssertEqual(exported.status, 0, exported.err)
        let model = try ProtobufMessage(Data(contentsOf: URL(fileURLWithPath: onnx + "/model.onnx")))
        XCTAssertEqual(model.values(1), [.varint(UInt64(ONNXExport.irVersion))], "ModelProto.ir_version")
        guard case .bytes(let graphBytes)? = model.values(7).first else { return XCTFail("ModelProto.graph") }
        let graph = try ProtobufMessage(graphBytes)
        func names(_ field: Int) throws -> [String] {
            try graph.values(field).map { value in
                guard case .bytes(let info) = value, case .bytes(let name)? = try ProtobufMessage(info).values(1).first else { return "" }
                return String(decoding: name, as: UTF8.self)
            }
        }
        XCTAssertEqual(try names(11), ["input_ids", "attention_mask"], "GraphProto.input")
        XCTAssertEqual(try names(12), ["logits"], "GraphProto.output")
        XCTAssertEqual(try String(contentsOfFile: onnx + "/vocab.txt", encoding: .utf8).split(separator: "\n").count,
                       ColourBertFolder.config.vocabSize)
        let noWeights = ftx(["predict", "--model", onnx, "--data", rows])
        XCTAssertEqual(noWeights.status, 2)

        // An empty text is a bad row: nothing is written, unless it is skipped.
        try "text,label\nred cat a,red\n   ,blue\n".write(toFile: w.url.path + "/empty.csv", atomically: true, encoding: .utf8)
        let out = w.url.path + "/empty-out.csv"
        let bad = ftx(["predict", file, "--data", w.url.path + "/empty.csv", "--out", out])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("empty.csv:3: empty value in column 'text' (data row 1)"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let skipped = ftx(["predict", file, "--data", w.url.path + "/empty.csv", "--out", out, "--skip-bad-rows"])
        XCTAssertEqual(skipped.status, 0, skipped.err)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count, 2)
    }

    // MARK: refusals

    /// What cannot be exported faithfully is refused with exit 2 and no folder: an MLP as
    /// sentence-transformers, a trial that has not run, an unknown stage.
    func testExportRefusesWhatItCannotDoFaithfully() throws {
        let w = try Workspace()
        let file = try w.write("cancer.ftx", Self.cancerExperiment)
        let out = w.url.appendingPathComponent("out").path
        let notRun = ftx(["export", file, "--trial", "best", "--format", "safetensors", "--out", out])
        XCTAssertEqual(notRun.status, 2)
        XCTAssertTrue(notRun.err.contains("has not run yet"), notRun.err)
        XCTAssertEqual(ftx(["run", file]).status, 0)
        let mlp = ftx(["export", file, "--format", "sentence-transformers", "--out", out])
        XCTAssertEqual(mlp.status, 2)
        XCTAssertTrue(mlp.err.contains("MLP on numeric features"), mlp.err)
        let stage = ftx(["export", file, "--stage", "nope", "--format", "safetensors", "--out", out])
        XCTAssertEqual(stage.status, 2)
        XCTAssertTrue(stage.err.contains("no stage `nope`"), stage.err)
        XCTAssertEqual(ftx(["export", file, "--format", "tensorflow", "--out", out]).status, 64)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: w.url.path).filter { $0.contains("out") }
        XCTAssertEqual(leftovers, [], "no folder, not even a temporary one")
    }

    // MARK: bad input

    /// A missing declared column, a non-numeric feature and an unseen label: the first two
    /// stop the command (exit 2, file, line, row and column named, no output), the row error
    /// is skipped with `--skip-bad-rows`, the unseen label is reported and the row predicted.
    func testBadRowsStopBeforeAnyOutputOrAreSkipped() throws {
        let w = try Workspace()
        let file = try w.write("cancer.ftx", Self.cancerExperiment)
        XCTAssertEqual(ftx(["run", file]).status, 0)
        let source = try String(contentsOfFile: Paths.root.appendingPathComponent("data/breast_cancer.csv").path, encoding: .utf8)
        var lines = source.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let out = w.url.path + "/out.csv"

        // A declared feature column missing.
        let dropped = header.indices.filter { header[$0] != header[0] }
        let missing = ([lines[0]] + lines[1...5]).map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false); return dropped.map { String(f[$0]) }.joined(separator: ",")
        }
        try (missing.joined(separator: "\n") + "\n").write(toFile: w.url.path + "/missing.csv", atomically: true, encoding: .utf8)
        let m = ftx(["predict", file, "--data", w.url.path + "/missing.csv", "--out", out])
        XCTAssertEqual(m.status, 2)
        XCTAssertTrue(m.err.contains("missing.csv: no column named '\(header[0])'"), m.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        // A non-numeric feature on data row 2 (line 4), and an unseen label on data row 3.
        let column = try XCTUnwrap(header.firstIndex { $0 != "label" })
        var f = lines[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[column] = "n/a"; lines[3] = f.joined(separator: ",")
        let label = try XCTUnwrap(header.firstIndex(of: "label"))
        var g = lines[4].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        g[label] = "7"; lines[4] = g.joined(separator: ",")
        try (lines[0...6].joined(separator: "\n") + "\n").write(toFile: w.url.path + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = ftx(["predict", file, "--data", w.url.path + "/bad.csv", "--out", out])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("bad.csv:4: value 'n/a' in column '\(header[column])' (data row 2) is not a number"), bad.err)
        XCTAssertTrue(bad.err.contains("--skip-bad-rows"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written when a row is bad")
        let skipped = ftx(["predict", file, "--data", w.url.path + "/bad.csv", "--out", out, "--skip-bad-rows"])
        XCTAssertEqual(skipped.status, 0, skipped.err)
        XCTAssertTrue(skipped.err.contains("row skipped"), skipped.err)
        XCTAssertTrue(skipped.err.contains("bad.csv:5: label '7' in column 'label' (data row 3) was never seen in training"), skipped.err)
        let written = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").first.map(String.init) ?? "" }
        XCTAssertEqual(written, ["row", "0", "1", "3", "4", "5"])
    }

    // MARK: streaming

    /// A file read in pieces far smaller than it (1 KiB; records with quoted commas and line
    /// breaks, CRLF and blank lines) gives exactly the whole-file reader's rows, fields and
    /// line numbers: `predict` holds one piece at a time, whatever the file's size.
    func testPiecesOfAFileAreTheWholeFilesRows() throws {
        let w = try Workspace()
        var csv = "a,\"b\nname\",c\r\n"
        var g = SeededGenerator(seed: 3)
        for i in 0..<3000 {
            switch g.nextInt(below: 4) {
            case 0: csv += "\(i),\"x, \"\"quoted\"\"\ntwo lines\",\(g.nextDouble())\n"
            case 1: csv += "\(i),plain,\(g.nextDouble())\r\n"
            case 2: csv += "\n\(i),,\(g.nextDouble())\n"
            default: csv += "\(i),\"\",-\(g.nextDouble())\r\n"
            }
        }
        let path = w.url.path + "/rows.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let whole = try CSVReader.read(path: path)
        let chunks = try RecordChunks(path: path, chunkBytes: 1024)
        XCTAssertEqual(chunks.columns, whole.header)
        var row = 0, pieces = 0
        while let chunk = try chunks.next() {
            pieces += 1
            XCTAssertEqual(chunk.firstRow, row)
            for r in 0..<chunk.table.rowCount {
                for c in 0..<3 { XCTAssertEqual(chunk.table.string(row: r, column: c), whole.string(row: row, column: c)) }
                XCTAssertEqual(chunk.line(ofRow: r), whole.line(ofRow: row))
                row += 1
            }
        }
        XCTAssertEqual(row, whole.rowCount)
        XCTAssertGreaterThan(pieces, 20)
    }
}
