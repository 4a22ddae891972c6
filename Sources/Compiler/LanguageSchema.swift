import Plan
import Support
import DSL

/// The whole language as data: every section, key, call, parameter, type,
/// default and range. The checker validates against it and
/// `LanguageReference` prints it as docs/LANGUAGE.md, so the two cannot drift.
public enum LanguageSchema {
    // MARK: Vocabulary

    /// Metric names a stage can compute.
    public static let metricNames = metrics.map(\.name)
    /// Each metric with its meaning, as docs/LANGUAGE.md prints it. Scores follow
    /// scikit-learn's defaults (`ClassificationScores` in the runtime; tested against it).
    public static let metrics: [(name: String, doc: String)] = [
        ("accuracy", "Fraction of rows whose predicted class (the largest output; `bce`: probability > 0.5) is the label."),
        ("f1", "F1 = 2·tp / (2·tp + fp + fn): of class 1 with two classes (`bce`, or a 2-unit head), else the macro mean over the classes that occur as a label or a prediction in the split (scikit-learn's `f1_score` default)."),
        ("loss", "The criterion without penalties, averaged over the split's rows (`train.loss` in an epoch's history is the mean batch loss as optimised, penalties included). Always computed and reported, listed in `metrics` or not: the history, `keep_best`, `early_stop`, `plateau`, `prune` and `select`'s default read it."),
        ("mse", "Mean squared error: of the prediction (`mse()`), or of the predicted probabilities against the one-hot label (classification, the Brier score). With `loss = mse()` it is always reported, listed in `metrics` or not (it is the regression's one metric besides `loss`); with a classification loss only when listed."),
        ("precision", "tp / (tp + fp), averaged as `f1`: class 1 with two classes, else the macro mean over the classes that occur."),
        ("recall", "tp / (tp + fn), averaged as `f1`: class 1 with two classes, else the macro mean over the classes that occur."),
        ("precision_micro", "Precision from the counts pooled over all classes (equal to accuracy: one label and one prediction per row)."),
        ("recall_micro", "Recall from the counts pooled over all classes (equal to accuracy)."),
        ("f1_micro", "F1 from the counts pooled over all classes (equal to accuracy)."),
        ("precision_binary", "Precision of the positive class, class id 1; two classes only."),
        ("recall_binary", "Recall of the positive class, class id 1; two classes only."),
        ("f1_binary", "F1 of the positive class, class id 1; two classes only."),
        ("roc_auc", "Area under the ROC curve, tied scores counting ½: of class 1's probability with two classes, else the one-vs-rest macro mean over the classes (scikit-learn's `roc_auc_score(multi_class=\"ovr\", average=\"macro\")`); a class with no positive or no negative row in the split, where scikit-learn raises, is left out of the mean, and the metric is NaN (`null` in JSON) when no class is left."),
        ("confusion", "The confusion matrix (rows: true class, columns: predicted class), stored with the trial's results; not a number, so no rule can rank by it."),
    ]
    /// Metrics that need class labels (not computed for `mse()`).
    public static let classificationMetricNames: Set<String> = Set(metricNames).subtracting(["loss", "mse"])
    /// Metrics defined only with exactly two classes.
    public static let binaryMetricNames: Set<String> = ["precision_binary", "recall_binary", "f1_binary"]
    /// Metrics that are not one number, so cannot be ranked by `best`, `top`, `early_stop` or `asha`.
    public static let nonScalarMetricNames: Set<String> = ["confusion"]
    /// Splits a metric can be measured on.
    public static let splitNames = ["train", "valid", "test"]
    /// Activation functions, usable as `activation:` and as layers.
    public static let activationNames = ["relu", "gelu", "tanh", "sigmoid"]
    /// Units of step counts; singular spellings are accepted and printed plural.
    public static let unitNames = ["steps", "epochs"]
    /// Sweep kinds: `sweep grid {…}`, `sweep zip {…}`, `sweep random(trials:, seed:) {…}`.
    public static let sweepKinds = ["grid", "zip", "random"]
    /// Value generators of random sweeps.
    public static let generatorNames = ["choice", "uniform", "loguniform", "int"]
    /// Stage keys a sweep may not range over.
    public static let unsweepableStageKeys: Set<String> = ["init", "select", "ensemble", "prune", "repeat", "param_groups"]
    /// A grid or stage expanding to more trials than this gets a warning.
    public static let largeSweepThreshold = 1000

    // MARK: Sections

    /// `schedule { … }` inside a stage.
    public static let schedule = SectionSpec(
        "schedule", label: .none,
        keys: [
            ParamSpec("epochs", .number(.count), .required, doc: "Passes over the training split.", example: "epochs = 10"),
            ParamSpec("batch_size", .number(.count), .defaulted(num(32)), doc: "Rows per batch (per optimizer step unless `accumulate` is set); the last batch of an epoch may be smaller.", example: "batch_size = 64"),
            ParamSpec("lr", .call(family: "schedule"), .defaulted(call("constant")), doc: "The learning-rate schedule `f(t)`: the rate at step `t` is the optimizer's `lr · f(t)`.", example: "lr = cosine(warmup: 0.1)"),
            ParamSpec("accumulate", .number(.count), .defaulted(num(1)), doc: """
                Gradient accumulation: one optimizer step per `accumulate` consecutive batches. The step's gradient is \
                the row-weighted mean of their gradients, i.e. the gradient of the mean loss over all their rows, so \
                `batch_size = 8, accumulate = 4` updates as `batch_size = 32` does (up to float rounding; with the same \
                row order, which does not depend on the batch size). `l1()`/`l2()` penalties count once per step; \
                clipping applies to the accumulated gradient; schedules, warm-up and every step count count optimizer \
                steps. The last step of an epoch takes the batches left (fewer than `accumulate`); none carry into the \
                next epoch.
                """, example: "accumulate = 4"),
            ParamSpec("shuffle", .bool, .defaulted(bool(true)), doc: "Reshuffle the training rows every epoch; `false` takes consecutive slices in file order.", example: "shuffle = false"),
            ParamSpec("clip_grad_norm", .number(.positive), doc: "Clip the global L2 norm of all trainable gradients to this value (PyTorch's `clip_grad_norm_`). Off when absent.", example: "clip_grad_norm = 1.0"),
            ParamSpec("clip_grad_value", .number(.positive), doc: "Clamp every gradient element to `[-v, v]` (PyTorch's `clip_grad_value_`). Off when absent.", example: "clip_grad_value = 0.5"),
            ParamSpec("early_stop", .record([
                ParamSpec("metric", .metric, .required, doc: "The metric watched after each epoch; losses are minimised, accuracy and f1 maximised.", example: "valid.loss"),
                ParamSpec("patience", .number(.count), .defaulted(num(3)), doc: "Epochs without improvement before stopping.", example: "2"),
                ParamSpec("min_delta", .number(.nonNegative), .defaulted(num(0)), doc: "An epoch improves only if it beats the best so far by more than this.", example: "0.001"),
            ]), doc: "Stop training when a metric stops improving. Off when absent.", example: "early_stop = {metric: valid.loss, patience: 2}"),
            ParamSpec("keep_best", .metric, doc: "Keep the best epoch's weights (Hugging Face's `load_best_model_at_end`): the trial's final checkpoint, and the metrics reported for it, are those at the end of the epoch with the best value of this metric (losses minimised, accuracy and f1 maximised; a tie keeps the earlier epoch; an epoch whose value is NaN never counts). The kept epoch is recorded as `kept_epoch`. Works with `early_stop`, resuming and `asha` (a pruned trial keeps its best epoch so far). Off when absent: the last epoch's weights are kept.", example: "keep_best = valid.accuracy"),
        ],
        required: true,
        doc: "How a stage trains: epochs, batch size, learning-rate schedule, clipping, early stopping and which epoch's weights are kept.",
        example: """
        schedule {
          epochs = 12
          batch_size = 32
          lr = linear(warmup: 0.1)
          clip_grad_norm = 1.0
        }
        """)

    /// `resources { … }` in `experiment` (every stage's default) or in a `stage` (its overrides).
    public static let resources = SectionSpec(
        "resources", label: .none,
        keys: [
            ParamSpec("cpus", .number(.count), doc: "CPUs of each task: `sbatch --cpus-per-task=N`. Unset: the cluster's default.", example: "cpus = 4"),
            ParamSpec("memory", .formatted(.memory), doc: """
                Memory of each task: `sbatch --mem=SIZE`. A whole number followed by `K`, `M`, `G` or `T` (factors of \
                1024, as SLURM counts; an amount in `K` must be a whole number of megabytes), no space, no `B`. Passed in \
                the largest unit that keeps it whole: `"8192M"` becomes `--mem=8G`. Unset: the cluster's default.
                """, example: "memory = \"8G\""),
            ParamSpec("time", .formatted(.wallTime), doc: """
                Wall-time limit of each task: `sbatch --time=HH:MM:SS`, or `--time=D-HH:MM:SS` from one day on, exact to \
                the second (`"90m"` becomes `--time=01:30:00`, `"1d12h"` `--time=1-12:00:00`). Written as whole amounts \
                of `d`, `h`, `m`, `s`, in that order, each at most once, no spaces (`"45s"`, `"2h"`, `"1h30m"`, \
                `"1d12h"`), or as SLURM's `"HH:MM:SS"` or `"D-HH:MM:SS"`; more than 0. Unset: the partition's limit.
                """, example: "time = \"2h\""),
            ParamSpec("partition", .formatted(.partition), doc: "The partition each task is queued in: `sbatch --partition=NAME`. Letters, digits, `_`, `.` and `-` only (one partition). Unset: the cluster's default partition.", example: "partition = \"cpu\""),
        ],
        doc: """
        What each task asks of a cluster when the plan is submitted to one (`ftx run --executor slurm`; \
        `ftx plan --executor slurm` shows the `sbatch` options). In `experiment`: the default of every stage, \
        and what data tasks ask for. In a `stage`: that stage's tasks, field by field over the experiment's (a \
        field the stage does not set keeps the experiment's). Every field is optional; an unset field is left \
        to the cluster. Resources never change a result or a task key, so editing them re-runs nothing \
        (`ftx diff` shows the edit and no invalidated trial), and a local `ftx run` is not limited by them (it \
        runs `--jobs` tasks at a time). They cannot be swept.
        """,
        example: """
        resources {
          cpus = 4
          memory = "8G"
          time = "2h"
          partition = "cpu"
        }
        """)

    /// `sweep grid|zip|random(trials:, seed:) { axis = values }`.
    public static let sweep = SectionSpec(
        "sweep", label: .sweepKind, keys: [], repeatable: true,
        doc: """
        A search over settings. Each line is an axis: a dotted path to a stage setting (`optimizer.lr`, \
        `schedule.batch_size`, `freeze`, `seed`, `optimizer`) and its values. `grid` takes every combination \
        of list axes; `zip` pairs list axes of equal length; `random(trials:, seed:)` draws `trials` points \
        from generators (`choice(...)`, `uniform(a, b)`, `loguniform(a, b)`, `int(a, b)`), which may also \
        appear inside the arguments of a chosen call (a conditional search space). Several sweep blocks in \
        one stage combine as a cartesian product. An axis must name a setting that exists and is live for \
        the chosen optimizer or schedule.
        """,
        example: """
        sweep grid {
          optimizer.lr = [3e-4, 1e-3, 3e-3]
          schedule.batch_size = [16, 32]
        }
        """)

    /// `experiment NAME { … }`.
    public static let experiment = SectionSpec(
        "experiment", label: .name,
        keys: [
            ParamSpec("seed", .number(.naturalNumber), .defaulted(num(0)), doc: "The seed of every stage that does not set its own: initialisation, shuffling, dropout.", example: "seed = 0"),
            ParamSpec("allow", .list(.string, nonEmpty: false), .defaulted(list([])), doc: "Warning codes `ftx check` does not report anywhere in the file (see [Lints](#lints)): `[\"W0304\"]`. Only warnings can be allowed; a code that is not a warning is itself a warning (W0340). To allow a warning on one line only, write `# ftx: allow(W0304)` on that line or the line above. Changes no result and no task key.", example: "allow = [\"W0304\"]"),
        ],
        sections: [resources],
        doc: "Names the experiment (at most one per file; default: the file's name), sets its seed and the cluster `resources` every stage asks for unless it sets its own.",
        example: """
        experiment digits_transfer {
          seed = 0
        }
        """)

    /// `data NAME { … }`.
    public static let data = SectionSpec(
        "data", label: .name,
        keys: [
            ParamSpec("source", .call(family: "source"), .required, doc: "The file to read, relative to the `.ftx` file.", example: "source = csv(\"../data/digits.csv\")"),
            ParamSpec("label", .column, .required, doc: "The column holding the target. Integer labels are class ids; string labels become ids in sorted order.", example: "label = \"label\""),
            ParamSpec("text", .column, doc: "A text column, for models with a tokenizer. Absent for numeric data.", example: "text = \"text\""),
            ParamSpec("features", .list(.column, nonEmpty: true), doc: "The numeric input columns of an MLP, in this order. Default: every column other than `label`, in file order. Not allowed on data with a `text` column: a pretrained model reads only the text, and that data has no numeric features (its other columns, of any type, are not read).", example: "features = [\"pixel_0_0\", \"pixel_0_1\"]"),
            ParamSpec("normalize", .call(family: "normalize"), doc: "How numeric features are scaled. None when absent.", example: "normalize = scale(1 / 16)"),
            ParamSpec("split", .call(family: "split"), .defaulted(call("random", ("train", num(0.8)), ("valid", num(0.2)), ("seed", num(0)))), doc: "How rows are divided into train, valid and test.", example: "split = random(train: 0.8, valid: 0.2, seed: 0)"),
            ParamSpec("augment", .list(.call(family: "augment"), nonEmpty: false), .defaulted(list([])), doc: "Augmentations applied in order to training batches only (valid and test rows, evaluation and `ftx embed` see the data unchanged), drawn from a generator seeded by the stage's seed and the step, so a run is repeatable. `noise` and `mixup` act on numeric features; `token_dropout` on the tokens of a `text` column; `synonyms`, `random_insertion`, `random_swap`, `random_deletion` and `paraphrases` on the training texts themselves, before tokenisation (drawn per epoch and row instead); `check` rejects what does not fit the data.", example: "augment = [noise(0.05)]"),
        ],
        doc: "A data set: where it comes from, which column is the label, how it is normalised and split. Stages refer to it by name and may filter it with `where`.",
        example: """
        data digits {
          source = csv("../data/digits.csv")
          label = "label"
          normalize = scale(1 / 16)
          split = random(train: 0.8, valid: 0.2, seed: 0)
        }
        """)

    /// `model NAME { … }`.
    public static let model = SectionSpec(
        "model", label: .name,
        keys: [
            ParamSpec("input", .number(.count), doc: "The number of input features; checked against the data. Default: inferred from the data.", example: "input = 64"),
            ParamSpec("layers", .layers, .defaulted(list([])), doc: "The hidden layers in order, like `nn.Sequential`: parameters are named `layers.{i}.weight` and `layers.{i}.bias`, where `i` counts every entry (dropout and activations included).", example: "layers = [dense(128, activation: relu), dropout(0.1), dense(128, activation: relu)]"),
            ParamSpec("head", .call(family: "head"), doc: "The task head (parameters `head.weight`, `head.bias`); a stage may replace it.", example: "head = dense(10)"),
            ParamSpec("pretrained", .call(family: "pretrained"), doc: "A pretrained encoder from a folder holding `config.json` and `model.safetensors`; its parameters keep their Hugging Face names. Excludes `input`. With `layers`, those layers (task adaptation layers, often narrower than the encoder) apply to the pooled vector before the head, named `layers.{i}.*` as in an MLP and initialised from the seed like MLP layers.", example: "pretrained = bert(\"../models/all-MiniLM-L6-v2\")"),
            ParamSpec("tokenizer", .call(family: "tokenizer"), doc: "How text is turned into tokens; only with `pretrained`. Default: `wordpiece()`.", example: "tokenizer = wordpiece(max_length: 64)"),
            ParamSpec("pooling", .symbol(["mean", "cls"]), doc: "How token states become one vector; only with `pretrained`. Default: `mean` (over non-padding tokens).", example: "pooling = mean"),
        ],
        doc: "A network: an MLP built from `layers` and a `head`, or a `pretrained` encoder with a tokenizer, pooling, optional `layers` on the pooled vector, and a head.",
        example: """
        model mlp {
          input = 64
          layers = [dense(128, activation: relu), dropout(0.1)]
          head = dense(10)
        }
        """)

    /// `stage NAME { … }`.
    public static let stage = SectionSpec(
        "stage", label: .name,
        keys: [
            ParamSpec("model", .reference(.model), doc: "The model to train. Default: the model of the `init` stage.", example: "model = mlp"),
            ParamSpec("init", .anyOf([.reference(.stage), .call(family: "init")]), doc: "Where the weights start: another stage's checkpoint (`pretrain`, or `best(pretrain)` after a sweep), or `checkpoint(\"file.safetensors\")` matched by parameter name. Default: fresh initialisation.", example: "init = pretrain"),
            ParamSpec("data", .dataset, .required, doc: "The data to train and evaluate on, optionally filtered by a condition on its columns.", example: "data = digits where label >= 5"),
            ParamSpec("freeze", .list(.string, nonEmpty: false), .defaulted(list([])), doc: "Parameters that are not trained, by pattern (see Parameter patterns): `\"layers.0\"` selects `layers.0.weight` and `layers.0.bias`, `\"encoder.layer.*.attention\"` every layer's attention. Every pattern must select a parameter that can train.", example: "freeze = [\"layers.0\"]"),
            ParamSpec("unfreeze", .list(.record([
                ParamSpec("at", .steps(fraction: false), .required, doc: "When the parameters start training: `N epochs` from the first step of epoch N (0-based); `N steps` (or a bare number) from optimizer step N (0-based, counted over the stage), in the middle of an epoch if need be.", example: "2 epochs"),
                ParamSpec("layers", .list(.string, nonEmpty: true), .required, doc: "Patterns (as in `freeze`) of the frozen parameters that train from `at` on; each must select a parameter.", example: "[\"encoder.layer.5.*\"]"),
            ]), nonEmpty: false), .defaulted(list([])), doc: "Gradual unfreezing: frozen parameters that start training at a given step.", example: "unfreeze = [{at: 1 epochs, layers: [\"layers.0\"]}]"),
            ParamSpec("param_groups", .list(.record([
                ParamSpec("params", .list(.string, nonEmpty: true), .required, doc: "Patterns (as in `freeze`) of the group's parameters; each must select a parameter that can train.", example: "[\"head\", \"encoder.layer.5\"]"),
                ParamSpec("lr", .number(.positive), doc: "The group's base learning rate, in place of the optimizer's `lr`. Not with `one_cycle`, whose rates ignore `lr`. Default: the optimizer's.", example: "1e-3"),
                ParamSpec("weight_decay", .number(.nonNegative), doc: "The group's weight decay, in place of the optimizer's (and of `no_decay`). Default: the optimizer's.", example: "0"),
            ]), nonEmpty: false), .defaulted(list([])), doc: """
                Parameter groups, as PyTorch's optimizer param groups: a parameter takes the FIRST entry whose `params` \
                select it; parameters no entry selects use the optimizer's `lr` and `weight_decay`. A group's rate follows \
                the schedule as the optimizer's does (at step `t`: `group lr · rate(t) / lr`, where `rate(t)` is the \
                schedule's rate for the optimizer's `lr`), times the optimizer's layer-wise `lr_decay` factor. Cannot be swept.
                """, example: "param_groups = [{params: [\"head\"], lr: 1e-3}, {params: [\"layers.0\"], lr: 1e-4, weight_decay: 0}]"),
            ParamSpec("head", .call(family: "head"), doc: "A new task head replacing the model's (freshly initialised).", example: "head = dense(10)"),
            ParamSpec("optimizer", .call(family: "optimizer"), .required, doc: "The optimizer and its hyperparameters, with PyTorch's defaults.", example: "optimizer = adamw(lr: 3e-4, weight_decay: 0.01)"),
            ParamSpec("loss", .loss, .defaulted(call("cross_entropy", ("label_smoothing", num(0)))), doc: "The training loss: a criterion or a weighted sum of criteria on the same target (`0.7 * cross_entropy() + 0.3 * focal(gamma: 2)`: `cross_entropy` and `focal` with each other; `bce` and `mse` only with themselves), plus optional penalties `k * l1()` and `k * l2()` over trainable weights. Each criterion keeps its own reduction (see `cross_entropy`, `focal`) and is then multiplied by its factor (default 1). The `loss` metric of every split is the same weighted sum of criteria, with the same class weights (from the train split), without the penalties.", example: "loss = cross_entropy(label_smoothing: 0.1) + 1e-4 * l2()"),
            ParamSpec("metrics", .list(.symbol(metricNames), nonEmpty: true), .defaulted(list([sym("accuracy"), sym("loss")])), doc: "Metrics computed on the valid and test splits after each epoch (and on train when `early_stop` or `prune` monitors a train metric), and on every split for the final results; see [Metrics](#metrics). Reported are exactly the listed metrics plus `loss`, which is always computed (the history and the rules read it), and, with `loss = mse()`, `mse`. Precision, recall and F1 of each class (with support) are also stored whenever one of them is listed. Default: `[accuracy, loss]` (`[mse, loss]` with `mse()`).", example: "metrics = [accuracy, f1, loss]"),
            ParamSpec("seed", .number(.naturalNumber), doc: "Overrides the experiment's seed for this stage.", example: "seed = 1"),
            ParamSpec("repeat", .number(.count), .defaulted(num(1)), doc: "How many times every sweep point trains, with seeds s, s+1, …, s+repeat−1 where s is the point's seed (so the first run is exactly the trial without `repeat`, same key). `ftx results` shows each point's mean ± sample standard deviation; `select`, `ensemble` and `init = best(…)` rank points by the mean of their replicates that finished, and hand on the chosen point's best replicate. Cannot be combined with a sweep over `seed` or with `prune`.", example: "repeat = 3"),
            ParamSpec("select", .call(family: "select"), doc: "Which trials of a sweep the stage hands on to `init = best(stage)`: `best(metric)` one, `top(k, by: metric)` the k best (then the downstream stage trains each of its points once per selected trial, rank 1 to k). `init = stage` ignores it and starts from every trial.", example: "select = best(valid.accuracy)"),
            ParamSpec("ensemble", .call(family: "ensemble"), doc: "An ensemble of the best trials, averaging their predicted probabilities; evaluated like a trial.", example: "ensemble = top(3, by: valid.accuracy)"),
            ParamSpec("prune", .call(family: "prune"), doc: "Early termination of unpromising trials of a sweep.", example: "prune = asha(metric: valid.loss, min_epochs: 3, reduction: 3)"),
        ],
        sections: [schedule, sweep, resources],
        doc: "A training task: which model starts from which weights, on which data, with which optimizer, schedule and loss; optionally a sweep over its settings.",
        example: """
        stage pretrain {
          model = mlp
          data = digits where label < 5
          optimizer = adamw(lr: 1e-3, weight_decay: 0.01)
          schedule {
            epochs = 10
            batch_size = 64
            lr = cosine(warmup: 0.05)
          }
          loss = cross_entropy()
        }
        """)

    /// Top-level declarations.
    public static let topLevel: [SectionSpec] = [experiment, data, model, stage]

    // MARK: Calls

    static let layerDecay = ParamSpec("lr_decay", .number(.unitLeftOpen), .defaulted(num(1)), doc: """
        Layer-wise (discriminative) learning-rate decay, ELECTRA's and ULMFiT's: a parameter `k` blocks below the top \
        trains at `lr · lr_decay^k`; 1 disables it. On a `pretrained` encoder of `L` layers the head (and any `layers` on \
        top) is the top (`k = 0`), `encoder.layer.{i}.*` (Hugging Face's 0-based index) is at `k = L − i`, and the \
        embeddings (`embeddings.*`) at `k = L + 1`; the pooler never trains. On an MLP the parameter-carrying blocks count \
        from the head (`k = 0`) down: the `dense` or `layer_norm` entry of `layers` just below it is at 1, the next at 2, \
        and so on. The factor multiplies a `param_groups` entry's `lr` too, and the schedule scales the result.
        """, example: "0.9")
    static let noDecay = ParamSpec("no_decay", .symbol(["none", "bias_and_norm"]), .defaulted(sym("none")), doc: """
        Which parameters skip weight decay. `none` decays every parameter, as `torch.optim` does with one param group: \
        ftx's optimizers are defined as PyTorch's, and a default that changed what existing stages compute would \
        silently move their results. `bias_and_norm` is Hugging Face's grouping (`["bias", "LayerNorm.weight"]`): every \
        bias and every normalisation gain and shift (BERT's `LayerNorm`s, `layer_norm` layers) gets weight decay 0. \
        A `param_groups` entry's own `weight_decay` wins over it.
        """, example: "bias_and_norm")
    static let betas = ParamSpec("betas", .list(.number(.unitOpen), nonEmpty: true), .defaulted(list([num(0.9), num(0.999)])), doc: "Coefficients of the running averages of the gradient and its square.", example: "[0.9, 0.98]")

    static func optimizer(_ name: String, lr: Double, weightDecay: Double, extra: [ParamSpec], doc: String, example: String) -> CallSpec {
        CallSpec(name, family: "optimizer", params: [
            ParamSpec("lr", .number(.positive), .defaulted(num(lr)), positional: true, doc: "The base learning rate.", example: "1e-3"),
        ] + extra + [
            ParamSpec("weight_decay", .number(.nonNegative), .defaulted(num(weightDecay)), doc: name == "adamw" ? "Decoupled weight decay." : "An L2 term added to the gradient.", example: "0.01"),
            layerDecay,
            noDecay,
        ], rules: name == "sgd" ? [.nesterovNeedsMomentum] : extra.contains { $0.name == "betas" } ? [.count("betas", 2)] : [], doc: doc, example: example)
    }

    /// `weights:` of `cross_entropy` and `focal`: one weight per class, or `balanced`.
    static let classWeights = ValueType.anyOf([.symbol(["balanced"]), .list(.number(.nonNegative), nonEmpty: true)])
    static let classWeightsDoc = "Class weights, one per class in class-id order (the count must equal the head's units; non-negative, not all zero), or `balanced`: scikit-learn's `compute_class_weight(\"balanced\")`, w_c = n / (C·n_c) over the rows of the train split the trial trains on (after the stage's `where`), C the head's units; a class without train rows is an error at run time naming the class. Default: all 1."
    static let warmup = ParamSpec("warmup", .steps(fraction: true), .defaulted(num(0)), doc: "Linear warm-up from 0: a fraction in [0, 1) of all steps, or `N steps` / `N epochs`.", example: "0.1")

    /// Every call of the language, grouped by family (where it may appear).
    public static let calls: [CallSpec] = [
        // Data sources.
        CallSpec("csv", family: "source", params: [ParamSpec("path", .path, .required, positional: true, doc: "The CSV file; the first line is the header.", example: "\"../data/digits.csv\"")], doc: "A CSV file with a header line.", example: "csv(\"../data/digits.csv\")"),
        CallSpec("jsonl", family: "source", params: [ParamSpec("path", .path, .required, positional: true, doc: "The JSON Lines file: one object per line.", example: "\"train.jsonl\"")], doc: "A JSON Lines file; the keys of the first object are the columns.", example: "jsonl(\"train.jsonl\")"),
        // Normalisation.
        CallSpec("scale", family: "normalize", params: [ParamSpec("k", .number(.positive), .required, positional: true, doc: "The factor every feature is multiplied by.", example: "1 / 16")], doc: "Multiply every feature by `k`.", example: "scale(1 / 16)"),
        CallSpec("standardize", family: "normalize", doc: "Subtract each feature's mean and divide by its standard deviation, both measured on the training split.", example: "standardize()"),
        // Splits.
        CallSpec("random", family: "split", params: splitParams(seed: true), rules: [.fractionsSumToOne(["train", "valid", "test"])], doc: "A seeded random split.", example: "random(train: 0.8, valid: 0.2, seed: 0)"),
        CallSpec("stratified", family: "split", params: splitParams(seed: true), rules: [.fractionsSumToOne(["train", "valid", "test"])], doc: "A seeded random split keeping each class's proportion in every part.", example: "stratified(train: 0.7, valid: 0.15, test: 0.15, seed: 2)"),
        CallSpec("ordered", family: "split", params: splitParams(seed: false), rules: [.fractionsSumToOne(["train", "valid", "test"])], doc: "The first `round(train·N)` rows in file order are train, the next valid, the rest test.", example: "ordered(train: 0.8, valid: 0.2)"),
        // Augmentation.
        CallSpec("noise", family: "augment", params: [ParamSpec("std", .number(.positive), .required, positional: true, doc: "Standard deviation of the Gaussian noise.", example: "0.05")], doc: "Add `std · N(0, 1)` to every feature of every training row (after normalisation). Numeric data only: data with a `text` column is rejected.", example: "noise(0.05)"),
        CallSpec("mixup", family: "augment", params: [ParamSpec("alpha", .number(.positive), .required, positional: true, doc: "The Beta(α, α) parameter of the mixing weight.", example: "0.2")], doc: "Mixup (Zhang et al. 2018): per training batch, draw `λ ~ Beta(α, α)` and a random pairing of its rows; each row's features become `λ·x + (1 − λ)·x'` of itself and its partner, and its loss `λ·L(y) + (1 − λ)·L(y')` (regression targets are mixed directly). At most one per `augment`. Numeric data only: data with a `text` column is rejected.", example: "mixup(0.2)"),
        CallSpec("token_dropout", family: "augment", params: [ParamSpec("p", .number(.unitOpen), .required, positional: true, doc: "The probability of replacing each token.", example: "0.1")], doc: "While training only: each token of a training batch except `[CLS]`, `[SEP]` and padding becomes `[MASK]` (`[UNK]` when the vocabulary has no `[MASK]`) with probability `p`, one draw per token in row order; sequence lengths do not change. For data with a `text` column read by a `pretrained` model only (numeric data is rejected). With a frozen encoder the pooled features are then computed per batch, in evaluation mode, instead of once.", example: "token_dropout(0.1)"),
        // Text augmentation (EDA, Wei & Zou 2019, and paraphrase tables).
        CallSpec("synonyms", family: "augment", params: [
            ParamSpec("p", .number(.unit), .required, positional: true, doc: "The probability of replacing each eligible word (0: the identity, the trial is the one without it).", example: "0.1"),
            ParamSpec("source", .path, doc: "A CSV file of `word,synonym` rows (a header line naming both columns; other columns are ignored), relative to the `.ftx` file: `word` is one word (matched lower-cased), a word may have several rows, and its synonyms are those rows' `synonym` cells, in file order. The table is one-way: list both directions for a symmetric one. Default: the table built from WordNet 3.0 (`scripts/build-synonyms`: the single-word, lower-case, letters-only lemmas of each synset, each the synonym of the others).", example: "\"synonyms.csv\""),
        ], doc: """
            Synonym replacement, EDA's SR (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting \
            Performance on Text Classification Tasks"), with a probability per word in place of the paper's count: \
            each eligible word of a training text becomes one of its synonyms (chosen uniformly) with probability \
            `p`, drawn anew every epoch. Words are the text's whitespace-separated pieces, each matched without the \
            punctuation around it (kept); eligible are words with synonyms that are not stop words (127 English \
            function words, NLTK's stop-word list as EDA's code uses it) and are written all lower-case, Title-case or UPPER-case, \
            the synonym taking that case. The augmented text joins the words with single spaces. Training split \
            only; valid and test rows, evaluation, `predict` and `embed` see the texts unchanged. The draws come \
            from a generator seeded by the stage's seed, the epoch and the row, so a run is repeatable and a \
            resumed run sees the same texts; `ftx augment` prints them. For data with a `text` column only. With a \
            frozen encoder the pooled features are then computed per batch, in evaluation mode, instead of once \
            (`ftx plan` says so).
            """, example: "synonyms(0.1)"),
        CallSpec("random_insertion", family: "augment", params: [
            ParamSpec("alpha", .number(.unit), .required, positional: true, doc: "EDA's α_ri: the share of the text's words, n = ⌈α·l⌉ insertions for l words (0: the identity).", example: "0.1"),
            ParamSpec("source", .path, doc: "The synonym table, as `synonyms`' `source`. Default: the WordNet table.", example: "\"synonyms.csv\""),
        ], doc: "EDA's random insertion (Wei & Zou 2019): n = ⌈α·l⌉ times (l the text's word count before it), a word is chosen uniformly among the text's current words that `synonyms` would replace, and one of its synonyms (uniformly, as the table spells it) is inserted at a uniform position among the l' + 1 places of the l' current words. Stops early when no word has a synonym. Training split only, seeded like `synonyms`; for text data only.", example: "random_insertion(0.1)"),
        CallSpec("random_swap", family: "augment", params: [
            ParamSpec("alpha", .number(.unit), .required, positional: true, doc: "EDA's α_rs: n = ⌈α·l⌉ swaps for l words (0: the identity).", example: "0.1"),
        ], doc: "EDA's random swap (Wei & Zou 2019): n = ⌈α·l⌉ times, a word i and a different word j are chosen uniformly and change places (punctuation moves with its word). Texts of fewer than two words are left alone. Training split only, seeded like `synonyms`; for text data only.", example: "random_swap(0.1)"),
        CallSpec("random_deletion", family: "augment", params: [
            ParamSpec("p", .number(.unit), .required, positional: true, doc: "EDA's p_rd: the probability of deleting each word (0: the identity).", example: "0.1"),
        ], doc: "EDA's random deletion (Wei & Zou 2019): each word is deleted with probability `p`, one draw per word in order; when every word would go, one of them, chosen uniformly, stays; a one-word text is left alone. Training split only, seeded like `synonyms`; for text data only.", example: "random_deletion(0.1)"),
        CallSpec("paraphrases", family: "augment", params: [
            ParamSpec("path", .path, .required, positional: true, doc: "A CSV file of `text,paraphrase` rows (a header line naming both columns; other columns are ignored), relative to the `.ftx` file; a text may have several rows. Made offline, for example by back-translation.", example: "\"paraphrases.csv\""),
            ParamSpec("p", .number(.unit), .required, doc: "The probability of replacing a text that has paraphrases (0: the identity).", example: "0.5"),
        ], doc: "With probability `p`, a training text that has rows in the table (matched exactly, as the text stands at this point of `augment`: list `paraphrases` first to match the file's texts) becomes one of its paraphrases, chosen uniformly; texts without a row are left alone and draw nothing. `ftx check` validates the table and notes how many of the data's texts it covers; `ftx augment` how many training texts. Training split only, seeded like `synonyms`; for text data only.", example: "paraphrases(\"paraphrases.csv\", p: 0.5)"),
        // Layers.
        CallSpec("dense", family: "layer", params: [
            ParamSpec("units", .number(.count), .required, positional: true, doc: "Output size.", example: "128"),
            ParamSpec("activation", .symbol(["none"] + activationNames), .defaulted(sym("none")), doc: "Applied after the affine map.", example: "relu"),
        ], doc: "A fully connected layer `y = act(x·Wᵀ + b)`, `W` of shape `[units, in]`.", example: "dense(128, activation: relu)"),
        CallSpec("dropout", family: "layer", params: [ParamSpec("p", .number(.unitOpen), .required, positional: true, doc: "The probability of zeroing an element while training.", example: "0.1")], doc: "Dropout (no parameters; off during evaluation).", example: "dropout(0.1)"),
        CallSpec("layer_norm", family: "layer", params: [ParamSpec("eps", .number(.positive), .defaulted(num(1e-5)), doc: "Added to the variance.", example: "1e-5")], doc: "Layer normalisation with a learned scale and shift.", example: "layer_norm()"),
        CallSpec("relu", family: "layer", doc: "The activation `max(0, x)`; may be written without parentheses.", example: "relu"),
        CallSpec("gelu", family: "layer", doc: "The exact (erf) GELU activation.", example: "gelu"),
        CallSpec("tanh", family: "layer", doc: "The hyperbolic tangent activation.", example: "tanh"),
        CallSpec("sigmoid", family: "layer", doc: "The logistic activation.", example: "sigmoid"),
        // Heads.
        CallSpec("dense", family: "head", params: [ParamSpec("units", .number(.count), .required, positional: true, doc: "Outputs: the number of classes (1 for `bce()` or a single regression target).", example: "10")], doc: "A linear task head producing logits.", example: "dense(10)"),
        // Pretrained encoders.
        CallSpec("bert", family: "pretrained", params: [ParamSpec("path", .path, .required, positional: true, doc: "A folder with `config.json` and `model.safetensors` (Hugging Face layout).", example: "\"../models/all-MiniLM-L6-v2\"")], doc: "A BERT encoder; its shape comes from `config.json`.", example: "bert(\"../models/all-MiniLM-L6-v2\")"),
        CallSpec("wordpiece", family: "tokenizer", params: [
            ParamSpec("vocab", .path, doc: "The vocabulary file used for training and evaluation: UTF-8 text, one token per line, the line number is the token's id (its row of the word-embedding table). It must hold `[UNK]`, `[CLS]`, `[SEP]` and `[PAD]`, and at most the model's `vocab_size` tokens. Its contents are part of the trial's identity. Default: `vocab.txt` in the pretrained folder.", example: "\"../models/all-MiniLM-L6-v2/vocab.txt\""),
            ParamSpec("max_length", .number(.count), .defaulted(num(128)), doc: "Longer inputs are truncated (special tokens included).", example: "64"),
            ParamSpec("lowercase", .bool, doc: "Lower-case and strip accents before splitting into pieces (BERT's `do_lower_case`). Default: `do_lower_case` of the pretrained folder's `tokenizer_config.json`, `true` when the file or the field is absent, so a cased model is not lower-cased. Set it only to override the model's own tokenizer.", example: "false"),
        ], doc: "BERT's WordPiece tokenizer.", example: "wordpiece(max_length: 64)"),
        // Initialisation.
        CallSpec("best", family: "init", params: [ParamSpec("stage", .reference(.stage), .required, positional: true, doc: "A stage; its `select` picks the trial.", example: "pretrain")], doc: "The checkpoint of the trial another stage selected (lowest `valid.loss` when it declares no `select`); with `select = top(k, …)` there, one run of each point per selected trial.", example: "best(pretrain)"),
        CallSpec("checkpoint", family: "init", params: [ParamSpec("path", .path, .required, positional: true, doc: "A safetensors file; tensors are matched to parameters by name.", example: "\"weights.safetensors\"")], doc: "Weights from a file.", example: "checkpoint(\"weights.safetensors\")"),
        // Optimizers (PyTorch's, with PyTorch's defaults).
        optimizer("sgd", lr: 1e-3, weightDecay: 0, extra: [
            ParamSpec("momentum", .number(.unitOpen), .defaulted(num(0)), doc: "Momentum factor.", example: "0.9"),
            ParamSpec("dampening", .number(.unitOpen), .defaulted(num(0)), doc: "Dampening for momentum.", example: "0"),
            ParamSpec("nesterov", .bool, .defaulted(bool(false)), doc: "Nesterov momentum (needs `momentum > 0` and `dampening = 0`).", example: "true"),
        ], doc: "Stochastic gradient descent (`torch.optim.SGD`).", example: "sgd(lr: 0.05, momentum: 0.9, nesterov: true)"),
        optimizer("adam", lr: 1e-3, weightDecay: 0, extra: [
            betas,
            ParamSpec("eps", .number(.positive), .defaulted(num(1e-8)), doc: "Added to the denominator.", example: "1e-8"),
            ParamSpec("amsgrad", .bool, .defaulted(bool(false)), doc: "Use the AMSGrad variant.", example: "true"),
        ], doc: "Adam (`torch.optim.Adam`); `weight_decay` is an L2 term added to the gradient.", example: "adam(lr: 1e-3)"),
        optimizer("adamw", lr: 1e-3, weightDecay: 0.01, extra: [
            betas,
            ParamSpec("eps", .number(.positive), .defaulted(num(1e-8)), doc: "Added to the denominator.", example: "1e-8"),
            ParamSpec("amsgrad", .bool, .defaulted(bool(false)), doc: "Use the AMSGrad variant.", example: "true"),
        ], doc: "AdamW (`torch.optim.AdamW`) with decoupled weight decay.", example: "adamw(lr: 2e-5, weight_decay: 0.01)"),
        optimizer("rmsprop", lr: 1e-2, weightDecay: 0, extra: [
            ParamSpec("alpha", .number(.unitOpen), .defaulted(num(0.99)), doc: "Smoothing constant.", example: "0.9"),
            ParamSpec("eps", .number(.positive), .defaulted(num(1e-8)), doc: "Added to the denominator.", example: "1e-8"),
            ParamSpec("momentum", .number(.unitOpen), .defaulted(num(0)), doc: "Momentum factor.", example: "0.9"),
            ParamSpec("centered", .bool, .defaulted(bool(false)), doc: "Normalise by the estimated variance of the gradient.", example: "true"),
        ], doc: "RMSprop (`torch.optim.RMSprop`).", example: "rmsprop(lr: 1e-3, alpha: 0.9)"),
        optimizer("adagrad", lr: 1e-2, weightDecay: 0, extra: [
            ParamSpec("initial_accumulator_value", .number(.nonNegative), .defaulted(num(0)), doc: "Starting value of the sum of squares.", example: "0.1"),
            ParamSpec("eps", .number(.positive), .defaulted(num(1e-10)), doc: "Added to the denominator.", example: "1e-10"),
        ], doc: "Adagrad (`torch.optim.Adagrad`); PyTorch's time-based `lr_decay` is not offered, `lr_decay` here is layer-wise.", example: "adagrad(lr: 0.1)"),
        // Learning-rate schedules.
        CallSpec("constant", family: "schedule", doc: "`f(t) = 1`.", example: "constant()"),
        CallSpec("step", family: "schedule", params: [
            ParamSpec("every", .steps(fraction: false), .required, positional: true, doc: "The period `E`; a bare integer counts steps.", example: "2 epochs"),
            ParamSpec("gamma", .number(.unitLeftOpen), .defaulted(num(0.1)), doc: "The factor applied every period.", example: "0.5"),
        ], doc: "`f(t) = gamma^⌊t/E⌋` (PyTorch's `StepLR`, counted in steps).", example: "step(every: 10, gamma: 0.5)"),
        CallSpec("multistep", family: "schedule", params: [
            ParamSpec("milestones", .list(.steps(fraction: false), nonEmpty: true), .required, positional: true, doc: "Increasing steps at which the rate is multiplied by `gamma`.", example: "[5 epochs, 8 epochs]"),
            ParamSpec("gamma", .number(.unitLeftOpen), .defaulted(num(0.1)), doc: "The factor applied at each milestone.", example: "0.1"),
        ], rules: [.increasing("milestones")], doc: "PyTorch's `MultiStepLR`, counted in steps.", example: "multistep([5 epochs, 8 epochs], gamma: 0.1)"),
        CallSpec("exponential", family: "schedule", params: [
            ParamSpec("gamma", .number(.unitLeftOpen), .required, positional: true, doc: "The factor applied after every epoch.", example: "0.95"),
        ], doc: "`f(t) = gamma^(epoch index)` (PyTorch's `ExponentialLR` stepped per epoch).", example: "exponential(0.95)"),
        CallSpec("cosine", family: "schedule", params: [
            warmup,
            ParamSpec("min", .number(.nonNegative), .defaulted(num(0)), doc: "The absolute learning rate at the end.", example: "1e-6"),
        ], doc: "Linear warm-up, then cosine decay from `lr` to `min` (Hugging Face's cosine schedule with warm-up).", example: "cosine(warmup: 0.05)"),
        CallSpec("linear", family: "schedule", params: [warmup], doc: "Linear warm-up, then linear decay to 0 (Hugging Face's linear schedule; step 0 uses lr 0 when warming up).", example: "linear(warmup: 0.1)"),
        CallSpec("one_cycle", family: "schedule", params: [
            ParamSpec("max", .number(.positive), .required, positional: true, doc: "The peak learning rate (`max_lr`).", example: "1e-2"),
            ParamSpec("pct_start", .number(.unitExclusive), .defaulted(num(0.3)), doc: "The fraction of steps spent rising.", example: "0.25"),
            ParamSpec("anneal", .symbol(["cos", "linear"]), .defaulted(sym("cos")), doc: "The annealing strategy.", example: "linear"),
            ParamSpec("div_factor", .number(.positive), .defaulted(num(25)), doc: "Initial rate = max / div_factor.", example: "25"),
            ParamSpec("final_div_factor", .number(.positive), .defaulted(num(1e4)), doc: "Final rate = initial rate / final_div_factor.", example: "1e4"),
            ParamSpec("three_phase", .bool, .defaulted(bool(false)), doc: "Use PyTorch's three-phase variant.", example: "true"),
        ], doc: "PyTorch's `OneCycleLR` over all steps of the stage (the optimizer's `lr` is ignored).", example: "one_cycle(max: 1e-2)"),
        CallSpec("cosine_restarts", family: "schedule", params: [
            ParamSpec("period", .steps(fraction: false), .required, positional: true, doc: "The first period `T_0`.", example: "2 epochs"),
            ParamSpec("mult", .number(.count), .defaulted(num(1)), doc: "`T_mult`: each period is this many times longer.", example: "2"),
            ParamSpec("min", .number(.nonNegative), .defaulted(num(0)), doc: "`eta_min`, the absolute lowest rate.", example: "1e-6"),
        ], doc: "PyTorch's `CosineAnnealingWarmRestarts`, counted in steps.", example: "cosine_restarts(period: 2 epochs, mult: 2)"),
        CallSpec("plateau", family: "schedule", params: [
            ParamSpec("factor", .number(.unitExclusive), .defaulted(num(0.1)), doc: "The factor applied when `valid.loss` stops improving.", example: "0.5"),
            ParamSpec("patience", .number(.naturalNumber), .defaulted(num(10)), doc: "Epochs without improvement before reducing.", example: "3"),
            ParamSpec("threshold", .number(.nonNegative), .defaulted(num(1e-4)), doc: "Relative improvement that counts.", example: "1e-4"),
            ParamSpec("cooldown", .number(.naturalNumber), .defaulted(num(0)), doc: "Epochs to wait after a reduction.", example: "1"),
            ParamSpec("min", .number(.nonNegative), .defaulted(num(0)), doc: "The lowest rate (`min_lr`).", example: "1e-6"),
        ], doc: "PyTorch's `ReduceLROnPlateau` (mode min) on `valid.loss`, evaluated after each epoch; the stage's data needs a valid split.", example: "plateau(factor: 0.5, patience: 3)"),
        // Losses and penalties.
        CallSpec("cross_entropy", family: "loss", params: [
            ParamSpec("label_smoothing", .number(.unitOpen), .defaulted(num(0)), doc: "PyTorch's label smoothing.", example: "0.1"),
            ParamSpec("weights", classWeights, doc: classWeightsDoc + " With weights the mean is PyTorch's weighted mean: the summed row losses divided by Σ_i w[y_i] (the smoothing part too, as `nn.CrossEntropyLoss(weight=w, label_smoothing=s)`). A batch whose rows all weigh 0 counts 0 (PyTorch: NaN).", example: "balanced"),
        ], rules: [.notAllZero("weights")], doc: "Softmax cross-entropy over the head's logits (needs at least 2 outputs), PyTorch's `nn.CrossEntropyLoss`.", example: "cross_entropy(label_smoothing: 0.1)"),
        CallSpec("focal", family: "loss", params: [
            ParamSpec("gamma", .number(.nonNegative), .defaulted(num(2)), doc: "The focusing exponent γ: rows the model already gets right (p_y near 1) weigh (1 − p_y)^γ. `gamma: 0` without weights is `cross_entropy()`.", example: "2"),
            ParamSpec("weights", classWeights, doc: classWeightsDoc + " Unlike `cross_entropy`, the mean stays over rows (not divided by Σ w[y_i]).", example: "[1, 2.5, 1]"),
        ], rules: [.notAllZero("weights")], doc: "Softmax focal loss (Lin et al. 2017) over the head's logits (needs at least 2 outputs): per row −w[y]·(1 − p_y)^γ·log p_y, reduced by the mean over rows.", example: "focal(gamma: 2)"),
        CallSpec("mse", family: "loss", doc: "Mean squared error (regression).", example: "mse()"),
        CallSpec("bce", family: "loss", params: [
            ParamSpec("pos_weight", .anyOf([.number(.positive), .symbol(["balanced"])]), doc: "PyTorch's `BCEWithLogitsLoss(pos_weight=)`: the loss of positive rows is multiplied by it, per row −[k·t·log σ(x) + (1 − t)·log(1 − σ(x))], mean over rows. `balanced` = n_negative / n_positive over the trial's train rows (after the stage's `where`; no positive row is an error at run time). Default 1.", example: "balanced"),
        ], doc: "Binary cross-entropy with logits on a single output (`head = dense(1)`).", example: "bce()"),
        CallSpec("l1", family: "penalty", doc: "Σ|w| over trainable weights (dense and embedding weights; not biases or norms); added as `k * l1()`.", example: "1e-4 * l1()"),
        CallSpec("l2", family: "penalty", doc: "Σw² over trainable weights (dense and embedding weights; not biases or norms); added as `k * l2()`.", example: "1e-4 * l2()"),
        // Selection.
        CallSpec("best", family: "select", params: [ParamSpec("metric", .metric, .required, positional: true, doc: "Losses are minimised, accuracy and f1 maximised.", example: "valid.accuracy")], doc: "The trial with the best value of a metric at its last epoch.", example: "best(valid.accuracy)"),
        CallSpec("top", family: "select", params: topParams, doc: "The `k` best trials (sweep points, with `repeat`), best first; a stage with `init = best(this)` runs every one of its points once from each of them. When fewer than `k` trials are planned, all of them are selected; a rank whose upstream trial did not finish fails.", example: "top(3, by: valid.accuracy)"),
        CallSpec("top", family: "ensemble", params: topParams, doc: "Average the predicted probabilities of the `k` best trials (with `repeat`: the best replicate of each of the `k` points with the best mean).", example: "top(3, by: valid.accuracy)"),
        CallSpec("asha", family: "prune", params: [
            ParamSpec("metric", .metric, .required, doc: "The metric compared at each rung.", example: "valid.loss"),
            ParamSpec("min_epochs", .number(.count), .defaulted(num(1)), doc: "Epochs every trial gets before its first rung.", example: "3"),
            ParamSpec("reduction", .number(NumberRange(lower: 2, integer: true)), .defaulted(num(3)), doc: "Keep the best 1/reduction of trials at each rung.", example: "3"),
        ], doc: "Asynchronous successive halving.", example: "asha(metric: valid.loss, min_epochs: 3, reduction: 3)"),
        // Sweeps.
        CallSpec("random", family: "sweep", params: [
            ParamSpec("trials", .number(.count), .required, doc: "How many points to draw.", example: "16"),
            ParamSpec("seed", .number(.naturalNumber), .defaulted(num(0)), doc: "The seed of the draws.", example: "3"),
        ], doc: "Random search: `sweep random(trials: 16, seed: 3) { … }`.", example: "random(trials: 16, seed: 3)"),
        CallSpec("choice", family: "generator", doc: "One of the listed values (any number of them, each a valid value of the axis), uniformly.", example: "choice(8, 16, 32)"),
        CallSpec("uniform", family: "generator", params: boundParams, rules: [.ordered("a", "b")], doc: "A number drawn uniformly from `[a, b)`.", example: "uniform(0.5, 0.99)"),
        CallSpec("loguniform", family: "generator", params: boundParams, rules: [.positiveBounds("a", "b"), .ordered("a", "b")], doc: "A number whose logarithm is uniform in `[log a, log b)`; `0 < a < b`.", example: "loguniform(1e-4, 1e-2)"),
        CallSpec("int", family: "generator", params: [
            ParamSpec("a", .number(NumberRange(integer: true)), .required, positional: true, doc: "Lowest value.", example: "1"),
            ParamSpec("b", .number(NumberRange(integer: true)), .required, positional: true, doc: "Highest value (inclusive).", example: "4"),
        ], rules: [.ordered("a", "b")], doc: "An integer drawn uniformly from `a…b` inclusive.", example: "int(1, 4)"),
    ]

    static let topParams = [
        ParamSpec("k", .number(.count), .required, positional: true, doc: "How many trials.", example: "3"),
        ParamSpec("by", .metric, .required, doc: "The metric that ranks trials.", example: "valid.accuracy"),
    ]

    static let boundParams = [
        ParamSpec("a", .number(.any), .required, positional: true, doc: "Lower bound.", example: "1e-4"),
        ParamSpec("b", .number(.any), .required, positional: true, doc: "Upper bound.", example: "1e-2"),
    ]

    static func splitParams(seed: Bool) -> [ParamSpec] {
        var params = [
            ParamSpec("train", .number(.unitLeftOpen), .required, doc: "Fraction of rows for training.", example: "0.8"),
            ParamSpec("valid", .number(.unitExclusive), doc: "Fraction for validation (metrics `valid.*`). None when absent.", example: "0.2"),
            ParamSpec("test", .number(.unitExclusive), doc: "Fraction held out for testing (metrics `test.*`). None when absent.", example: "0.1"),
        ]
        if seed { params.append(ParamSpec("seed", .number(.naturalNumber), .defaulted(num(0)), doc: "The seed of the shuffle.", example: "0")) }
        return params
    }

    // MARK: Families

    /// Families in reference order, with how messages name them.
    public static let families: [(name: String, text: String)] = [
        ("source", "a data source"), ("normalize", "a normalisation"), ("split", "a split"), ("augment", "an augmentation"),
        ("layer", "a layer"), ("head", "a head"), ("pretrained", "a pretrained architecture"), ("tokenizer", "a tokenizer"),
        ("init", "an initialisation"), ("optimizer", "an optimizer"), ("schedule", "a learning-rate schedule"),
        ("loss", "a loss"), ("penalty", "a penalty"), ("select", "a selection"), ("ensemble", "an ensemble"),
        ("prune", "a pruner"), ("sweep", "a sweep kind"), ("generator", "a sweep generator"),
    ]

    private static let callIndex: [String: [String: CallSpec]] = {
        var index: [String: [String: CallSpec]] = [:]
        for spec in calls { index[spec.family, default: [:]][spec.name] = spec }
        return index
    }()

    /// The call `name` of `family`, if the language has it.
    public static func call(_ name: String, in family: String) -> CallSpec? { callIndex[family]?[name] }

    /// The calls of a family, in schema order.
    public static func calls(in family: String) -> [CallSpec] { calls.filter { $0.family == family } }

    /// Families other than `family` that define a call named `name`.
    static func otherFamilies(of name: String, besides family: String) -> [String] {
        families.map(\.name).filter { $0 != family && callIndex[$0]?[name] != nil }
    }

    /// "an optimizer (`sgd`, `adam`, …)".
    public static func familyText(_ family: String) -> String {
        let noun = families.first { $0.name == family }?.text ?? family
        let names = calls(in: family).map { "`\($0.name)`" }
        return noun + " (" + names.joined(separator: ", ") + ")"
    }

    /// The noun for a family: "an optimizer".
    static func familyNoun(_ family: String) -> String {
        families.first { $0.name == family }?.text ?? family
    }

    // MARK: Value builders for defaults

    static func num(_ n: Double) -> Value { Value(.number(n)) }
    static func bool(_ b: Bool) -> Value { Value(.bool(b)) }
    static func sym(_ s: String) -> Value { Value(.symbol(s)) }
    static func list(_ items: [Value]) -> Value { Value(.list(items)) }
    static func call(_ name: String, _ named: (String, Value)...) -> Value {
        Value(.call(name: name, positional: [], named: named.map { Value.Field($0.0, $0.1) }))
    }
}
