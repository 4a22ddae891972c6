import DSL
import Plan

/// One lint: a setting that `check` accepts but that is almost surely wrong.
public struct Lint: Sendable {
    /// The warning's stable code.
    public var code: DiagnosticCode
    /// What it is about, in a few words.
    public var title: String
    /// Exactly when it fires (Markdown).
    public var threshold: String
    /// Why, in one sentence: printed as the warning's last help line and in docs/LANGUAGE.md.
    public var reason: String
    /// Where the range or the rule comes from.
    public var source: String
}

/// The one table of lints: the checker's help lines (`LintTable.why`) and the "Lints" section of
/// docs/LANGUAGE.md (`LanguageReference`) are both read from it, and so are the numbers the
/// linter compares against, so the text and the check cannot drift apart.
public enum LintTable {
    // MARK: Numbers

    /// A usual learning-rate range: for which optimizers, training what.
    public struct LearningRateRange: Sendable {
        /// What is trained: `fineTuning`, `headOnly` or `fromScratch`.
        public var regime: TrainingRegime
        public var optimizers: [OptimizerSpec.Kind]
        public var usual: ClosedRange<Double>
        public var source: String
    }

    /// What a stage trains, as far as learning rates go.
    public enum TrainingRegime: String, Sendable {
        /// A pretrained encoder some of whose parameters train (at some step).
        case fineTuning = "fine-tuning a pretrained encoder (some encoder parameter trains)"
        /// A pretrained encoder that stays frozen: only the head (and task layers) train.
        case headOnly = "a head (and task layers) on a frozen pretrained encoder"
        /// An MLP (`layers` and `head`), from a fresh start or another stage's weights.
        case fromScratch = "an MLP"
    }

    /// "Far outside" a usual range: more than this factor below its low end or above its high end.
    public static let farFactor = 10.0

    /// Sources, cited by several rows. `seeds/NNN` are the articles ftx grew out of.
    static let seed000 = "seeds/000 (预训练模型微调的超参数调试技巧)"
    static let seed001 = "seeds/001 (模型微调：让预训练模型适应你的任务)"
    static let seed002 = "seeds/002 (微调策略)"

    public static let learningRates: [LearningRateRange] = [
        LearningRateRange(regime: .fineTuning, optimizers: [.adam, .adamw], usual: 1e-5...5e-5,
                          source: "\(seed000) §3.1 and its AdamW example: 2e-5; BERT (Devlin et al. 2019, appendix A.3): 5e-5, 3e-5, 2e-5"),
        LearningRateRange(regime: .headOnly, optimizers: [.adam, .adamw], usual: 1e-4...1e-2,
                          source: "\(seed001): Adam at 1e-3; Adam's own default 1e-3 (Kingma & Ba 2015)"),
        LearningRateRange(regime: .fromScratch, optimizers: [.adam, .adamw], usual: 1e-4...1e-2,
                          source: "\(seed001): Adam at 1e-3; Adam's own default 1e-3 (Kingma & Ba 2015)"),
        LearningRateRange(regime: .headOnly, optimizers: [.sgd], usual: 1e-3...1e-1,
                          source: "Bengio 2012, Practical recommendations for gradient-based training: 0.01 as SGD's default"),
        LearningRateRange(regime: .fromScratch, optimizers: [.sgd], usual: 1e-3...1e-1,
                          source: "Bengio 2012, Practical recommendations for gradient-based training: 0.01 as SGD's default"),
    ]

    /// The usual range for an optimizer training `regime`, when the sources give one.
    public static func learningRateRange(_ regime: TrainingRegime, _ optimizer: OptimizerSpec.Kind) -> LearningRateRange? {
        learningRates.first { $0.regime == regime && $0.optimizers.contains(optimizer) }
    }

    /// A step-wise schedule whose rate falls below this fraction of its base has reached zero in effect.
    public static let effectivelyZero = 1e-3
    /// Fewer optimizer steps per epoch than this make epoch-wise rules act on too few updates.
    public static let minimumStepsPerEpoch = 10
    /// The usual batch sizes.
    public static let usualBatchSizes = [16, 32, 64]
    /// Dropout on a pretrained transformer's layers from this probability on.
    public static let transformerDropoutLimit = 0.5
    /// A sweep axis spanning at least this ratio (two decades) is on a log scale.
    public static let decadesRatio = 100.0
    /// The usual epochs of fine-tuning, and the count above which it is "many more".
    public static let usualFineTuningEpochs = 3...10
    public static let manyFineTuningEpochs = 20

    // MARK: The table

    public static let all: [Lint] = [
        Lint(code: .selectionOnTest, title: "selection on the test split",
             threshold: "`select`, `ensemble` or `prune` ranks trials by a `test.*` metric.",
             reason: "the test split must stay unseen until the final report, or its score no longer estimates new data",
             source: "\(seed002) §3.1.1 and §3.1.2: evaluate on the validation set to choose the best model"),
        Lint(code: .learningRateUnusual, title: "learning rate far outside the usual range",
             threshold: "The highest base rate any trainable parameter gets (the optimizer's `lr`, a `param_groups` entry's `lr`, `one_cycle`'s `max`; times `lr_decay^k`) "
                 + "is more than \(Int(farFactor))× below or above the usual range for the optimizer and what is trained: "
                 + learningRates.map { "\($0.optimizers.map { "`\($0.rawValue)`" }.joined(separator: "/")) on \($0.regime.rawValue): \(format($0.usual.lowerBound)) to \(format($0.usual.upperBound))" }.joined(separator: "; ")
                 + ". Other optimizers (and `sgd` on an unfrozen encoder) have no usual range in the sources and are not linted.",
             reason: "far above the usual rate training diverges (and a pretrained encoder forgets what it learned); far below it the weights barely move",
             source: Array(Set(learningRates.map(\.source))).sorted().joined(separator: "; ")),
        Lint(code: .warmupLongerThanTraining, title: "warm-up as long as training",
             threshold: "The `warmup` of `cosine` or `linear`, in steps or epochs, is at least the stage's optimizer steps (`epochs` × steps per epoch from the data's rows).",
             reason: "the rate then rises for the whole stage and never decays, which is not what a warm-up schedule is for",
             source: "Hugging Face's `get_linear_schedule_with_warmup` / `get_cosine_schedule_with_warmup`, whose semantics these are; \(seed002) §3.2.3"),
        Lint(code: .scheduleDecaysToZero, title: "schedule reaches zero before the last epoch",
             threshold: "A `step`, `multistep` or `exponential` schedule's factor is below \(format(effectivelyZero)) (a thousandth of the base rate) at the first step of the last epoch.",
             reason: "the epochs trained at a negligible rate change nothing; often `every` was meant in epochs but counts steps",
             source: "\(seed002) §3.2.3 (step and exponential decay); the threshold is ftx's"),
        Lint(code: .plateauPatienceTooLong, title: "`plateau` patience as long as training",
             threshold: "`plateau(patience: p)` with p ≥ `epochs` − 2: `ReduceLROnPlateau` lowers the rate after p + 1 epochs without improvement, at the earliest after epoch p + 2, so no epoch would train at a lowered rate.",
             reason: "the schedule then never acts (PyTorch's default patience is 10 epochs)",
             source: "PyTorch's `ReduceLROnPlateau` (mode min), whose semantics these are; \(seed000) §4 uses it"),
        Lint(code: .fewStepsPerEpoch, title: "fewer than \(minimumStepsPerEpoch) steps per epoch",
             threshold: "The training split (its rows from the data file and the split's fractions; with `where`, the unfiltered count, an upper bound) gives fewer than \(minimumStepsPerEpoch) optimizer steps per epoch at `batch_size` and `accumulate`.",
             reason: "early stopping, `plateau`, `keep_best` and ASHA act once per epoch, so on so few updates they act on noise, and the stage takes few steps in all",
             source: "\(seed000) §3.2: batch sizes of \(usualBatchSizes.map(String.init).joined(separator: ", ")); the step count is ftx's rule of thumb"),
        Lint(code: .batchLargerThanTrainSplit, title: "batch larger than the training split",
             threshold: "`batch_size` exceeds the training split's rows (counted as above).",
             reason: "every batch is then the whole split: one step per epoch, full-batch training",
             source: "\(seed000) §3.2: batch sizes of \(usualBatchSizes.map(String.init).joined(separator: ", "))"),
        Lint(code: .weightDecayOnBiasAndNorm, title: "weight decay on biases and LayerNorms of a pretrained encoder",
             threshold: "A stage trains encoder parameters of a pretrained model, an encoder bias or LayerNorm parameter gets weight decay > 0 (the optimizer's `weight_decay`, `adamw`'s default 0.01 included), the optimizer call does not write `no_decay`, and no `param_groups` entry gives that parameter its own `weight_decay`.",
             reason: "decaying biases and LayerNorm gains pulls them towards 0, which BERT's own training and Hugging Face's Trainer avoid; ftx decays every parameter by default, as `torch.optim` does",
             source: "BERT's `optimization.py` (`exclude_from_weight_decay`: LayerNorm, bias); Hugging Face Trainer (`[\"bias\", \"LayerNorm.weight\"]`); \(seed000) §3.3: weight decay 1e-4 to 1e-2"),
        Lint(code: .dropoutHighOnTransformer, title: "dropout ≥ \(format(transformerDropoutLimit)) on a transformer",
             threshold: "A `dropout(p)` in the `layers` of a `pretrained` model with p ≥ \(format(transformerDropoutLimit)).",
             reason: "pretrained transformers are trained with dropout 0.1; half the pooled features dropped is far stronger than the usual 0.1 to 0.5",
             source: "\(seed002) §3.3.1: dropout 0.1 to 0.5; BERT's `hidden_dropout_prob` 0.1"),
        Lint(code: .sweepAxisLinearOverDecades, title: "sweep axis over decades on a linear scale",
             threshold: "A numeric sweep axis whose positive values span a ratio ≥ \(Int(decadesRatio)) (two decades): a list of 3 or more values more than half of which lie in the top decade (above max/10), or `uniform(a, b)` with b/a ≥ \(Int(decadesRatio)).",
             reason: "most trials then land in the top decade and the low end is barely searched; rates and decays act on a log scale",
             source: "Bergstra & Bengio 2012, Random search for hyper-parameter optimization (learning rates sampled on a log scale)"),
        Lint(code: .tooManyEpochsForFineTuning, title: "many epochs of fine-tuning without early stopping",
             threshold: "A stage fine-tuning a pretrained encoder (some encoder parameter trains) for more than \(manyFineTuningEpochs) epochs, twice the usual \(usualFineTuningEpochs.lowerBound) to \(usualFineTuningEpochs.upperBound), without `early_stop`.",
             reason: "a pretrained encoder converges in a few epochs; many more overfit the task's data",
             source: "\(seed000) §3.4 and Q4: 3 to 10 epochs, more overfit; BERT (Devlin et al. 2019): 2 to 4"),
        Lint(code: .selectionOnTrain, title: "selection on the training split",
             threshold: "`select`, `ensemble` or `prune` ranks trials by a `train.*` metric.",
             reason: "the training metric rewards the trial that overfits most, not the one that generalises",
             source: "\(seed002) §3.1.1 and §3.1.2: evaluate on the validation set to choose the best model; \(seed000) §4 steers training by the validation loss"),
    ]

    /// The row of `code`.
    public static func lint(_ code: DiagnosticCode) -> Lint? { all.first { $0.code == code } }

    /// The help line citing a lint's reason and source.
    static func why(_ code: DiagnosticCode, source: String? = nil) -> String {
        guard let lint = lint(code) else { return "" }
        return "why: \(lint.reason) (source: \(source ?? lint.source))"
    }

    /// `2e-05` → `2e-5`, `0.001` → `0.001`: numbers as the language writes them.
    static func format(_ x: Double) -> String { Value.format(x) }
}
