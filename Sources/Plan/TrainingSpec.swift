/// Everything one training trial needs, fully resolved: what the compiler
/// lowers a checked stage and one sweep point into, and what the trainer
/// executes. Plain values only — no paths relative to anything, no defaults
/// left to fill in — so a canonical encoding of it is the trial's identity.
public struct TrainingSpec: Sendable, Hashable {
    /// The data the stage reads, with its split; `filter` is the stage's `where`.
    public var data: DataSpec
    public var filter: RowPredicate?
    public var model: ModelSpec
    /// Where the starting weights come from.
    public var initialization: Initialization
    /// Parameter-name patterns kept frozen (prefixes such as `layers.0` or globs such as `encoder.*`).
    public var freeze: [String]
    /// Gradual unfreezing: from an epoch's start or an optimizer step on, these patterns become trainable.
    public var unfreeze: [UnfreezeStep]
    public var optimizer: OptimizerSpec
    /// `param_groups`: per-pattern base lr / weight decay; a parameter takes the first group
    /// that selects it, the others use `optimizer`'s settings (see `optimization(of:role:decayDepth:)`).
    public var parameterGroups: [ParameterGroupSpec] = []
    public var schedule: ScheduleSpec
    public var loss: LossSpec
    /// Metrics computed after each epoch and in the final results (`LanguageSchema.metrics`: `accuracy`, `f1`, `roc_auc`, `confusion`, …).
    public var metrics: [String]
    /// The trial's seed: initialisation, dropout, shuffling and augmentation derive from it.
    public var seed: UInt64
    /// ASHA pruning, when the stage declares it.
    public var prune: PruneSpec?
    /// The stage declares its own `head`: with `.upstream`/`.checkpoint` init, the
    /// `head.*` parameters are freshly initialised from the seed instead of loaded.
    /// (Added by the executor/trainer owner; part of the trial's identity.)
    public var reinitializeHead: Bool = false

    public init(data: DataSpec, filter: RowPredicate?, model: ModelSpec, initialization: Initialization,
                freeze: [String], unfreeze: [UnfreezeStep], optimizer: OptimizerSpec, schedule: ScheduleSpec,
                loss: LossSpec, metrics: [String], seed: UInt64, prune: PruneSpec?) {
        self.data = data
        self.filter = filter
        self.model = model
        self.initialization = initialization
        self.freeze = freeze
        self.unfreeze = unfreeze
        self.optimizer = optimizer
        self.schedule = schedule
        self.loss = loss
        self.metrics = metrics
        self.seed = seed
        self.prune = prune
    }
}

/// Where a trial's starting weights come from.
public enum Initialization: Sendable, Hashable {
    /// PyTorch's default initialisation from the trial's seed.
    case random
    /// A safetensors file matched by parameter name (`checkpoint("w.safetensors")`).
    case checkpoint(path: String)
    /// The final checkpoint of an upstream trial (`init = pretrain`, `init = best(pretrain)`),
    /// named by its task key; the executor resolves it to the stored file. `rank` (1-based)
    /// picks one of the trials a `select = top(k, …)` task chose; nil: its single best (or
    /// the train task itself).
    case upstream(taskKey: String, rank: Int? = nil)
}

/// One `param_groups` entry: the parameters its `patterns` select (as `freeze` patterns
/// select) train at base rate `lr` and with `weightDecay` instead of the optimizer's, when set.
public struct ParameterGroupSpec: Sendable, Hashable {
    public var patterns: [String]
    public var lr: Double?
    public var weightDecay: Double?
    public init(patterns: [String], lr: Double? = nil, weightDecay: Double? = nil) {
        self.patterns = patterns
        self.lr = lr
        self.weightDecay = weightDecay
    }
}

/// `unfreeze` entry: from `at` on, parameters matching `patterns` train.
public struct UnfreezeStep: Sendable, Hashable {
    /// When an `unfreeze` entry takes effect.
    public enum Time: Sendable, Hashable {
        /// From the start of epoch `n` (0-based): `at: 2 epochs`.
        case epoch(Int)
        /// From optimizer step `n` (0-based, counted over the stage) on: `at: 30 steps`.
        case step(Int)
    }
    public var at: Time
    public var patterns: [String]
    public init(at: Time, patterns: [String]) {
        self.at = at
        self.patterns = patterns
    }
    /// An entry that takes effect at the start of epoch `epoch`.
    public init(epoch: Int, patterns: [String]) { self.init(at: .epoch(epoch), patterns: patterns) }
}

/// The network: an MLP from a layer list, or a pretrained encoder, plus a task head.
public struct ModelSpec: Sendable, Hashable {
    /// Number of input features (MLP); ignored for pretrained encoders.
    public var input: Int
    /// Entries of `layers`, each counted in parameter names (`layers.{i}`) like `nn.Sequential`.
    public var layers: [LayerSpec]
    /// The task head (`head = dense(10)`): parameters `head.weight`, `head.bias`.
    public var head: LayerSpec?
    /// A pretrained encoder the layers sit on, if any.
    public var pretrained: PretrainedSpec?

    public init(input: Int, layers: [LayerSpec], head: LayerSpec?, pretrained: PretrainedSpec? = nil) {
        self.input = input
        self.layers = layers
        self.head = head
        self.pretrained = pretrained
    }
}

/// One entry of a layer list.
public enum LayerSpec: Sendable, Hashable {
    case dense(units: Int, activation: Activation?)
    case dropout(p: Double)
    case layerNorm(eps: Double)
    case activation(Activation)
}

/// `pretrained = bert(DIR)` with its tokenizer and pooling.
public struct PretrainedSpec: Sendable, Hashable {
    public enum Architecture: String, Sendable, Hashable { case bert }
    public enum Pooling: String, Sendable, Hashable { case mean, cls }
    public var architecture: Architecture
    /// The model folder (absolute): config.json, model.safetensors, vocab.txt.
    public var directory: String
    public var maxLength: Int
    public var pooling: Pooling
    /// The tokenizer's vocabulary file (absolute) when it is not the folder's own
    /// `vocab.txt` (`wordpiece(vocab: …)`); nil reads `vocab.txt` in `directory`.
    public var vocabulary: String?
    /// Whether the tokenizer lower-cases and strips accents, resolved by the compiler:
    /// `wordpiece(lowercase: …)` when given, else the folder's `tokenizer_config.json`
    /// `do_lower_case` (true when the file or field is absent).
    public var lowercase: Bool

    public init(architecture: Architecture, directory: String, maxLength: Int, pooling: Pooling,
                vocabulary: String? = nil, lowercase: Bool = true) {
        self.architecture = architecture
        self.directory = directory
        self.maxLength = maxLength
        self.pooling = pooling
        self.vocabulary = vocabulary
        self.lowercase = lowercase
    }

    /// The vocabulary file the tokenizer reads.
    public var vocabularyPath: String { vocabulary ?? BertFolder(directory).vocabularyPath }
}

/// An optimizer and its hyperparameters, with PyTorch's defaults already filled in.
public struct OptimizerSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case sgd, adam, adamw, rmsprop, adagrad }
    public var kind: Kind
    public var lr: Double
    public var weightDecay: Double
    /// SGD / RMSprop momentum.
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    /// Adam / AdamW.
    public var beta1: Double
    public var beta2: Double
    /// Added to the denominator (Adam, AdamW, RMSprop, Adagrad). PyTorch's default when not
    /// given: 1e-10 for Adagrad (as the schema's `adagrad(eps:)`), 1e-8 otherwise.
    public var eps: Double
    public var amsgrad: Bool
    /// RMSprop smoothing constant and centring.
    public var alpha: Double
    public var centered: Bool
    /// Adagrad's own per-step lr decay and initial accumulator.
    public var adagradLRDecay: Double
    public var initialAccumulator: Double
    /// Layer-wise lr decay (discriminative rates): a parameter `k` blocks below the top gets `lr · d^k`
    /// (`ModelCatalog.lrDecayDepth`); 1 = off.
    public var layerLRDecay: Double
    /// Which parameters are exempt from weight decay without a group saying otherwise.
    public var noDecay: NoDecay = .none

    /// `no_decay`: `none` decays every parameter (`torch.optim`'s behaviour for one param
    /// group); `bias_and_norm` exempts biases and normalisation gains and shifts (Hugging
    /// Face's `["bias", "LayerNorm.weight"]` grouping), as `ParameterRole.isBiasOrNorm` says.
    public enum NoDecay: String, Sendable, Hashable { case none, biasAndNorm = "bias_and_norm" }

    public init(kind: Kind, lr: Double, weightDecay: Double = 0, momentum: Double = 0, dampening: Double = 0,
                nesterov: Bool = false, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double? = nil,
                amsgrad: Bool = false, alpha: Double = 0.99, centered: Bool = false,
                adagradLRDecay: Double = 0, initialAccumulator: Double = 0, layerLRDecay: Double = 1) {
        self.kind = kind
        self.lr = lr
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps ?? (kind == .adagrad ? 1e-10 : 1e-8)
        self.amsgrad = amsgrad
        self.alpha = alpha
        self.centered = centered
        self.adagradLRDecay = adagradLRDecay
        self.initialAccumulator = initialAccumulator
        self.layerLRDecay = layerLRDecay
    }
}

/// A count of optimizer steps as the user wrote it; resolved once the number
/// of batches per epoch is known.
public enum StepCount: Sendable, Hashable {
    case steps(Int)
    case epochs(Double)
    /// A fraction of all optimizer steps of the stage (`warmup: 0.1`).
    case fraction(Double)

    /// The count in optimizer steps.
    public func resolve(stepsPerEpoch: Int, totalSteps: Int) -> Int {
        switch self {
        case .steps(let n): return n
        case .epochs(let e): return Int((e * Double(stepsPerEpoch)).rounded())
        case .fraction(let f): return Int((f * Double(totalSteps)).rounded(.down))
        }
    }
}

/// The learning-rate schedule `f(t)`, per the language specification's "Exact training semantics" (spec/LANGUAGE.md; the schedule docs in docs/LANGUAGE.md).
public enum LRScheduleSpec: Sendable, Hashable {
    case constant
    case step(every: StepCount, gamma: Double)
    case multistep(milestones: [StepCount], gamma: Double)
    /// `gamma^(epoch index)`.
    case exponential(gamma: Double)
    case cosine(warmup: StepCount, min: Double)
    case linear(warmup: StepCount)
    case cosineRestarts(period: StepCount, multiplier: Int, min: Double)
    case oneCycle(maxLR: Double, pctStart: Double, anneal: String, divFactor: Double, finalDivFactor: Double, threePhase: Bool)
    /// ReduceLROnPlateau on `valid.loss` after each epoch.
    case plateau(factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double)
}

/// `early_stop = {metric:, patience:, min_delta:}`.
public struct EarlyStopSpec: Sendable, Hashable {
    public var metric: String
    public var patience: Int
    /// Minimise (`loss`, `mse`) or maximise (`accuracy`, `f1`).
    public var minimize: Bool
    /// An epoch improves only if it beats the best so far by more than this (Keras'
    /// and Lightning's `min_delta`).
    public var minDelta: Double
    public init(metric: String, patience: Int, minimize: Bool, minDelta: Double = 0) {
        self.metric = metric
        self.patience = patience
        self.minimize = minimize
        self.minDelta = minDelta
    }

    /// Whether `value` improves on `best`.
    public func improves(_ value: Double, on best: Double) -> Bool {
        minimize ? value < best - minDelta : value > best + minDelta
    }
}

/// `keep_best = valid.accuracy`: the trial's final weights are those at the end of the
/// epoch with the best value of `metric` (Hugging Face's `load_best_model_at_end`).
public struct KeepBestSpec: Sendable, Hashable {
    public var metric: String
    /// Minimise (`loss`, `mse`) or maximise (`accuracy`, `f1`).
    public var minimize: Bool
    public init(metric: String, minimize: Bool) {
        self.metric = metric
        self.minimize = minimize
    }

    /// Whether `value` is strictly better than `best` (a tie keeps the earlier epoch).
    public func improves(_ value: Double, on best: Double) -> Bool {
        minimize ? value < best : value > best
    }
}

/// The `schedule { … }` block.
public struct ScheduleSpec: Sendable, Hashable {
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: Bool
    public var lr: LRScheduleSpec
    public var clipGradNorm: Double?
    public var clipGradValue: Double?
    public var earlyStop: EarlyStopSpec?
    /// Keep the best epoch's weights instead of the last's; nil: the last epoch's.
    public var keepBest: KeepBestSpec?
    /// Batches per optimizer step (gradient accumulation); 1 = a step per batch.
    public var accumulate: Int = 1

    public init(epochs: Int, batchSize: Int, shuffle: Bool = true, lr: LRScheduleSpec = .constant,
                clipGradNorm: Double? = nil, clipGradValue: Double? = nil, earlyStop: EarlyStopSpec? = nil,
                keepBest: KeepBestSpec? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.lr = lr
        self.clipGradNorm = clipGradNorm
        self.clipGradValue = clipGradValue
        self.earlyStop = earlyStop
        self.keepBest = keepBest
    }
}

/// The loss: a weighted sum of criteria on the same target plus weighted penalties.
///
/// `loss = 0.7 * cross_entropy(weights: balanced) + 0.3 * focal(gamma: 2) + 1e-4 * l2()`
/// is `terms` [(0.7, cross-entropy, balanced), (0.3, focal, none)] and penalties [l2 · 1e-4].
/// The common case, one criterion of weight 1, is `LossSpec(criterion:)`.
public struct LossSpec: Sendable, Hashable {
    public enum Criterion: Sendable, Hashable {
        case crossEntropy(labelSmoothing: Double)
        case mse
        /// Binary cross-entropy with logits on a single output.
        case bce
        /// Softmax focal loss: per row −w[y]·(1 − p_y)^γ·log p_y, mean over rows.
        case focal(gamma: Double)

        /// The call that declares it: `cross_entropy`, `focal`, `mse`, `bce`.
        public var name: String {
            switch self {
            case .crossEntropy: return "cross_entropy"
            case .focal: return "focal"
            case .mse: return "mse"
            case .bce: return "bce"
            }
        }
    }

    /// Class weights (`cross_entropy`, `focal`) or the positive-class weight (`bce`).
    public enum ClassWeights: Sendable, Hashable {
        /// scikit-learn's `compute_class_weight("balanced")` over the trial's train rows:
        /// w_c = n / (C·n_c); for `bce`, pos_weight = n_negative / n_positive.
        case balanced
        /// One weight per class (`cross_entropy`, `focal`), or the single pos_weight (`bce`).
        case values([Double])
    }

    /// One `weight * criterion(…)` term of the sum.
    public struct Term: Sendable, Hashable {
        public var criterion: Criterion
        /// The term's factor in the sum (`0.7 * cross_entropy()`); 1 when unweighted.
        public var weight: Double
        /// `weights:` of `cross_entropy`/`focal`, `pos_weight:` of `bce`; nil = all 1.
        public var classWeights: ClassWeights?
        public init(_ criterion: Criterion, weight: Double = 1, classWeights: ClassWeights? = nil) {
            self.criterion = criterion
            self.weight = weight
            self.classWeights = classWeights
        }
    }

    public enum Penalty: String, Sendable, Hashable { case l1, l2 }
    /// The criteria, summed with their weights; never empty, all on the same target kind.
    public var terms: [Term]
    /// `k * l2()` terms: Σw² (or Σ|w|) over trainable weights, times `k`.
    public var penalties: [WeightedPenalty]

    /// The first term's criterion: all terms share its target kind (class ids, a 0/1
    /// label, a number) and so its predictions (softmax, sigmoid, the value itself).
    public var criterion: Criterion {
        get { terms[0].criterion }
        set { terms[0].criterion = newValue }
    }

    public struct WeightedPenalty: Sendable, Hashable {
        public var penalty: Penalty
        public var weight: Double
        public init(_ penalty: Penalty, weight: Double) {
            self.penalty = penalty
            self.weight = weight
        }
    }

    /// One unweighted criterion without class weights: the loss as it was before sums.
    public init(criterion: Criterion, penalties: [WeightedPenalty] = []) {
        self.init(terms: [Term(criterion)], penalties: penalties)
    }

    public init(terms: [Term], penalties: [WeightedPenalty] = []) {
        precondition(!terms.isEmpty, "a loss has at least one criterion")
        self.terms = terms
        self.penalties = penalties
    }
}

/// `prune = asha(metric:, min_epochs:, reduction:)`: asynchronous successive halving.
public struct PruneSpec: Sendable, Hashable {
    public var metric: String
    public var minimize: Bool
    public var minEpochs: Int
    public var reduction: Int
    public init(metric: String, minimize: Bool, minEpochs: Int, reduction: Int) {
        self.metric = metric
        self.minimize = minimize
        self.minEpochs = minEpochs
        self.reduction = reduction
    }
}
