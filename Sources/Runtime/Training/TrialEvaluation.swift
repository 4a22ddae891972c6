import Foundation
import Kernels
import Plan
import Support

/// Evaluation of a model on whole splits (dropout off, no penalties): predictions,
/// the trial's loss (`TrialLoss`, the weighted sum of its criteria), accuracy,
/// precision/recall/F1 (unsuffixed: binary, the positive class 1, with two classes;
/// macro over the classes present in labels or predictions otherwise, as
/// scikit-learn's defaults — see `ClassificationScores`), ROC AUC, the confusion
/// matrix and MSE.
public enum TrialEvaluation {
    /// Rows per forward pass when evaluating (results do not depend on it).
    static let chunk = 512

    /// The model's outputs for every row of `split` (rows × outputs), dropout off.
    public static func outputs(of model: MLPModel, on split: DataSplit) -> [Float] {
        let inputs = model.encoder.map { $0.features(of: split) } ?? split.features
        return outputs(of: model, inputs: inputs, rows: split.rowCount)
    }

    /// The outputs (rows × outputs) of the layers above the input for `inputs`: rows × the
    /// features, or rows × the encoder's pooled width; in chunks of `chunk` rows from row 0,
    /// so the same rows give the same bits whoever calls (eval, ensemble, `ftx predict`).
    static func outputs(of model: MLPModel, inputs: [Float], rows: Int) -> [Float] {
        let tape = Tape()
        tape.gradientsEnabled = false
        var rng = SeededGenerator(seed: 0)  // unused: dropout is off
        var out = [Float]()
        out.reserveCapacity(rows * model.outputs)
        let width = rows == 0 ? 0 : inputs.count / rows
        var start = 0
        while start < rows {
            let n = min(chunk, rows - start)
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
    /// (the trial's weighted sum of criteria without penalties, on the probabilities), plus the
    /// requested class metrics for class targets (`classificationMetrics`), mse for regression
    /// (and for any target when listed).
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
            out += classificationMetrics(labels: split.labels.map(Int.init), probabilities: p, width: width, criterion: criterion,
                                         requested: requested, prefix: prefix)
        }
        if !classes || requested.contains("mse") { out.append((prefix + ".mse", sq)) }
        return out
    }

    /// The class metrics of `requested` (accuracy also when nothing is requested) from class
    /// ids and predicted probabilities (rows × `width`), named `PREFIX.NAME`.
    public static func classificationMetrics(labels: [Int], probabilities p: [Float], width: Int, criterion: LossSpec.Criterion,
                                             requested: [String], prefix: String) -> [(key: String, value: Double)] {
        var out: [(key: String, value: Double)] = []
        let predicted = predictions(probabilities: p, width: width)
        if requested.isEmpty || requested.contains("accuracy") {
            out.append((prefix + ".accuracy", Double(zip(labels, predicted).filter { $0 == $1 }.count) / Double(max(labels.count, 1))))
        }
        let count = classCount(width: width, criterion: criterion)
        let scores = ClassificationScores(labels: labels, predicted: predicted, classes: count)
        for name in scoreNames where requested.contains(name) {
            if let v = scores.score(name, binary: count == 2) { out.append((prefix + "." + name, v)) }
        }
        if requested.contains("roc_auc") {
            out.append((prefix + ".roc_auc", ClassificationScores.rocAUC(labels: labels, probabilities: p, width: width, classes: count)))
        }
        return out
    }

    /// The precision/recall/F1 metric names, in the order records list them (`f1` first:
    /// records written before the others existed list it right after `accuracy`).
    static let scoreNames = ["f1", "precision", "recall", "precision_micro", "recall_micro", "f1_micro",
                             "precision_binary", "recall_binary", "f1_binary"]

    /// Classes a classification criterion scores: 2 for `bce` (one logit), else the outputs.
    static func classCount(width: Int, criterion: LossSpec.Criterion) -> Int {
        if case .bce = criterion { return 2 }
        return width
    }

    /// The predicted class per row: argmax (first on ties), or probability > 0.5 with one output.
    static func predictions(probabilities p: [Float], width: Int) -> [Int] {
        guard width > 1 else { return p.map { $0 > 0.5 ? 1 : 0 } }
        return (0..<(p.count / width)).map { r in
            var best = 0
            for c in 1..<width where p[r * width + c] > p[r * width + best] { best = c }
            return best
        }
    }

    /// What a split's scalars cannot hold, for a classification criterion with labels: the
    /// confusion matrix when `confusion` is requested, per-class precision, recall, F1 and
    /// support when any precision/recall/F1 metric is, per-class ROC AUC with `roc_auc`.
    /// `labels` names the classes (column and row headers); nil when nothing applies.
    public static func classification(labels: [Int], probabilities p: [Float], width: Int, criterion: LossSpec.Criterion,
                                      requested: [String], classNames: [String]) -> JSONValue? {
        if case .mse = criterion { return nil }
        guard !labels.isEmpty, labels.count * width == p.count else { return nil }
        let wantsConfusion = requested.contains("confusion"), wantsAUC = requested.contains("roc_auc")
        let wantsPerClass = requested.contains { scoreNames.contains($0) }
        guard wantsConfusion || wantsAUC || wantsPerClass else { return nil }
        let count = classCount(width: width, criterion: criterion)
        let scores = ClassificationScores(labels: labels, predicted: predictions(probabilities: p, width: width), classes: count)
        let names = classNames.count == count ? classNames : (0..<count).map(String.init)
        var fields: [(key: String, value: JSONValue)] = [("labels", .array(names.map { .string($0) }))]
        if wantsConfusion { fields.append(("confusion", .array(scores.confusion.map { .array($0.map { .int($0) }) }))) }
        var perClass: [(key: String, value: JSONValue)] = []
        if wantsPerClass {
            let all = 0..<count
            perClass += [("precision", .array(all.map { .double(scores.precision($0)) })),
                         ("recall", .array(all.map { .double(scores.recall($0)) })),
                         ("f1", .array(all.map { .double(scores.f1($0)) })),
                         ("support", .array(scores.support.map { .int($0) }))]
        }
        if wantsAUC {
            let auc = ClassificationScores.rocAUCPerClass(labels: labels, probabilities: p, width: width, classes: count)
            perClass.append(("roc_auc", .array(auc.map { .double($0) })))
        }
        if !perClass.isEmpty { fields.append(("per_class", .object(perClass))) }
        return .object(fields)
    }

    /// Evaluates `model` on the valid and test splits (those with rows).
    public static func evaluate(_ model: MLPModel, data: PreparedData, loss: TrialLoss,
                                requested: [String], splits: [SplitName] = [.valid, .test]) -> [(key: String, value: Double)] {
        report(model, data: data, loss: loss, requested: requested, splits: splits).metrics
    }

    /// `evaluate`'s metrics, plus each split's `classification` record (by split name, for
    /// the splits where one applies).
    public static func report(_ model: MLPModel, data: PreparedData, loss: TrialLoss, requested: [String],
                              splits: [SplitName]) -> (metrics: [(key: String, value: Double)], classification: [(key: String, value: JSONValue)]) {
        var out: [(key: String, value: Double)] = []
        var tables: [(key: String, value: JSONValue)] = []
        for name in splits {
            let split = data[name]
            guard split.rowCount > 0 else { continue }
            let o = outputs(of: model, on: split)
            let p = probabilities(outputs: o, width: model.outputs, criterion: loss.criterion)
            out += metrics(probabilities: p, outputs: o, width: model.outputs, split: split, loss: loss,
                           requested: requested, prefix: name.rawValue)
            if split.labels.count == split.rowCount,
               let c = classification(labels: split.labels.map(Int.init), probabilities: p, width: model.outputs, criterion: loss.criterion,
                                      requested: requested, classNames: data.classNames) {
                tables.append((name.rawValue, c))
            }
        }
        return (out, tables)
    }
}
