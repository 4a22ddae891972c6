import Compiler
import Foundation
import Plan
import Runtime
import Support

/// The last step of `ftx bench calibrate`: what tasks cost besides the work `CostModel`
/// counts in them, and what parsing a data file costs. A tiny experiment (a 16-feature,
/// three-class CSV file; an MLP of 32 tanh units with dropout; four trials: batch 8 or 64, 3
/// or 20 epochs; and one trial each on a file of short fields, one of long fields and one of
/// texts) runs as
/// `ftx run` does, in a process of its own on a fresh store, several times; every task's
/// median time, less its counted work at the prices measured before, leaves:
/// - a train task's = 1 · task + epochs · epoch + steps · step: least squares over the four
///   trials (the two batch sizes separate steps from epochs, the two epoch counts epochs
///   from the task);
/// - a data task's = 1 · task + fields · field + bytes · byte + text bytes · text byte, over
///   four files (the trials', short fields, long fields, texts read through a tiny random
///   BERT): parsing as a run does it, once and cold, costs twice or more what a warm loop
///   measures, and a text file's strings cost more per byte than numbers;
/// - an eval task's: the median rest.
/// Why: the cost model's first table missed every tiny-MLP stage by about half; what is
/// left per epoch (the shuffle, scoring the splits, the metrics, the history and progress
/// events) and per task (reading the spec and data, building the model) is not in the
/// model's counts, and it is the whole cost of a small experiment.
struct TaskCostCalibrator {
    var prices: CostCalibration

    /// `prices` with the fixed costs and the parse prices measured (each at least 1 ns: a
    /// file's zero reads as "use the default").
    func run(folder: String, repetitions: Int = 7) throws -> CostCalibration {
        var prices = self.prices  // what the counted work costs: without the prices being measured here
        prices.trainTaskSeconds = 0
        prices.evalTaskSeconds = 0
        prices.dataTaskSeconds = 0
        prices.epochSeconds = 0
        prices.stepSeconds = 0
        prices.parseByteSeconds = 0
        prices.parseFieldSeconds = 0
        prices.parseTextByteSeconds = 0
        prices.taskSeconds = 0  // the store entry is part of each kind's fixed cost
        let experiment = try writeExperiment(in: folder)
        var times: [String: [Double]] = [:]
        let (console, _) = Console.capturing()
        let loaded = try LoadedExperiment.load(experiment, storeOption: folder + "/store-plan", createStore: true,
                                               console: console, json: false)
        let estimates = loaded.plan.estimates
        for r in 0..<repetitions {
            // In a process of its own, as `ftx run` runs: a run's first tasks pay for code and
            // data touched for the first time, which a warm loop in this process would not.
            for (key, seconds) in try runTimes(experiment, store: folder + "/store-\(r)") { times[key, default: []].append(seconds) }
        }
        var trainRows: [(x: [Double], y: Double)] = [], dataRows: [(x: [Double], y: Double)] = [], evalRests: [Double] = []
        for task in loaded.plan.graph.tasks {
            guard let t = times[task.key].map(median) else { continue }
            switch task.payload {
            case .train where task.stage == "fit":
                // t = counted + 1 · task + epochs · epoch + steps · step.
                guard let e = estimates[task.key] else { continue }
                trainRows.append(([1, Double(e.epochs), Double(e.steps)], t - e.seconds(prices)))
            case .eval(let trainKey, _):
                if let e = estimates[trainKey] { evalRests.append(t - prices.seconds(e.eval)) }
            case .data:
                // t = counted (store) + 1 · task + fields · field + bytes · byte, over three files of different shapes.
                guard let e = loaded.plan.graph.tasks.first(where: { $0.kind == .train && $0.deps.contains(task.key) })
                        .flatMap({ estimates[$0.key] }) else { continue }
                dataRows.append(([1, e.data.parsedFields, e.data.parsedBytes, e.data.parsedTextBytes], t - prices.seconds(e.data)))
            default:
                break
            }
        }
        guard trainRows.count >= 3, let train = nonNegativeLeastSquares(trainRows), dataRows.count >= 4,
              let data = nonNegativeLeastSquares(dataRows) else {
            throw BenchError("the calibration experiment gave too few tasks to solve for their fixed costs")
        }
        var c = self.prices
        let floor = 1e-9
        c.trainTaskSeconds = max(train[0], floor)
        c.epochSeconds = max(train[1], floor)
        c.stepSeconds = max(train[2], floor)
        c.evalTaskSeconds = max(median(evalRests), floor)
        c.dataTaskSeconds = max(data[0], floor)
        c.parseFieldSeconds = max(data[1], 1e-12)
        c.parseByteSeconds = max(data[2], 1e-12)
        c.parseTextByteSeconds = max(data[3], 1e-12)
        return c
    }

    /// Each task's seconds in `ftx run --jobs 1 --log-format json` of `experiment` on a fresh store.
    private func runTimes(_ experiment: String, store: String) throws -> [String: Double] {
        let run = try Subprocess.run(try Self.ftxExecutable(), ["run", "--jobs", "1", "--log-format", "json", "--store", store, experiment])
        guard run.status == 0 else {
            throw BenchError("the calibration experiment \(experiment) failed: \(run.errorLine)")
        }
        var times: [String: Double] = [:]
        for line in run.text.split(separator: "\n") {
            guard let event = try? JSONParser.parse(Data(line.utf8)), event["event"]?.stringValue == "finished",
                  let key = event["key"]?.stringValue, let seconds = event["seconds"]?.doubleValue else { continue }
            times[key] = seconds
        }
        return times
    }

    /// This process's binary when it is `ftx`, else the `ftx` beside it (the test bundle that
    /// runs the CLI in-process sits next to the `ftx` it was built with).
    static func ftxExecutable() throws -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        if (own as NSString).lastPathComponent == "ftx" { return own }
        let sibling = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("ftx")
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        throw BenchError("cannot find the ftx executable to run the calibration experiment (looked at \(own) and \(sibling))")
    }

    /// The experiment and its three data files; returns the experiment's path.
    private func writeExperiment(in folder: String) throws -> String {
        var g = SeededGenerator(seed: 5)
        func file(_ name: String, rows: Int, columns: Int, classes: Int, value: (Int, Int) -> String) throws {
            var csv = (0..<columns).map { "x\($0)" }.joined(separator: ",") + ",label\n"
            for _ in 0..<rows {
                let label = g.nextInt(below: classes)
                csv += (0..<columns).map { value($0, label) }.joined(separator: ",") + ",\(label)\n"
            }
            try AtomicFile.write(csv, to: folder + "/" + name)
        }
        // The trials' data: 16 four-decimal features, three classes that the features separate.
        try file("calibrate.csv", rows: 600, columns: 16, classes: 3) { i, label in
            String(format: "%.4f", Double(g.nextInt(below: 20_000)) / 10_000 - 1 + (i % 3 == label ? 0.5 : 0))
        }
        // For the parse prices: mostly fields (64 one- or two-digit numbers a row) and mostly bytes (16 ten-digit decimals).
        try file("short.csv", rows: 10_000, columns: 64, classes: 10) { _, _ in String(g.nextInt(below: 17)) }
        try file("long.csv", rows: 10_000, columns: 16, classes: 10) { _, _ in
            String(format: "%.8f", Double(g.nextInt(below: 2_000_000)) / 1_000_000 - 1)
        }
        // A text file: 2,000 short definitions of a few words (the WordNet glosses' shape) and six classes.
        let words = ["a", "the", "of", "small", "animal", "that", "lives", "in", "water", "plant", "tree", "person",
                     "who", "makes", "tools", "used", "for", "cutting", "genus", "family", "edible", "fruit"]
        var texts = "text,label\n"
        for _ in 0..<2000 {
            texts += (0..<(6 + g.nextInt(below: 10))).map { _ in words[g.nextInt(below: words.count)] }.joined(separator: " ")
                + ",c\(g.nextInt(below: 6))\n"
        }
        try AtomicFile.write(texts, to: folder + "/texts.csv")
        // … read through a tiny random BERT (hidden 16, one layer) whose vocabulary holds the words.
        let bert = folder + "/tiny-bert"
        try FileManager.default.createDirectory(atPath: bert, withIntermediateDirectories: true)
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
        let config = BertConfig(hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32,
                                maxPositionEmbeddings: 32, typeVocabSize: 2, vocabSize: vocabulary.count)
        try AtomicFile.write(config.json, to: bert + "/config.json")
        try AtomicFile.write(vocabulary.joined(separator: "\n") + "\n", to: bert + "/vocab.txt")
        try SafetensorsWriter.write(ModelCatalog.bert(config).map { spec in
            SafetensorsTensor(name: spec.name, shape: spec.shape,
                              values: EncoderCostCalibrator.randomValues(spec.name, count: spec.shape.reduce(1, *), &g))
        }, to: bert + "/model.safetensors")
        let text = """
        experiment calibrate {
          seed = 0
        }

        data d {
          source = csv("calibrate.csv")
          label = "label"
          normalize = standardize()
          split = stratified(train: 0.7, valid: 0.15, test: 0.15, seed: 0)
        }

        data short {
          source = csv("short.csv")
          label = "label"
          split = ordered(train: 0.9, valid: 0.1)
        }

        data long {
          source = csv("long.csv")
          label = "label"
          split = ordered(train: 0.9, valid: 0.1)
        }

        data texts {
          source = csv("texts.csv")
          text = "text"
          label = "label"
          split = ordered(train: 0.9, valid: 0.1)
        }

        model net {
          input = 16
          layers = [dense(32, activation: tanh), dropout(0.1)]
          head = dense(3)
        }

        model wide {
          input = 64
          layers = [dense(8)]
          head = dense(10)
        }

        model narrow {
          input = 16
          layers = [dense(8)]
          head = dense(10)
        }

        stage fit {
          model = net
          data = d
          optimizer = adam(lr: 1e-3)
          schedule {
            epochs = 2
            batch_size = 8
          }
          loss = cross_entropy()
          metrics = [accuracy, loss]

          sweep grid {
            schedule.batch_size = [8, 64]
            schedule.epochs = [3, 20]
          }
        }

        model reader {
          pretrained = bert("tiny-bert")
          tokenizer = wordpiece(max_length: 24)
          pooling = mean
          head = dense(6)
        }

        stage read_texts {
          model = reader
          data = texts
          freeze = ["embeddings.*", "encoder.*"]
          optimizer = sgd(lr: 0.01)
          schedule {
            epochs = 1
            batch_size = 256
          }
          loss = cross_entropy()
        }

        stage read_short {
          model = wide
          data = short
          optimizer = sgd(lr: 0.01)
          schedule {
            epochs = 1
            batch_size = 256
          }
          loss = cross_entropy()
        }

        stage read_long {
          model = narrow
          data = long
          optimizer = sgd(lr: 0.01)
          schedule {
            epochs = 1
            batch_size = 256
          }
          loss = cross_entropy()
        }

        """
        let path = folder + "/calibrate.ftx"
        try AtomicFile.write(text, to: path)
        return path
    }

    private func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
