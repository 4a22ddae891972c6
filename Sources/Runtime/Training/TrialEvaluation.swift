import Foundation
import Kernels
import Plan
import Support

/// Evaluation of a model on whole splits (dropout off, no penalties): predictions,
/// the trial's loss (`TrialLoss`, the weighted sum of its criteria), accuracy,
/// F1 (binary: the positive class 1; multiclass: macro over the classes
/// present in labels or predictions, as scikit-learn) and MSE.
public enum TrialEvaluation {
    /// Rows per forward pass when evaluating (results do not depend on it).
    static let chunk = 512

    /// The model's outputs for every row of `split` (rows × outputs), dropout off.
    public static func outputs(of model: MLPModel, on split: DataSplit) -> [Float] {
        let tape = Tape()
        tape.gradientsEnabled = false
        var rng = SeededGenerator(seed: 0)  // unused: dropout is off
        var out = [Float]()
        out.reserveCapacity(split.rowCount * model.outputs)
        let width = model.encoder?.width ?? split.featureCount
        let inputs = model.encoder.map { $0.features(of: split) } ?? split.features
        var start = 0
        while start < split.rowCount {
            let n = min(chunk, split.rowCount - start)
            tape.reset()
            let x = Tensor(shape: [n, width], data: Array(inputs[(start * width)..<((start + n) * width)]))
            let y = model.forward(tape.input(x), on: tape, training: false, rng: &rng)
            out += tape.value(y).toArray()
            start += n
        }
        return out
    }

    /// Predicted probabilities (cross-entropy: softmax per row; bce: sigmoid of
    /// the logit; mse: the prediction itself) from raw outputs.
    public static func probabilities(outputs: [Float], width: Int, criterion: LossSpec.Criterion) -> [Float] {
        switch criterion {
        case .mse: return outputs
        case .bce: return outputs.map { 1 / (1 + Foundation.exp(-$0)) }
        case .crossEntropy, .focal:
            var p = outputs
            let rows = width == 0 ? 0 : outputs.count / width
            p.withUnsafeMutableBufferPointer { b in
                outputs.withUnsafeBufferPointer { o in
                    softmaxRows(o.baseAddress!, out: b.baseAddress!, rows: rows, cols: width)
                }
            }
            return p
        }
    }

    /// Metrics of `split` from predicted probabilities (rows × width): `PREFIX.loss`
    /// (the trial's weighted sum of criteria without penalties, on the probabilities), plus accuracy and
    /// f1 for class targets, mse for regression (and for any target when listed).
    /// With `outputs` (the raw logits), the loss is computed from them in float64
    /// (log-sum-exp) rather than from the rounded probabilities.
    public static func metrics(probabilities p: [Float], outputs: [Float]? = nil, width: Int, split: DataSplit,
                               loss trialLoss: TrialLoss, requested: [String], prefix: String) -> [(key: String, value: Double)] {
        let n = split.rowCount
        guard n > 0 else { return [] }
        let criterion = trialLoss.criterion
        switch criterion {  // unlabelled splits have nothing to score against
        case .crossEntropy, .focal: guard split.labels.count == n else { return [] }
        case .bce, .mse: guard split.targets.count == n else { return [] }
        }
        var out: [(key: String, value: Double)] = []
        var loss = TrialLoss.SplitAccumulator(trialLoss)
        var predicted = [Int](repeating: 0, count: n)
        var sq = 0.0
        switch criterion {
        case .crossEntropy, .focal:
            for r in 0..<n {
                let row = p[(r * width)..<((r + 1) * width)]
                let y = Int(split.labels[r])
                let logs: [Double]
                if let outputs {
                    let x = outputs[(r * width)..<((r + 1) * width)].map(Double.init)
                    let m = x.max() ?? 0
                    let lse = m + Foundation.log(x.reduce(0) { $0 + Foundation.exp($1 - m) })
                    logs = x.map { $0 - lse }
                } else {
                    logs = row.map { Foundation.log(max(Double($0), 1e-45)) }
                }
                loss.add(logProbabilities: logs, label: y)
                var best = 0
                for c in 1..<width where row[row.startIndex + c] > row[row.startIndex + best] { best = c }
                predicted[r] = best
                for c in 0..<width {
                    let t: Double = c == y ? 1 : 0
                    sq += (Double(row[row.startIndex + c]) - t) * (Double(row[row.startIndex + c]) - t)
                }
            }
            sq /= Double(n * width)
        case .bce:
            for r in 0..<n {
                let q = min(max(Double(p[r]), 1e-12), 1 - 1e-12), t = Double(split.targets[r])
                loss.add(logit: outputs.map { Double($0[r]) }, probability: q, target: t)
                predicted[r] = p[r] > 0.5 ? 1 : 0
                sq += (Double(p[r]) - t) * (Double(p[r]) - t)
            }
            sq /= Double(n)
        case .mse:
            for r in 0..<n { let d = Double(p[r]) - Double(split.targets[r]); sq += d * d; loss.add(error: d) }
            sq /= Double(n)
        }
        out.append((prefix + ".loss", loss.value))
        let classes: Bool
        if case .mse = criterion { classes = false } else { classes = true }
        if classes && !split.labels.isEmpty {
            let labels = split.labels.map(Int.init)
            if requested.isEmpty || requested.contains("accuracy") {
                out.append((prefix + ".accuracy", Double(zip(labels, predicted).filter { $0 == $1 }.count) / Double(n)))
            }
            if requested.contains("f1") {
                let binary: Bool
                if case .bce = criterion { binary = true } else { binary = width == 2 }
                out.append((prefix + ".f1", f1(labels: labels, predicted: predicted, binary: binary)))
            }
        }
        if !classes || requested.contains("mse") { out.append((prefix + ".mse", sq)) }
        return out
    }

    /// Binary F1 of class 1, or macro F1 over the classes present in labels or predictions.
    public static func f1(labels: [Int], predicted: [Int], binary: Bool) -> Double {
        func score(_ c: Int) -> Double {
            var tp = 0, fp = 0, fn = 0
            for (y, q) in zip(labels, predicted) {
                if q == c && y == c { tp += 1 } else if q == c { fp += 1 } else if y == c { fn += 1 }
            }
            let d = 2 * tp + fp + fn
            return d == 0 ? 0 : Double(2 * tp) / Double(d)
        }
        if binary { return score(1) }
        let present = Set(labels).union(predicted).sorted()
        guard !present.isEmpty else { return 0 }
        return present.map(score).reduce(0, +) / Double(present.count)
    }

    /// Evaluates `model` on the valid and test splits (those with rows).
    public static func evaluate(_ model: MLPModel, data: PreparedData, loss: TrialLoss,
                                requested: [String], splits: [SplitName] = [.valid, .test]) -> [(key: String, value: Double)] {
        var out: [(key: String, value: Double)] = []
        for name in splits {
            let split = data[name]
            guard split.rowCount > 0 else { continue }
            let o = outputs(of: model, on: split)
            let p = probabilities(outputs: o, width: model.outputs, criterion: loss.criterion)
            out += metrics(probabilities: p, outputs: o, width: model.outputs, split: split, loss: loss,
                           requested: requested, prefix: name.rawValue)
        }
        return out
    }
}
