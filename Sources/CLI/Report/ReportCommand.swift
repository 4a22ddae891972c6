import Compiler
import Foundation
import Plan
import Runtime
import Support

/// `ftx report FILE`: one self-contained HTML file with the experiment's results
/// drawn: summary, trial tables, learning curves, learning-rate schedules, the
/// sweep, confusion matrices, the task graph and, with `--compare REV`, what
/// changed since REV. It reads the plan and the store and never trains.
enum ReportCommand {
    static let subcommand = Subcommand(
        name: "report",
        summary: "write an HTML report with plots: curves, schedules, sweep, confusion matrices, task graph",
        usage: "ftx report [--out FILE] [--compare REV] [--store DIR] FILE",
        signature: CommandSignature(flags: [], options: ["--out", "--compare", "--store"], minPositionals: 1, maxPositionals: 1),
        run: run)

    static let defaultOutput = "report.html"

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let file = args.positionals[0]
        let output = args.option("--out") ?? defaultOutput
        if output.isEmpty { throw UsageError("`--out` needs a file name") }
        let loaded: LoadedExperiment
        do {
            loaded = try LoadedExperiment.load(file, storeOption: args.option("--store"), createStore: false, console: console, json: false)
        } catch let failure as CommandFailure {
            return failure.status
        }
        let model = ReportModel(file: file, loaded: loaded)
        var sections = [
            ReportPage.Section(id: "summary", title: "Summary", body: SummarySection.html(model, storePath: loaded.store.root)),
            ReportPage.Section(id: "trials", title: "Trials", body: TrialTableSection.html(model)),
            ReportPage.Section(id: "curves", title: "Learning curves", body: LearningCurveSection.html(model)),
            ReportPage.Section(id: "schedule", title: "Learning-rate schedules", body: ScheduleSection.html(model)),
            ReportPage.Section(id: "sweep", title: "Sweep", body: SweepSection.html(model)),
            ReportPage.Section(id: "confusion", title: "Confusion matrices", body: ConfusionSection.html(model)),
            ReportPage.Section(id: "tasks", title: "Task graph", body: TaskGraphSection.html(model)),
        ]
        if let revision = args.option("--compare") {
            do {
                let (repository, path) = try GitRepository.locate(file: file)
                let old = try DiffSide.revision(revision, of: repository, path: path)
                let diff = try ExperimentDiff.compare(old: old, new: try DiffSide.workingTree(path: file), calibration: BenchCalibration.load())
                let comparison = try ResultsComparison.make(file: file, revision: revision, current: model.results, store: loaded.store)
                sections.append(ReportPage.Section(id: "compare", title: "Compared with \(revision)",
                                                   body: ComparisonSection.html(diff: diff, comparison: comparison)))
            } catch let error as DiffError {
                console.err("ftx report: error: \(error.message)\n" + (error.details.map { $0 + "\n" } ?? ""))
                return ExitCode.failure
            }
        }
        let commit = model.provenance.commit == nil ? "not in git" : "commit " + model.provenance.short
        let html = ReportPage.html(title: "ftx report: \(model.experiment)",
                                   subtitle: "\(file) · \(commit) · \(model.results.trials.count) trials",
                                   sections: sections)
        do {
            try AtomicFile.write(html, to: output)
        } catch {
            console.err("ftx report: error: cannot write `\(output)`: \(error)\n")
            return ExitCode.failure
        }
        let kb = Double(html.utf8.count) / 1024
        console.out("wrote \(output) (\(String(format: "%.0f", kb)) KB)" + (model.hasResults ? "" : "; nothing is in the store yet: run `ftx run \(file)`") + "\n")
        return ExitCode.success
    }
}
