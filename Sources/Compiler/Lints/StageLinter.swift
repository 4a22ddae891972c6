import DSL
import Foundation
import Plan
import Support

/// The lints of `LintTable` over a checked experiment. A stage's lints look at what its trials
/// run: each sweep point is lowered to its `TrainingSpec` (the planner's own lowering), and a
/// lint fires for the stage only when it fires for every trial — a sweep that also tries
/// usual values is a deliberate search, not a mistake. The warning points at the value of
/// the first trial (a swept value points into its axis).
struct StageLinter {
    let experiment: CheckedExperiment
    let file: SourceFile
    /// Stages with an error in their own block or in the block of their model or data: their
    /// settings hold defaults in place of the rejected values, so lints would speak of values never written.
    var skipping: Set<String> = []
    /// Lints kept from the previous check of the same document, reused for stages whose checked stage was.
    var cache: StageCheckCache?

    /// Stages with more sweep points than this are linted on their settings alone (no trial lints).
    static let pointLimit = 1000

    func lint() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for model in experiment.models where !skipping.contains("model:" + model.name) { out += lintModel(model) }
        for stage in experiment.stages where !skipping.contains(stage.name) {
            if let kept = cache?.reusableLints(stage.name) {
                out += kept
                continue
            }
            let lints = lintSweeps(stage) + lintTrials(stage)
            cache?.storeLints(stage.name, lints)
            out += lints
        }
        return out
    }

    // MARK: Models

    /// W0307: dropout of one half or more on a pretrained transformer's task layers.
    func lintModel(_ model: CheckedModel) -> [Diagnostic] {
        guard case .bert = model.architecture, let layers = model.settings["layers"]?.list else { return [] }
        var out: [Diagnostic] = []
        for layer in layers where layer.callName == "dropout" {
            let p = layer["p"]?.number ?? TrialLowering.positional(layer, 0)?.number
            if let p, p >= LintTable.transformerDropoutLimit {
                out.append(LintDiagnostics.dropoutHighOnTransformer(p: p, model: model.name, span: layer.span))
            }
        }
        return out
    }

    // MARK: Sweeps

    /// W0308: a numeric axis spanning decades with its values (or draws) bunched in the top decade.
    func lintSweeps(_ stage: CheckedStage) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for sweep in stage.sweeps {
            for axis in sweep.axes {
                if let generator = axis.generator {
                    forEachUniform(in: generator) { call, a, b in
                        if a > 0, b / a >= LintTable.decadesRatio {
                            out.append(LintDiagnostics.sweepAxisLinearOverDecades(path: axis.dottedPath, low: a, high: b, isUniform: true, span: call.span))
                        }
                    }
                    if generator.callName == "choice", case .call(_, let options, _) = generator.kind, let d = linearList(options, axis: axis) { out.append(d) }
                } else if let d = linearList(axis.values, axis: axis) {
                    out.append(d)
                }
            }
        }
        return out
    }

    private func linearList(_ values: [Value], axis: SweepAxis) -> Diagnostic? {
        let numbers = values.compactMap(\.number)
        guard numbers.count == values.count, numbers.count >= 3, let low = numbers.min(), let high = numbers.max(), low > 0,
              high / low >= LintTable.decadesRatio else { return nil }
        let top = numbers.filter { $0 > high / 10 }.count
        guard 2 * top > numbers.count else { return nil }
        return LintDiagnostics.sweepAxisLinearOverDecades(path: axis.dottedPath, low: low, high: high, isUniform: false, span: axis.span)
    }

    /// Every `uniform(a, b)` inside a generator (a `choice` option's arguments included).
    private func forEachUniform(in value: Value, _ body: (Value, Double, Double) -> Void) {
        if value.callName == "uniform", let a = value["a"]?.number ?? TrialLowering.positional(value, 0)?.number, let b = value["b"]?.number ?? TrialLowering.positional(value, 1)?.number {
            body(value, a, b)
            return
        }
        switch value.kind {
        case .call(_, let positional, let named):
            for v in positional { forEachUniform(in: v, body) }
            for field in named { forEachUniform(in: field.value, body) }
        case .list(let items):
            for v in items { forEachUniform(in: v, body) }
        default:
            break
        }
    }

    // MARK: Trials

    /// One trial as the lints see it.
    struct Trial {
        var settings: Value
        var spec: TrainingSpec
    }

    /// The stage's trial lints: those every trial triggers, reported once. Trials are lowered one
    /// by one and only while some lint of the first trial still holds for all so far, so a clean
    /// stage costs one lowering however large its sweep.
    func lintTrials(_ stage: CheckedStage) -> [Diagnostic] {
        let count = stage.sweeps.reduce(1) { satMul($0, $1.pointCount) }
        guard count <= Self.pointLimit else { return [] }
        let lowering = TrialLowering(experiment: experiment)
        let upstream: Initialization? = stage.initStage == nil ? nil : .upstream(taskKey: "lint")
        let context = StageContext(experiment: experiment, stage: stage, file: file)
        let points = SweepExpander.expand(stage)
        var found: [Diagnostic] = []
        for (i, point) in points.enumerated() {
            // A trial that does not lower has an error reported elsewhere; lint nothing of the stage.
            guard let spec = try? lowering.lower(stage: stage, point: point, upstream: upstream) else { return [] }
            let trial = Trial(settings: point.apply(to: stage.settings), spec: spec)
            if i == 0 {
                found = context.lints(trial, only: nil)
            } else {
                let still = Set(context.lints(trial, only: Set(found.map(\.code))).map(\.code))
                found.removeAll { !still.contains($0.code) }
            }
            if found.isEmpty { return [] }
        }
        guard points.count > 1 else { return found }
        return found.map { d in
            var d = d
            d.notes.append("every one of the \(points.count) trials of stage `\(stage.name)` does")
            return d
        }
    }
}

extension CheckerRun {
    /// Names of the stages (and, as `model:NAME`, the models) whose blocks, or whose model's or
    /// data's blocks, hold an error diagnostic.
    func stagesWithErrors(in experiment: CheckedExperiment) -> Set<String> {
        let errors = diagnostics.filter { $0.severity == .error }.map(\.primary.span.start)
        func hasError(_ kind: DeclarationKind, _ name: String?) -> Bool {
            guard let name, let span = declarations[kind]?[name]?.span else { return false }
            return errors.contains { span.start <= $0 && $0 < span.end }
        }
        var out = Set<String>()
        for model in experiment.models where hasError(.model, model.name) { out.insert("model:" + model.name) }
        for stage in experiment.stages where hasError(.stage, stage.name) || hasError(.model, stage.model) || hasError(.data, stage.data) {
            out.insert(stage.name)
        }
        return out
    }
}
