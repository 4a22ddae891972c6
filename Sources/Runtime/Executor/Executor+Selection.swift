import Foundation
import Plan
import Support

/// A stage's `select` and `ensemble` tasks: rank the sweep points that finished by their
/// eval metric (the mean over a point's replicates with `repeat`), then record the best k
/// (each by its best replicate), or average the top k's predicted probabilities and score
/// the mean. Separate from running trials and evals: these tasks train nothing and
/// only read other tasks' results.
extension Executor {
    /// One sweep point as a selection sees it: its replicates that finished, their mean (what
    /// points rank by) and the best replicate (what is handed on).
    struct RankedPoint {
        /// The best replicate's eval and train task keys.
        var eval: String
        var train: String
        /// The mean of the finished replicates' metric (the metric itself without `repeat`).
        var value: Double
        /// The finished replicates (train key, metric), in plan order.
        var replicates: [(train: String, value: Double)]
    }

    /// Candidates (eval keys, `replicates` consecutive ones per sweep point) grouped by point;
    /// points with at least one replicate finished `done` with the metric, best mean first.
    /// Ties keep plan order, in the ranking and among a point's replicates.
    func ranked(_ candidates: [String], metric: String, minimize: Bool, replicates: Int = 1) -> [RankedPoint] {
        let name = EpochRecord.qualified(metric)
        func better(_ a: Double, _ b: Double) -> Bool { minimize ? a < b : a > b }
        let size = max(1, replicates)
        var points: [RankedPoint] = []
        for start in stride(from: 0, to: candidates.count, by: size) {
            var finished: [(eval: String, train: String, value: Double)] = []
            for c in candidates[start..<min(start + size, candidates.count)] {
                guard let m = store.metrics(for: c), m["status"]?.stringValue == TaskStatus.done.rawValue,
                      let train = m["train"]?.stringValue, let v = m["metrics"]?[name]?.doubleValue, !v.isNaN
                else { continue }
                finished.append((c, train, v))
            }
            guard let summary = SampleSummary(finished.map(\.value)) else { continue }
            let best = finished.dropFirst().reduce(finished[0]) { better($1.value, $0.value) ? $1 : $0 }
            points.append(RankedPoint(eval: best.eval, train: best.train, value: summary.mean,
                                      replicates: finished.map { ($0.train, $0.value) }))
        }
        return points.enumerated().sorted { a, b in
            a.element.value != b.element.value ? better(a.element.value, b.element.value) : a.offset < b.offset
        }.map(\.element)
    }

    /// `metrics.json` of a select task: `selected` (the best point's best replicate) as before
    /// `top(k)`, and `selected_list`, the first `k` points best first, which `init = best(…)`
    /// ranks start from.
    func runSelect(_ task: PlannedTask, metric: String, minimize: Bool, candidates: [String], k: Int, replicates: Int) throws -> UnitResult {
        try sealedOr(task) {
            let points = ranked(candidates, metric: metric, minimize: minimize, replicates: replicates)
            guard let best = points.first else {
                throw TrainingError("stage \(task.stage): no trial finished with a \(metric) to select by")
            }
            func entry(_ p: RankedPoint) -> [(key: String, value: JSONValue)] {
                var fields: [(key: String, value: JSONValue)] = [("trial", .string(p.train)), ("value", .double(p.value))]
                if replicates > 1 {
                    fields.append(("replicates", .array(p.replicates.map { ["trial": .string($0.train), "value": .double($0.value)] })))
                }
                return fields
            }
            let selected = points.prefix(max(1, k)).enumerated().map { i, p -> JSONValue in
                .object([("rank", .int(i + 1)), ("eval", .string(p.eval))] + entry(p))
            }
            let json: JSONValue = [
                "metric": .string(metric), "minimize": .bool(minimize), "selected": .string(best.train),
                "selected_eval": .string(best.eval), "value": .double(best.value),
                "k": .int(k), "replicates": .int(replicates), "selected_list": .array(selected),
                "ranking": .array(points.map { .object(entry($0)) }),
            ]
            try store.writeJSON(json, "metrics.json", for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", "metrics.json"])
            return .status(.done, worked: true)
        }
    }

    func runEnsemble(_ task: PlannedTask, metric: String, minimize: Bool, k: Int, candidates: [String], replicates: Int) throws -> UnitResult {
        try sealedOr(task) {
            // The best replicate of each of the k best points.
            let members = Array(ranked(candidates, metric: metric, minimize: minimize, replicates: replicates).prefix(max(k, 1)))
            guard !members.isEmpty else { throw TrainingError("stage \(task.stage): no trial finished to ensemble") }
            var data: PreparedData?
            var loss: TrialLoss?
            var requested: [String] = []
            var width = 0
            var sums: [SplitName: EnsembleMean] = [:]
            for member in members {
                guard case .eval(_, let spec)? = graph.task(member.eval)?.payload else {
                    throw TrainingError("ensemble member \(member.eval) is not an eval task")
                }
                let model = try MLPModel.trained(spec: spec.model, weights: store.path("final.safetensors", for: member.train))
                if data == nil {
                    data = try Trainer.prepareData(spec, model: model)
                    loss = try TrialLoss(spec.loss, train: data!.train, outputs: model.outputs)
                    requested = spec.metrics
                    width = model.outputs
                }
                guard model.outputs == width else { throw TrainingError("ensemble members have different output widths") }
                for name in [SplitName.valid, .test] where data![name].rowCount > 0 {
                    let p = TrialEvaluation.probabilities(outputs: TrialEvaluation.outputs(of: model, on: data![name]),
                                                          width: width, criterion: loss!.criterion)
                    sums[name, default: EnsembleMean()].add(p)
                }
            }
            var metrics: [(key: String, value: Double)] = []
            var classification: [(key: String, value: JSONValue)] = []
            for name in [SplitName.valid, .test] {
                guard let mean = sums[name]?.mean else { continue }
                metrics += TrialEvaluation.metrics(probabilities: mean, width: width, split: data![name], loss: loss!,
                                                   requested: requested, prefix: name.rawValue)
                if data![name].labels.count == data![name].rowCount,
                   let c = TrialEvaluation.classification(labels: data![name].labels.map(Int.init), probabilities: mean, width: width, criterion: loss!.criterion,
                                                          requested: requested, classNames: data!.classNames) {
                    classification.append((name.rawValue, c))
                }
            }
            var fields: [(key: String, value: JSONValue)] = [
                ("metric", .string(metric)), ("k", .int(k)), ("members", .array(members.map { .string($0.train) })),
                ("member_evals", .array(members.map { .string($0.eval) })),
                ("metrics", .object(metrics.map { (key: $0.key, value: JSONValue.double($0.value)) })),
            ]
            if !classification.isEmpty { fields.append(("classification", .object(classification))) }
            let json = JSONValue.object(fields)
            try store.writeJSON(json, "metrics.json", for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", "metrics.json"])
            return .status(.done, worked: true)
        }
    }
}
