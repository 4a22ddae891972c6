import Compiler
import Foundation
import Plan
import Runtime
import Support

/// The last step of `ftx bench calibrate`: what tasks cost besides the work `CostModel`
/// counts in them. A tiny experiment (a 16-feature, three-class CSV file; an MLP of 32 tanh
/// units with dropout; four trials: batch 8 or 64, 2 or 12 epochs) runs as `ftx run` does, in
/// a process of its own on a fresh store, several times; every task's time, less its counted work at
/// the prices measured before, leaves the fixed costs:
/// - a train task's time = 1 · task + epochs · epoch + steps · step: solved by least
///   squares over the four trials (the two batch sizes separate steps from epochs, the two
///   epoch counts epochs from the task);
/// - an eval task's and the data task's: the median rest.
/// Why: the cost model's first table missed every tiny-MLP stage by about half; what is
/// left per epoch (the shuffle, scoring the splits, the metrics, the history and progress
/// events) and per task (reading the spec and data, building the model) is not in the
/// model's counts, and it is the whole cost of a small experiment.
struct TaskCostCalibrator {
    var prices: CostCalibration

    /// `prices` with the five fixed costs measured (each at least 1 ns: a file's zero reads as "use the default").
    func run(folder: String, repetitions: Int = 5) throws -> CostCalibration {
        var prices = self.prices  // what the counted work costs: without the fixed costs being measured
        prices.trainTaskSeconds = 0
        prices.evalTaskSeconds = 0
        prices.dataTaskSeconds = 0
        prices.epochSeconds = 0
        prices.stepSeconds = 0
        let experiment = try writeExperiment(in: folder)
        var trainTimes: [String: [Double]] = [:], evalRests: [Double] = [], dataRests: [Double] = []
        var estimates: [String: TrainEstimate] = [:]
        let (console, _) = Console.capturing()
        let loaded = try LoadedExperiment.load(experiment, storeOption: folder + "/store-plan", createStore: true,
                                               console: console, json: false)
        estimates = loaded.plan.estimates
        for r in 0..<repetitions {
            // In a process of its own, as `ftx run` runs: a run's first tasks pay for code and
            // data touched for the first time, which a warm loop in this process would not.
            let seconds = try runTimes(experiment, store: folder + "/store-\(r)")
            for task in loaded.plan.graph.tasks {
                guard let seconds = seconds[task.key] else { continue }
                switch task.payload {
                case .train:
                    trainTimes[task.key, default: []].append(seconds)
                case .eval(let trainKey, _):
                    if let e = estimates[trainKey] { evalRests.append(seconds - prices.seconds(e.eval)) }
                case .data:
                    if let e = estimates.values.first { dataRests.append(seconds - prices.seconds(e.data)) }
                default:
                    break
                }
            }
        }
        // Least squares for (task, epoch, step) over the trials' median times.
        var rows: [(x: [Double], y: Double)] = []
        for (key, times) in trainTimes {
            guard let e = estimates[key] else { continue }
            let epochs = Double(e.epochs)
            let counted = e.seconds(prices)
            rows.append(([1, epochs, Double(e.steps)], median(times) - counted))
        }
        guard rows.count >= 3, let solved = leastSquares(rows) else {
            throw BenchError("the calibration experiment gave too few train tasks to solve for their fixed costs")
        }
        var c = self.prices
        let floor = 1e-9
        c.trainTaskSeconds = max(solved[0], floor)
        c.epochSeconds = max(solved[1], floor)
        c.stepSeconds = max(solved[2], floor)
        c.evalTaskSeconds = max(median(evalRests), floor)
        c.dataTaskSeconds = max(median(dataRests), floor)
        return c
    }

    /// Each task's seconds in `ftx run --jobs 1 --log-format json` of `experiment` on a fresh store.
    private func runTimes(_ experiment: String, store: String) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.ftxExecutable())
        process.arguments = ["run", "--jobs", "1", "--log-format", "json", "--store", store, experiment]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("the calibration experiment failed (`ftx run` exit \(process.terminationStatus))")
        }
        var times: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
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

    /// The experiment and its data file; returns the experiment's path.
    private func writeExperiment(in folder: String) throws -> String {
        var g = SeededGenerator(seed: 5)
        var csv = (0..<16).map { "x\($0)" }.joined(separator: ",") + ",label\n"
        for _ in 0..<600 {
            let label = g.nextInt(below: 3)
            let features = (0..<16).map { i in String(format: "%.4f", Double(g.nextInt(below: 20_000)) / 10_000 - 1 + (i % 3 == label ? 0.5 : 0)) }
            csv += features.joined(separator: ",") + ",\(label)\n"
        }
        try AtomicFile.write(csv, to: folder + "/calibrate.csv")
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

        model net {
          input = 16
          layers = [dense(32, activation: tanh), dropout(0.1)]
          head = dense(3)
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
            schedule.epochs = [2, 12]
          }
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
