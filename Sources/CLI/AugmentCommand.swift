import Compiler
import Foundation
import Plan
import Runtime
import Support

/// `ftx augment FILE --stage NAME [--show N] [--seed S] [--epoch E]`: training texts of a
/// stage next to what its text augmentations make of them in an epoch, drawn exactly as
/// `run` draws them (`TextAugmenter`), so a user sees what the settings do before training.
enum AugmentCommand {
    static let subcommand = Subcommand(
        name: "augment",
        summary: "show what a stage's text augmentation makes of its training texts",
        usage: "ftx augment FILE --stage NAME [--show N] [--seed S] [--epoch E]",
        signature: CommandSignature(flags: [], options: ["--stage", "--show", "--seed", "--epoch"],
                                    minPositionals: 1, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let path = args.positionals[0]
        guard let stageName = args.option("--stage") else { throw UsageError("`--stage NAME` is required: the stage whose training texts to show") }
        let show = try args.intOption("--show", default: 5)
        let epoch = try args.intOption("--epoch", default: 1)
        var seedOverride: UInt64?
        if let text = args.option("--seed") {
            guard let s = UInt64(text) else { throw UsageError("`--seed` needs an integer ≥ 0, got `\(text)`") }
            seedOverride = s
        }

        let check: FileCheck
        switch checkFile(path: path) {
        case .success(let c): check = c
        case .failure(let error):
            console.err("ftx: error: \(error.description)\n")
            return ExitCode.failure
        }
        if check.hasErrors {
            LoadedExperiment.printDiagnostics(check.diagnostics, file: check.file, console: console)
            return ExitCode.negative
        }
        guard check.experiment.stage(named: stageName) != nil else {
            let names = check.experiment.stages.map(\.name)
            var message = "ftx augment: error: no stage `\(stageName)` in \(path) (stages: \(names.map { "`\($0)`" }.joined(separator: ", ")))"
            if let guess = closestName(to: stageName, among: names) { message += "; did you mean `\(guess)`?" }
            console.err(message + "\n")
            return ExitCode.usage
        }
        let plan: Plan
        do { plan = try Planner().makePlan(check.experiment, file: check.file) } catch {
            console.err("ftx: error: cannot plan `\(path)`: \(error)\n")
            return ExitCode.failure
        }
        // One listing per distinct (data, filter, seed) among the stage's trials: a sweep over `data` shows each.
        var seen = Set<AnyHashable>()
        var listings: [(trial: PlannedTrial, spec: TrainingSpec)] = []
        for trial in plan.graph.trials where trial.stage == stageName {
            guard case .train(var spec)? = plan.graph.task(trial.id)?.payload else { continue }
            if let seedOverride { spec.seed = seedOverride }
            if seen.insert(AnyHashable([AnyHashable(spec.data), AnyHashable(spec.filter), AnyHashable(spec.seed)])).inserted {
                listings.append((trial, spec))
            }
        }
        guard listings.contains(where: { $0.spec.data.augment.contains(where: \.actsOnText) }) else {
            console.err("ftx augment: error: stage `\(stageName)` has no text augmentation; add one to its data's `augment`, e.g. `augment = [synonyms(0.1)]` (`token_dropout` acts on tokens after tokenisation, `noise` and `mixup` on numbers: none of them rewrites texts)\n")
            return ExitCode.negative
        }
        var out = ""
        for (trial, spec) in listings {
            let point = trial.settings.filter { $0.key != "init" && $0.key != "rank" }.map { "\($0.key)=\(PlanReport.text($0.value))" }.joined(separator: " ")
            out += "trial \(TaskKey.short(trial.id))\(point.isEmpty ? "" : "  " + point)\n"
            let augmenter: TextAugmenter?
            let texts: [String]
            do {
                augmenter = try TextAugmenter(augment: spec.data.augment, seed: spec.seed)
                texts = try Dataset.load(spec.data).prepare(filter: spec.filter).train.texts
            } catch {
                console.err("ftx augment: error: \(error)\n")
                return ExitCode.failure
            }
            guard let augmenter else {
                out += "  no text augmentation: the training texts are used as they are\n\n"
                continue
            }
            out += "  augment: \(augmenter.operations.map(describe).joined(separator: ", ")); seed \(spec.seed), epoch \(epoch) of \(spec.schedule.epochs)\n"
            for (file, covered) in augmenter.paraphraseCoverage(of: texts) {
                out += "  paraphrases: \(file) covers \(covered) of the \(texts.count) training texts\n"
            }
            let rows = min(show, texts.count)
            var changed = 0
            for row in 0..<texts.count {
                if augmenter.augment(texts[row], epoch: epoch - 1, row: row) != texts[row] { changed += 1 }
            }
            out += "  \(changed) of the \(texts.count) training texts change in this epoch; the first \(rows):\n"
            for row in 0..<rows {
                let original = texts[row], augmented = augmenter.augment(original, epoch: epoch - 1, row: row)
                out += "  row \(row)\n    original:  \(original)\n    augmented: \(augmented)\(augmented == original ? "  (unchanged)" : "")\n"
            }
            out += "\n"
        }
        console.out(out)
        return ExitCode.success
    }

    /// An augmentation as it is written in a `.ftx` file.
    static func describe(_ a: Augmentation) -> String {
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        func source(_ s: SynonymSource) -> String {
            if case .file(let path) = s { return ", source: \"\(path)\"" }
            return ""
        }
        switch a {
        case .noise(let std): return "noise(\(f(std)))"
        case .mixup(let alpha): return "mixup(\(f(alpha)))"
        case .tokenDropout(let p): return "token_dropout(\(f(p)))"
        case .synonyms(let p, let s): return "synonyms(\(f(p))\(source(s)))"
        case .randomInsertion(let alpha, let s): return "random_insertion(\(f(alpha))\(source(s)))"
        case .randomSwap(let alpha): return "random_swap(\(f(alpha)))"
        case .randomDeletion(let p): return "random_deletion(\(f(p)))"
        case .paraphrases(let path, let p): return "paraphrases(\"\(path)\", p: \(f(p)))"
        }
    }
}
