import DSL
import Plan
import Support

/// Static warnings about a stage's search space (codes `W02xx`, see
/// `PlannerDiagnostics`): values that repeat, axes with one value, axes that
/// cannot change any result, and searches too large to run.
public enum SweepLinter {
    /// Points evaluated when a lint needs the expanded space; larger spaces skip those lints.
    static let expansionLimit = 10_000

    /// The warnings for one stage, sorted by position.
    public static func lint(_ stage: CheckedStage) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for sweep in stage.sweeps {
            out += lintBlock(sweep)
        }
        let points = stage.sweeps.reduce(1) { satMul($0, $1.pointCount) }
        // `repeat` trains every point that many times: the trials the user pays for.
        let trials = satMul(points, stage.repeatCount)
        if trials > LanguageSchema.largeSweepThreshold, let first = stage.sweeps.first {
            out.append(PlannerDiagnostics.largeGrid(stage: stage.name, trials: trials, repeats: stage.repeatCount, span: first.span))
        }
        out += overwrittenAxes(stage)
        if points <= expansionLimit {
            out += ignoredAxes(stage, points: SweepExpander.expand(stage))
        }
        return out.sortedAndUnique()
    }

    private static func lintBlock(_ sweep: CheckedSweep) -> [Diagnostic] {
        var out: [Diagnostic] = []
        switch sweep.kind {
        case .grid:
            for axis in sweep.axes {
                out += duplicates(in: axis)
                if axis.values.count == 1 {
                    out.append(PlannerDiagnostics.singleValueAxis(path: axis.dottedPath, value: axis.values[0].description, span: axis.span))
                }
            }
        case .zip:
            let count = sweep.axes.map(\.values.count).min() ?? 0
            var seen: [[Value]: Int] = [:]
            for i in 0..<count {
                let tuple = sweep.axes.map { $0.values[i] }
                if let first = seen[tuple], let axis = sweep.axes.first {
                    let text = sweep.axes.map { "\($0.dottedPath) = \($0.values[i])" }.joined(separator: ", ")
                    out.append(PlannerDiagnostics.duplicateSweepValue(path: sweep.axes.map(\.dottedPath).joined(separator: ", "), value: "(\(text))",
                                                                      span: axis.values[i].span, first: axis.values[first].span))
                } else {
                    seen[tuple] = i
                }
            }
            if count == 1 {
                for axis in sweep.axes {
                    out.append(PlannerDiagnostics.singleValueAxis(path: axis.dottedPath, value: axis.values[0].description, span: axis.span))
                }
            }
        case .random(let trials, _):
            for axis in sweep.axes {
                guard let generator = axis.generator, generator.callName == "choice",
                      case .call(_, let positional, let named) = generator.kind else { continue }
                let options = positional + named.map(\.value)
                out += duplicates(path: axis.dottedPath, values: options)
                if options.count == 1, !SweepExpander.containsGenerator(options[0]) {
                    out.append(PlannerDiagnostics.singleValueAxis(path: axis.dottedPath, value: options[0].description, span: axis.span))
                }
            }
            let points = SweepExpander.points(of: sweep)
            let distinct = Set(points).count
            if trials > 1, distinct < points.count {
                out.append(PlannerDiagnostics.duplicateRandomPoints(trials: points.count, distinct: distinct, span: sweep.span))
            }
        }
        return out
    }

    private static func duplicates(in axis: SweepAxis) -> [Diagnostic] {
        duplicates(path: axis.dottedPath, values: axis.values)
    }

    private static func duplicates(path: String, values: [Value]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (j, value) in values.enumerated() {
            if let i = values[..<j].firstIndex(of: value) {
                out.append(PlannerDiagnostics.duplicateSweepValue(path: path, value: "`\(value)`", span: value.span, first: values[i].span))
            }
        }
        return out
    }

    /// An axis whose path a later axis replaces wholesale (`optimizer.lr` before `optimizer = …`).
    private static func overwrittenAxes(_ stage: CheckedStage) -> [Diagnostic] {
        let axes = stage.sweeps.flatMap(\.axes)
        var out: [Diagnostic] = []
        for (i, axis) in axes.enumerated() {
            if let later = axes[(i + 1)...].first(where: { $0.path.count < axis.path.count && Array(axis.path.prefix($0.path.count)) == $0.path }) {
                out.append(PlannerDiagnostics.axisCannotMatter(
                    path: axis.dottedPath, reason: "the later axis `\(later.dottedPath)` replaces all of `\(later.dottedPath)`",
                    span: axis.span, cause: later.span))
            }
        }
        return out
    }

    /// Axes naming a setting that every point's configuration ignores.
    private static func ignoredAxes(_ stage: CheckedStage, points: [SweepPoint]) -> [Diagnostic] {
        let resolved = points.map { $0.apply(to: stage.settings) }
        guard !resolved.isEmpty else { return [] }
        var out: [Diagnostic] = []
        for axis in stage.sweeps.flatMap(\.axes) {
            switch axis.dottedPath {
            case "optimizer.lr":
                if resolved.allSatisfy({ $0.value(at: ["schedule", "lr"])?.callName == "one_cycle" }) {
                    out.append(PlannerDiagnostics.axisCannotMatter(
                        path: axis.dottedPath, reason: "`one_cycle` sets the learning rate from its own `max`, so the optimizer's `lr` is ignored",
                        span: axis.span, cause: stage.settings.value(at: ["schedule", "lr"])?.span))
                }
            case "optimizer.dampening":
                if resolved.allSatisfy({ momentum(of: $0) == 0 }) {
                    out.append(PlannerDiagnostics.axisCannotMatter(
                        path: axis.dottedPath, reason: "`momentum` is 0 in every trial, and dampening only scales the momentum buffer",
                        span: axis.span))
                }
            default:
                break
            }
        }
        return out
    }

    private static func momentum(of settings: Value) -> Double {
        guard let optimizer = settings["optimizer"], let name = optimizer.callName else { return 0 }
        return optimizer["momentum"]?.number ?? LanguageDefaults.argument("momentum", ofCall: name, family: "optimizer")?.number ?? 0
    }
}
