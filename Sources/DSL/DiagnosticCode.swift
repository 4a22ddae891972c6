/// Every diagnostic code, one case each; the raw value is the code as printed
/// (`error[E0150]`) and as `--json` reports it.
///
/// Codes are stable — tests and scripts key on them, and a code is never reused
/// for a different mistake. Ranges: `E0001`–`E0099` syntax (`ParserDiagnostics`),
/// `E0100`… checker errors and `W0100`… checker warnings (`CheckerDiagnostics`),
/// `W0200`… planner warnings (`PlannerDiagnostics`), `W0300`… lints from fine-tuning
/// practice (`LintDiagnostics`, described once in `LintTable`). Each case is named after the
/// one factory that emits it; to add a diagnostic, add a case here (in code
/// order, with a comment saying when it fires) and a factory there.
public enum DiagnosticCode: String, CaseIterable, Sendable, Comparable {
    // MARK: Syntax (lexer and parser)

    /// A byte or character that starts no token (`@`, `;`, `é` outside a string or comment).
    case unexpectedCharacter = "E0001"
    /// The source file contains bytes that are not UTF-8.
    case invalidUTF8 = "E0002"
    /// A string literal has no closing `"` on its line.
    case unterminatedString = "E0003"
    /// A `\` escape in a string that the language does not define (only `\"`, `\\`, `\n`, `\t` exist).
    case invalidEscape = "E0004"
    /// A raw control character (other than tab) inside a string literal.
    case controlCharacterInString = "E0005"
    /// A number written with a leading dot: `.5` instead of `0.5`.
    case numberWithLeadingDot = "E0006"
    /// A number too large for a 64-bit float: `1e999`.
    case numberOutOfRange = "E0007"
    /// Anything but a section at the top level of a file.
    case expectedTopLevelSection = "E0010"
    /// A setting outside any section: `seed = 0` at the top level.
    case settingOutsideSection = "E0011"
    /// Something that is neither a setting nor a section inside a section body.
    case expectedItem = "E0012"
    /// A setting key not followed by `=`: `lr cosine(…)` or `lr: 1e-3`.
    case expectedEquals = "E0013"
    /// A setting with nothing after its `=`: `lr =`.
    case missingValue = "E0014"
    /// More text after a complete setting value on the same line: `lr = 1e-3 2e-3`.
    case expectedLineEnd = "E0015"
    /// A section header not followed by `{`: `stage x y {`.
    case expectedSectionBody = "E0016"
    /// A section whose `{` is never closed before the file ends.
    case unclosedSection = "E0017"
    /// A `)`, `]` or `}` with nothing to close.
    case unexpectedClosingDelimiter = "E0018"
    /// A reserved word (`true`, `false`, `and`, `or`, `not`, `where`) used as a name.
    case reservedWord = "E0019"
    /// A dotted name used as a section keyword: `optimizer.lr { … }`.
    case dottedSectionKeyword = "E0020"
    /// A value was expected (after `=`, an operator, a `,` …) but something else came.
    case expectedExpression = "E0030"
    /// A dotted name whose part after `.` is not a name: `valid.`, `layers.0`.
    case expectedNameAfterDot = "E0031"
    /// Something other than `,` or the closing bracket after a list element: `[1, 2 3]`.
    case expectedCommaOrClose = "E0032"
    /// List elements separated by a line break but no comma: `[1\n 2]`.
    case missingComma = "E0033"
    /// A bracket that is never closed: `[1, 2}`, or `f(1` followed by a new setting.
    case unclosedDelimiter = "E0034"
    /// A record field that is not a name: `{1: 2}`, `{"a": 1}`.
    case expectedFieldName = "E0035"
    /// A record field name not followed by `:`: `{metric = valid.loss}`.
    case expectedFieldColon = "E0036"
    /// A named call argument written with `=`: `f(lr = 1e-3)`.
    case namedArgumentWithEquals = "E0037"
    /// A positional call argument after a named one: `f(a: 1, 2)`.
    case positionalAfterNamed = "E0038"
    /// Chained comparison operators: `a < b < c`.
    case chainedComparison = "E0039"
    /// A parenthesized expression not closed by `)`: `(1 + 2 3)`.
    case expectedClosingParen = "E0040"
    /// Brackets or expressions nested deeper than the parser follows.
    case nestingTooDeep = "E0098"
    /// Emitted once when a file has so many syntax errors that the rest are dropped.
    case tooManyErrors = "E0099"

    // MARK: Checker errors

    /// `init` names a stage that runs several trials but has no `select`.
    case ambiguousInit = "E0100"
    /// `pretrained = bert(DIR)` where DIR has no usable `config.json`.
    case bertConfigInvalid = "E0101"
    /// `pretrained = bert(DIR)` where DIR does not exist.
    case bertFolderNotFound = "E0102"
    /// A column named in `label`, `text`, `features` or a `where` filter is not in the data file's header.
    case columnNotFound = "E0103"
    /// A literal division by zero in an expression.
    case divisionByZero = "E0104"
    /// A call gives the same named argument twice: `adamw(lr: 1e-3, lr: 3e-4)`.
    case duplicateArgument = "E0105"
    /// Two declarations of the same kind share a name (two `stage train`).
    case duplicateDeclaration = "E0106"
    /// The same key is set twice in one block.
    case duplicateKey = "E0107"
    /// A block that may appear once appears twice (two `schedule` blocks, two `experiment`s).
    case duplicateSection = "E0108"
    /// The same setting is swept twice in one stage.
    case duplicateSweepAxis = "E0109"
    /// A list that needs values is empty: `schedule.batch_size = []`, `metrics = []`.
    case emptyList = "E0110"
    /// A data file or checkpoint path that does not exist.
    case fileNotFound = "E0111"
    /// A data file exists but its header cannot be read (empty, malformed, unreadable).
    case fileUnreadable = "E0112"
    /// A `freeze`/`unfreeze` pattern matches no parameter of the model.
    case freezePatternMatchesNothing = "E0113"
    /// A random-sweep generator (`choice`, `uniform`, `loguniform`, `int`) outside a `sweep random(...)`.
    case generatorOutsideRandom = "E0114"
    /// A stage whose model has no `head` and which declares none.
    case headMissing = "E0115"
    /// A head size that does not fit the loss: `bce()` with more than one output, `cross_entropy()` with one.
    case headSizeForLoss = "E0116"
    /// Stages whose `init` references form a cycle.
    case initCycle = "E0117"
    /// A stage trains a different model than the stage its `init` starts from.
    case initModelMismatch = "E0118"
    /// A model's `input` differs from the data's number of feature columns.
    case inputSizeMismatch = "E0119"
    /// A setting that does not apply in its context (`layers` with `pretrained`, `token_dropout` on numeric data, …).
    case keyNotApplicable = "E0120"
    /// A loss expression without a base loss, with two, or with an unknown term.
    case lossInvalid = "E0121"
    /// A metric the stage uses but does not compute: `best(valid.f1)` without `f1` in `metrics`.
    case metricNotComputed = "E0122"
    /// A metric on a split the data does not have: `test.accuracy` without a test fraction.
    case metricSplitMissing = "E0123"
    /// A call is missing a required argument.
    case missingArgument = "E0124"
    /// A block is missing a required setting.
    case missingKey = "E0125"
    /// A declaration without a name: `stage { … }`.
    case missingName = "E0126"
    /// A required block is missing (`schedule` in a stage).
    case missingSection = "E0127"
    /// A model with neither layers, head nor pretrained encoder.
    case modelEmpty = "E0128"
    /// `sgd(nesterov: true)` without momentum or with dampening (PyTorch refuses it).
    case nesterovNeedsMomentum = "E0129"
    /// A block written where a setting belongs: `optimizer { … }`.
    case notASection = "E0130"
    /// A setting written where a block belongs: `schedule = …`.
    case notASetting = "E0131"
    /// Values that must be strictly increasing are not: `multistep([8 epochs, 5 epochs])`.
    case notIncreasing = "E0132"
    /// A number outside its allowed range, or not an integer where one is needed.
    case outOfRange = "E0133"
    /// A range whose lower bound is not below its upper bound: `uniform(0.9, 0.1)`.
    case rangeBoundsOrder = "E0134"
    /// A name that refers to no declaration: `model = mpl`, `init = pretrian`, `best(probe)`.
    case referenceNotFound = "E0135"
    /// Split fractions that do not add up to 1.
    case splitFractionsSum = "E0136"
    /// A sweep axis over a parameter the chosen call does not have (`optimizer.momentum` with `adamw`).
    case sweepAxisDead = "E0137"
    /// A sweep over something that is not a trial setting (`select`, `ensemble`, `prune`, `init`).
    case sweepAxisNotSweepable = "E0138"
    /// A sweep axis whose path names no setting.
    case sweepAxisUnknown = "E0139"
    /// A plain value (no generator) on an axis of a random sweep.
    case sweepGeneratorExpected = "E0140"
    /// A value that is not a list on an axis of a grid or zip sweep.
    case sweepListExpected = "E0141"
    /// A pretrained (tokenizer) model trained on data that declares no `text` column.
    case textColumnMissing = "E0142"
    /// A model without a tokenizer (an MLP) trained on text data.
    case textModelRequired = "E0143"
    /// A call given more positional arguments than it takes.
    case tooManyArguments = "E0144"
    /// A value of the wrong type for its setting or argument.
    case typeMismatch = "E0145"
    /// A named argument the call does not have.
    case unknownArgument = "E0146"
    /// A call that is not part of the language at this place.
    case unknownCall = "E0147"
    /// A setting key the block does not have.
    case unknownKey = "E0148"
    /// A metric that is not `SPLIT.NAME` with a known split and name.
    case unknownMetric = "E0149"
    /// A block keyword that is not valid at this place.
    case unknownSection = "E0150"
    /// A sweep kind other than `grid`, `zip` or `random(...)`: `sweep grd { … }`.
    case unknownSweepKind = "E0151"
    /// An identifier that is not one of the allowed names (`activation: relux`, `pooling = max`).
    case unknownSymbol = "E0152"
    /// A duration unit other than `steps`/`epochs`: `2 batches`.
    case unknownUnit = "E0153"
    /// A bare `warmup` number ≥ 1, which is not a fraction of all steps (`warmup: 100`).
    case warmupNeedsUnit = "E0154"
    /// A list of the wrong length: `betas: [0.9]`.
    case wrongListLength = "E0155"
    /// The axes of a `sweep zip` have different lengths.
    case zipLengthMismatch = "E0156"
    /// The tokenizer's `max_length` (written or defaulted) exceeds the pretrained model's `max_position_embeddings`.
    case bertMaxLengthTooLong = "E0157"
    /// The tokenizer's vocabulary (the folder's `vocab.txt` or `wordpiece(vocab:)`) has more tokens than the word-embedding table has rows (`vocab_size`).
    case bertVocabularyMismatch = "E0158"
    /// `wordpiece(vocab: …)` (or a folder's vocab.txt) that is not a WordPiece vocabulary: unreadable, not UTF-8, or without `[UNK]`, `[CLS]`, `[SEP]` or `[PAD]`.
    case vocabularyInvalid = "E0160"
    /// The pretrained folder's `tokenizer_config.json`, read for `do_lower_case` when `wordpiece(lowercase:)` is not given, is malformed.
    case bertTokenizerConfigInvalid = "E0161"
    /// `augment` lists `mixup` more than once: a batch mixed twice would need a loss weight per pair of labels.
    case mixupRepeated = "E0162"
    /// A `param_groups` entry sets `lr` while the schedule is `one_cycle`, whose rates ignore every `lr`.
    case paramGroupLRWithOneCycle = "E0165"
    /// A metric that needs class labels listed for a loss that has none: `metrics = [accuracy]` with `mse()`.
    case metricNotForLoss = "E0170"
    /// A two-class metric (`f1_binary`, …) on a stage whose head has another number of classes.
    case metricNeedsTwoClasses = "E0171"
    /// A metric that is not one number where trials or epochs are ranked: `best(valid.confusion)`.
    case metricNotRankable = "E0172"
    /// The criteria of a loss sum need different targets: `mse() + cross_entropy()`.
    case lossTargetsDiffer = "E0175"
    /// A loss's class `weights` list does not have one weight per output of the head.
    case classWeightsCount = "E0176"
    /// A loss's class `weights` are all zero, so every row would count nothing.
    case classWeightsAllZero = "E0177"
    /// `repeat = N` (N > 1) in a stage that also sweeps `seed`: replicate seeds would collide with other points.
    case repeatWithSeedSweep = "E0180"
    /// `repeat = N` (N > 1) in a stage with `prune`: ASHA would prune replicates one by one.
    case repeatWithPrune = "E0181"
    /// A setting that acts on the valid split after each epoch (`lr = plateau(…)`) in a stage whose data has no valid split.
    case validSplitRequired = "E0185"
    /// A feature column of numeric data (no `text` column) holding a value that is not a number.
    case featureNotNumeric = "E0190"
    /// A classification head with fewer outputs than the label column has classes.
    case headFewerThanClasses = "E0191"
    /// `resources { memory = … }` that is not a whole amount of `K`, `M`, `G` or `T` above 0: `"8GB"`, `"1.5G"`, `"0M"`.
    case resourceMemoryInvalid = "E0195"
    /// `resources { time = … }` that is not a duration above 0: `"2 hours"`, `"1:30"`, `"0s"`.
    case resourceTimeInvalid = "E0196"
    /// `resources { partition = … }` that is empty or not one name of letters, digits, `_`, `.`, `-`: `"gpu,cpu"`.
    case resourcePartitionInvalid = "E0197"
    /// A `resources` block at the top level of a file instead of inside `experiment` or a `stage`.
    case resourcesOutsideExperiment = "E0198"
    /// A data file that `run` cannot parse past its header: a ragged row, a quote never closed (names the line).
    case dataFileMalformed = "E0200"
    /// A data file with a header (or no JSON object) but no data rows, so every split would be empty.
    case dataFileNoRows = "E0201"
    /// A data row whose label is empty or absent, which `run` refuses (names the line).
    case labelMissing = "E0202"
    /// Classification (`cross_entropy`, `focal`, `bce`) on data whose label column holds a single class.
    case singleClass = "E0203"
    /// A text augmentation's table (`synonyms(source:)`, `random_insertion(source:)`, `paraphrases(…)`) that `run`
    /// cannot read: not CSV, a header without its two columns, an empty cell, a `word` of several words (names the line).
    case augmentTableInvalid = "E0204"
    /// A text augmentation's table with a header but no usable row, so the augmentation could change nothing.
    case augmentTableEmpty = "E0205"
    /// A regression loss (`mse`) on data whose label column holds a value that is not a number (names the line).
    case regressionLabelNotNumeric = "E0240"

    // MARK: Checker warnings

    /// A sweep block without axes.
    case emptySweep = "W0100"
    /// `freeze` covers every parameter, so the stage trains nothing.
    case everythingFrozen = "W0101"
    /// A stage expands to more trials than `LanguageSchema.largeSweepThreshold`.
    case largeSweep = "W0102"
    /// Trials are chosen (`best`, `top`, `asha`) by a test-split metric, leaking the test set.
    case selectionOnTest = "W0103"
    /// A data or model declaration that no stage uses.
    case unusedDeclaration = "W0104"

    // MARK: Planner warnings

    /// Two values of one sweep axis mean the same (`1e-3` and `0.001`), so two trials would be one.
    case duplicateSweepValue = "W0200"
    /// A sweep axis with a single value: a setting, not a search.
    case singleValueAxis = "W0201"
    /// A sweep axis whose values are all overwritten or ignored, so it changes no result.
    case axisCannotMatter = "W0202"
    /// A stage whose sweep blocks multiply to more trials than `LanguageSchema.largeSweepThreshold`.
    case largeGrid = "W0203"
    /// A `random` sweep whose draws repeat (small `choice` spaces), so fewer distinct trials run.
    case duplicateRandomPoints = "W0204"
    /// An `unfreeze` step at an epoch or step some trial of the stage never reaches.
    case unfreezeNeverReached = "W0205"

    // MARK: Lints (settings that are valid but almost surely wrong; `LintTable` describes each)

    /// The learning rate every parameter trains at is far outside the usual range for the optimizer and what is trained.
    case learningRateUnusual = "W0300"
    /// Warm-up as long as training or longer: the rate never finishes rising.
    case warmupLongerThanTraining = "W0301"
    /// A step-wise decay (`step`, `multistep`, `exponential`) brings the rate below a thousandth of its base with an epoch or more still to train.
    case scheduleDecaysToZero = "W0302"
    /// `plateau` patience so long that no epoch ever trains at a lowered rate.
    case plateauPatienceTooLong = "W0303"
    /// A batch size that leaves fewer than 10 optimizer steps per epoch.
    case fewStepsPerEpoch = "W0304"
    /// A batch size larger than the training split: every batch is the whole split.
    case batchLargerThanTrainSplit = "W0305"
    /// Weight decay on the biases and LayerNorms of a trained pretrained encoder, with no `no_decay` decision.
    case weightDecayOnBiasAndNorm = "W0306"
    /// `dropout(p)` with p ≥ 0.5 on a pretrained transformer's layers.
    case dropoutHighOnTransformer = "W0307"
    /// A sweep axis spanning two decades or more whose values bunch in its top decade (linear spacing, `uniform`).
    case sweepAxisLinearOverDecades = "W0308"
    /// Fine-tuning an unfrozen pretrained encoder for more than 20 epochs without `early_stop`.
    case tooManyEpochsForFineTuning = "W0309"
    /// Trials are chosen (`best`, `top`, `asha`) by a train-split metric, which rewards overfitting.
    case selectionOnTrain = "W0310"
    /// An `allow` (comment or `experiment` setting) that names no warning code.
    case allowUnknownCode = "W0340"

    // MARK: Text augmentation notes and warnings

    /// A note: how many of the data's texts a `paraphrases` table covers.
    case paraphraseCoverage = "W0350"
    /// A `paraphrases` table that covers none of the data's texts, so it changes nothing.
    case paraphrasesCoverNothing = "W0351"
    /// A note from the planner: a frozen encoder whose features are not hoisted because a text augmentation changes its inputs.
    case featuresNotHoisted = "W0352"

    /// Ordered as the printed codes are (`E0001` < `E0100` < `W0100`).
    public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }
}

extension DiagnosticCode: CustomStringConvertible {
    /// The code as printed: `E0150`.
    public var description: String { rawValue }
}
