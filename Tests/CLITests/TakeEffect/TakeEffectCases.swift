import Compiler

/// The table: every setting of the language and the pair of experiments that shows
/// it takes effect. A new setting needs one line here (or an entry in `exempt`).
enum TakeEffectCases {
    typealias Slots = [String: String]

    static func mlp(_ setting: String, label: String? = nil, both: Slots = [:], base: Slots = [:], _ variant: Slots,
                    expect: TakeEffectCase.Expectation = .takesEffect) -> TakeEffectCase {
        TakeEffectCase(setting: setting, label: label, template: .mlp, both: both, base: base, variant: variant, expectation: expect)
    }

    static func bert(_ setting: String, label: String? = nil, both: Slots = [:], base: Slots = [:], _ variant: Slots,
                     expect: TakeEffectCase.Expectation = .takesEffect) -> TakeEffectCase {
        TakeEffectCase(setting: setting, label: label, template: .bert, both: both, base: base, variant: variant, expectation: expect)
    }

    // MARK: Shared snippets

    /// Four trials of the `train` stage (seeds 0–3).
    static let seeds = ["stage.sweep": "sweep grid {\n  seed = [0, 1, 2, 3]\n}"]
    /// A stage starting from the trial `train` selects.
    static let next = """
        stage next {
          init = best(train)
          data = digits
          optimizer = adam(lr: 0.01)
          schedule {
            epochs = 1
            batch_size = 16
          }
        }
        """
    /// A split with a test part, so `test.*` metrics exist.
    static let withTest: Slots = ["data.split": "random(train: 0.6, valid: 0.2, test: 0.2, seed: 0)"]
    static func sweep(_ kind: String, _ axes: String...) -> Slots {
        ["stage.sweep": "sweep \(kind) {\n" + axes.map { "  " + $0 }.joined(separator: "\n") + "\n}"]
    }
    static func randomLR(_ generator: String, trials: Int = 2, seed: Int = 0) -> Slots {
        sweep("random(trials: \(trials), seed: \(seed))", "optimizer.lr = \(generator)")
    }
    static func layers(_ list: String) -> Slots { ["model.layers": list] }
    static func split(_ call: String) -> Slots { ["data.split": call] }
    static func optimizer(_ call: String) -> Slots { ["stage.optimizer": call] }
    static func lr(_ call: String) -> Slots { ["schedule.lr": call] }
    /// A learning-rate schedule case: 3 epochs (9 steps) on both sides.
    static func schedule(_ setting: String, base: String? = nil, _ variant: String) -> TakeEffectCase {
        mlp(setting, both: ["schedule.epochs": "3"], base: base.map(lr) ?? [:], lr(variant))
    }
    static func earlyStop(_ record: String) -> Slots { ["schedule.early_stop": record] }
    static func prune(_ call: String) -> Slots { ["stage.prune": call] }
    static let fourEpochs: Slots = ["schedule.epochs": "4"]
    /// Four trials whose splits rank them differently: digits-noisy.csv's valid rows (an ordered split)
    /// have wrong labels, so the trial that learns least has the best valid metrics and the worst train
    /// and test metrics; `next` starts from the one `train` selects.
    static let ranked: Slots = [
        "data.source": #"csv("digits-noisy.csv")"#, "data.split": "ordered(train: 0.6, valid: 0.2, test: 0.2)",
        "stage.sweep": "sweep grid {\n  optimizer.lr = [0.001, 0.003, 0.03, 0.1]\n}",
    ]
    static let rankedNext = ranked.merging(["extra": next]) { $1 }
    /// A binary task: one output on digits-binary.csv (labels 0 and 1).
    static let binary: Slots = ["data.source": #"csv("digits-binary.csv")"#, "model.head": "dense(1)"]
    /// Two classes on a 2-unit head: digits-binary.csv (labels 0 and 1) under cross-entropy.
    static let twoClasses: Slots = ["data.source": #"csv("digits-binary.csv")"#, "model.head": "dense(2)"]
    /// digits-noisy.csv in an ordered split without a sweep: valid.loss is best after the first epoch
    /// (the valid rows have wrong labels), train.loss and test.loss after the last of 4.
    static let noisy: Slots = [
        "data.source": #"csv("digits-noisy.csv")"#, "data.split": "ordered(train: 0.6, valid: 0.2, test: 0.2)", "schedule.epochs": "4",
    ]
    /// digits-binary.csv (0s and 1s, easy to tell apart) with a test part, 6 epochs: every split's accuracy reaches 1 early.
    static let saturating: Slots = twoClasses.merging(withTest) { $1 }.merging(["schedule.epochs": "6"]) { $1 }
    /// A regression on the digit's value: one output, mean squared error.
    static let regression: Slots = ["model.head": "dense(1)", "stage.loss": "mse()"]
    /// Starts from a known checkpoint and replaces its head.
    static let fromCheckpoint: Slots = ["stage.init": #"checkpoint("init-a.safetensors")"#]
    /// A frozen first layer, unfrozen during training.
    static let frozen: Slots = ["stage.freeze": #"["layers.0"]"#, "schedule.epochs": "3"]

    // MARK: The cases

    static let all: [TakeEffectCase] = stageKeys + data + model + scheduleBlock + sweeps + optimizers + schedules + losses + selection + resources

    /// Issue 15: each `resources` field, in the experiment (over no block) and in the stage (over the
    /// experiment's value), changes the stage's `sbatch` options and nothing else; a bad value is rejected.
    static let resources: [TakeEffectCase] = [
        ("cpus", "2", "8"), ("memory", #""8G""#, #""16G""#), ("time", #""2h""#, #""1d12h""#), ("partition", #""cpu""#, #""big""#),
    ].flatMap { field, value, other in [
        mlp("resources.\(field)", label: "experiment", ["experiment.resources.\(field)": value], expect: .shapesClusterJobs),
        mlp("resources.\(field)", label: "stage", both: ["experiment.resources.\(field)": value], ["stage.resources.\(field)": other],
            expect: .shapesClusterJobs),
    ] } + [
        mlp("resources.memory", label: "bad unit", ["experiment.resources.memory": #""8GB""#], expect: .rejected),
        mlp("resources.time", label: "bad unit", ["stage.resources.time": #""2 hours""#], expect: .rejected),
        mlp("resources.cpus", label: "zero", ["stage.resources.cpus": "0"], expect: .rejected),
    ]

    static let stageKeys: [TakeEffectCase] = [
        mlp("experiment.seed", ["experiment.seed": "1"]),
        mlp("stage.seed", ["stage.seed": "1"]),
        mlp("stage.model", both: ["extra": "model small {\n  layers = [dense(8, activation: tanh)]\n  head = dense(10)\n}"], ["stage.model": "small"]),
        mlp("stage.init", fromCheckpoint),
        mlp("init checkpoint", fromCheckpoint),
        mlp("init checkpoint.path", base: fromCheckpoint, ["stage.init": #"checkpoint("init-b.safetensors")"#]),
        mlp("stage.data", ["stage.data": "digits where label < 5"]),
        mlp("stage.freeze", ["stage.freeze": #"["layers.0"]"#]),
        mlp("stage.unfreeze", both: frozen, ["stage.unfreeze": #"[{at: 1 epochs, layers: ["layers.0"]}]"#]),
        mlp("stage.unfreeze.layers", both: ["stage.freeze": #"["layers.0.weight", "layers.0.bias"]"#, "schedule.epochs": "3"],
            base: ["stage.unfreeze": #"[{at: 1 epochs, layers: ["layers.0.weight"]}]"#], ["stage.unfreeze": #"[{at: 1 epochs, layers: ["layers.0.bias"]}]"#]),
        mlp("stage.unfreeze.at", label: "epochs", both: frozen, base: ["stage.unfreeze": #"[{at: 1 epochs, layers: ["layers.0"]}]"#],
            ["stage.unfreeze": #"[{at: 2 epochs, layers: ["layers.0"]}]"#]),
        // An epoch is 3 steps: unfreezing after 4 steps is not unfreezing after 1 or 2 epochs.
        mlp("stage.unfreeze.at", label: "steps", both: frozen, base: ["stage.unfreeze": #"[{at: 1 epochs, layers: ["layers.0"]}]"#],
            ["stage.unfreeze": #"[{at: 4 steps, layers: ["layers.0"]}]"#]),
        mlp("stage.head", both: fromCheckpoint, ["stage.head": "dense(10)"]),
        mlp("stage.optimizer", optimizer("sgd(lr: 0.01)")),
        mlp("stage.loss", ["stage.loss": "cross_entropy(label_smoothing: 0.2)"]),
        mlp("stage.metrics", ["stage.metrics": "[accuracy, f1, loss]"]),
        mlp("stage.metrics=accuracy", base: ["stage.metrics": "[loss]"], ["stage.metrics": "[loss, accuracy]"]),
        mlp("stage.metrics=f1", base: ["stage.metrics": "[loss]"], ["stage.metrics": "[loss, f1]"]),
        mlp("stage.metrics=loss", base: ["stage.metrics": "[accuracy]"], ["stage.metrics": "[accuracy, loss]"]),
        mlp("stage.metrics=mse", both: regression, base: ["stage.metrics": "[loss]"], ["stage.metrics": "[loss, mse]"]),
    ] + metricCases + [
        // A second run of the same point (seed 1) is one more trial.
        mlp("stage.repeat", ["stage.repeat": "2"]),
        mlp("stage.param_groups", ["stage.param_groups": #"[{params: ["head"], lr: 0.001}]"#]),
        mlp("stage.param_groups.params", base: ["stage.param_groups": #"[{params: ["head"], lr: 0.001}]"#],
            ["stage.param_groups": #"[{params: ["layers.0"], lr: 0.001}]"#]),
        mlp("stage.param_groups.lr", base: ["stage.param_groups": #"[{params: ["head"], weight_decay: 0.5}]"#],
            ["stage.param_groups": #"[{params: ["head"], lr: 0.001, weight_decay: 0.5}]"#]),
        mlp("stage.param_groups.weight_decay", base: ["stage.param_groups": #"[{params: ["head"], lr: 0.001}]"#],
            ["stage.param_groups": #"[{params: ["head"], lr: 0.001, weight_decay: 0.5}]"#]),
    ]

    /// Each metric name added to `[loss]`: it adds a value to every split's metrics (`confusion`, which is no
    /// number, adds the confusion matrix to the classification record). The `_binary` ones need two classes.
    static let metricCases: [TakeEffectCase] = ["precision", "recall", "precision_micro", "recall_micro", "f1_micro",
                                                 "precision_binary", "recall_binary", "f1_binary", "roc_auc", "confusion"].map { name in
        mlp("stage.metrics=\(name)", both: name.hasSuffix("_binary") ? twoClasses : [:], base: ["stage.metrics": "[loss]"],
            ["stage.metrics": "[loss, \(name)]"])
    }

    static let data: [TakeEffectCase] = [
        mlp("data.source", ["data.source": #"csv("digits-other.csv")"#]),
        mlp("source csv", base: ["data.source": #"jsonl("digits-other.jsonl")"#], ["data.source": #"csv("digits.csv")"#]),
        mlp("source csv.path", ["data.source": #"csv("digits-other.csv")"#]),
        mlp("source jsonl", ["data.source": #"jsonl("digits-other.jsonl")"#]),
        mlp("source jsonl.path", base: ["data.source": #"jsonl("digits.jsonl")"#], ["data.source": #"jsonl("digits-other.jsonl")"#]),
        // digits-alt.csv has a second label `alt`; each side's other label column is one of its features.
        mlp("data.label", both: ["data.source": #"csv("digits-alt.csv")"#], [ "data.label": #""alt""#]),
        // One text column per data set (any other column is a numeric feature): without it a BERT has no input.
        bert("data.text", ["data.text": ""], expect: .rejected),
        mlp("data.features", ["data.features": #"["pixel_2_2", "pixel_3_3", "pixel_4_4", "pixel_5_5"]"#]),
        // A pretrained model reads the text column alone: numeric features beside it are rejected.
        bert("data.features", label: "bert", both: ["data.source": #"csv("texts-numbers.csv")"#], ["data.features": #"["n2"]"#],
             expect: .rejected),
        mlp("data.normalize", ["data.normalize": "standardize()"]),
        mlp("normalize scale", base: ["data.normalize": "standardize()"], ["data.normalize": "scale(1 / 16)"]),
        mlp("normalize scale.k", ["data.normalize": "scale(1 / 8)"]),
        mlp("normalize standardize", ["data.normalize": "standardize()"]),
        mlp("data.split", split("ordered(train: 0.8, valid: 0.2)")),
        mlp("split random", base: split("ordered(train: 0.8, valid: 0.2)"), split("random(train: 0.8, valid: 0.2, seed: 0)")),
        mlp("split random.train", split("random(train: 0.7, valid: 0.3, seed: 0)")),
        mlp("split random.valid", base: split("random(train: 0.8, test: 0.2, seed: 0)"), split("random(train: 0.8, valid: 0.2, seed: 0)")),
        mlp("split random.test", split("random(train: 0.6, valid: 0.2, test: 0.2, seed: 0)")),
        mlp("split random.seed", split("random(train: 0.8, valid: 0.2, seed: 1)")),
        mlp("split stratified", split("stratified(train: 0.8, valid: 0.2, seed: 0)")),
        mlp("split stratified.train", base: split("stratified(train: 0.8, valid: 0.2, seed: 0)"), split("stratified(train: 0.7, valid: 0.3, seed: 0)")),
        mlp("split stratified.valid", base: split("stratified(train: 0.8, test: 0.2, seed: 0)"), split("stratified(train: 0.8, valid: 0.2, seed: 0)")),
        mlp("split stratified.test", base: split("stratified(train: 0.8, valid: 0.2, seed: 0)"), split("stratified(train: 0.6, valid: 0.2, test: 0.2, seed: 0)")),
        mlp("split stratified.seed", base: split("stratified(train: 0.8, valid: 0.2, seed: 0)"), split("stratified(train: 0.8, valid: 0.2, seed: 1)")),
        mlp("split ordered", split("ordered(train: 0.8, valid: 0.2)")),
        mlp("split ordered.train", base: split("ordered(train: 0.8, valid: 0.2)"), split("ordered(train: 0.7, valid: 0.3)")),
        mlp("split ordered.valid", base: split("ordered(train: 0.8, test: 0.2)"), split("ordered(train: 0.8, valid: 0.2)")),
        mlp("split ordered.test", base: split("ordered(train: 0.8, valid: 0.2)"), split("ordered(train: 0.6, valid: 0.2, test: 0.2)")),
        mlp("data.augment", ["data.augment": "[noise(0.1)]"]),
        mlp("augment noise", ["data.augment": "[noise(0.1)]"]),
        mlp("augment noise.std", base: ["data.augment": "[noise(0.1)]"], ["data.augment": "[noise(0.3)]"]),
        mlp("augment mixup", ["data.augment": "[mixup(0.4)]"]),
        mlp("augment mixup.alpha", base: ["data.augment": "[mixup(0.2)]"], ["data.augment": "[mixup(1.0)]"]),
        bert("augment token_dropout", ["data.augment": "[token_dropout(0.3)]"]),
        bert("augment token_dropout.p", base: ["data.augment": "[token_dropout(0.1)]"], ["data.augment": "[token_dropout(0.5)]"]),
        bert("augment synonyms", ["data.augment": "[synonyms(0.5)]"]),
        bert("augment synonyms.p", base: ["data.augment": "[synonyms(0.2)]"], ["data.augment": "[synonyms(0.8)]"]),
        bert("augment synonyms.source", base: ["data.augment": "[synonyms(0.5)]"], ["data.augment": #"[synonyms(0.5, source: "synonyms.csv")]"#]),
        bert("augment random_insertion", ["data.augment": "[random_insertion(0.5)]"]),
        bert("augment random_insertion.alpha", base: ["data.augment": "[random_insertion(0.25)]"], ["data.augment": "[random_insertion(0.75)]"]),
        bert("augment random_insertion.source", base: ["data.augment": "[random_insertion(0.5)]"],
             ["data.augment": #"[random_insertion(0.5, source: "synonyms.csv")]"#]),
        bert("augment random_swap", ["data.augment": "[random_swap(0.5)]"]),
        bert("augment random_swap.alpha", base: ["data.augment": "[random_swap(0.25)]"], ["data.augment": "[random_swap(0.75)]"]),
        bert("augment random_deletion", ["data.augment": "[random_deletion(0.3)]"]),
        bert("augment random_deletion.p", base: ["data.augment": "[random_deletion(0.1)]"], ["data.augment": "[random_deletion(0.5)]"]),
        bert("augment paraphrases", ["data.augment": #"[paraphrases("paraphrases.csv", p: 0.5)]"#]),
        bert("augment paraphrases.path", base: ["data.augment": #"[paraphrases("paraphrases.csv", p: 0.5)]"#],
             ["data.augment": #"[paraphrases("paraphrases-b.csv", p: 0.5)]"#]),
        bert("augment paraphrases.p", base: ["data.augment": #"[paraphrases("paraphrases.csv", p: 0.2)]"#],
             ["data.augment": #"[paraphrases("paraphrases.csv", p: 0.8)]"#]),
    ]

    static let model: [TakeEffectCase] = [
        mlp("model.input", ["model.input": "63"], expect: .rejected),
        mlp("model.layers", layers("[dense(16, activation: relu), dense(16, activation: relu)]")),
        mlp("layer dense", layers("[dense(16, activation: relu), dense(16)]")),
        mlp("layer dense.units", layers("[dense(8, activation: relu)]")),
        mlp("layer dense.activation", layers("[dense(16, activation: tanh)]")),
        mlp("layer dense.activation=none", layers("[dense(16)]")),
        mlp("layer dense.activation=relu", base: layers("[dense(16)]"), layers("[dense(16, activation: relu)]")),
        mlp("layer dense.activation=gelu", layers("[dense(16, activation: gelu)]")),
        mlp("layer dense.activation=tanh", layers("[dense(16, activation: tanh)]")),
        mlp("layer dense.activation=sigmoid", layers("[dense(16, activation: sigmoid)]")),
        mlp("layer dropout", layers("[dense(16, activation: relu), dropout(0.3)]")),
        mlp("layer dropout.p", base: layers("[dense(16, activation: relu), dropout(0.1)]"), layers("[dense(16, activation: relu), dropout(0.5)]")),
        mlp("layer layer_norm", layers("[dense(16, activation: relu), layer_norm()]")),
        mlp("layer layer_norm.eps", base: layers("[dense(16, activation: relu), layer_norm()]"), layers("[dense(16, activation: relu), layer_norm(eps: 1.0)]")),
        mlp("layer relu", base: layers("[dense(16)]"), layers("[dense(16), relu]")),
        mlp("layer gelu", base: layers("[dense(16)]"), layers("[dense(16), gelu]")),
        mlp("layer tanh", base: layers("[dense(16)]"), layers("[dense(16), tanh]")),
        mlp("layer sigmoid", base: layers("[dense(16)]"), layers("[dense(16), sigmoid]")),
        mlp("model.head", ["model.head": "dense(12)"]),
        mlp("model.head", label: "absent", ["model.head": ""], expect: .rejected),
        mlp("head dense", both: fromCheckpoint, ["stage.head": "dense(10)"]),
        mlp("head dense.units", ["model.head": "dense(12)"]),
        // Task layers between the pooled vector and the head.
        bert("model.layers", label: "bert", ["model.layers": "[dense(16, activation: relu)]"]),
        bert("model.pretrained", ["model.pretrained": #"bert("tiny-bert-b")"#]),
        bert("pretrained bert", ["model.pretrained": #"bert("tiny-bert-b")"#]),
        bert("pretrained bert.path", ["model.pretrained": #"bert("tiny-bert-b")"#]),
        bert("model.tokenizer", base: ["model.tokenizer": ""], ["model.tokenizer": "wordpiece(max_length: 4)"]),
        bert("tokenizer wordpiece", base: ["model.tokenizer": ""], ["model.tokenizer": "wordpiece(max_length: 4)"]),
        bert("tokenizer wordpiece.max_length", ["model.tokenizer": "wordpiece(max_length: 4)"]),
        bert("tokenizer wordpiece.vocab", ["model.tokenizer": #"wordpiece(vocab: "vocab-reordered.txt", max_length: 16)"#]),
        bert("tokenizer wordpiece.lowercase", ["model.tokenizer": "wordpiece(max_length: 16, lowercase: false)"]),
        bert("model.pooling", ["model.pooling": "cls"]),
        bert("model.pooling=mean", base: ["model.pooling": "cls"], ["model.pooling": "mean"]),
        bert("model.pooling=cls", base: ["model.pooling": "mean"], ["model.pooling": "cls"]),
    ]

    static let scheduleBlock: [TakeEffectCase] = [
        mlp("schedule.epochs", ["schedule.epochs": "3"]),
        mlp("schedule.batch_size", ["schedule.batch_size": "8"]),
        mlp("schedule.lr", both: ["schedule.epochs": "3"], lr("cosine()")),
        mlp("schedule.accumulate", ["schedule.accumulate": "2"]),
        mlp("schedule.shuffle", ["schedule.shuffle": "false"]),
        mlp("schedule.clip_grad_norm", ["schedule.clip_grad_norm": "0.01"]),
        mlp("schedule.clip_grad_value", ["schedule.clip_grad_value": "0.001"]),
        // No epoch improves a loss by 100: training stops after epoch 2 of 4.
        mlp("schedule.early_stop", both: fourEpochs, earlyStop("{metric: valid.loss, patience: 1, min_delta: 100}")),
        mlp("schedule.early_stop.metric", both: ["schedule.epochs": "6"], base: ["schedule.early_stop": "{metric: valid.loss, patience: 1}"],
            ["schedule.early_stop": "{metric: valid.accuracy, patience: 1}"]),
        // No epoch improves an accuracy by 2: watching any split's accuracy stops training after epoch 2 of 4.
        mlp("schedule.early_stop.metric=train", both: fourEpochs, earlyStop("{metric: train.accuracy, patience: 1, min_delta: 2}")),
        mlp("schedule.early_stop.metric=valid", both: fourEpochs, earlyStop("{metric: valid.accuracy, patience: 1, min_delta: 2}")),
        mlp("schedule.early_stop.metric=test", both: withTest.merging(fourEpochs) { $1 }, earlyStop("{metric: test.accuracy, patience: 1, min_delta: 2}")),
        mlp("schedule.early_stop.patience", both: ["schedule.epochs": "5"], base: ["schedule.early_stop": "{metric: valid.loss, patience: 1, min_delta: 100}"],
            ["schedule.early_stop": "{metric: valid.loss, patience: 2, min_delta: 100}"]),
        mlp("schedule.early_stop.min_delta", both: fourEpochs, base: ["schedule.early_stop": "{metric: valid.loss, patience: 1}"],
            ["schedule.early_stop": "{metric: valid.loss, patience: 1, min_delta: 100}"]),
        // Noisy valid rows: valid.loss is best after epoch 1 of 4, so the kept weights are not the last epoch's.
        mlp("schedule.keep_best", both: noisy, ["schedule.keep_best": "valid.loss"]),
        // Each split's accuracy reaches 1 before the last epoch on an easy two-class task; a tie keeps the
        // earlier epoch, so watching any split keeps weights that are not the last epoch's.
        mlp("schedule.keep_best=train", both: saturating, ["schedule.keep_best": "train.accuracy"]),
        mlp("schedule.keep_best=valid", both: saturating, ["schedule.keep_best": "valid.accuracy"]),
        mlp("schedule.keep_best=test", both: saturating, ["schedule.keep_best": "test.accuracy"]),
    ]

    static let sweeps: [TakeEffectCase] = [
        mlp("sweep grid", sweep("grid", "optimizer.lr = [0.01, 0.03]")),
        mlp("sweep zip", base: sweep("grid", "optimizer.lr = [0.01, 0.03]", "schedule.batch_size = [8, 16]"),
            sweep("zip", "optimizer.lr = [0.01, 0.03]", "schedule.batch_size = [8, 16]")),
        mlp("sweep random", randomLR("choice(0.01, 0.03)")),
        mlp("sweep random.trials", base: randomLR("uniform(0.01, 0.03)"), randomLR("uniform(0.01, 0.03)", trials: 3)),
        mlp("sweep random.seed", base: randomLR("uniform(0.01, 0.03)"), randomLR("uniform(0.01, 0.03)", seed: 1)),
        mlp("generator choice", base: randomLR("uniform(0.01, 0.03)"), randomLR("choice(0.01, 0.03)")),
        mlp("generator uniform", base: randomLR("choice(0.01, 0.03)"), randomLR("uniform(0.01, 0.03)")),
        mlp("generator uniform.a", base: randomLR("uniform(0.01, 0.03)"), randomLR("uniform(0.02, 0.03)")),
        mlp("generator uniform.b", base: randomLR("uniform(0.01, 0.03)"), randomLR("uniform(0.01, 0.05)")),
        mlp("generator loguniform", base: randomLR("uniform(0.01, 0.03)"), randomLR("loguniform(0.01, 0.03)")),
        mlp("generator loguniform.a", base: randomLR("loguniform(0.01, 0.03)"), randomLR("loguniform(0.02, 0.03)")),
        mlp("generator loguniform.b", base: randomLR("loguniform(0.01, 0.03)"), randomLR("loguniform(0.01, 0.05)")),
        mlp("generator int", base: sweep("random(trials: 2, seed: 0)", "schedule.batch_size = choice(8, 16)"),
            sweep("random(trials: 2, seed: 0)", "schedule.batch_size = int(8, 16)")),
        mlp("generator int.a", base: sweep("random(trials: 2, seed: 0)", "schedule.batch_size = int(8, 16)"),
            sweep("random(trials: 2, seed: 0)", "schedule.batch_size = int(4, 16)")),
        mlp("generator int.b", base: sweep("random(trials: 2, seed: 0)", "schedule.batch_size = int(8, 16)"),
            sweep("random(trials: 2, seed: 0)", "schedule.batch_size = int(8, 24)")),
    ]

    static let optimizers: [TakeEffectCase] = {
        // Each optimizer against another, then each of its parameters away from its default.
        let others = ["sgd": "adam", "adam": "sgd", "adamw": "adam", "rmsprop": "adam", "adagrad": "adam"]
        let changed = [
            "lr": "0.03", "weight_decay": "0.5", "lr_decay": "0.5", "momentum": "0.9", "dampening": "0.5", "betas": "[0.5, 0.9]",
            "eps": "0.1", "amsgrad": "true", "alpha": "0.5", "centered": "true", "initial_accumulator_value": "1.0",
        ]
        var cases: [TakeEffectCase] = []
        for name in ["sgd", "adam", "adamw", "rmsprop", "adagrad"] {
            cases.append(mlp("optimizer \(name)", base: optimizer("\(others[name]!)(lr: 0.01)"), optimizer("\(name)(lr: 0.01)")))
            for p in LanguageSchema.call(name, in: "optimizer")?.params.map(\.name) ?? [] {
                // A parameter missing from `changed` gets no case, and the coverage check names it.
                guard let value = changed[p] else { continue }
                // SGD's dampening and RMSprop's centering only act with momentum.
                let extra = (name == "sgd" && p == "dampening") || (name == "rmsprop" && p == "centered") ? ", momentum: 0.9" : ""
                cases.append(mlp("optimizer \(name).\(p)", base: optimizer("\(name)(lr: 0.01\(extra))"),
                                 optimizer(p == "lr" ? "\(name)(lr: 0.03\(extra))" : "\(name)(lr: 0.01\(extra), \(p): \(value))")))
            }
            // Weight decay on every parameter, or not on biases and norms (the MLP's biases).
            let decay = "\(name)(lr: 0.01, weight_decay: 0.5"
            cases += [
                mlp("optimizer \(name).no_decay", base: optimizer(decay + ")"), optimizer(decay + ", no_decay: bias_and_norm)")),
                mlp("optimizer \(name).no_decay=bias_and_norm", base: optimizer(decay + ", no_decay: none)"), optimizer(decay + ", no_decay: bias_and_norm)")),
                mlp("optimizer \(name).no_decay=none", base: optimizer(decay + ", no_decay: bias_and_norm)"), optimizer(decay + ", no_decay: none)")),
            ]
            cases.append(bert("optimizer \(name).lr_decay", label: "bert", base: optimizer("\(name)(lr: 0.01)"), optimizer("\(name)(lr: 0.01, lr_decay: 0.5)")))
        }
        cases.append(mlp("optimizer sgd.nesterov", base: optimizer("sgd(lr: 0.01, momentum: 0.9)"), optimizer("sgd(lr: 0.01, momentum: 0.9, nesterov: true)")))
        return cases
    }()

    static let schedules: [TakeEffectCase] = [
        schedule("schedule constant", base: "cosine()", "constant()"),
        schedule("schedule step", "step(every: 2)"),
        schedule("schedule step.every", base: "step(every: 2)", "step(every: 4)"),
        schedule("schedule step.gamma", base: "step(every: 2)", "step(every: 2, gamma: 0.5)"),
        schedule("schedule multistep", "multistep([2, 5])"),
        schedule("schedule multistep.milestones", base: "multistep([2, 5])", "multistep([3, 5])"),
        schedule("schedule multistep.gamma", base: "multistep([2, 5])", "multistep([2, 5], gamma: 0.5)"),
        schedule("schedule exponential", "exponential(0.5)"),
        schedule("schedule exponential.gamma", base: "exponential(0.5)", "exponential(0.9)"),
        schedule("schedule cosine", "cosine()"),
        schedule("schedule cosine.warmup", base: "cosine()", "cosine(warmup: 0.3)"),
        schedule("schedule cosine.min", base: "cosine()", "cosine(min: 0.005)"),
        schedule("schedule linear", "linear()"),
        schedule("schedule linear.warmup", base: "linear()", "linear(warmup: 0.3)"),
        schedule("schedule one_cycle", "one_cycle(0.01)"),
        schedule("schedule one_cycle.max", base: "one_cycle(0.01)", "one_cycle(0.03)"),
        schedule("schedule one_cycle.pct_start", base: "one_cycle(0.01)", "one_cycle(0.01, pct_start: 0.6)"),
        schedule("schedule one_cycle.anneal", base: "one_cycle(0.01)", "one_cycle(0.01, anneal: linear)"),
        schedule("schedule one_cycle.anneal=cos", base: "one_cycle(0.01, anneal: linear)", "one_cycle(0.01, anneal: cos)"),
        schedule("schedule one_cycle.anneal=linear", base: "one_cycle(0.01, anneal: cos)", "one_cycle(0.01, anneal: linear)"),
        schedule("schedule one_cycle.div_factor", base: "one_cycle(0.01)", "one_cycle(0.01, div_factor: 5)"),
        schedule("schedule one_cycle.final_div_factor", base: "one_cycle(0.01)", "one_cycle(0.01, final_div_factor: 10)"),
        schedule("schedule one_cycle.three_phase", base: "one_cycle(0.01)", "one_cycle(0.01, three_phase: true)"),
        schedule("schedule cosine_restarts", "cosine_restarts(4)"),
        schedule("schedule cosine_restarts.period", base: "cosine_restarts(4)", "cosine_restarts(3)"),
        schedule("schedule cosine_restarts.mult", base: "cosine_restarts(2)", "cosine_restarts(2, mult: 2)"),
        schedule("schedule cosine_restarts.min", base: "cosine_restarts(4)", "cosine_restarts(4, min: 0.005)"),
        // The plateau schedule watches valid.loss; patience 0 and a high threshold reduce the rate after every epoch.
        schedule("schedule plateau", "plateau(patience: 0, threshold: 10)"),
        schedule("schedule plateau.factor", base: "plateau(patience: 0, threshold: 10)", "plateau(factor: 0.5, patience: 0, threshold: 10)"),
        schedule("schedule plateau.patience", base: "plateau(patience: 0, threshold: 10)", "plateau(patience: 1, threshold: 10)"),
        schedule("schedule plateau.threshold", base: "plateau(patience: 0)", "plateau(patience: 0, threshold: 10)"),
        schedule("schedule plateau.cooldown", base: "plateau(patience: 0, threshold: 10)", "plateau(patience: 0, threshold: 10, cooldown: 1)"),
        schedule("schedule plateau.min", base: "plateau(patience: 0, threshold: 10)", "plateau(patience: 0, threshold: 10, min: 0.005)"),
        // Without a valid split there is no valid.loss to watch: check rejects it.
        mlp("schedule plateau", label: "no valid split", both: ["data.split": "random(train: 0.8, test: 0.2, seed: 0)", "schedule.epochs": "3"],
            lr("plateau(patience: 0, threshold: 10)"), expect: .rejected),
    ]

    static let losses: [TakeEffectCase] = [
        // cross_entropy needs at least 2 outputs, every other loss exactly 1: no pair differs in the loss alone
        // and runs; cross_entropy is the default loss of every other case.
        mlp("loss cross_entropy", both: binary, base: ["stage.loss": "mse()"], ["stage.loss": "cross_entropy()"], expect: .rejected),
        mlp("loss cross_entropy.label_smoothing", ["stage.loss": "cross_entropy(label_smoothing: 0.2)"]),
        mlp("loss mse", both: binary, base: ["stage.loss": "bce()"], ["stage.loss": "mse()"]),
        mlp("loss mse", label: "2 outputs", both: binary.merging(["model.head": "dense(2)"]) { $1 }, ["stage.loss": "mse()"], expect: .rejected),
        mlp("loss bce", both: binary, base: ["stage.loss": "mse()"], ["stage.loss": "bce()"]),
        mlp("loss bce", label: "where", both: ["model.head": "dense(1)", "stage.data": "digits where label < 2"],
            base: ["stage.loss": "mse()"], ["stage.loss": "bce()"]),
        mlp("loss cross_entropy.weights", ["stage.loss": "cross_entropy(weights: \(classWeights))"]),
        // The train split's classes are not equally frequent, so balanced weights are not all equal.
        mlp("loss cross_entropy.weights=balanced", base: ["stage.loss": "cross_entropy()"], ["stage.loss": "cross_entropy(weights: balanced)"]),
        mlp("loss focal", base: ["stage.loss": "cross_entropy()"], ["stage.loss": "focal()"]),
        mlp("loss focal.gamma", base: ["stage.loss": "focal()"], ["stage.loss": "focal(gamma: 0.5)"]),
        mlp("loss focal.weights", base: ["stage.loss": "focal()"], ["stage.loss": "focal(weights: \(classWeights))"]),
        mlp("loss focal.weights=balanced", base: ["stage.loss": "focal()"], ["stage.loss": "focal(weights: balanced)"]),
        mlp("loss bce.pos_weight", both: binary, base: ["stage.loss": "bce()"], ["stage.loss": "bce(pos_weight: 3)"]),
        // The train split's zeros and ones differ in number (digits-binary.csv: 31 and 29 in all): the balanced weight is not 1.
        mlp("loss bce.pos_weight=balanced", both: binary, base: ["stage.loss": "bce()"], ["stage.loss": "bce(pos_weight: balanced)"]),
        // A weighted sum of criteria is not its first term.
        mlp("stage.loss", label: "sum", base: ["stage.loss": "cross_entropy()"], ["stage.loss": "0.5 * cross_entropy() + 0.5 * focal()"]),
        mlp("penalty l1", ["stage.loss": "cross_entropy() + 0.01 * l1()"]),
        mlp("penalty l2", ["stage.loss": "cross_entropy() + 0.01 * l2()"]),
    ]

    static let selection: [TakeEffectCase] = {
        var cases: [TakeEffectCase] = [
            // `select` decides where `next` starts; without one `init = best(train)` is ambiguous.
            mlp("stage.select", both: rankedNext, base: ["stage.select": "best(valid.loss)"], ["stage.select": ""], expect: .rejected),
            mlp("select best", both: rankedNext, base: ["stage.select": "best(valid.loss)"], ["stage.select": ""], expect: .rejected),
            mlp("select best.metric", both: rankedNext, base: ["stage.select": "best(valid.loss)"], ["stage.select": "best(train.loss)"]),
            mlp("select top", both: rankedNext, base: ["stage.select": "best(valid.loss)"], ["stage.select": "top(2, by: valid.loss)"]),
            mlp("select top.k", both: rankedNext, base: ["stage.select": "top(1, by: valid.loss)"], ["stage.select": "top(2, by: valid.loss)"]),
            mlp("select top.by", both: rankedNext, base: ["stage.select": "top(1, by: valid.loss)"], ["stage.select": "top(1, by: train.loss)"]),
            mlp("stage.ensemble", both: seeds, ["stage.ensemble": "top(2, by: valid.loss)"]),
            mlp("ensemble top", both: seeds, ["stage.ensemble": "top(2, by: valid.loss)"]),
            mlp("ensemble top.k", both: seeds, base: ["stage.ensemble": "top(2, by: valid.loss)"], ["stage.ensemble": "top(3, by: valid.loss)"]),
            mlp("ensemble top.by", both: ranked, base: ["stage.ensemble": "top(2, by: valid.loss)"], ["stage.ensemble": "top(2, by: train.loss)"]),
            mlp("stage.prune", both: seeds.merging(fourEpochs) { $1 }, prune("asha(metric: valid.loss, min_epochs: 1, reduction: 2)")),
            mlp("prune asha", both: seeds.merging(fourEpochs) { $1 }, prune("asha(metric: valid.loss, min_epochs: 1, reduction: 2)")),
            mlp("prune asha.metric", both: ranked.merging(fourEpochs) { $1 }, base: prune("asha(metric: valid.loss, min_epochs: 1, reduction: 2)"),
                prune("asha(metric: train.loss, min_epochs: 1, reduction: 2)")),
            mlp("prune asha.min_epochs", both: seeds.merging(fourEpochs) { $1 }, base: prune("asha(metric: valid.loss, min_epochs: 1, reduction: 2)"),
                prune("asha(metric: valid.loss, min_epochs: 2, reduction: 2)")),
            mlp("prune asha.reduction", both: seeds.merging(fourEpochs) { $1 }, base: prune("asha(metric: valid.loss, min_epochs: 1, reduction: 2)"),
                prune("asha(metric: valid.loss, min_epochs: 1, reduction: 4)")),
            mlp("init best", both: seeds.merging(["stage.select": "best(valid.loss)"]) { $1 },
                base: ["extra": train2 + "\n\n" + next.replacingOccurrences(of: "init = best(train)", with: "init = train2")],
                ["extra": train2 + "\n\n" + next]),
            mlp("init best.stage", both: seeds.merging(["stage.select": "best(valid.loss)"]) { $1 },
                base: ["extra": train2 + "\n\n" + next.replacingOccurrences(of: "best(train)", with: "best(train2)")],
                ["extra": train2 + "\n\n" + next]),
        ]
        // Each split a selection, an ensemble, a pruner or early stopping can watch, against another that ranks the trials differently.
        for (split, other) in [("train", "valid"), ("valid", "train"), ("test", "valid")] {
            cases += [
                mlp("select best.metric=\(split)", both: rankedNext, base: ["stage.select": "best(\(other).loss)"], ["stage.select": "best(\(split).loss)"]),
                mlp("select top.by=\(split)", both: rankedNext, base: ["stage.select": "top(1, by: \(other).loss)"], ["stage.select": "top(1, by: \(split).loss)"]),
                mlp("ensemble top.by=\(split)", both: ranked, base: ["stage.ensemble": "top(2, by: \(other).loss)"], ["stage.ensemble": "top(2, by: \(split).loss)"]),
                // Pruning on train.accuracy is the reported bug; the other splits compare losses.
                mlp("prune asha.metric=\(split)", both: ranked.merging(fourEpochs) { $1 }, base: prune("asha(metric: \(other).loss, min_epochs: 1, reduction: 2)"),
                    prune("asha(metric: \(split).\(split == "train" ? "accuracy" : "loss"), min_epochs: 1, reduction: 2)")),
            ]
        }
        return cases
    }()

    /// Class weights for the 10 digits, class 3 weighing 4.
    static let classWeights = "[1, 1, 1, 4, 1, 1, 1, 1, 1, 1]"

    /// A second stage `train2` (no sweep) another stage can start from.
    static let train2 = """
        stage train2 {
          model = mlp
          data = digits
          optimizer = sgd(lr: 0.05)
          schedule {
            epochs = 1
            batch_size = 16
          }
        }
        """
}

