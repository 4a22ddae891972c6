import DSL
import Foundation
import Plan
import Support

/// Every lint message (`W03xx`), one static factory per lint, kept in alphabetical order.
/// Each ends with the help line `LintTable.why` builds from the lint's row, so the reason
/// and the source printed are the ones docs/LANGUAGE.md lists.
public enum LintDiagnostics {
    static func f(_ x: Double) -> String { Value.format(x) }

    /// An `allow` naming something that is not a warning code.
    public static func allowUnknownCode(text: String, isError: Bool, suggestion: String?, span: Span) -> Diagnostic {
        let message = isError ? "`\(text)` is an error, and errors cannot be allowed" : "`\(text)` is not a warning code"
        var help = ["`allow` takes warning codes such as `W0304` (docs/LANGUAGE.md, Lints)"]
        var fixIts: [FixIt] = []
        if !isError, let suggestion {
            help.insert("did you mean `\(suggestion)`?", at: 0)
            fixIts = [FixIt(span: span, replacement: suggestion)]
        }
        return Diagnostic(severity: .warning, code: .allowUnknownCode, message: message,
                          primary: Label(span, isError ? "an error code" : "no such warning"), help: help, fixIts: fixIts)
    }

    /// A batch larger than the training split.
    public static func batchLargerThanTrainSplit(batch: Int, rows: Int, bound: Bool, data: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .batchLargerThanTrainSplit,
                   message: "`batch_size = \(batch)` is larger than the training split of data `\(data)` (\(bound ? "at most " : "")\(rows) rows)",
                   primary: Label(span, "every batch is the whole split"),
                   help: ["use a batch size well below \(rows), e.g. \(suggestedBatch(rows: rows)), so each epoch takes several steps", LintTable.why(.batchLargerThanTrainSplit)])
    }

    /// A `dropout(p)` with a large `p` on a pretrained transformer.
    public static func dropoutHighOnTransformer(p: Double, model: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .dropoutHighOnTransformer,
                   message: "`dropout(\(f(p)))` on pretrained model `\(model)` drops \(Int((p * 100).rounded()))% of the features",
                   primary: Label(span, "p ≥ \(f(LintTable.transformerDropoutLimit))"),
                   help: ["use `dropout(0.1)` as the encoder itself does, at most a few tenths", LintTable.why(.dropoutHighOnTransformer)])
    }

    /// Fewer than `LintTable.minimumStepsPerEpoch` optimizer steps per epoch.
    public static func fewStepsPerEpoch(batch: Int, accumulate: Int, steps: Int, rows: Int, bound: Bool, data: String, span: Span) -> Diagnostic {
        let per = accumulate > 1 ? "`batch_size = \(batch)` with `accumulate = \(accumulate)`" : "`batch_size = \(batch)`"
        let largest = max(1, rows / (LintTable.minimumStepsPerEpoch * accumulate))
        return Diagnostic(severity: .warning, code: .fewStepsPerEpoch,
                          message: "\(per) leaves \(bound ? "at most " : "")\(steps) optimizer step\(steps == 1 ? "" : "s") per epoch on data `\(data)` (\(bound ? "at most " : "")\(rows) training rows)",
                          primary: Label(span, "fewer than \(LintTable.minimumStepsPerEpoch) steps per epoch"),
                          help: ["use a batch size of at most \(largest) for \(LintTable.minimumStepsPerEpoch) steps per epoch", LintTable.why(.fewStepsPerEpoch)])
    }

    /// A learning rate far outside the usual range (`what`: what the optimizer trains, `range`: the table's row).
    public static func learningRateUnusual(lr: Double, optimizer: String, what: String, range: LintTable.LearningRateRange, span: Span) -> Diagnostic {
        let usual = range.usual
        let high = lr > usual.upperBound
        return Diagnostic(severity: .warning, code: .learningRateUnusual,
                          message: "learning rate \(f(lr)) is far \(high ? "above" : "below") the usual \(f(usual.lowerBound)) to \(f(usual.upperBound)) for `\(optimizer)` \(what)",
                          primary: Label(span, "more than \(Int(LintTable.farFactor))× \(high ? "above" : "below") the usual range"),
                          help: ["use a rate between \(f(usual.lowerBound)) and \(f(usual.upperBound)), the usual range for `\(optimizer)` on \(range.regime.rawValue)",
                                 LintTable.why(.learningRateUnusual, source: range.source)])
    }

    /// `plateau` patience that leaves no epoch at a lowered rate.
    public static func plateauPatienceTooLong(patience: Int, epochs: Int, defaulted: Bool, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .plateauPatienceTooLong,
                   message: "`plateau` with patience \(patience)\(defaulted ? " (the default)" : "") never lowers the rate within \(epochs) epoch\(epochs == 1 ? "" : "s")",
                   primary: Label(span, "the earliest reduction is after epoch \(patience + 2)"),
                   help: ["set `patience` to at most \(max(0, epochs - 3)) (e.g. `plateau(factor: 0.5, patience: \(max(0, min(3, epochs - 3))))`), or train more epochs", LintTable.why(.plateauPatienceTooLong)])
    }

    /// A step-wise decay that reaches (almost) zero before the last epoch.
    public static func scheduleDecaysToZero(schedule: String, factor: Double, fromEpoch: Int, epochs: Int, countsSteps: Bool, span: Span) -> Diagnostic {
        var help = ["decay more slowly (a `gamma` closer to 1, a longer period) or train fewer epochs", LintTable.why(.scheduleDecaysToZero)]
        if countsSteps { help.insert("a bare count counts optimizer steps; write `N epochs` to count epochs", at: 0) }
        return Diagnostic(severity: .warning, code: .scheduleDecaysToZero,
                          message: "`\(schedule)` brings the learning rate below a thousandth of its base from epoch \(fromEpoch) of \(epochs)",
                          primary: Label(span, "\(String(format: "%.1e", factor)) of the base rate at the last epoch"),
                          help: help)
    }

    /// Selecting on the training split rewards overfitting.
    public static func selectionOnTrain(metric: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .selectionOnTrain, message: "choosing trials by `\(metric)` ranks them on the data they were trained on",
                   primary: Label(span, "train data used for selection"),
                   help: ["select on the validation split, e.g. `valid.\(metric.split(separator: ".").last ?? "accuracy")`", LintTable.why(.selectionOnTrain)])
    }

    /// A linear sweep axis spanning decades.
    public static func sweepAxisLinearOverDecades(path: String, low: Double, high: Double, isUniform: Bool, span: Span) -> Diagnostic {
        let decades = Int((log10(high / low)).rounded(.down))
        let fix = isUniform ? "use `loguniform(\(f(low)), \(f(high)))`"
            : "use log-spaced values such as `[\(logSpaced(low, high).map(f).joined(separator: ", "))]`"
        return Diagnostic(severity: .warning, code: .sweepAxisLinearOverDecades,
                          message: "`\(path)` spans \(decades) decades (\(f(low)) to \(f(high))) on a linear scale",
                          primary: Label(span, isUniform ? "uniform draws: most land in the top decade" : "most values in the top decade"),
                          help: [fix, LintTable.why(.sweepAxisLinearOverDecades)])
    }

    /// Long fine-tuning without early stopping.
    public static func tooManyEpochsForFineTuning(epochs: Int, model: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .tooManyEpochsForFineTuning,
                   message: "\(epochs) epochs of fine-tuning pretrained model `\(model)` with no `early_stop`",
                   primary: Label(span, "usual: \(LintTable.usualFineTuningEpochs.lowerBound) to \(LintTable.usualFineTuningEpochs.upperBound) epochs"),
                   help: ["train \(LintTable.usualFineTuningEpochs.lowerBound) to \(LintTable.usualFineTuningEpochs.upperBound) epochs, or add `early_stop = {metric: valid.loss, patience: 2}`", LintTable.why(.tooManyEpochsForFineTuning)])
    }

    /// Warm-up that never ends (`warmup`, `total`: counts with their unit, `5 epochs`, `at most 120 steps`).
    public static func warmupLongerThanTraining(warmup: String, total: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .warmupLongerThanTraining,
                   message: "a warm-up of \(warmup) is as long as the whole stage (\(total))",
                   primary: Label(span, "the rate never stops rising"),
                   help: ["warm up for a fraction of training, e.g. `warmup: 0.1`", LintTable.why(.warmupLongerThanTraining)])
    }

    /// Weight decay on an encoder's biases and norms without a decision.
    public static func weightDecayOnBiasAndNorm(optimizer: String, weightDecay: Double, defaulted: Bool, model: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .weightDecayOnBiasAndNorm,
                   message: "`\(optimizer)` applies weight decay \(f(weightDecay))\(defaulted ? " (its default)" : "") to the biases and LayerNorm weights of pretrained model `\(model)`",
                   primary: Label(span, "no `no_decay` decision"),
                   help: ["add `no_decay: bias_and_norm` (BERT's and Hugging Face's grouping), or write `no_decay: none` to keep decaying them", LintTable.why(.weightDecayOnBiasAndNorm)])
    }

    // MARK: Suggestions

    /// The largest usual batch size that keeps the minimum steps per epoch, else a power of two that does.
    static func suggestedBatch(rows: Int) -> Int {
        let limit = max(1, rows / LintTable.minimumStepsPerEpoch)
        if let usual = LintTable.usualBatchSizes.last(where: { $0 <= limit }) { return usual }
        var b = 1
        while b * 2 <= limit { b *= 2 }
        return b
    }

    /// One value per decade from `low` to `high` (both included).
    static func logSpaced(_ low: Double, _ high: Double) -> [Double] {
        let n = Int(log10(high / low).rounded())
        return (0...max(1, n)).map { i in i == max(1, n) ? high : Double(String(format: "%.12g", low * pow(10, Double(i))))! }
    }
}
