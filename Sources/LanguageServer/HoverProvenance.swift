import Compiler
import DSL

/// Where a setting's value came from, for hover: the schema default, the line that set
/// it, the stage it was inherited from, or the sweep axis and point. It asks the
/// Compiler's provenance API (`SettingOrigins`, what `ftx explain` prints), which reads
/// the origins the checker and the sweep expander recorded — never a second derivation.
enum HoverProvenance {
    /// At most this many distinct value-and-origin lines (a large sweep is summarised).
    static let shownLines = 6

    /// Extra Markdown lines for the setting `path` (`["optimizer", "lr"]`) of `stage`:
    /// its resolved value and origin in each trial of the stage, distinct ones once.
    static func lines(forSetting path: [String], stage: String?, in snapshot: DocumentSnapshot) -> [String] {
        let experiment = snapshot.check.experiment
        guard let stage, let checked = experiment.stage(named: stage) else { return [] }
        let resolved = SettingOrigins.values(of: path.joined(separator: "."), in: checked, experiment: experiment)
        var distinct: [String] = []
        for setting in resolved {
            let line = "`\(setting.text)` ← \(setting.origin.summary(in: snapshot.file))"
            if !distinct.contains(line) { distinct.append(line) }
        }
        guard let first = distinct.first else { return [] }
        if resolved.count == 1 || distinct.count == 1 {
            return ["", "Resolved\(resolved.count > 1 ? " in all \(resolved.count) trials" : ""): \(first)"]
        }
        var out = ["", "Resolved in the stage's \(resolved.count) trials:"] + distinct.prefix(shownLines).map { "- " + $0 }
        if distinct.count > shownLines { out.append("- … \(distinct.count - shownLines) more (`ftx explain FILE \(stage):N \(path.joined(separator: "."))`)") }
        return out
    }
}
