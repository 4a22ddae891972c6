import Foundation
import Kernels
import Plan
import Support

/// A stage's `LossSpec` made concrete for one trial: `balanced` class weights are
/// computed from the trial's train split (after the stage's `where`), and every
/// weight list is checked against the model's outputs. The trainer builds its loss
/// nodes from it, and the evaluation reports `PREFIX.loss` with it, so the metric
/// is the same weighted sum of criteria as the training loss (without penalties).
public struct TrialLoss: Sendable {
    /// One `weight * criterion(…)` term with its class weights as numbers.
    public struct Term: Sendable {
        public let criterion: LossSpec.Criterion
        public let weight: Double
        /// Per-class weights of `cross_entropy`/`focal`; nil = all 1.
        public let classWeights: [Float]?
        /// `pos_weight` of `bce`; 1 = unweighted.
        public let posWeight: Float
    }

    public let terms: [Term]

    /// The criterion that decides the target kind and the predictions (all terms share it).
    public var criterion: LossSpec.Criterion { terms[0].criterion }

    /// Resolves `spec` for a model with `outputs` outputs trained on `train`.
    public init(_ spec: LossSpec, train: DataSplit, outputs: Int) throws {
        try self.init(spec, trainLabels: train.labels, trainTargets: train.targets, outputs: outputs)
    }

    /// Resolves `spec` from the train split's class ids (class criteria) or 0/1 targets (`bce`).
    public init(_ spec: LossSpec, trainLabels: [Int32], trainTargets: [Float], outputs: Int) throws {
        terms = try spec.terms.map { term in
            let name = term.criterion.name
            switch term.criterion {
            case .crossEntropy, .focal:
                let weights = try term.classWeights.map { try Self.classWeights($0, loss: name, labels: trainLabels, classes: outputs) }
                return Term(criterion: term.criterion, weight: term.weight, classWeights: weights, posWeight: 1)
            case .bce:
                let pw = try term.classWeights.map { try Self.positiveWeight($0, targets: trainTargets) } ?? 1
                return Term(criterion: term.criterion, weight: term.weight, classWeights: nil, posWeight: pw)
            case .mse:
                return Term(criterion: term.criterion, weight: term.weight, classWeights: nil, posWeight: 1)
            }
        }
    }

    /// `weights: [...]` checked against the classes, or `balanced` as scikit-learn's
    /// `compute_class_weight("balanced")`: w_c = n / (C·n_c) over the train rows. Like
    /// scikit-learn, a class without train rows is an error (its weight would be infinite).
    static func classWeights(_ weights: LossSpec.ClassWeights, loss: String, labels: [Int32], classes: Int) throws -> [Float] {
        switch weights {
        case .values(let w):
            guard w.count == classes else {
                throw TrainingError("`\(loss)(weights: …)` has \(w.count) class weights but the model outputs \(classes) classes; give one weight per class")
            }
            return w.map { Float($0) }
        case .balanced:
            var counts = [Int](repeating: 0, count: classes)
            for y in labels where Int(y) < classes { counts[Int(y)] += 1 }
            if let empty = counts.firstIndex(of: 0) {
                throw TrainingError("`\(loss)(weights: balanced)`: class \(empty) has no rows in the train split (after the stage's `where`), so its balanced weight n / (C·n_c) is undefined; give the weights as a list, e.g. `weights: [\((0..<classes).map { _ in "1" }.joined(separator: ", "))]`")
            }
            let n = Double(labels.count), c = Double(classes)
            return counts.map { Float(n / (c * Double($0))) }
        }
    }

    /// `pos_weight: k`, or `balanced` = n_negative / n_positive over the train rows.
    static func positiveWeight(_ weights: LossSpec.ClassWeights, targets: [Float]) throws -> Float {
        switch weights {
        case .values(let w): return Float(w.first ?? 1)
        case .balanced:
            let positive = targets.filter { $0 > 0.5 }.count
            guard positive > 0 else {
                throw TrainingError("`bce(pos_weight: balanced)`: the train split (after the stage's `where`) has no positive rows, so n_negative / n_positive is undefined; give `pos_weight` as a number")
            }
            return Float(Double(targets.count - positive) / Double(positive))
        }
    }

    // MARK: Training

    /// The loss node for a batch: Σ_k weight_k · criterion_k(output). `output` (n, outputs);
    /// class ids for cross-entropy and focal, float targets for mse/bce. With mixup
    /// (`mixWeight` < 1) a class criterion is λ·L(labels) + (1 − λ)·L(mixLabels).
    public func node(output: Variable, on tape: Tape, labels: [Int], mixLabels: [Int]?, mixWeight: Float, targets: Tensor?) throws -> Variable {
        var total: Variable?
        for term in terms {
            var v = try node(term, output: output, on: tape, labels: labels, mixLabels: mixLabels, mixWeight: mixWeight, targets: targets)
            if term.weight != 1 { v = tape.scale(v, by: Float(term.weight)) }
            total = total.map { tape.add($0, v) } ?? v
        }
        return total!
    }

    private func node(_ term: Term, output: Variable, on tape: Tape, labels: [Int], mixLabels: [Int]?, mixWeight: Float,
                      targets: Tensor?) throws -> Variable {
        func classes(_ make: ([Int]) -> Variable) -> Variable {
            let base = make(labels)
            guard let mixLabels, mixWeight != 1 else { return base }
            return tape.add(tape.scale(base, by: mixWeight), tape.scale(make(mixLabels), by: 1 - mixWeight))
        }
        switch term.criterion {
        case .crossEntropy(let s):
            return classes { tape.crossEntropy(output, targets: $0, labelSmoothing: Float(s), weights: term.classWeights) }
        case .focal(let gamma):
            return classes { tape.focalLoss(output, targets: $0, gamma: Float(gamma), weights: term.classWeights) }
        case .mse:
            guard let targets else { throw TrainingError("mse() needs a numeric label (regression target)") }
            guard tape.shape(output).last == 1 || tape.value(output).count == targets.count else {
                throw TrainingError("mse(): the model outputs \(tape.shape(output).last ?? 0) values per row but the target is one number; use a head of 1 unit")
            }
            return tape.mse(tape.reshape(output, [-1]), tape.input(targets))
        case .bce:
            guard let targets else { throw TrainingError("bce() needs a 0/1 label") }
            guard tape.value(output).count == targets.count else {
                throw TrainingError("bce(): the model outputs \(tape.shape(output).last ?? 0) values per row; bce needs a head of 1 unit")
            }
            return tape.binaryCrossEntropyWithLogits(tape.reshape(output, [-1]), tape.input(targets), posWeight: term.posWeight)
        }
    }

    // MARK: Evaluation

    /// The loss over a whole split, accumulated row by row in float64 and reduced per
    /// term as the training loss reduces a batch (the split as one batch): weighted
    /// mean for cross-entropy with class weights, mean over rows otherwise.
    public struct SplitAccumulator {
        let loss: TrialLoss
        var sums: [Double]
        var divisors: [Double]

        public init(_ loss: TrialLoss) {
            self.loss = loss
            sums = [Double](repeating: 0, count: loss.terms.count)
            divisors = sums
        }

        /// A row of a class criterion: its log-probabilities (log-softmax) and class id.
        public mutating func add(logProbabilities logs: [Double], label y: Int) {
            let width = Double(logs.count)
            for (k, term) in loss.terms.enumerated() {
                let wy = Double(term.classWeights?[y] ?? 1)
                switch term.criterion {
                case .crossEntropy(let s):
                    if let w = term.classWeights {
                        var l = wy * -logs[y]
                        if s != 0 {
                            var smooth = 0.0
                            for (c, lc) in logs.enumerated() { smooth -= Double(w[c]) * lc }
                            l = (1 - s) * l + s / width * smooth
                        }
                        sums[k] += l
                        divisors[k] += wy
                    } else {
                        var l = -logs[y]
                        if s != 0 { l = (1 - s) * l + s / width * logs.reduce(0) { $0 - $1 } }
                        sums[k] += l
                        divisors[k] += 1
                    }
                case .focal(let gamma):
                    let q = -Foundation.expm1(logs[y])  // 1 − p_y
                    sums[k] += -wy * (gamma == 0 ? 1 : Foundation.pow(q, gamma)) * logs[y]
                    divisors[k] += 1
                case .bce, .mse:
                    break
                }
            }
        }

        /// A row of a binary criterion: its logit `x` when known (exact), else the predicted probability `q`.
        public mutating func add(logit x: Double?, probability q: Double, target t: Double) {
            for (k, term) in loss.terms.enumerated() {
                guard case .bce = term.criterion else { continue }
                let pw = Double(term.posWeight)
                if let x {
                    if pw == 1 {
                        sums[k] += max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-abs(x)))
                    } else {
                        let softplus = max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))  // −log(1 − σ(x))
                        sums[k] += pw * t * (softplus - x) + (1 - t) * softplus
                    }
                } else {
                    sums[k] += -(pw * t * Foundation.log(q) + (1 - t) * Foundation.log(1 - q))
                }
                divisors[k] += 1
            }
        }

        /// A row of a regression criterion: prediction minus target.
        public mutating func add(error d: Double) {
            for (k, term) in loss.terms.enumerated() {
                guard case .mse = term.criterion else { continue }
                sums[k] += d * d
                divisors[k] += 1
            }
        }

        /// Σ_k weight_k · sum_k / divisor_k (a term whose divisor is 0 counts 0).
        public var value: Double {
            var total = 0.0
            for (k, term) in loss.terms.enumerated() where divisors[k] != 0 {
                let v = sums[k] / divisors[k]
                total += term.weight == 1 ? v : term.weight * v
            }
            return total
        }
    }
}
