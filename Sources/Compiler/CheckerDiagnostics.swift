import Plan
import Support
import DSL

/// Every message the checker emits, one static factory per mistake, kept in
/// alphabetical order. Codes are stable: `E01xx` errors, `W01xx` warnings;
/// tests and scripts key on them, so a code is never reused.
public enum CheckerDiagnostics {
    static func didYouMean(_ suggestion: String?, at span: Span, quoted: Bool = false) -> (help: [String], fixIts: [FixIt]) {
        guard let suggestion else { return ([], []) }
        let replacement = quoted ? "\"\(suggestion)\"" : suggestion
        return (["did you mean `\(replacement)`?"], [FixIt(span: span, replacement: replacement)])
    }

    static func list(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).map { "`\($0)`" }.joined(separator: ", ")
        return names.count > limit ? shown + ", … (\(names.count) in all)" : shown
    }

    /// A data cell as shown in a message: control characters (a NUL byte, a tab) written
    /// as `\u{0}`, and a long cell cut after 40 characters with its length in bytes.
    static func cellExcerpt(_ text: String, limit: Int = 40) -> String {
        var shown = ""
        for (i, scalar) in text.unicodeScalars.enumerated() {
            if i == limit { return shown + "… (\(text.utf8.count) bytes)" }
            shown += scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return shown
    }

    /// `init = pretrain` where `pretrain` sweeps and selects nothing.
    public static func ambiguousInit(stage: String, upstream: String, trials: Int, span: Span) -> Diagnostic {
        Diagnostic(code: .ambiguousInit, message: "`init` names stage `\(upstream)`, which runs \(trials) trials but has no `select`",
                   primary: Label(span, "which of the \(trials) trials should `\(stage)` start from?"),
                   help: ["add `select = best(valid.accuracy)` to stage `\(upstream)` to choose the trial to start from"])
    }

    /// A text augmentation's table with no usable row.
    public static func augmentTableEmpty(call: String, file: String, columns: (key: String, value: String), span: Span) -> Diagnostic {
        Diagnostic(code: .augmentTableEmpty, message: "the table \"\(file)\" of `\(call)` has no rows, so `\(call)` would change nothing",
                   primary: Label(span, "no rows"),
                   help: ["add `\(columns.key),\(columns.value)` rows after the header line, or remove `\(call)`"])
    }

    /// A text augmentation's table that `run` cannot read (`TextPairTable.Failure`).
    public static func augmentTableInvalid(call: String, file: String, failure: TextPairTable.Failure, span: Span) -> Diagnostic {
        let place = failure.line.map { "line \($0) of \"\(file)\"" } ?? "\"\(file)\""
        return Diagnostic(code: .augmentTableInvalid, message: "the table of `\(call)` cannot be read: \(place): \(failure.reason)",
                          primary: Label(span, "this table"),
                          notes: ["`run` reads the whole table and would stop there"],
                          help: [failure.help])
    }

    /// `pretrained = bert(DIR)` where DIR's `config.json` is missing, unreadable, not a
    /// supported BERT or has unusable sizes; `reason` is the config reader's error (file, field, value).
    public static func bertConfigInvalid(path: String, reason: String, span: Span) -> Diagnostic {
        Diagnostic(code: .bertConfigInvalid, message: "cannot use pretrained model folder \"\(path)\": \(reason)",
                   primary: Label(span, "no usable config.json here"),
                   help: ["the folder needs a Hugging Face BERT `config.json` (`model_type` \"bert\", `hidden_size`, `num_hidden_layers`, `num_attention_heads`, `intermediate_size`, `vocab_size`), `vocab.txt` and `model.safetensors`"])
    }

    /// `pretrained = bert(DIR)` where DIR does not exist.
    public static func bertFolderNotFound(path: String, resolved: String, span: Span) -> Diagnostic {
        Diagnostic(code: .bertFolderNotFound, message: "pretrained model folder \"\(path)\" does not exist",
                   primary: Label(span, "not found"),
                   notes: ["looked for \(resolved)"],
                   help: ["paths are relative to the .ftx file; download the model into that folder or fix the path"])
    }

    /// The tokenizer's `max_length` (written, or `defaulted`) exceeds the model's position
    /// table (`max_position_embeddings`); `reason` names config.json and both numbers.
    public static func bertMaxLengthTooLong(path: String, reason: String, maxLength: Int, positions: Int, defaulted: Bool, span: Span) -> Diagnostic {
        Diagnostic(code: .bertMaxLengthTooLong, message: "cannot use pretrained model folder \"\(path)\": \(reason)",
                   primary: Label(span, defaulted ? "has \(positions) positions, fewer than the default `max_length` \(maxLength)"
                                                  : "longer than the model's \(positions) positions"),
                   help: ["\(defaulted ? "set" : "lower") it: `tokenizer = wordpiece(max_length: \(positions))` or less"])
    }

    /// The folder's `tokenizer_config.json`, read for `do_lower_case` because the tokenizer
    /// does not say whether to lower-case, is malformed; `reason` names the file and the problem.
    public static func bertTokenizerConfigInvalid(path: String, reason: String, span: Span) -> Diagnostic {
        Diagnostic(code: .bertTokenizerConfigInvalid, message: "cannot use pretrained model folder \"\(path)\": \(reason)",
                   primary: Label(span, "whether this model lower-cases its text is unknown"),
                   help: ["fix `do_lower_case` in tokenizer_config.json (true or false), or say it in the experiment: `tokenizer = wordpiece(lowercase: true)`"])
    }

    /// The vocabulary has more tokens than the model's word-embedding table has rows;
    /// `reason` names the vocabulary, config.json and both numbers.
    /// `given` when the vocabulary is `wordpiece(vocab: …)` rather than the folder's vocab.txt.
    public static func bertVocabularyMismatch(path: String, reason: String, given: Bool = false, span: Span) -> Diagnostic {
        Diagnostic(code: .bertVocabularyMismatch, message: "cannot use pretrained model folder \"\(path)\": \(reason)",
                   primary: Label(span, "this vocabulary does not fit the model"),
                   help: [given ? "give a vocabulary of at most `vocab_size` tokens (every id needs a row of the embedding table), or remove `vocab` to use the model's own vocab.txt"
                                : "use the vocab.txt that came with the model; its `vocab_size` in config.json must cover every token"])
    }

    /// `cross_entropy(weights: [0, 0])`.
    public static func classWeightsAllZero(call: String, span: Span) -> Diagnostic {
        Diagnostic(code: .classWeightsAllZero, message: "`weights` of `\(call)` are all zero, so no row would count",
                   primary: Label(span, "all zero"),
                   help: ["give at least one class a positive weight, or use `weights: balanced`"])
    }

    /// `cross_entropy(weights: [1, 2])` with a head of 3 units.
    public static func classWeightsCount(call: String, count: Int, units: Int, span: Span) -> Diagnostic {
        Diagnostic(code: .classWeightsCount, message: "`weights` of `\(call)` has \(count) class weight\(count == 1 ? "" : "s"), but the head has \(units) outputs (one per class)",
                   primary: Label(span, "\(count) weight\(count == 1 ? "" : "s")"),
                   help: ["give one weight per class in class-id order, e.g. `weights: [\((0..<max(units, 1)).map { _ in "1" }.joined(separator: ", "))]`, or `weights: balanced`"])
    }

    /// A column named in `label`, `text`, `features` or a `where` filter is not in the header.
    public static func columnNotFound(column: String, data: String, file: String, columns: [String], suggestion: String?, quoted: Bool, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span, quoted: quoted)
        return Diagnostic(code: .columnNotFound, message: "data `\(data)` has no column \"\(column)\"",
                          primary: Label(span, "not a column of \(file)"),
                          notes: ["the columns are " + list(columns)],
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// A data file `run` cannot parse past its header (`CSVError` / JSON Lines failure).
    public static func dataFileMalformed(data: String, file: String, line: Int?, reason: String, span: Span) -> Diagnostic {
        let place = line.map { "line \($0) of \"\(file)\"" } ?? "\"\(file)\""
        return Diagnostic(code: .dataFileMalformed, message: "data `\(data)` cannot be read: \(place): \(reason)",
                          primary: Label(span, "malformed file"),
                          notes: ["`run` parses the whole file and would stop there"],
                          help: [line.map { "fix line \($0) of \"\(file)\" (every record needs as many fields as the header; a quoted field ends with a quote)" }
                                 ?? "fix \"\(file)\""])
    }

    /// A data file with no data rows: header only (CSV) or no objects (JSON Lines).
    public static func dataFileNoRows(data: String, file: String, span: Span) -> Diagnostic {
        Diagnostic(code: .dataFileNoRows, message: "data `\(data)` has no rows: \"\(file)\" holds a header and nothing below it",
                   primary: Label(span, "no data rows"),
                   notes: ["every split of data `\(data)` would be empty, so no stage could train"],
                   help: ["add data rows below the header line of \"\(file)\", or point `source` at the file that has them"])
    }

    /// A literal division by zero.
    public static func divisionByZero(span: Span) -> Diagnostic {
        Diagnostic(code: .divisionByZero, message: "division by zero", primary: Label(span, "this divides by zero"))
    }

    /// `adamw(lr: 1e-3, lr: 3e-4)`.
    public static func duplicateArgument(name: String, call: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .duplicateArgument, message: "`\(name)` is given twice in `\(call)`",
                   primary: Label(span, "given again here"), secondary: [Label(first, "first given here")],
                   help: ["remove one of them"])
    }

    /// Two `stage train` declarations.
    public static func duplicateDeclaration(kind: String, name: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .duplicateDeclaration, message: "\(kind) `\(name)` is declared twice",
                   primary: Label(span, "declared again here"), secondary: [Label(first, "first declared here")],
                   help: ["rename one of them or merge them"])
    }

    /// The same key twice in one block.
    public static func duplicateKey(key: String, section: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .duplicateKey, message: "`\(key)` is set twice in \(section)",
                   primary: Label(span, "set again here"), secondary: [Label(first, "first set here")],
                   help: ["a setting is given once; to try several values, use a sweep: `sweep grid { \(key) = [a, b] }`"])
    }

    /// Two `schedule` blocks in a stage, two `experiment` declarations.
    public static func duplicateSection(keyword: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .duplicateSection, message: "only one `\(keyword)` block is allowed here",
                   primary: Label(span, "second `\(keyword)` block"), secondary: [Label(first, "first `\(keyword)` block")],
                   help: ["merge the two blocks"])
    }

    /// The same setting swept twice in one stage.
    public static func duplicateSweepAxis(path: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .duplicateSweepAxis, message: "`\(path)` is swept twice in this stage",
                   primary: Label(span, "swept again here"), secondary: [Label(first, "first swept here")],
                   help: ["list all values of `\(path)` in one axis"])
    }

    /// `schedule.batch_size = []`, `metrics = []`.
    public static func emptyList(what: String, span: Span) -> Diagnostic {
        Diagnostic(code: .emptyList, message: "\(what) is empty",
                   primary: Label(span, "expected at least one value"),
                   help: ["give at least one value, e.g. `[16, 32]`"])
    }

    /// A feature column of numeric data that holds a value `run` cannot read as a number.
    public static func featureNotNumeric(column: String, data: String, file: String, line: Int, value: String, declared: Bool, span: Span) -> Diagnostic {
        let found = value.isEmpty ? "an empty value" : "'\(cellExcerpt(value))'"
        return Diagnostic(code: .featureNotNumeric, message: "feature column '\(column)' of data `\(data)` is not numeric: \(found) on line \(line) of \"\(file)\"",
                          primary: Label(span, declared ? "'\(column)' is listed here" : "'\(column)' is a feature: every column other than the label is"),
                          notes: ["an MLP reads every feature as a number"],
                          help: [declared ? "remove '\(column)' from `features`, or fix line \(line) of the file"
                                          : "list the numeric input columns in `features = [...]`, leaving out '\(column)'"])
    }

    /// A data file or checkpoint that does not exist.
    public static func fileNotFound(kind: String, path: String, resolved: String, span: Span) -> Diagnostic {
        Diagnostic(code: .fileNotFound, message: "\(kind) \"\(path)\" does not exist",
                   primary: Label(span, "not found"),
                   notes: ["looked for \(resolved)"],
                   help: ["paths are relative to the .ftx file"])
    }

    /// A data file that exists but has no usable header.
    public static func fileUnreadable(path: String, reason: String, span: Span) -> Diagnostic {
        Diagnostic(code: .fileUnreadable, message: "cannot read the header of \"\(path)\": \(reason)",
                   primary: Label(span, "unreadable"))
    }

    /// A `freeze`/`unfreeze` pattern that selects no trainable parameter (LANGUAGE.md, "Parameter patterns").
    public static func freezePatternMatchesNothing(pattern: String, model: String, suggestion: String?, note: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span, quoted: true)
        return Diagnostic(code: .freezePatternMatchesNothing, message: "\"\(pattern)\" matches no parameter of model `\(model)`",
                          primary: Label(span, "matches nothing"),
                          notes: note.map { [$0] } ?? [],
                          help: dym.help + ["a pattern selects every parameter whose name, or a part of it ending before a dot, it matches; `*` matches any characters, `?` one (`\"layers.0\"`, `\"encoder.layer.*.attention\"`)"],
                          fixIts: dym.fixIts)
    }

    /// `uniform(...)` in a grid sweep or outside any sweep.
    public static func generatorOutsideRandom(name: String, span: Span) -> Diagnostic {
        Diagnostic(code: .generatorOutsideRandom, message: "`\(name)(...)` draws random values and is only allowed in `sweep random(...)`",
                   primary: Label(span, "not in a random sweep"),
                   help: ["use `sweep random(trials: 16, seed: 0) { … }`, or list the values for a grid: `optimizer.lr = [1e-4, 1e-3]`"])
    }

    /// A classification head with fewer outputs than the label column has classes.
    public static func headFewerThanClasses(loss: String, units: Int, classes: Int, label: String, numeric: Bool, data: String, span: Span) -> Diagnostic {
        let fewer = numeric ? ", or train on fewer classes: `data = \(data) where \(label) < \(units)`" : ""
        return Diagnostic(code: .headFewerThanClasses, message: "`\(loss)()` on data `\(data)` needs one output per class: label '\(label)' has \(classes) classes, but the head has \(units) output\(units == 1 ? "" : "s")",
                          primary: Label(span, "head with \(units) output\(units == 1 ? "" : "s")"),
                          notes: ["class ids: the labels themselves when every label is an integer ≥ 0 (so \(classes) classes: 0…\(classes - 1)), else the distinct labels in sorted order"],
                          help: ["use `head = dense(\(classes))`" + fewer])
    }

    /// A stage whose model has no head and which declares none.
    public static func headMissing(stage: String, model: String, span: Span) -> Diagnostic {
        Diagnostic(code: .headMissing, message: "stage `\(stage)` has no task head: model `\(model)` declares no `head` and neither does the stage",
                   primary: Label(span, "no head"),
                   help: ["add `head = dense(10)` (one output per class) to the stage or the model"])
    }

    /// `bce()` with more than one output, `cross_entropy()` with one.
    public static func headSizeForLoss(loss: String, units: Int, span: Span) -> Diagnostic {
        let need: String, fix: String
        switch loss {
        case "bce": (need, fix) = ("exactly 1 output", "use `head = dense(1)` with `bce()`, or `cross_entropy()` for several classes")
        case "mse": (need, fix) = ("exactly 1 output (the regression target is one number per row)", "use `head = dense(1)` with `mse()`, or `cross_entropy()` to classify")
        default: (need, fix) = ("at least 2 outputs (one per class)", "use `bce()` for a single output, or one output per class")
        }
        return Diagnostic(code: .headSizeForLoss, message: "`\(loss)()` needs \(need), but the head has \(units)",
                          primary: Label(span, "head with \(units) output\(units == 1 ? "" : "s")"),
                          help: [fix])
    }

    /// Stages whose `init` form a cycle.
    public static func initCycle(cycle: [String], span: Span, others: [Span]) -> Diagnostic {
        Diagnostic(code: .initCycle, message: "stages form a cycle through `init`: " + cycle.joined(separator: " → "),
                   primary: Label(span, "`\(cycle[0])` starts from `\(cycle.count > 1 ? cycle[1] : cycle[0])`"),
                   secondary: others.map { Label($0, "part of the cycle") },
                   help: ["a stage can only start from a stage that does not depend on it; remove one `init`"])
    }

    /// `model = b` in a stage whose `init` stage trains model `a`.
    public static func initModelMismatch(stage: String, model: String, upstream: String, upstreamModel: String, span: Span) -> Diagnostic {
        Diagnostic(code: .initModelMismatch, message: "stage `\(stage)` trains model `\(model)`, but starts from stage `\(upstream)`, which trains model `\(upstreamModel)`",
                   primary: Label(span, "a different model"),
                   help: ["remove `model` to inherit `\(upstreamModel)` from `\(upstream)`"])
    }

    /// `input = 32` against data with 64 features.
    public static func inputSizeMismatch(model: String, input: Int, data: String, features: Int, span: Span) -> Diagnostic {
        Diagnostic(code: .inputSizeMismatch, message: "model `\(model)` takes \(input) inputs, but data `\(data)` has \(features) feature columns",
                   primary: Label(span, "expects \(input)"),
                   help: ["set `input = \(features)` (or remove `input`: it is inferred from the data)"])
    }

    /// `layers` together with `pretrained`, `tokenizer` without `pretrained`, ….
    public static func keyNotApplicable(key: String, reason: String, span: Span) -> Diagnostic {
        Diagnostic(code: .keyNotApplicable, message: "`\(key)` \(reason)",
                   primary: Label(span, "not applicable"),
                   help: ["remove `\(key)`"])
    }

    /// A data row whose label is empty (CSV) or absent/null (JSON Lines).
    public static func labelMissing(label: String, data: String, file: String, line: Int, span: Span) -> Diagnostic {
        Diagnostic(code: .labelMissing, message: "label column '\(label)' of data `\(data)` is empty on line \(line) of \"\(file)\"",
                   primary: Label(span, "the label column"),
                   notes: ["every row needs a label to train on or to score"],
                   help: ["fill in the label on line \(line) of \"\(file)\", or remove that row"])
    }

    /// A loss expression without a criterion, or with an unknown or subtracted term.
    public static func lossInvalid(problem: String, span: Span) -> Diagnostic {
        Diagnostic(code: .lossInvalid, message: "invalid loss: \(problem)",
                   primary: Label(span, problem),
                   help: ["a loss is a criterion (`cross_entropy()`, `focal()`, `mse()`, `bce()`) or a weighted sum of criteria on the same target, plus weighted penalties, e.g. `loss = 0.7 * cross_entropy() + 0.3 * focal(gamma: 2) + 1e-4 * l2()`"])
    }

    /// `mse() + cross_entropy()`: the criteria of a sum predict different targets.
    public static func lossTargetsDiffer(first: String, firstTarget: String, other: String, otherTarget: String, span: Span, firstSpan: Span) -> Diagnostic {
        Diagnostic(code: .lossTargetsDiffer, message: "the terms of a loss must share one target, but `\(first)()` trains on \(firstTarget) and `\(other)()` on \(otherTarget)",
                   primary: Label(span, "trains on \(otherTarget)"),
                   secondary: [Label(firstSpan, "trains on \(firstTarget)")],
                   help: ["sum criteria of one kind: `cross_entropy` with `focal` (class ids), `bce` with `bce` (a 0/1 label), `mse` with `mse` (a number); e.g. `loss = 0.7 * cross_entropy() + 0.3 * focal(gamma: 2)`"])
    }

    /// `metrics = [f1_binary]` with a head of more than two classes.
    public static func metricNeedsTwoClasses(metric: String, classes: Int, span: Span) -> Diagnostic {
        let base = metric.replacingOccurrences(of: "_binary", with: "")
        return Diagnostic(code: .metricNeedsTwoClasses, message: "metric `\(metric)` scores the positive class of two, but the stage has \(classes) classes",
                          primary: Label(span, "needs exactly two classes"),
                          notes: ["`_binary` metrics score class id 1 against class id 0"],
                          help: ["use `\(base)` (macro average) or `\(base)_micro` for \(classes) classes"])
    }

    /// `best(valid.f1)` where the stage does not compute f1.
    public static func metricNotComputed(metric: String, name: String, stage: String, computed: [String], span: Span) -> Diagnostic {
        Diagnostic(code: .metricNotComputed, message: "stage `\(stage)` does not compute `\(name)`, so `\(metric)` is undefined",
                   primary: Label(span, "not computed"),
                   notes: ["the stage computes " + list(computed)],
                   help: ["add it to the stage's metrics: `metrics = [" + (computed + [name]).joined(separator: ", ") + "]`"])
    }

    /// `metrics = [accuracy]` with `loss = mse()`: the metric needs class labels.
    public static func metricNotForLoss(metric: String, loss: String, span: Span) -> Diagnostic {
        Diagnostic(code: .metricNotForLoss, message: "metric `\(metric)` needs class labels, but the loss `\(loss)` is a regression",
                   primary: Label(span, "not computed with \(loss)"),
                   notes: ["with `\(loss)` a stage computes `loss` and `mse`"],
                   help: ["remove `\(metric)` from `metrics`, or train a classifier with `loss = cross_entropy()`"])
    }

    /// `best(valid.confusion)`: a confusion matrix cannot be ranked.
    public static func metricNotRankable(metric: String, name: String, context: String, span: Span) -> Diagnostic {
        Diagnostic(code: .metricNotRankable, message: "`\(metric)` is not a number, so it cannot rank trials or epochs (\(context))",
                   primary: Label(span, "`\(name)` is a matrix"),
                   notes: ["`\(name)` is stored with the trial's results (`ftx results`) for reading, not for ranking"],
                   help: ["rank by a number, e.g. `valid.accuracy` or `valid.f1`"])
    }

    /// `test.accuracy` on data whose split has no test part.
    public static func metricSplitMissing(metric: String, split: String, data: String, span: Span) -> Diagnostic {
        Diagnostic(code: .metricSplitMissing, message: "`\(metric)` needs a `\(split)` split, but data `\(data)` has none",
                   primary: Label(span, "no \(split) split"),
                   help: ["give data `\(data)` a \(split) fraction, e.g. `split = random(train: 0.7, valid: 0.15, test: 0.15, seed: 0)`"])
    }

    /// A required argument is missing.
    public static func missingArgument(param: String, call: String, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .missingArgument, message: "`\(call)` is missing its required argument `\(param)`",
                   primary: Label(span, "`\(param)` missing"),
                   help: ["for example: `\(example)`"])
    }

    /// A required key is missing from a block.
    public static func missingKey(key: String, section: String, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .missingKey, message: "\(section) is missing the required setting `\(key)`",
                   primary: Label(span, "`\(key)` missing"),
                   help: ["add `\(example)`"])
    }

    /// A declaration without a name.
    public static func missingName(keyword: String, span: Span) -> Diagnostic {
        Diagnostic(code: .missingName, message: "`\(keyword)` needs a name",
                   primary: Label(span, "expected a name after `\(keyword)`"),
                   help: ["for example: `\(keyword) \(keyword == "stage" ? "train" : keyword == "data" ? "digits" : keyword == "model" ? "mlp" : "my_experiment") { … }`"])
    }

    /// A required block is missing (`schedule` in a stage).
    public static func missingSection(keyword: String, section: String, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .missingSection, message: "\(section) is missing its `\(keyword)` block",
                   primary: Label(span, "no `\(keyword) { … }`"),
                   help: ["add, for example: `\(example)`"])
    }

    /// `augment = [mixup(0.2), mixup(0.4)]`: the trainer mixes each batch with one partner per row.
    public static func mixupRepeated(span: Span, first: Span) -> Diagnostic {
        Diagnostic(code: .mixupRepeated, message: "`mixup` is given twice in `augment`",
                   primary: Label(span, "mixed again here"), secondary: [Label(first, "first mixup here")],
                   help: ["keep one `mixup(alpha)`: a batch is mixed once, each row with one partner"])
    }

    /// A model with neither layers, head nor pretrained encoder.
    public static func modelEmpty(name: String, span: Span) -> Diagnostic {
        Diagnostic(code: .modelEmpty, message: "model `\(name)` has no layers, head or pretrained encoder",
                   primary: Label(span, "nothing to train"),
                   help: ["add `layers = [dense(64, activation: relu)]` and `head = dense(10)`, or `pretrained = bert(\"DIR\")`"])
    }

    /// `sgd(nesterov: true)` without momentum (PyTorch refuses it).
    public static func nesterovNeedsMomentum(span: Span) -> Diagnostic {
        Diagnostic(code: .nesterovNeedsMomentum, message: "`nesterov: true` needs `momentum > 0` and `dampening: 0`",
                   primary: Label(span, "Nesterov momentum without momentum"),
                   help: ["for example: `sgd(lr: 0.05, momentum: 0.9, nesterov: true)`"])
    }

    /// A block written where a setting belongs: `optimizer { … }`.
    public static func notASection(key: String, section: String, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .notASection, message: "`\(key)` is a setting of \(section), not a block",
                   primary: Label(span, "written as a block"),
                   help: ["write `\(example)`"])
    }

    /// A setting written where a block belongs: `schedule = …`.
    public static func notASetting(keyword: String, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .notASetting, message: "`\(keyword)` is a block, not a setting",
                   primary: Label(span, "written as a setting"),
                   help: ["write it as a block: `\(example)`"])
    }

    /// `multistep([8 epochs, 5 epochs])`.
    public static func notIncreasing(what: String, span: Span) -> Diagnostic {
        Diagnostic(code: .notIncreasing, message: "\(what) must be strictly increasing",
                   primary: Label(span, "not after the previous value"),
                   help: ["sort the values, e.g. `[5 epochs, 8 epochs]`"])
    }

    /// A number outside its allowed range, or not an integer.
    public static func outOfRange(what: String, value: String, expected: String, span: Span) -> Diagnostic {
        Diagnostic(code: .outOfRange, message: "\(what) must be \(expected), found \(value)",
                   primary: Label(span, "out of range"),
                   help: ["use \(expected)"])
    }

    /// A `param_groups` entry's `lr` under `one_cycle`, which sets every rate from its `max` alone.
    public static func paramGroupLRWithOneCycle(span: Span, schedule: Span) -> Diagnostic {
        Diagnostic(code: .paramGroupLRWithOneCycle, message: "a `param_groups` entry sets `lr`, but the schedule is `one_cycle`",
                   primary: Label(span, "this rate would be ignored"),
                   secondary: [Label(schedule, "`one_cycle` takes every rate from its `max`")],
                   notes: ["`one_cycle` ignores the optimizer's `lr`, so there is no base rate for a group's `lr` to replace"],
                   help: ["remove the group's `lr` (a group may still set `weight_decay`), or use a schedule that scales `lr`, e.g. `lr = cosine(warmup: 0.1)`"])
    }

    /// `uniform(0.9, 0.1)`.
    public static func rangeBoundsOrder(call: String, low: String, high: String, span: Span) -> Diagnostic {
        Diagnostic(code: .rangeBoundsOrder, message: "`\(call)` needs its lower bound below its upper bound, found \(low) ≥ \(high)",
                   primary: Label(span, "empty range"),
                   help: ["swap the bounds: `\(call)(\(high), \(low))`"])
    }

    /// `model = mpl`, `init = pretrian`, `best(probe)` naming nothing.
    public static func referenceNotFound(kind: String, name: String, candidates: [String], suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .referenceNotFound, message: "no \(kind) named `\(name)`",
                          primary: Label(span, "unknown \(kind)"),
                          notes: candidates.isEmpty ? ["this file declares no \(kind)"] : ["declared \(kind == "data" ? "data" : kind + "s"): " + list(candidates)],
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// A regression loss on a label column with a value that is not a number.
    public static func regressionLabelNotNumeric(loss: String, label: String, value: String, line: Int, data: String, file: String, span: Span) -> Diagnostic {
        Diagnostic(code: .regressionLabelNotNumeric,
                   message: "`\(loss)()` on data `\(data)` needs numeric targets, but column '\(label)' holds '\(cellExcerpt(value))' on line \(line) of \"\(file)\"",
                   primary: Label(span, "regression loss"),
                   notes: ["a regression target is read as a number; every trial would fail on that row"],
                   help: ["fix line \(line) of the file, or use `cross_entropy()` if '\(label)' names classes"])
    }

    /// `repeat = N` with `prune`: ASHA ranks single trials at each rung, not a point's replicates.
    public static func repeatWithPrune(repeatCount: Int, span: Span, pruneSpan: Span) -> Diagnostic {
        Diagnostic(code: .repeatWithPrune, message: "`repeat = \(repeatCount)` cannot be combined with `prune`",
                   primary: Label(span, "repeats every sweep point \(repeatCount) times"),
                   secondary: [Label(pruneSpan, "ASHA would stop replicates of one point one by one, not by the point's mean")],
                   help: ["remove `prune` to compare points by their mean over \(repeatCount) seeds, or remove `repeat`"])
    }

    /// `repeat = N` with a sweep over `seed`: replicate r of the point with seed s is the point with seed s + r.
    public static func repeatWithSeedSweep(repeatCount: Int, span: Span, repeatSpan: Span) -> Diagnostic {
        Diagnostic(code: .repeatWithSeedSweep, message: "a stage with `repeat = \(repeatCount)` cannot sweep `seed`",
                   primary: Label(span, "`seed` swept here"),
                   secondary: [Label(repeatSpan, "already runs each point with seeds s … s+\(repeatCount - 1)")],
                   help: ["remove the `seed` axis: `repeat` already trains every point with \(repeatCount) consecutive seeds"])
    }

    /// `resources { memory = "8GB" }`: `problem` says what is wrong, `suggestion` is a valid spelling of it when there is one.
    public static func resourceMemoryInvalid(what: String, text: String, problem: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span, quoted: true)
        return Diagnostic(code: .resourceMemoryInvalid, message: "\(what) expects a memory size such as \"8G\", found \"\(text)\": \(problem)",
                          primary: Label(span, "not a memory size"),
                          help: dym.help.isEmpty ? ["write a whole number and a unit letter, no space: `\"512M\"`, `\"8G\"`, `\"1T\"` (factors of 1024, as SLURM counts)"] : dym.help,
                          fixIts: dym.fixIts)
    }

    /// `resources { partition = "gpu,cpu" }`: `problem` says what is wrong.
    public static func resourcePartitionInvalid(what: String, text: String, problem: String, span: Span) -> Diagnostic {
        Diagnostic(code: .resourcePartitionInvalid, message: "\(what) expects a partition name, found \"\(text)\": \(problem)",
                   primary: Label(span, "not a partition name"),
                   help: ["name one partition of the cluster (`sinfo -s` lists them), of letters, digits, `_`, `.` and `-`: `partition = \"cpu\"`"])
    }

    /// `resources { time = "2 hours" }`: `problem` says what is wrong, `suggestion` is a valid spelling of it when there is one.
    public static func resourceTimeInvalid(what: String, text: String, problem: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span, quoted: true)
        return Diagnostic(code: .resourceTimeInvalid, message: "\(what) expects a duration such as \"2h\", found \"\(text)\": \(problem)",
                          primary: Label(span, "not a duration"),
                          help: dym.help.isEmpty ? ["write whole amounts of `d`, `h`, `m`, `s` in that order, no spaces (`\"90m\"`, `\"1h30m\"`, `\"1d12h\"`), or SLURM's `\"HH:MM:SS\"` or `\"D-HH:MM:SS\"`"] : dym.help,
                          fixIts: dym.fixIts)
    }

    /// A `resources` block at the top level, where it belongs to no experiment or stage.
    public static func resourcesOutsideExperiment(span: Span) -> Diagnostic {
        Diagnostic(code: .resourcesOutsideExperiment, message: "a `resources` block must be inside `experiment { … }` (the default of every stage) or inside a `stage`",
                   primary: Label(span, "not allowed at the top level"),
                   help: ["move it into the experiment block: `experiment NAME { resources { cpus = 4 } }`"])
    }

    /// Classification on a label column with one class only.
    public static func singleClass(loss: String, label: String, value: String, data: String, file: String, span: Span) -> Diagnostic {
        Diagnostic(code: .singleClass, message: "`\(loss)()` on data `\(data)` has nothing to tell apart: every label in column '\(label)' of \"\(file)\" is '\(value)'",
                   primary: Label(span, "classification loss"),
                   notes: ["with one class, the model learns to always answer '\(value)' and accuracy is 1 whatever it learns"],
                   help: ["use a data file with at least two classes, or `mse()` for a numeric target"])
    }

    /// Split fractions that do not add up to 1.
    public static func splitFractionsSum(sum: Double, parts: String, span: Span) -> Diagnostic {
        Diagnostic(code: .splitFractionsSum, message: "split fractions must sum to 1, found \(parts) = \(Value.format((sum * 1e9).rounded() / 1e9))",
                   primary: Label(span, "sums to \(Value.format((sum * 1e9).rounded() / 1e9))"),
                   help: ["for example: `random(train: 0.8, valid: 0.2, seed: 0)`"])
    }

    /// `optimizer.momentum` swept while the optimizer is `adamw`.
    public static func sweepAxisDead(path: String, param: String, chosen: [String], owners: [String], span: Span) -> Diagnostic {
        Diagnostic(code: .sweepAxisDead, message: "`\(path)` has no effect: \(chosen.map { "`\($0)`" }.joined(separator: ", ")) \(chosen.count == 1 ? "has" : "have") no parameter `\(param)`",
                   primary: Label(span, "dead for the chosen \(chosen.count == 1 ? chosen[0] : "calls")"),
                   notes: ["`\(param)` is a parameter of " + list(owners)],
                   help: ["remove this axis, or change the call it belongs to"])
    }

    /// A sweep over `select`, `ensemble`, `prune` or `init`.
    public static func sweepAxisNotSweepable(path: String, span: Span) -> Diagnostic {
        Diagnostic(code: .sweepAxisNotSweepable, message: "`\(path)` cannot be swept",
                   primary: Label(span, "not a trial setting"),
                   help: ["sweep axes are trial settings such as `optimizer.lr`, `schedule.batch_size`, `freeze` or `seed`"])
    }

    /// A sweep axis naming no setting.
    public static func sweepAxisUnknown(path: String, problem: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .sweepAxisUnknown, message: "sweep axis `\(path)` names no setting: \(problem)",
                          primary: Label(span, "unknown setting"),
                          help: dym.help.isEmpty ? ["axes are dotted paths to stage settings, e.g. `optimizer.lr`, `schedule.batch_size`, `freeze`"] : dym.help,
                          fixIts: dym.fixIts)
    }

    /// A plain value in a random sweep.
    public static func sweepGeneratorExpected(path: String, span: Span) -> Diagnostic {
        Diagnostic(code: .sweepGeneratorExpected, message: "axis `\(path)` of a random sweep needs a generator",
                   primary: Label(span, "expected `choice(...)`, `uniform(a, b)`, `loguniform(a, b)` or `int(a, b)`"),
                   help: ["for example: `\(path) = choice(a, b)`, or `loguniform(a, b)` for a positive number"])
    }

    /// A non-list value in a grid or zip sweep.
    public static func sweepListExpected(path: String, kind: String, span: Span) -> Diagnostic {
        Diagnostic(code: .sweepListExpected, message: "axis `\(path)` of a \(kind) sweep needs a list of values",
                   primary: Label(span, "expected a list"),
                   help: ["for example: `\(path) = [a, b]`; random draws go in `sweep random(trials: N) { … }`"])
    }

    /// A pretrained (tokenizer) model trained on data without a text column.
    public static func textColumnMissing(model: String, data: String, span: Span) -> Diagnostic {
        Diagnostic(code: .textColumnMissing, message: "model `\(model)` reads text, but data `\(data)` declares no `text` column",
                   primary: Label(span, "no text for the tokenizer"),
                   help: ["add `text = \"COLUMN\"` to data `\(data)`"])
    }

    /// An MLP trained on text data.
    public static func textModelRequired(model: String, data: String, span: Span) -> Diagnostic {
        Diagnostic(code: .textModelRequired, message: "data `\(data)` is text, but model `\(model)` has no tokenizer",
                   primary: Label(span, "an MLP cannot read text"),
                   help: ["use a pretrained model: `pretrained = bert(\"DIR\")`, or remove `text` from the data"])
    }

    /// More positional arguments than the call takes.
    public static func tooManyArguments(call: String, max: Int, example: String, span: Span) -> Diagnostic {
        Diagnostic(code: .tooManyArguments, message: "`\(call)` takes \(max == 0 ? "no" : "at most \(max)") positional argument\(max == 1 ? "" : "s")",
                   primary: Label(span, "unexpected argument"),
                   help: ["for example: `\(example)`"])
    }

    /// A value of the wrong type.
    public static func typeMismatch(what: String, expected: String, found: String, example: String?, span: Span, fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(code: .typeMismatch, message: "\(what) expects \(expected), found \(found)",
                   primary: Label(span, "expected \(expected)"),
                   help: example.map { ["for example: `\($0)`"] } ?? [],
                   fixIts: fixIts)
    }

    /// A named argument the call does not have.
    public static func unknownArgument(name: String, call: String, valid: [String], suggestion: String?, owners: [String], span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        var notes = [valid.isEmpty ? "`\(call)` takes no arguments" : "`\(call)` takes " + list(valid)]
        if !owners.isEmpty { notes.append("`\(name)` is a parameter of " + list(owners)) }
        return Diagnostic(code: .unknownArgument, message: "`\(call)` has no parameter `\(name)`",
                          primary: Label(span, "unknown parameter"), notes: notes, help: dym.help, fixIts: dym.fixIts)
    }

    /// A call that is not part of the language at this place.
    public static func unknownCall(name: String, family: String, valid: [String], suggestion: String?, elsewhere: [String], span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        var notes = ["expected " + LanguageSchema.familyNoun(family) + ": " + list(valid)]
        if !elsewhere.isEmpty { notes.append("`\(name)` is " + elsewhere.map(LanguageSchema.familyNoun).joined(separator: " or ") + ", not " + LanguageSchema.familyNoun(family)) }
        return Diagnostic(code: .unknownCall, message: "unknown \(LanguageSchema.familyNoun(family).split(separator: " ").dropFirst().joined(separator: " ")) `\(name)`",
                          primary: Label(span, "unknown"), notes: notes, help: dym.help, fixIts: dym.fixIts)
    }

    /// A key the block does not have.
    public static func unknownKey(key: String, section: String, valid: [String], suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownKey, message: "unknown setting `\(key)` in \(section)",
                          primary: Label(span, "unknown setting"),
                          notes: ["valid settings: " + list(valid, limit: 20)],
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// A metric that is not `split.name`.
    public static func unknownMetric(text: String, problem: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownMetric, message: "unknown metric `\(text)`: \(problem)",
                          primary: Label(span, "unknown metric"),
                          notes: ["a metric is SPLIT.NAME with SPLIT one of `train`, `valid`, `test` and NAME one of " + list(LanguageSchema.metricNames)],
                          help: dym.help.isEmpty ? ["for example: `valid.accuracy`"] : dym.help, fixIts: dym.fixIts)
    }

    /// A block keyword that is not valid at this place.
    public static func unknownSection(keyword: String, place: String, valid: [String], suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownSection, message: "unknown block `\(keyword)` \(place)",
                          primary: Label(span, "unknown block"),
                          notes: ["valid here: " + list(valid)],
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// `sweep grd { … }`.
    public static func unknownSweepKind(name: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownSweepKind, message: "unknown sweep kind `\(name)`",
                          primary: Label(span, "expected `grid`, `zip` or `random(trials:, seed:)`"),
                          help: dym.help.isEmpty ? ["for example: `sweep grid { optimizer.lr = [1e-4, 1e-3] }`"] : dym.help, fixIts: dym.fixIts)
    }

    /// An identifier that is not one of the allowed names (`activation: relux`, `pooling = max`).
    public static func unknownSymbol(name: String, what: String, valid: [String], suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownSymbol, message: "unknown value `\(name)` for \(what)",
                          primary: Label(span, "expected one of " + list(valid)),
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// `2 epoch` is fine; `2 batches` is not.
    public static func unknownUnit(unit: String, suggestion: String?, span: Span) -> Diagnostic {
        let dym = didYouMean(suggestion, at: span)
        return Diagnostic(code: .unknownUnit, message: "unknown unit `\(unit)`",
                          primary: Label(span, "expected `steps` or `epochs`"),
                          help: dym.help, fixIts: dym.fixIts)
    }

    /// `lr = plateau(…)` reads `valid.loss` after each epoch, but the stage's data has no valid split.
    public static func validSplitRequired(setting: String, reads: String, data: String, span: Span) -> Diagnostic {
        Diagnostic(code: .validSplitRequired, message: "`\(setting)` reads `\(reads)` after each epoch, but data `\(data)` has no valid split",
                   primary: Label(span, "would never act without a valid split"),
                   help: ["add `valid:` to the split of data `\(data)`, e.g. `split = random(train: 0.8, valid: 0.2, seed: 0)`"])
    }

    /// `wordpiece(vocab: …)` (or the folder's vocab.txt) that is not a WordPiece vocabulary;
    /// `reason` names the file and what is wrong (unreadable, not UTF-8, a special token missing).
    public static func vocabularyInvalid(path: String, reason: String, span: Span) -> Diagnostic {
        Diagnostic(code: .vocabularyInvalid, message: "vocabulary file \"\(path)\" cannot be used: \(reason)",
                   primary: Label(span, "not a WordPiece vocabulary"),
                   notes: ["a vocabulary is UTF-8 text, one token per line; the line number is the token's id"],
                   help: ["give the vocab.txt the model was trained with, or add the missing special tokens"])
    }

    /// `warmup: 100` — a bare number ≥ 1 is not a fraction.
    public static func warmupNeedsUnit(value: String, span: Span) -> Diagnostic {
        Diagnostic(code: .warmupNeedsUnit, message: "a bare `warmup` is a fraction of all steps in [0, 1), found \(value)",
                   primary: Label(span, "not a fraction"),
                   help: ["did you mean `\(value) steps`?"],
                   fixIts: [FixIt(span: span, replacement: "\(value) steps")])
    }

    /// `betas: [0.9]`.
    public static func wrongListLength(what: String, expected: Int, found: Int, span: Span) -> Diagnostic {
        Diagnostic(code: .wrongListLength, message: "\(what) needs exactly \(expected) values, found \(found)",
                   primary: Label(span, "\(found) value\(found == 1 ? "" : "s")"),
                   help: ["for example: `betas: [0.9, 0.999]`"])
    }

    /// Zip axes of different lengths.
    public static func zipLengthMismatch(path: String, count: Int, first: String, firstCount: Int, span: Span, firstSpan: Span) -> Diagnostic {
        Diagnostic(code: .zipLengthMismatch, message: "zip axes must have the same length: `\(path)` has \(count) values, `\(first)` has \(firstCount)",
                   primary: Label(span, "\(count) values"), secondary: [Label(firstSpan, "\(firstCount) values")],
                   help: ["give every axis of a `sweep zip` the same number of values, or use `sweep grid` for all combinations"])
    }

    // MARK: Warnings

    /// A sweep block without axes.
    public static func emptySweep(span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .emptySweep, message: "this sweep has no axes",
                   primary: Label(span, "empty sweep"),
                   help: ["add axes such as `optimizer.lr = [1e-4, 1e-3]`, or remove the block"])
    }

    /// Every parameter frozen: the stage trains nothing.
    public static func everythingFrozen(stage: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .everythingFrozen, message: "`freeze` covers every parameter: stage `\(stage)` trains nothing",
                   primary: Label(span, "freezes everything"),
                   help: ["leave the head trainable, e.g. `freeze = [\"encoder.*\"]`"])
    }

    /// A stage expanding to a very large number of trials.
    public static func largeSweep(stage: String, trials: Int, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .largeSweep, message: "stage `\(stage)` expands to \(trials == Int.max ? "an enormous number of" : String(trials)) trials",
                   primary: Label(span, "more than \(LanguageSchema.largeSweepThreshold) trials"),
                   help: ["consider `sweep random(trials: 64, seed: 0) { … }` with `choice(...)` over the same values"])
    }

    /// A note: how many of the data's texts a `paraphrases` table covers.
    public static func paraphraseCoverage(data: String, file: String, covered: Int, texts: Int, span: Span) -> Diagnostic {
        Diagnostic(severity: .note, code: .paraphraseCoverage,
                   message: "\"\(file)\" has paraphrases for \(covered) of the \(texts) texts of data `\(data)` (all splits; only training texts are replaced)",
                   primary: Label(span, "covers \(covered) of \(texts) texts"),
                   help: ["`ftx augment FILE --stage S --show N` counts the training texts covered and shows examples"])
    }

    /// A `paraphrases` table that covers none of the data's texts, so it changes nothing.
    public static func paraphrasesCoverNothing(data: String, file: String, texts: Int, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .paraphrasesCoverNothing,
                   message: "\"\(file)\" has paraphrases for none of the \(texts) texts of data `\(data)`, so `paraphrases` changes nothing",
                   primary: Label(span, "covers no text"),
                   notes: ["a text is matched exactly, character for character, against the table's `text` column"],
                   help: ["check that the table's texts are the data's, or remove `paraphrases`"])
    }

    /// Selecting or ensembling on the test split leaks it.
    public static func selectionOnTest(metric: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .selectionOnTest, message: "choosing trials by `\(metric)` uses the test split for model selection",
                   primary: Label(span, "test data used for selection"),
                   help: ["select on the validation split, e.g. `valid.\(metric.split(separator: ".").last ?? "accuracy")`; keep test for the final report", LintTable.why(.selectionOnTest)])
    }

    /// An `unfreeze` step that training never reaches.
    public static func unfreezeNeverReached(at: Value, bound: String, swept: Bool, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .unfreezeNeverReached, message: "`unfreeze` at \(at.description) is never reached: \(bound)\(swept ? " in some trials of the sweep" : "")",
                   primary: Label(span, "never reached"),
                   notes: ["its parameters stay frozen to the end; the step only keeps them in the checkpoint"],
                   help: ["unfreeze earlier, or train longer"])
    }

    /// A data or model declaration no stage uses.
    public static func unusedDeclaration(kind: String, name: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .unusedDeclaration, message: "\(kind) `\(name)` is never used",
                   primary: Label(span, "declared here"),
                   help: ["use it in a stage or remove it"])
    }
}
