import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx results FILE --compare REV`: the metrics of the trials of two revisions
/// of an experiment side by side, read from the same store. Trials are matched
/// by stage and sweep point (upstream trial ids aside: they change whenever the
/// upstream does); a trial whose key is equal on both sides is the same trial.
struct ResultsComparison {
    struct Row {
        var stage: String
        var settings: String
        var old: ExperimentResults.Trial?
        var new: ExperimentResults.Trial?
    }

    var oldLabel: String
    var newLabel: String
    var rows: [Row] = []
    var metric: [String]

    /// Plans `revision` of the file (read through git, with its data as of then) and matches its trials to `current`'s.
    static func make(file: String, revision: String, current: ExperimentResults, store: TaskStore) throws -> ResultsComparison {
        let (repository, path) = try GitRepository.locate(file: file)
        let side = try DiffSide.revision(revision, of: repository, path: path)
        if side.check.hasErrors { throw DiffError("`\(path)` at `\(revision)` does not check; run `ftx diff \(revision) \(file)`") }
        let oldPlan: Plan
        do { oldPlan = try Planner().makePlan(side.check.experiment, file: side.check.file) } catch {
            throw DiffError("cannot plan `\(path)` at `\(revision)`: \(error)")
        }
        let old = ExperimentResults(graph: oldPlan.graph, store: store)
        return ResultsComparison(old: old, new: current, oldLabel: revision, newLabel: "working tree")
    }

    init(old: ExperimentResults, new: ExperimentResults, oldLabel: String, newLabel: String) {
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        func point(_ t: ExperimentResults.Trial) -> String {
            t.planned.settings.filter { $0.key != "init" }.map { "\($0.key)=\(ExperimentResults.compact($0.value))" }.joined(separator: " ")
        }
        var unmatchedOld = old.trials
        for t in new.trials {
            let p = point(t)
            if let i = unmatchedOld.firstIndex(where: { $0.planned.stage == t.planned.stage && point($0) == p }) {
                rows.append(Row(stage: t.planned.stage, settings: p, old: unmatchedOld.remove(at: i), new: t))
            } else {
                rows.append(Row(stage: t.planned.stage, settings: p, old: nil, new: t))
            }
        }
        rows += unmatchedOld.map { Row(stage: $0.planned.stage, settings: point($0), old: $0, new: nil) }
        var names: [String] = []
        for r in rows {
            for m in (r.old?.metrics ?? []) + (r.new?.metrics ?? []) where m.key.hasPrefix("valid.") && !names.contains(m.key) {
                names.append(m.key)
            }
        }
        metric = names
    }

    func text() -> String {
        func cell(_ t: ExperimentResults.Trial?, _ key: String) -> String {
            guard let t else { return "—" }
            guard let v = t.metrics.first(where: { $0.key == key })?.value else { return t.status == .done ? "" : t.status.rawValue }
            return String(format: "%.4f", v)
        }
        var header = ["stage", "settings", "same trial"]
        for m in metric { header += ["\(m) @\(oldLabel)", "\(m) @\(newLabel)"] }
        var table = [header]
        for r in rows {
            let same = r.old != nil && r.new != nil ? (r.old!.planned.id == r.new!.planned.id ? "yes" : "no") : (r.old == nil ? "added" : "removed")
            var row = [r.stage, r.settings.isEmpty ? "(base)" : r.settings, same]
            for m in metric { row += [cell(r.old, m), cell(r.new, m)] }
            table.append(row)
        }
        return "trials of \(oldLabel) and \(newLabel), metrics side by side (— = no such trial; empty = not run yet)\n\n"
            + ExperimentResults.align(table)
    }

    func json() -> JSONValue {
        func side(_ t: ExperimentResults.Trial?) -> JSONValue {
            guard let t else { return .null }
            return .object([("id", .string(t.planned.id)), ("status", .string(t.status.rawValue)),
                            ("metrics", .object(t.metrics.map { ($0.key, .double($0.value)) }))])
        }
        return .object([
            ("old", .string(oldLabel)), ("new", .string(newLabel)),
            ("trials", .array(rows.map { r in
                .object([("stage", .string(r.stage)), ("settings", .string(r.settings)), ("old", side(r.old)), ("new", side(r.new))])
            })),
        ])
    }
}
