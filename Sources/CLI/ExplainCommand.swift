import Compiler
import DSL
import Foundation
import Plan
import Support

/// `ftx explain FILE [TRIAL] [SETTING]`: each resolved setting of a trial, its value
/// and where it came from (`SettingOrigins`). Without TRIAL: the only trial when there
/// is one, else the list of trials and their names. Reads no store.
enum ExplainCommand {
    static let subcommand = Subcommand(
        name: "explain",
        summary: "show each resolved setting of a trial and where its value came from",
        usage: "ftx explain [--json] FILE [TRIAL [SETTING]]   (TRIAL: STAGE:N, STAGE, or a trial id prefix of 4+ hex digits)",
        signature: CommandSignature(flags: ["--json"], options: [], minPositionals: 1, maxPositionals: 3),
        run: run)

    /// A trial or setting that does not exist (exit 2, as `predict --trial` does).
    struct NotFound: Error {
        var message: String
    }

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let path = args.positionals[0]
        let json = args.has("--json")
        let check: FileCheck, plan: Plan
        do {
            (check, plan) = try LoadedExperiment.checkAndPlan(path, console: console)
        } catch let failure as CommandFailure {
            return failure.status
        }
        let trials = SettingOrigins.trials(of: plan, experiment: check.experiment)
        do {
            guard args.positionals.count > 1 || trials.count == 1 else {
                console.out(json ? JSONWriter.encode(listJSON(trials, plan: plan, experiment: check.experiment.name)) + "\n"
                                 : listText(trials, plan: plan, experiment: check.experiment.name, path: path))
                return ExitCode.success
            }
            let trial = args.positionals.count > 1 ? try find(args.positionals[1], in: trials, path: path) : trials[0]
            var settings = trial.settings
            var setting: String?
            if args.positionals.count > 2 {
                let requested = args.positionals[2]
                settings = trial.settings(under: requested)
                guard !settings.isEmpty else {
                    var message = "trial \(trial.name) has no setting `\(requested)`"
                    let paths = trial.settings.map(\.path)
                    if let guess = Suggestions.closest(to: requested, in: paths) {
                        message += "; did you mean `\(guess)`?"
                    } else if let last = requested.split(separator: ".").last, let guess = paths.first(where: { $0.hasSuffix("." + last) }) {
                        message += "; did you mean `\(guess)`?"
                    }
                    throw NotFound(message: message + " (its settings: `ftx explain \(path) \(trial.name)`)")
                }
                setting = requested
            }
            if json {
                console.out(JSONWriter.encode(trialJSON(trial, settings: settings, experiment: check.experiment.name, file: check.file)) + "\n")
            } else {
                console.out(trialText(trial, settings: settings, single: setting, file: check.file))
            }
            return ExitCode.success
        } catch let notFound as NotFound {
            console.err("ftx explain: error: \(notFound.message)\n")
            return ExitCode.failure
        }
    }

    // MARK: Naming trials

    /// The trial `name` names: `STAGE:N` (1-based in plan order), `STAGE` (its only
    /// trial), or a unique prefix of a trial id of at least 4 hex digits (as `ftx plan`
    /// and `ftx results` show ids).
    static func find(_ name: String, in trials: [TrialSettings], path: String) throws -> TrialSettings {
        let stages = trials.reduce(into: [String]()) { if !$0.contains($1.stage) { $0.append($1.stage) } }
        let names = trials.map(\.name)
        func unknown(_ what: String) -> NotFound {
            var message = "\(what)"
            if let guess = Suggestions.closest(to: name, in: names + stages) { message += "; did you mean `\(guess)`?" }
            return NotFound(message: message + " (the trials: `ftx explain \(path)`)")
        }
        if let trial = trials.first(where: { $0.name == name }) { return trial }
        if stages.contains(name) {
            let own = trials.filter { $0.stage == name }
            if own.count == 1 { return own[0] }
            throw NotFound(message: "stage `\(name)` has \(own.count) trials; name one: \(own.first!.name) … \(own.last!.name) (the list: `ftx explain \(path)`)")
        }
        if let colon = name.lastIndex(of: ":"), stages.contains(String(name[..<colon])) {
            let stage = String(name[..<colon])
            let count = trials.filter { $0.stage == stage }.count
            throw NotFound(message: "stage `\(stage)` has \(count) trial\(count == 1 ? "" : "s"), numbered \(stage):1 to \(stage):\(count); got `\(name)`")
        }
        let lowered = name.lowercased()
        if lowered.count >= 4, lowered.allSatisfy(\.isHexDigit) {
            let matches = trials.filter { $0.id?.hasPrefix(lowered) ?? false }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                throw NotFound(message: "`\(name)` matches \(matches.count) trials (\(matches.map { TaskKey.short($0.id ?? "") }.joined(separator: ", "))); give more digits")
            }
            throw unknown("no trial of `\(path)` has an id starting with `\(name)`")
        }
        if trials.flatMap(\.settings).contains(where: { $0.path == name }) {
            throw NotFound(message: "`\(name)` is a setting; name the trial first: `ftx explain \(path) \(trials[0].name) \(name)` (the trials: `ftx explain \(path)`)")
        }
        throw unknown("no trial `\(name)` in `\(path)`: name one as STAGE:N, STAGE (a stage of one trial) or by its id (4+ hex digits)")
    }

    // MARK: Text

    static func listText(_ trials: [TrialSettings], plan: Plan, experiment: String, path: String) -> String {
        var lines = ["experiment \(experiment): \(trials.count) trial\(trials.count == 1 ? "" : "s"); explain one with `ftx explain \(path) TRIAL [SETTING]`", ""]
        let rows: [[String]] = trials.map { t in
            let planned = plan.graph.trials.first { $0.id == t.id }
            let settings = (planned?.settings ?? []).map { s in
                "\(s.key)=\(s.key == "init" ? TaskKey.short(PlanReport.text(s.value)) : PlanReport.text(s.value))"
            }
            return [t.name, TaskKey.short(t.id ?? ""), settings.joined(separator: " ")]
        }
        let widths = (0..<2).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let name = row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
            let id = row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0)
            lines.append(row[2].isEmpty ? "  \(name)  \(row[1])" : "  \(name)  \(id)  \(row[2])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `setting = value   ← origin` per line; with one SETTING, each origin spelled out below its line.
    static func trialText(_ trial: TrialSettings, settings: [ResolvedSetting], single: String?, file: SourceFile) -> String {
        var lines = ["trial \(trial.name) (\(TaskKey.short(trial.id ?? ""))) of stage \(trial.stage)"]
        let left = settings.map { "\($0.path) = \($0.text)" }
        let width = min(48, left.map(\.count).max() ?? 0)
        for (text, setting) in zip(left, settings) {
            let pad = text.count < width ? String(repeating: " ", count: width - text.count) : ""
            lines.append("  \(text)\(pad)   ← \(setting.origin.summary(in: file))")
            if single != nil {
                lines += setting.origin.explanation(in: file).map { "      " + $0 }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    /// `{"experiment","trials":[{"trial","id","stage","settings":{…}}]}`: the trials and their swept settings, as `ftx plan --json`.
    static func listJSON(_ trials: [TrialSettings], plan: Plan, experiment: String) -> JSONValue {
        .object([
            ("experiment", .string(experiment)),
            ("trials", .array(trials.map { t in
                let planned = plan.graph.trials.first { $0.id == t.id }
                return .object([("trial", .string(t.name)), ("id", .string(t.id ?? "")), ("stage", .string(t.stage)),
                                ("settings", .object((planned?.settings ?? []).map { ($0.key, PlanReport.json($0.value)) }))])
            })),
        ])
    }

    /// `{"experiment","trial","id","stage","settings":[{"setting","value","text","origin"}]}`.
    static func trialJSON(_ trial: TrialSettings, settings: [ResolvedSetting], experiment: String, file: SourceFile) -> JSONValue {
        .object([
            ("experiment", .string(experiment)),
            ("trial", .string(trial.name)),
            ("id", .string(trial.id ?? "")),
            ("stage", .string(trial.stage)),
            ("settings", .array(settings.map { s in
                .object([("setting", .string(s.path)), ("value", valueJSON(s)), ("text", .string(s.text)),
                         ("origin", s.origin.jsonValue(in: file))])
            })),
        ])
    }

    /// A number, string or bool as itself; a call with arguments as its name; the rest as canonical text.
    static func valueJSON(_ setting: ResolvedSetting) -> JSONValue {
        if case .call = setting.value.kind { return .string(setting.text) }
        return PlanReport.json(SweepPoint.settingValue(setting.value))
    }
}
