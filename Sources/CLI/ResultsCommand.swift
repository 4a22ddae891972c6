import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx results FILE`: trials with their settings and metrics, the selected best marked.
enum ResultsCommand {
    static let subcommand = Subcommand(
        name: "results",
        summary: "show trials, settings and metrics (--json, --csv); the selected best marked",
        usage: "ftx results [--json | --csv] [--store DIR] [--compare REV] FILE",
        signature: CommandSignature(flags: ["--json", "--csv"], options: ["--store", "--compare"], minPositionals: 1, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        if args.has("--json") && args.has("--csv") { throw UsageError("`--json` and `--csv` cannot be combined") }
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(args.positionals[0], storeOption: args.option("--store"),
                                               createStore: false, console: console, json: args.has("--json"))
        } catch let failure as CommandFailure {
            return failure.status
        }
        let results = ExperimentResults(graph: loaded.plan.graph, store: loaded.store)
        if let revision = args.option("--compare") {
            do {
                let comparison = try ResultsComparison.make(file: args.positionals[0], revision: revision, current: results, store: loaded.store)
                console.out(args.has("--json") ? JSONWriter.encode(comparison.json()) + "\n" : comparison.text())
                return ExitCode.success
            } catch let error as DiffError {
                console.err("ftx results: error: \(error.message)\n")
                return ExitCode.failure
            }
        }
        if args.has("--json") {
            console.out(JSONWriter.encode(results.json()) + "\n")
        } else if args.has("--csv") {
            console.out(results.csv())
        } else {
            console.out(results.table())
        }
        return ExitCode.success
    }
}

/// What the store holds for an experiment's plan: one row per trial, the
/// selected best per stage, the ensembles.
struct ExperimentResults {
    struct Trial {
        var planned: PlannedTrial
        var status: TaskStatus
        var metrics: [(key: String, value: Double)]
        var epochs: Int
        /// With `keep_best`: the epoch (1-based) whose weights are the checkpoint and whose metrics are reported.
        var keptEpoch: Int?
        var checkpoint: String?
        var history: [JSONValue]
        /// The git commit the trial was trained at (nil when unknown).
        var provenance: Provenance?
        /// Confusion matrices and per-class scores by split (`ResultsClassification.swift`).
        var classification: JSONValue? = nil
        /// Why the trial failed (its train or eval task's recorded error), if it did.
        var error: String? = nil
    }
    struct Ensemble {
        var stage: String
        var members: [String]
        var metrics: [(key: String, value: Double)]
        var classification: JSONValue? = nil
    }

    var experiment: String
    var trials: [Trial] = []
    /// Stage → selected trial id.
    var best: [(stage: String, trial: String)] = []
    var ensembles: [Ensemble] = []
    /// Each stage's selected trials, best first (ResultsSelection.swift).
    var selections: [Selection] = []

    init(graph: TaskGraph, store: TaskStore) {
        experiment = graph.experiment
        selections = Self.selections(graph: graph, store: store)
        for planned in graph.trials {
            let eval = store.completedStatus(planned.evalKey) != nil ? store.metrics(for: planned.evalKey) : nil
            let trainStatus = store.status(of: planned.id)
            let status = eval?["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)) ?? trainStatus
            let history = store.history(for: planned.id)
            let checkpointPath = store.path("final.safetensors", for: planned.id)
            trials.append(Trial(
                planned: planned, status: status,
                metrics: Self.numbers(eval?["metrics"]),
                epochs: eval?["epochs"]?.intValue ?? history.count,
                keptEpoch: eval?["kept_epoch"]?.intValue,
                checkpoint: FileManager.default.fileExists(atPath: checkpointPath) ? checkpointPath : nil,
                history: history,
                provenance: Provenance(store.readJSON(Provenance.fileName, for: planned.id)),
                classification: eval?["classification"],
                error: status == .failed ? Self.failure(of: [planned.id, planned.evalKey], store: store) : nil))
        }
        for task in graph.tasks where store.completedStatus(task.key) != nil {
            guard let m = store.metrics(for: task.key) else { continue }
            switch task.payload {
            case .select:
                if let selected = m["selected"]?.stringValue { best.append((task.stage, selected)) }
            case .ensemble:
                let members = m["members"]?.arrayValue?.compactMap(\.stringValue) ?? []
                ensembles.append(Ensemble(stage: task.stage, members: members, metrics: Self.numbers(m["metrics"]),
                                          classification: m["classification"]))
            default:
                break
            }
        }
    }

    /// The error recorded in `status.json` by the first of `keys` whose task failed.
    static func failure(of keys: [String], store: TaskStore) -> String? {
        keys.lazy.compactMap { store.readJSON("status.json", for: $0)?["error"]?.stringValue }.first
    }

    static func numbers(_ value: JSONValue?) -> [(key: String, value: Double)] {
        (value?.objectValue ?? []).compactMap { entry in entry.value.doubleValue.map { (entry.key, $0) } }
    }

    func isBest(_ trial: Trial) -> Bool { best.contains { $0.stage == trial.planned.stage && $0.trial == trial.planned.id } }

    // MARK: Output

    /// The `--json` object of CLI.md, plus each trial's `checkpoint`, `history` and `classification`.
    func json() -> JSONValue {
        .object([
            ("experiment", .string(experiment)),
            ("trials", .array(trials.map { t in
                .object([
                    ("id", .string(t.planned.id)),
                    ("stage", .string(t.planned.stage)),
                    ("status", .string(t.status.rawValue)),
                    ("settings", .object(t.planned.settings.map { ($0.key, PlanReport.json($0.value)) })),
                    ("metrics", .object(t.metrics.map { ($0.key, .double($0.value)) })),
                    ("epochs", .int(t.epochs)),
                    ("kept_epoch", t.keptEpoch.map(JSONValue.int) ?? .null),
                    ("checkpoint", t.checkpoint.map(JSONValue.string) ?? .null),
                    ("history", .array(t.history)),
                    ("provenance", t.provenance?.json ?? .null),
                    ("classification", t.classification ?? .null),
                    ("error", t.error.map(JSONValue.string) ?? .null),
                ] + replicateFields(t))
            })),
            ("best", .object(best.map { ($0.stage, .string($0.trial)) })),
            ("selected", selectedJSON),
            ("points", pointsJSON),
            ("ensembles", .array(ensembles.map { e in
                .object([
                    ("stage", .string(e.stage)),
                    ("members", .array(e.members.map(JSONValue.string))),
                    ("metrics", .object(e.metrics.map { ($0.key, .double($0.value)) })),
                    ("classification", e.classification ?? .null),
                ])
            })),
        ])
    }

    /// Metric names in first-seen order across trials.
    var metricNames: [String] {
        var names: [String] = []
        for t in trials { for m in t.metrics where !names.contains(m.key) { names.append(m.key) } }
        return names
    }

    /// Setting names in first-seen order across trials.
    var settingNames: [String] {
        var names: [String] = []
        for t in trials { for s in t.planned.settings where !names.contains(s.key) { names.append(s.key) } }
        return names
    }

    func csv() -> String {
        let metrics = metricNames, settings = settingNames
        // With `repeat`, which replicate of which sweep point each row is (empty for stages that do not repeat).
        let replicates = hasReplicates ? ["replicate", "point"] : []
        var rows = [(["id", "stage", "status", "best", "epochs", "commit", "dirty"] + replicates + settings + metrics).map(Self.csvField).joined(separator: ",")]
        for t in trials {
            var fields = [t.planned.id, t.planned.stage, t.status.rawValue, isBest(t) ? "true" : "false", String(t.epochs),
                          t.provenance?.commit ?? "", t.provenance.map { $0.dirty ? "true" : "false" } ?? ""]
            if hasReplicates {
                let repeated = repeatedPoints.contains(t.planned.point)
                fields += [repeated ? String(t.planned.replicate) : "", repeated ? t.planned.point : ""]
            }
            fields += settings.map { key in t.planned.settings.first { $0.key == key }.map { PlanReport.text($0.value) } ?? "" }
            fields += metrics.map { key in t.metrics.first { $0.key == key }.map { JSONWriter.format($0.value) } ?? "" }
            rows.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A table: one row per trial, `*` on each stage's selected best, ensembles after.
    func table() -> String {
        let metrics = metricNames.filter { !$0.hasPrefix("train.") }
        let settings = settingNames.filter { $0 != "init" }
        var rows: [[String]] = [["", "trial", "stage", "status", "epochs", "commit"] + replicateHeader + settings + metrics]
        for t in trials {
            var row = [isBest(t) ? "*" : "", TaskKey.short(t.planned.id), t.planned.stage, t.status.rawValue, String(t.epochs),
                       t.provenance?.short ?? "-"] + replicateCell(t)
            row += settings.map { key in t.planned.settings.first { $0.key == key }.map { Self.compact($0.value) } ?? "" }
            row += metrics.map { key in t.metrics.first { $0.key == key }.map { String(format: "%.4f", $0.value) } ?? "" }
            rows.append(row)
        }
        var text = "experiment \(experiment): \(trials.count) trials, \(trials.filter { $0.status.isFinal }.count) finished\n\n"
        text += Self.align(rows)
        let failed = trials.filter { $0.error != nil }
        if !failed.isEmpty { text += "\nfailed:\n" }
        for t in failed { text += "  \(TaskKey.short(t.planned.id))  \(t.error!)\n" }
        for e in ensembles {
            text += "\nensemble of \(e.stage) (\(e.members.map(TaskKey.short).joined(separator: ", "))): "
            text += e.metrics.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: "  ") + "\n"
        }
        text += selectionText()
        if !best.isEmpty { text += "\n* selected best of its stage\n" }
        text += classificationText()
        return text
    }

    /// A setting for the table: numbers to 4 significant digits (`--json`/`--csv` keep them exact).
    static func compact(_ value: SettingValue) -> String {
        if case .number(let n) = value { return String(format: "%.4g", n) }
        return PlanReport.text(value)
    }

    static func align(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
