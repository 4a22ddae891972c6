import Foundation

/// Classification scores of one split, as scikit-learn defines them: the confusion
/// matrix (rows = true class, columns = predicted class) and what derives from it,
/// plus ROC AUC from predicted probabilities. Separate from `TrialEvaluation` because
/// these are pure functions of (labels, predictions, probabilities) with a reference
/// of their own (`Tests/Fixtures/golden/classification_metrics.json`, scikit-learn).
///
/// Conventions (scikit-learn's defaults):
/// - A ratio whose denominator is 0 (precision of a class never predicted, recall of a
///   class absent from the split) is 0 (`zero_division="warn"` returns 0).
/// - F1 of a class is 2·tp / (2·tp + fp + fn), 0 when that denominator is 0.
/// - Macro averages are over the classes present in the labels or the predictions
///   (`unique_labels(y_true, y_pred)`), micro averages pool those classes' counts.
/// - Binary scores are those of the positive class, class id 1.
/// - ROC AUC of one class against the rest is the Mann–Whitney statistic with tied
///   scores counting ½ (equal to the trapezoidal area under scikit-learn's ROC curve);
///   it is NaN for a class with no positive or no negative row in the split
///   (scikit-learn raises there). The one-vs-rest macro AUC averages the classes where
///   it is defined (scikit-learn's `multi_class="ovr", average="macro"` when every
///   class occurs, which it requires) and is NaN when none is.
public struct ClassificationScores: Sendable, Equatable {
    /// Number of classes (the model's outputs; 2 for `bce`).
    public let classes: Int
    /// `confusion[t][p]`: rows whose true class is `t` and predicted class is `p`.
    public let confusion: [[Int]]

    /// Counts the (true, predicted) pairs; class ids outside 0..<classes are ignored.
    public init(labels: [Int], predicted: [Int], classes: Int) {
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(labels, predicted) where (0..<classes).contains(t) && (0..<classes).contains(p) { m[t][p] += 1 }
        self.classes = classes
        self.confusion = m
    }

    /// Rows of each true class.
    public var support: [Int] { confusion.map { $0.reduce(0, +) } }
    /// Rows predicted as each class.
    var predictedCounts: [Int] { (0..<classes).map { c in confusion.reduce(0) { $0 + $1[c] } } }
    /// Classes that occur as a label or a prediction, ascending.
    var present: [Int] { (0..<classes).filter { support[$0] > 0 || predictedCounts[$0] > 0 } }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// tp / (tp + fp) of class `c`.
    public func precision(_ c: Int) -> Double { Self.ratio(confusion[c][c], predictedCounts[c]) }
    /// tp / (tp + fn) of class `c`.
    public func recall(_ c: Int) -> Double { Self.ratio(confusion[c][c], support[c]) }
    /// 2·tp / (2·tp + fp + fn) of class `c`.
    public func f1(_ c: Int) -> Double { Self.ratio(2 * confusion[c][c], predictedCounts[c] + support[c]) }

    /// The mean of `score` over the present classes (0 when none is).
    public func macro(_ score: (Int) -> Double) -> Double {
        let p = present
        return p.isEmpty ? 0 : p.map(score).reduce(0, +) / Double(p.count)
    }

    /// Pooled precision, recall and F1 over the present classes (each equals accuracy here,
    /// since every row has one label and one prediction).
    public var micro: (precision: Double, recall: Double, f1: Double) {
        let p = present
        let tp = p.reduce(0) { $0 + confusion[$1][$1] }
        let predicted = p.reduce(0) { $0 + predictedCounts[$1] }, actual = p.reduce(0) { $0 + support[$1] }
        return (Self.ratio(tp, predicted), Self.ratio(tp, actual), Self.ratio(2 * tp, predicted + actual))
    }

    /// The metric `name` (`precision`, `recall_micro`, `f1_binary`, …), with `binary`
    /// saying whether the unsuffixed names score class 1 (two classes) or macro-average.
    /// Nil for names that are not a precision, recall or F1.
    public func score(_ name: String, binary: Bool) -> Double? {
        let parts = name.split(separator: "_", maxSplits: 1).map(String.init)
        let per: (Int) -> Double
        switch parts[0] {
        case "precision": per = precision
        case "recall": per = recall
        case "f1": per = f1
        default: return nil
        }
        switch parts.count == 2 ? parts[1] : (binary ? "binary" : "macro") {
        case "binary": return classes > 1 ? per(1) : 0
        case "macro": return macro(per)
        case "micro":
            let m = micro
            return parts[0] == "precision" ? m.precision : parts[0] == "recall" ? m.recall : m.f1
        default: return nil
        }
    }

    /// ROC AUC of `scores` for `positives` (true = positive row): P(score of a random
    /// positive > that of a random negative) + ½ P(equal). NaN without positives or negatives.
    public static func rocAUC(scores: [Double], positives: [Bool]) -> Double {
        let pos = positives.filter { $0 }.count, neg = positives.count - pos
        guard pos > 0, neg > 0 else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0  // 1-based ranks of the positives, ties given their mean rank
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j where positives[order[k]] { rankSum += rank }
            i = j + 1
        }
        return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }

    /// Binary (`classes` 2): the AUC of class 1's probability; more classes: the one-vs-rest
    /// macro AUC over the classes where it is defined. `probabilities` is rows × `width`
    /// (`width` 1: the probability of class 1, as `bce` gives).
    public static func rocAUC(labels: [Int], probabilities: [Float], width: Int, classes: Int) -> Double {
        if classes == 2 { return rocAUC(scores: column(1, of: probabilities, width: width), positives: labels.map { $0 == 1 }) }
        let defined = rocAUCPerClass(labels: labels, probabilities: probabilities, width: width, classes: classes).filter { !$0.isNaN }
        return defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }

    /// Per-class ROC AUC, one-vs-rest (NaN where undefined).
    public static func rocAUCPerClass(labels: [Int], probabilities: [Float], width: Int, classes: Int) -> [Double] {
        (0..<classes).map { c in rocAUC(scores: column(c, of: probabilities, width: width), positives: labels.map { $0 == c }) }
    }

    /// Class `c`'s probability per row (`width` 1: the column is class 1's, class 0's is its complement).
    static func column(_ c: Int, of probabilities: [Float], width: Int) -> [Double] {
        width == 1 ? probabilities.map { c == 1 ? Double($0) : 1 - Double($0) }
            : stride(from: c, to: probabilities.count, by: width).map { Double(probabilities[$0]) }
    }
}
