import Compiler
import Foundation
import Plan
import Runtime
import Support
import XCTest

/// Runs the two sides of a take-effect case through the real pipeline (`ftx check`,
/// `plan --json`, `run`, `results --json`, in-process) and compares what they left in
/// their stores. One temporary folder holds the material every case reads (data files,
/// initial checkpoints, two tiny BERTs); each distinct experiment text runs once, in its
/// own store, and is cached, so the shared base of many cases trains once.
final class TakeEffectHarness {
    /// What one experiment produced.
    struct Outcome {
        /// Exit status of `ftx check` and its output (diagnostics).
        var checkStatus: Int32
        var diagnostics: String
        /// Set when `check` passed but `plan` or `run` failed: what it said.
        var refused: String?
        /// Every task key of `ftx plan --json`.
        var taskKeys: Set<String> = []
        /// The `sbatch` command lines of the stage `train`'s jobs, from `ftx plan --executor slurm --json`.
        var sbatchOptions: [String] = []
        /// Per trial in results order: stage, status, epochs, metrics, history and classification record
        /// (confusion matrix, per-class scores) as JSON text; then the ensembles.
        var metrics: [String] = []
        /// Per trial in results order: its final checkpoint, tensor name → the bits of its values.
        var weights: [[String: [UInt32]]] = []
    }

    let root: URL
    private var cache: [String: Outcome] = [:]
    private var count = 0

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-take-effect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try writeMaterial()
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Checks `text`; when it passes, plans, runs and reads its results.
    func outcome(_ text: String) throws -> Outcome {
        if let cached = cache[text] { return cached }
        count += 1
        let file = root.appendingPathComponent("e\(count).ftx").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let store = root.appendingPathComponent("store\(count)").path
        let check = ftx(["check", file])
        var o = Outcome(checkStatus: check.status, diagnostics: check.out + check.err)
        if check.status == 0 {
            // `check` accepted it: a later refusal is recorded (and fails the case), never thrown.
            let plan = ftx(["plan", "--json", "--store", store, file])
            guard plan.status == 0 else { o.refused = "ftx plan failed: " + Self.firstLine(plan.err); cache[text] = o; return o }
            let planJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any], plan.err)
            o.taskKeys = Set((planJSON["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            // What `ftx run --executor slurm` would submit: the sbatch command lines of the stage's jobs.
            let slurm = ftx(["plan", "--json", "--executor", "slurm", "--store", store, file])
            let slurmJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(slurm.out.utf8)) as? [String: Any], slurm.err)
            o.sbatchOptions = (slurmJSON["slurm_jobs"] as? [[String: Any]] ?? [])
                .filter { ($0["stage"] as? String) == "train" }.flatMap { $0["sbatch"] as? [String] ?? [] }
            let run = ftx(["run", "--store", store, file])
            guard run.status == 0 else { o.refused = "ftx run failed: " + Self.firstLine(run.err); cache[text] = o; return o }
            let results = ftx(["results", "--json", "--store", store, file])
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any], results.err)
            for trial in json["trials"] as? [[String: Any]] ?? [] {
                let seen = ["stage", "status", "epochs", "metrics", "history", "classification"].map { trial[$0] ?? NSNull() }
                o.metrics.append(String(decoding: try JSONSerialization.data(withJSONObject: seen, options: [.sortedKeys]), as: UTF8.self))
                var tensors: [String: [UInt32]] = [:]
                if let path = trial["checkpoint"] as? String {
                    let file = try SafetensorsFile(contentsOf: path)
                    for name in file.names { tensors[name] = try file.floats(name).map(\.bitPattern) }
                }
                o.weights.append(tensors)
            }
            // An ensemble's members are trial ids (which differ whenever keys do): only its metrics count.
            for e in json["ensembles"] as? [[String: Any]] ?? [] {
                let seen: [Any] = [e["stage"] ?? NSNull(), e["metrics"] ?? NSNull(), e["classification"] ?? NSNull()]
                o.metrics.append(String(decoding: try JSONSerialization.data(withJSONObject: seen, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        cache[text] = o
        return o
    }

    /// The first line of an error: the cause (later lines name the tasks that depended on it).
    static func firstLine(_ text: String) -> String { String(text.split(separator: "\n").first ?? "") }

    // MARK: Material

    /// The rows of data/digits.csv: the header, then rows `range`.
    static func digitsRows(_ range: Range<Int>) throws -> (header: [String], rows: [[String]]) {
        let text = try String(contentsOf: Paths.root.appendingPathComponent("data/digits.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return (lines[0], Array(lines[(range.lowerBound + 1)..<(range.upperBound + 1)]))
    }

    /// The tiny BERT's shape: MiniLM's vocabulary on a 2-layer, 32-wide encoder; 128 positions, so
    /// the default tokenizer (`max_length` 128) fits.
    static let bertConfig = BertConfig(hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64,
                                       maxPositionEmbeddings: 128, typeVocabSize: 2, vocabSize: 30522)

    private func write(_ text: String, _ name: String) throws {
        try Data(text.utf8).write(to: root.appendingPathComponent(name))
    }

    /// - `digits.csv`: 60 rows of digits; `digits.jsonl` the same rows; `digits-other.csv` and
    ///   `digits-other.jsonl` 60 other rows;
    ///   `digits-alt.csv` the same 60 rows with a second label `alt` (9 − label); `digits-noisy.csv`
    ///   the same rows, 36..<48 with wrong labels; `digits-binary.csv` 60 rows of 0s and 1s.
    /// - `init-a.safetensors`, `init-b.safetensors`: two different starting points of the MLP.
    /// - `tiny-bert/`, `tiny-bert-b/`: two random BERTs; `vocab-reordered.txt`: MiniLM's
    ///   vocabulary with its ordinary words in reverse order; `texts.csv`: 48 texts, 3 classes,
    ///   with upper-case words; `texts-numbers.csv` the same
    ///   texts with two numeric columns `n1`, `n2`.
    private func writeMaterial() throws {
        let (header, rows) = try Self.digitsRows(0..<60)
        let csv = { (rows: [[String]]) in ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n" }
        try write(csv(rows), "digits.csv")
        let other = try Self.digitsRows(60..<120).rows
        try write(csv(other), "digits-other.csv")
        let jsonl = { (rows: [[String]]) in
            rows.map { row in "{" + zip(header, row).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}" }.joined(separator: "\n") + "\n"
        }
        try write(jsonl(rows), "digits.jsonl")
        try write(jsonl(other), "digits-other.jsonl")
        let label = header.firstIndex(of: "label")!
        // Rows 36..<48 (the valid part of an ordered 0.6/0.2/0.2 split) get wrong labels.
        try write(csv(rows.enumerated().map { i, row in
            var row = row
            if (36..<48).contains(i) { row[label] = String((Int(row[label])! + 5) % 10) }
            return row
        }), "digits-noisy.csv")
        let all = try Self.digitsRows(0..<1797).rows
        try write(csv(Array(all.filter { $0[label] == "0" || $0[label] == "1" }.prefix(60))), "digits-binary.csv")
        try write(([header + ["alt"]] + rows.map { $0 + [String(9 - Int($0[label])!)] }).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n",
                  "digits-alt.csv")

        let mlp = ModelCatalog.mlp(inputSize: 64, layers: [.dense(units: 16, activation: .relu)], head: .dense(units: 10, activation: nil)).specs
        for (name, seed) in [("init-a", UInt64(1)), ("init-b", UInt64(2))] {
            var g = SeededGenerator(seed: seed)
            let tensors = mlp.map { s in SafetensorsTensor(name: s.name, shape: s.shape, values: (0..<s.shape.reduce(1, *)).map { _ in Float(g.nextGaussian() * 0.2) }) }
            try SafetensorsWriter.write(tensors, to: root.appendingPathComponent("\(name).safetensors").path)
        }

        let vocabText = try String(contentsOfFile: try Paths.miniLM() + "/vocab.txt", encoding: .utf8)
        var vocab = vocabText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if vocab.last == "" { vocab.removeLast() }
        XCTAssertEqual(vocab.count, Self.bertConfig.vocabSize)
        for (folder, seed) in [("tiny-bert", UInt64(3)), ("tiny-bert-b", UInt64(4))] {
            let path = root.appendingPathComponent(folder).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try write(Self.bertConfig.json, folder + "/config.json")
            try write(vocabText, folder + "/vocab.txt")
            try write(#"{"do_lower_case": true}"#, folder + "/tokenizer_config.json")
            var g = SeededGenerator(seed: seed)
            let tensors = ModelCatalog.bert(Self.bertConfig).map { s in
                let norm = s.name.hasSuffix("LayerNorm.weight")
                return SafetensorsTensor(name: s.name, shape: s.shape, values: (0..<s.shape.reduce(1, *)).map { _ in norm ? 1 : Float(g.nextGaussian() * 0.1) })
            }
            try SafetensorsWriter.write(tensors, to: path + "/model.safetensors")
        }
        // Special tokens keep their ids; ordinary words (from id 1996 on) are reversed.
        let words = 1996
        try write((vocab[..<words] + vocab[words...].reversed()).joined(separator: "\n") + "\n", "vocab-reordered.txt")

        let colours = ["red", "green", "blue"], animals = ["cat", "dog", "fish", "bird"], sizes = ["big", "small", "old"]
        var g = SeededGenerator(seed: 7)
        var texts = "text,label\n", numbers = "text,label,n1,n2\n"
        for _ in 0..<48 {
            let label = g.nextInt(below: 3)
            let size = sizes[g.nextInt(below: 3)], animal = animals[g.nextInt(below: 4)]
            // Upper case: a tokenizer that does not lower-case sees other tokens (MiniLM's vocabulary is uncased).
            let text = "The \(size.uppercased()) \(colours[label].capitalized) \(animal)"
            texts += "\(text),\(label)\n"
            numbers += "\(text),\(label),\(g.nextInt(below: 10)),\(g.nextInt(below: 10))\n"
        }
        try write(texts, "texts.csv")
        try write(numbers, "texts-numbers.csv")
        // Tables of the text augmentations: synonyms of the texts' words, and two paraphrase tables of its texts.
        try write("word,synonym\nbig,huge\nbig,large\nsmall,tiny\ncat,kitten\ndog,puppy\nfish,trout\nred,scarlet\nblue,azure\n", "synonyms.csv")
        var paraphrases = "text,paraphrase\n", paraphrasesB = "text,paraphrase\n"
        for line in texts.split(separator: "\n").dropFirst() {
            let text = String(line.split(separator: ",")[0])
            let words = text.split(separator: " ")
            paraphrases += "\(text),\(words.reversed().joined(separator: " "))\n"
            paraphrasesB += "\(text),a \(words.dropFirst().joined(separator: " ")) indeed\n"
        }
        try write(paraphrases, "paraphrases.csv")
        try write(paraphrasesB, "paraphrases-b.csv")
    }
}
