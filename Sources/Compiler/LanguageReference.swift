import Plan
import Support
/// The user reference of the language, generated from `LanguageSchema` so that
/// docs/LANGUAGE.md and the checker cannot drift apart.
public enum LanguageReference {
    /// The whole of docs/LANGUAGE.md.
    public static func markdown() -> String {
        var out: [String] = []
        out.append("""
        # The `.ftx` language reference

        <!-- Generated from the checker's schema by `LanguageReference.markdown()` (Sources/Compiler).
             Do not edit: change the schema, then run `FTX_RECORD=1 swift test -c release --filter LanguageReferenceTests`. -->

        A `.ftx` file declares what to train: **data**, **models**, and **stages** (training
        tasks) with their optimizer, schedule, loss and sweeps. `ftx check` validates every
        key, type, unit and range below before anything runs.

        ## Shape

        - Comments start with `#`. A file is a list of blocks `keyword [name] { … }`.
        - Settings are `key = value`, one per line. Values are numbers (`2e-5`, `64`),
          strings (`"label"`), `true`/`false`, names (`relu`, `pretrain`), dotted names
          (`valid.accuracy`), lists `[a, b]`, records `{metric: valid.loss, patience: 2}`,
          calls with positional and named arguments (`adamw(lr: 2e-5, weight_decay: 0.01)`),
          arithmetic on numbers (`1 / 16`), counts with units (`2 epochs`, `100 steps`;
          `epoch`/`step` are accepted) and filters (`digits where label >= 5`, with
          `==`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `not` over column names).
        - Paths are relative to the `.ftx` file.
        - A call whose parameters all have defaults may be written without parentheses
          (`normalize = standardize`, `layers = [dense(64), relu]`).
        - Parameter names follow PyTorch and Hugging Face (`layers.0.weight`, `head.bias`,
          `encoder.layer.0.attention.self.query.weight`); `freeze` and `unfreeze` select
          them by pattern (`"layers.0"`, `"encoder.layer.*.attention"`): see
          [Parameter patterns](#parameter-patterns).
        - Metrics are `SPLIT.NAME`: SPLIT one of \(inline(LanguageSchema.splitNames)), NAME one of \(inline(LanguageSchema.metricNames))
          (see [Metrics](#metrics)).

        ## Declarations
        """)
        // A block allowed in several places (`resources`) is described once, after the first of them.
        var printed = Set<String>()
        for spec in LanguageSchema.topLevel {
            out.append(section(spec, level: 3))
            for sub in spec.sections where printed.insert(sub.keyword).inserted {
                let parents = LanguageSchema.topLevel.filter { $0.section(sub.keyword) != nil }.map { "`\($0.keyword)`" }
                out.append(section(sub, level: 4, parent: parents.joined(separator: " or ")))
            }
        }
        out.append(parameterPatternsSection())
        out.append(metricsSection())
        out.append("## Functions\n\nCalls allowed in each place, with their parameters. Parameters marked *positional* may be given without their name, in the order listed.")
        for (family, text) in LanguageSchema.families {
            let calls = LanguageSchema.calls(in: family)
            guard !calls.isEmpty else { continue }
            out.append("### " + capitalized(text.split(separator: " ").dropFirst().joined(separator: " ")) + " — " + familyPlace(family))
            for call in calls { out.append(callSection(call)) }
        }
        out.append("""
        ## Warnings

        `ftx check` also warns (without failing) about sweeps that expand to more than \
        \(LanguageSchema.largeSweepThreshold) trials, empty sweeps, a `freeze` that covers every parameter, \
        selection on the test split, and data or models no stage uses; and about the settings of \
        the [Lints](#lints) below.
        """)
        out.append(lintsSection())
        return out.joined(separator: "\n\n") + "\n"
    }

    /// The lints, from `LintTable` (the checker's help lines read the same rows).
    static func lintsSection() -> String {
        var lines = ["""
        ## Lints

        Settings that `ftx check` accepts but that are almost surely wrong, by the ranges practitioners \
        use. Each is a warning (never an error) with its code, the place, the reason and the usual \
        range; `ftx check --deny-warnings` fails on any (docs/CLI.md). A stage's lints look at what its \
        trials run — every sweep point lowered as `ftx plan` lowers it — and fire only when every trial \
        of the stage has the problem: a sweep that also tries usual values is a search, not a mistake \
        (stages of more than \(StageLinter.pointLimit) points are not linted per trial). Row counts are \
        the data file's rows cut by the split's fractions (`round(train·n)`).

        **Allowing a warning.** `allow = ["W0304"]` in `experiment` allows codes in the whole file; \
        a comment `# ftx: allow(W0304, W0306)` allows them on its own line and the next one (write it \
        at the end of the flagged line or alone on the line above). Only warnings can be allowed: an \
        `allow` naming anything else is itself a warning (W0340).

        | code | lint | fires when | why | source |
        |---|---|---|---|---|
        """]
        for lint in LintTable.all {
            let cells = [lint.code.rawValue, lint.title, lint.threshold, capitalized(lint.reason) + ".", lint.source]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        lines.append("""

        Not lints because `check` already rejects them: class weights or label smoothing on a \
        regression loss (`mse()` takes no arguments, E0146; a sum mixing `mse()` with \
        `cross_entropy(…)` is E0175), and `mixup` on text data (E0120).
        """)
        return lines.joined(separator: "\n")
    }

    static func inline(_ names: [String]) -> String { names.map { "`\($0)`" }.joined(separator: ", ") }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// Where a family's calls appear.
    static func familyPlace(_ family: String) -> String {
        switch family {
        case "source": return "`source = …` in `data`"
        case "normalize": return "`normalize = …` in `data`"
        case "split": return "`split = …` in `data`"
        case "augment": return "`augment = [...]` in `data`"
        case "layer": return "entries of `layers = [...]` in `model`"
        case "head": return "`head = …` in `model` or `stage`"
        case "pretrained": return "`pretrained = …` in `model`"
        case "tokenizer": return "`tokenizer = …` in `model`"
        case "init": return "`init = …` in `stage` (besides a stage name)"
        case "optimizer": return "`optimizer = …` in `stage`"
        case "schedule": return "`lr = …` in `schedule`"
        case "loss": return "`loss = …` in `stage`"
        case "penalty": return "`k * …` terms of `loss`"
        case "select": return "`select = …` in `stage`"
        case "ensemble": return "`ensemble = …` in `stage`"
        case "prune": return "`prune = …` in `stage`"
        case "sweep": return "after `sweep`"
        case "generator": return "axis values of `sweep random(...)`, also inside chosen calls"
        default: return family
        }
    }

    static func defaultText(_ p: ParamSpec) -> String {
        switch p.presence {
        case .required: return "**required**"
        case .optional: return "—"
        case .defaulted(let v): return "`\(v)`"
        }
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    static func section(_ spec: SectionSpec, level: Int, parent: String? = nil) -> String {
        let heading = String(repeating: "#", count: level) + " `" + spec.keyword + (spec.label == .name ? " NAME" : spec.label == .sweepKind ? " grid|zip|random(…)" : "") + " { … }`"
            + (parent.map { " (in \($0))" } ?? "")
        var lines = [heading, "", spec.doc]
        if spec.required { lines.append("\nRequired.") }
        if spec.repeatable { lines.append("\nMay appear several times.") }
        lines += ["", "```ftx", spec.example, "```"]
        if !spec.keys.isEmpty {
            lines += ["", "| key | type | default | meaning | example |", "|---|---|---|---|---|"]
            for key in spec.keys {
                lines.append("| `\(key.name)` | \(cell(key.type.text)) | \(defaultText(key)) | \(cell(key.doc)) | `\(cell(key.example))` |")
                if case .record(let fields) = key.type {
                    for f in fields {
                        lines.append("| `\(key.name).\(f.name)` | \(cell(f.type.text)) | \(defaultText(f)) | \(cell(f.doc)) | `\(cell(f.example))` |")
                    }
                } else if case .list(.record(let fields), _) = key.type {
                    for f in fields {
                        lines.append("| `\(key.name)[].\(f.name)` | \(cell(f.type.text)) | \(defaultText(f)) | \(cell(f.doc)) | `\(cell(f.example))` |")
                    }
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func callSection(_ call: CallSpec) -> String {
        let signature = call.name + "(" + call.params.map { $0.positional ? $0.name : $0.name + ":" }.joined(separator: ", ") + (call.name == "choice" ? "values…" : "") + ")"
        var lines = ["#### `\(signature)`", "", call.doc, "", "Example: `\(call.example)`"]
        var rules: [String] = []
        for rule in call.rules {
            switch rule {
            case .ordered(let a, let b): rules.append("`\(a)` < `\(b)`")
            case .fractionsSumToOne(let names): rules.append(names.map { "`\($0)`" }.joined(separator: " + ") + " = 1 (absent parts count 0)")
            case .nesterovNeedsMomentum: rules.append("`nesterov: true` needs `momentum` > 0 and `dampening` = 0")
            case .increasing(let p): rules.append("`\(p)` strictly increasing")
            case .positiveBounds(let a, let b): rules.append("`\(a)` > 0 and `\(b)` > 0")
            case .count(let p, let n): rules.append("`\(p)` has exactly \(n) values")
            case .notAllZero(let p): rules.append("`\(p)` not all zero")
            }
        }
        if !rules.isEmpty { lines += ["", "Constraints: " + rules.joined(separator: "; ") + "."] }
        if !call.params.isEmpty {
            lines += ["", "| parameter | type | default | meaning | example |", "|---|---|---|---|---|"]
            for p in call.params {
                lines.append("| `\(p.name)`\(p.positional ? " (positional)" : "") | \(cell(p.type.text)) | \(defaultText(p)) | \(cell(p.doc)) | `\(cell(p.example))` |")
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Example files

    /// A complete `.ftx` file for every example in the reference (each block's,
    /// key's and call's), meant to be checked from a file in the project's
    /// `experiments/` folder (paths `../data/…`, `../models/…`). `needsFiles` is
    /// false for examples naming files that need not exist (`jsonl`, `checkpoint`).
    public static func exampleFiles() -> [(title: String, source: String, needsFiles: Bool)] {
        var out: [(String, String, Bool)] = []
        func add(_ title: String, _ t: ExampleTemplate, files: Bool = true) { out.append((title, t.render(), files)) }
        // Whole blocks.
        add("declarations", ExampleTemplate.blocks([LanguageSchema.experiment.example, LanguageSchema.data.example, LanguageSchema.model.example, LanguageSchema.stage.example]))
        var withSchedule = ExampleTemplate.numeric
        withSchedule.scheduleBlock = LanguageSchema.schedule.example
        add("schedule block", withSchedule)
        var withSweep = ExampleTemplate.numeric
        withSweep.stageExtra.append(LanguageSchema.sweep.example)
        add("sweep block", withSweep)
        // Keys.
        let textKeys: Set<String> = ["text", "pretrained", "tokenizer", "pooling"]
        for spec in [LanguageSchema.experiment, LanguageSchema.data, LanguageSchema.model, LanguageSchema.stage, LanguageSchema.schedule] {
            for key in spec.keys {
                var t = textKeys.contains(key.name) && spec.keyword != "stage" ? ExampleTemplate.text : ExampleTemplate.numeric
                t.set(spec.keyword, key.name, key.example)
                add("\(spec.keyword).\(key.name)", t)
            }
        }
        // Calls.
        for call in LanguageSchema.calls {
            var t = ExampleTemplate.numeric
            var files = true
            switch call.family {
            case "source": t.set("data", "source", "source = " + call.example); files = call.name == "csv"
            case "normalize": t.set("data", "normalize", "normalize = " + call.example)
            case "split": t.set("data", "split", "split = " + call.example)
            case "augment":
                if !["noise", "mixup"].contains(call.name) { t = .text }
                files = call.name != "paraphrases"  // its example names a table of the user's
                t.set("data", "augment", "augment = [\(call.example)]")
            case "layer": t.set("model", "layers", "layers = [\(call.example)]")
            case "head": t.set("model", "head", "head = " + call.example)
            case "pretrained": t = .text; t.set("model", "pretrained", "pretrained = " + call.example)
            case "tokenizer": t = .text; t.set("model", "tokenizer", "tokenizer = " + call.example)
            case "init":
                t.set("stage", "init", "init = " + call.example)
                if call.name == "checkpoint" { t.set("stage", "model", "model = mlp"); files = false }
            case "optimizer": t.set("stage", "optimizer", "optimizer = " + call.example)
            case "schedule":
                t.set("schedule", "lr", "lr = " + call.example)
                // Enough epochs for `plateau`'s patience to act (lint W0303).
                if call.name == "plateau" { t.set("schedule", "epochs", "epochs = 6") }
            case "loss":
                t.set("stage", "loss", "loss = " + call.example)
                if ["bce", "mse"].contains(call.name) { t.set("stage", "head", "head = dense(1)") }
            case "penalty": t.set("stage", "loss", "loss = cross_entropy() + " + call.example)
            case "select": t.set("stage", "select", "select = " + call.example)
            case "ensemble": t.set("stage", "ensemble", "ensemble = " + call.example)
            case "prune": t.set("stage", "prune", "prune = " + call.example)
            case "sweep": t.stageExtra.append("sweep \(call.example) {\n  optimizer.lr = loguniform(1e-4, 1e-2)\n}")
            case "generator":
                let axis = ["choice": "schedule.batch_size", "uniform": "optimizer.weight_decay", "loguniform": "optimizer.lr", "int": "schedule.epochs"][call.name] ?? "optimizer.lr"
                t.stageExtra.append("sweep random(trials: 4, seed: 0) {\n  \(axis) = \(call.example)\n}")
            default: continue
            }
            add("\(call.family) \(call.name)", t, files: files)
        }
        out += patternExampleFiles()
        return out
    }
}

/// A small valid experiment whose blocks examples are substituted into.
struct ExampleTemplate {
    var experiment: [(String, String)]
    var data: (String, [(String, String)])
    var model: (String, [(String, String)])
    var upstream: String
    var stage: [(String, String)]
    var schedule: [(String, String)]
    var scheduleBlock: String?
    var stageExtra: [String] = []
    var whole: [String]?

    static func blocks(_ blocks: [String]) -> ExampleTemplate {
        var t = numeric
        t.whole = blocks
        return t
    }

    static let numeric = ExampleTemplate(
        experiment: [("seed", "seed = 0")],
        data: ("digits", [("source", "source = csv(\"../data/digits.csv\")"), ("label", "label = \"label\""), ("normalize", "normalize = scale(1 / 16)"), ("split", "split = random(train: 0.8, valid: 0.2, seed: 0)")]),
        model: ("mlp", [("layers", "layers = [dense(64, activation: relu), dropout(0.1), dense(64, activation: relu)]"), ("head", "head = dense(10)")]),
        upstream: "stage pretrain {\n  model = mlp\n  data = digits\n  optimizer = adamw(lr: 1e-3)\n  schedule {\n    epochs = 2\n  }\n}",
        stage: [("init", "init = pretrain"), ("data", "data = digits"), ("optimizer", "optimizer = adamw(lr: 3e-4)")],
        schedule: [("epochs", "epochs = 2"), ("batch_size", "batch_size = 32")])

    static let text = ExampleTemplate(
        experiment: [("seed", "seed = 0")],
        data: ("glosses", [("source", "source = csv(\"../data/wordnet-glosses.csv\")"), ("text", "text = \"text\""), ("label", "label = \"label\""), ("split", "split = stratified(train: 0.8, valid: 0.1, test: 0.1, seed: 0)")]),
        model: ("minilm", [("pretrained", "pretrained = bert(\"../models/all-MiniLM-L6-v2\")"), ("head", "head = dense(6)")]),
        upstream: "stage pretrain {\n  model = minilm\n  data = glosses\n  freeze = [\"embeddings.*\", \"encoder.*\"]\n  optimizer = adamw(lr: 1e-3)\n  schedule {\n    epochs = 1\n  }\n}",
        stage: [("init", "init = pretrain"), ("data", "data = glosses"), ("optimizer", "optimizer = adamw(lr: 2e-5, no_decay: bias_and_norm)")],
        schedule: [("epochs", "epochs = 1")])

    static func put(_ list: inout [(String, String)], _ key: String, _ line: String) {
        if let i = list.firstIndex(where: { $0.0 == key }) { list[i].1 = line } else { list.append((key, line)) }
    }

    mutating func set(_ block: String, _ key: String, _ line: String) {
        switch block {
        case "experiment": Self.put(&experiment, key, line)
        case "data": Self.put(&data.1, key, line)
        case "model": Self.put(&model.1, key, line)
        case "schedule": Self.put(&schedule, key, line)
        default: Self.put(&stage, key, line)
        }
    }

    func render() -> String {
        if let whole { return whole.joined(separator: "\n\n") + "\n" }
        func body(_ lines: [(String, String)], indent: String = "  ") -> String {
            lines.map { indent + $0.1.replacingOccurrences(of: "\n", with: "\n" + indent) }.joined(separator: "\n")
        }
        var s = "experiment reference {\n\(body(experiment))\n}\n\n"
        s += "data \(data.0) {\n\(body(data.1))\n}\n\n"
        s += "model \(model.0) {\n\(body(model.1))\n}\n\n"
        s += upstream + "\n\n"
        s += "stage finetune {\n\(body(stage))\n"
        s += "  " + (scheduleBlock ?? "schedule {\n\(body(schedule))\n}").replacingOccurrences(of: "\n", with: "\n  ") + "\n"
        for extra in stageExtra { s += "  " + extra.replacingOccurrences(of: "\n", with: "\n  ") + "\n" }
        return s + "}\n"
    }
}
