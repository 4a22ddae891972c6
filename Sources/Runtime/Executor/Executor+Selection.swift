import Foundation
import Plan
import Support

/// A stage's `select` and `ensemble` tasks: rank the trials that finished by their eval
/// metric, then record the best one, or average the top k's predicted probabilities and
/// score the mean. Separate from running trials and evals: these tasks train nothing and
/// only read other tasks' results.
extension Executor {
    /// Candidates (eval keys) that finished `done`, with their metric value, in plan order.
    func ranked(_ candidates: [String], metric: String, minimize: Bool) -> [(eval: String, train: String, value: Double)] {
        let name = EpochRecord.qualified(metric)
        var rows: [(eval: String, train: String, value: Double)] = []
        for c in candidates {
            guard let m = store.metrics(for: c), m["status"]?.stringValue == TaskStatus.done.rawValue,
                  let train = m["train"]?.stringValue, let v = m["metrics"]?[name]?.doubleValue, !v.isNaN
            else { continue }
            rows.append((c, train, v))
        }
        // Stable: ties keep plan order.
        return rows.enumerated().sorted { a, b in
            a.element.value != b.element.value ? (minimize ? a.element.value < b.element.value : a.element.value > b.element.value)
                : a.offset < b.offset
        }.map(\.element)
    }

    func runSelect(_ task: PlannedTask, metric: String, minimize: Bool, candidates: [String]) throws -> UnitResult {
        try sealedOr(task) {
            let rows = ranked(candidates, metric: metric, minimize: minimize)
            guard let best = rows.first else {
                throw TrainingError("stage \(task.stage): no trial finished with a \(metric) to select by")
            }
            let json: JSONValue = [
                "metric": .string(metric), "minimize": .bool(minimize), "selected": .string(best.train),
                "selected_eval": .string(best.eval), "value": .double(best.value),
                "ranking": .array(rows.map { ["trial": .string($0.train), "value": .double($0.value)] }),
            ]
            try store.writeJSON(json, "metrics.json", for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", "metrics.json"])
            return .status(.done, worked: true)
        }
    }

    func runEnsemble(_ task: PlannedTask, metric: String, minimize: Bool, k: Int, candidates: [String]) throws -> UnitResult {
        try sealedOr(task) {
            let members = Array(ranked(candidates, metric: metric, minimize: minimize).prefix(max(k, 1)))
            guard !members.isEmpty else { throw TrainingError("stage \(task.stage): no trial finished to ensemble") }
            var data: PreparedData?
            var criterion: LossSpec.Criterion = .mse
            var requested: [String] = []
            var width = 0
            var sums: [SplitName: [Double]] = [:]
            for member in members {
                guard case .eval(_, let spec)? = graph.task(member.eval)?.payload else {
                    throw TrainingError("ensemble member \(member.eval) is not an eval task")
                }
                let model = try MLPModel.trained(spec: spec.model, weights: store.path("final.safetensors", for: member.train))
                if data == nil {
                    data = try Trainer.prepareData(spec, model: model)
                    criterion = spec.loss.criterion
                    requested = spec.metrics
                    width = model.outputs
                }
                guard model.outputs == width else { throw TrainingError("ensemble members have different output widths") }
                for name in [SplitName.valid, .test] where data![name].rowCount > 0 {
                    let p = TrialEvaluation.probabilities(outputs: TrialEvaluation.outputs(of: model, on: data![name]),
                                                          width: width, criterion: criterion)
                    var acc = sums[name] ?? [Double](repeating: 0, count: p.count)
                    for j in p.indices { acc[j] += Double(p[j]) }
                    sums[name] = acc
                }
            }
            var metrics: [(key: String, value: Double)] = []
            var classification: [(key: String, value: JSONValue)] = []
            for name in [SplitName.valid, .test] {
                guard let s = sums[name] else { continue }
                let mean = s.map { Float($0 / Double(members.count)) }
                metrics += TrialEvaluation.metrics(probabilities: mean, width: width, split: data![name], criterion: criterion,
                                                   requested: requested, prefix: name.rawValue)
                if data![name].labels.count == data![name].rowCount,
                   let c = TrialEvaluation.classification(labels: data![name].labels.map(Int.init), probabilities: mean, width: width, criterion: criterion,
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
