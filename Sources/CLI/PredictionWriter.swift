import Foundation
import Runtime
import Support

/// The rows `ftx predict` writes, one per input row, in input order.
///
/// CSV (default, `--csv`): `row,label,p_CLASS…` — `row` the input's 0-based data row (header
/// excluded, as error messages count), `label` the predicted class's original value, one
/// probability per class; regression: `row,value`.
/// JSON Lines (`--json`): `{"row":0,"label":"7","probabilities":{"0":…,…},"logits":[…]}`
/// (an ensemble: `"member_logits":[[…],…]`, one list per member); regression
/// `{"row":0,"value":…,"logits":[…]}`. Numbers are Float32 in their shortest round-trip form.
/// A `bce` model's probability of its second class is the sigmoid of its one logit, the
/// first class's 1 − that.
struct PredictionWriter {
    let predictor: Predictor
    let json: Bool

    private var classes: [String] { predictor.target.classNames }
    private var isRegression: Bool {
        if case .mse = predictor.target.criterion { return true }
        return false
    }
    private var isBinaryLogit: Bool {
        if case .bce = predictor.target.criterion { return true }
        return false
    }

    /// Class names for columns, by class id (numbers when the model has more outputs than names).
    private var columnClasses: [String] {
        let count = isBinaryLogit ? 2 : predictor.outputCount
        return (0..<count).map { $0 < classes.count ? classes[$0] : String($0) }
    }

    var header: String {
        guard !json else { return "" }
        if isRegression { return "row,value\n" }
        return (["row", "label"] + columnClasses.map { "p_" + $0 }).map(ExperimentResults.csvField).joined(separator: ",") + "\n"
    }

    /// The probabilities of row `r` by class.
    private func probabilities(_ out: Predictor.Output, _ r: Int) -> [Float] {
        if isBinaryLogit { let p = out.probabilities[r]; return [1 - p, p] }
        let w = predictor.outputCount
        return Array(out.probabilities[(r * w)..<((r + 1) * w)])
    }

    func lines(rows: [Int], _ out: Predictor.Output) -> String {
        var text = ""
        let names = columnClasses, w = predictor.outputCount
        for (r, row) in rows.enumerated() {
            if isRegression {
                let value = out.probabilities[r * w]
                if json {
                    text += "{\"row\":\(row),\"value\":\(JSONWriter.format(value)),\(logits(out, r))}\n"
                } else {
                    text += "\(row),\(JSONWriter.format(value))\n"
                }
                continue
            }
            let label = names[out.classes[r]]
            let p = probabilities(out, r)
            if json {
                let probs = zip(names, p).map { "\(JSONWriter.quote($0)):\(JSONWriter.format($1))" }.joined(separator: ",")
                text += "{\"row\":\(row),\"label\":\(JSONWriter.quote(label)),\"probabilities\":{\(probs)},\(logits(out, r))}\n"
            } else {
                text += ([String(row), ExperimentResults.csvField(label)] + p.map { JSONWriter.format($0) }).joined(separator: ",") + "\n"
            }
        }
        return text
    }

    private func logits(_ out: Predictor.Output, _ r: Int) -> String {
        let w = predictor.outputCount
        func list(_ l: [Float]) -> String { "[" + l[(r * w)..<((r + 1) * w)].map { JSONWriter.format($0) }.joined(separator: ",") + "]" }
        if out.memberLogits.count == 1 { return "\"logits\":" + list(out.memberLogits[0]) }
        return "\"member_logits\":[" + out.memberLogits.map(list).joined(separator: ",") + "]"
    }
}
