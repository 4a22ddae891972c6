import DSL
import Foundation
import Plan
import Support

/// The lints of one stage's trials: what each trial trains (from the model catalog and the
/// trial's freeze patterns), how many rows it trains on (the row count `check` read from the
/// data file, cut by the split's own count rule), its optimizer and its schedule.
struct StageContext {
    let experiment: CheckedExperiment
    let stage: CheckedStage
    let file: SourceFile
    let model: CheckedModel?
    let data: CheckedData?
    /// A pretrained model's `config.json`.
    let bert: BertConfig?
    /// Parameters that can train (the pooler never does).
    let names: [String]
    /// Roles of the encoder's parameters (bias, norm, …).
    let roles: [String: ParameterRole]

    init(experiment: CheckedExperiment, stage: CheckedStage, file: SourceFile) {
        self.experiment = experiment
        self.stage = stage
        self.file = file
        model = stage.model.flatMap { experiment.model(named: $0) }
        data = stage.data.flatMap { experiment.data(named: $0) }
        if case .bert(_, let config)? = model?.architecture { bert = config } else { bert = nil }
        names = (stage.parameterNames ?? []).filter { !ModelCatalog.isBertPooler($0) }
        roles = Dictionary((bert.map(ModelCatalog.bert) ?? []).map { ($0.name, $0.role) }, uniquingKeysWith: { a, _ in a })
    }

    static func isEncoder(_ name: String) -> Bool { name.hasPrefix("embeddings.") || name.hasPrefix("encoder.") }

    /// The trial's lints; `only`: just these codes (nil: all).
    func lints(_ trial: StageLinter.Trial, only: Set<DiagnosticCode>?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let rows = trainRows(trial.spec)
        func run(_ codes: [DiagnosticCode], _ lint: () -> Diagnostic?) {
            if let only, only.isDisjoint(with: codes) { return }
            if let d = lint() { out.append(d) }
        }
        run([.learningRateUnusual]) { learningRate(trial) }
        run([.warmupLongerThanTraining]) { warmup(trial, rows: rows) }
        run([.scheduleDecaysToZero]) { stepDecay(trial, rows: rows) }
        run([.plateauPatienceTooLong]) { plateau(trial) }
        run([.fewStepsPerEpoch, .batchLargerThanTrainSplit]) { batchSize(trial, rows: rows) }
        run([.weightDecayOnBiasAndNorm]) { weightDecay(trial) }
        run([.tooManyEpochsForFineTuning]) { epochs(trial) }
        return out
    }

    // MARK: Facts

    /// The training split's rows: exact, or an upper bound when a `where` filter removes some.
    struct Rows {
        var count: Int
        var isBound: Bool
    }

    func trainRows(_ spec: TrainingSpec) -> Rows? {
        guard let n = data?.rowCount, n > 0 else { return nil }
        let train = spec.data.split.counts(total: n).train
        guard train > 0 else { return nil }
        return Rows(count: train, isBound: spec.filter != nil)
    }

    /// Optimizer steps per epoch on `rows` (the trainer's count: batches, then one step per `accumulate`).
    func stepsPerEpoch(_ spec: TrainingSpec, rows: Int) -> Int {
        let batches = (rows + spec.schedule.batchSize - 1) / max(1, spec.schedule.batchSize)
        let accumulate = max(1, spec.schedule.accumulate)
        return (batches + accumulate - 1) / accumulate
    }

    /// Whether some encoder parameter trains at some step.
    func encoderTrains(_ spec: TrainingSpec) -> Bool {
        bert != nil && names.contains { Self.isEncoder($0) && spec.everTrains($0) }
    }

    /// The text of a setting as written (for "was it written" questions about call arguments).
    func written(_ value: Value?) -> String { value.map { file.text($0.span) } ?? "" }

    // MARK: Lints

    /// W0300.
    func learningRate(_ trial: StageLinter.Trial) -> Diagnostic? {
        let spec = trial.spec
        guard let model else { return nil }
        let regime: LintTable.TrainingRegime = bert == nil ? .fromScratch : (encoderTrains(spec) ? .fineTuning : .headOnly)
        guard let range = LintTable.learningRateRange(regime, spec.optimizer.kind) else { return nil }
        var base = spec.optimizer.lr
        var baseSpan = trial.settings.value(at: ["optimizer", "lr"])?.span ?? trial.settings["optimizer"]?.span
        if case .oneCycle(let maxLR, _, _, _, _, _) = spec.schedule.lr {
            base = maxLR
            let call = trial.settings.value(at: ["schedule", "lr"])
            baseSpan = (call?["max"] ?? call.flatMap { TrialLowering.positional($0, 0) } ?? call)?.span
        }
        let trained = names.filter { spec.everTrains($0) && (regime != .fineTuning || Self.isEncoder($0)) }
        var best: (rate: Double, name: String)?
        for name in trained {
            let depth = ModelCatalog.lrDecayDepth(of: name, model: spec.model, bertLayers: bert?.numHiddenLayers)
            let rate = base * spec.optimization(of: name, role: roles[name] ?? .weight, decayDepth: depth).lrScale
            if best == nil || rate > best!.rate { best = (rate, name) }
        }
        guard let best, let span = rateSpan(of: best.name, trial: trial) ?? baseSpan else { return nil }
        let far = (range.usual.lowerBound / LintTable.farFactor)...(range.usual.upperBound * LintTable.farFactor)
        guard !far.contains(best.rate) else { return nil }
        let what: String
        switch regime {
        case .fineTuning: what = "fine-tuning the pretrained encoder of model `\(model.name)`"
        case .headOnly: what = "on the head of model `\(model.name)` (its encoder frozen)"
        case .fromScratch: what = "training MLP `\(model.name)`"
        }
        return LintDiagnostics.learningRateUnusual(lr: best.rate, optimizer: spec.optimizer.kind.rawValue, what: what, range: range, span: span)
    }

    /// The span of a `param_groups` entry's `lr` when the first entry selecting `name` sets one.
    func rateSpan(of name: String, trial: StageLinter.Trial) -> Span? {
        guard let i = trial.spec.parameterGroups.firstIndex(where: { $0.patterns.contains { ParameterPattern.matches($0, name) } }),
              trial.spec.parameterGroups[i].lr != nil, let entries = trial.settings["param_groups"]?.list, i < entries.count else { return nil }
        return entries[i]["lr"]?.span
    }

    /// W0301.
    func warmup(_ trial: StageLinter.Trial, rows: Rows?) -> Diagnostic? {
        let spec = trial.spec
        let warmup: StepCount
        switch spec.schedule.lr {
        case .cosine(let w, _), .linear(let w): warmup = w
        default: return nil
        }
        guard let span = trial.settings.value(at: ["schedule", "lr"])?["warmup"]?.span else { return nil }
        let epochs = spec.schedule.epochs
        switch warmup {
        case .epochs(let e) where e >= Double(epochs):
            return LintDiagnostics.warmupLongerThanTraining(warmup: Value.format(e) + " epoch" + (e == 1 ? "" : "s"), total: "\(epochs) epoch" + (epochs == 1 ? "" : "s"), span: span)
        case .steps(let n):
            guard let rows else { return nil }
            let total = epochs * stepsPerEpoch(spec, rows: rows.count)
            guard n >= total else { return nil }
            return LintDiagnostics.warmupLongerThanTraining(warmup: "\(n) step" + (n == 1 ? "" : "s"), total: (rows.isBound ? "at most " : "") + "\(total) step" + (total == 1 ? "" : "s"), span: span)
        default:
            return nil
        }
    }

    /// W0302: the factor of a step-wise decay at the first step of each epoch, in epoch units.
    func stepDecay(_ trial: StageLinter.Trial, rows: Rows?) -> Diagnostic? {
        let spec = trial.spec
        let epochs = spec.schedule.epochs
        // A count in epochs; bare steps need the exact steps per epoch.
        let perEpoch = rows.flatMap { $0.isBound ? nil : stepsPerEpoch(spec, rows: $0.count) }
        func inEpochs(_ c: StepCount) -> Double? {
            switch c {
            case .epochs(let e): return e
            case .steps(let n): return perEpoch.map { Double(n) / Double($0) }
            case .fraction: return nil
            }
        }
        let factor: (Int) -> Double   // at the first step of 0-based epoch k
        var countsSteps = false
        switch spec.schedule.lr {
        case .step(let every, let gamma):
            guard let period = inEpochs(every), period > 0 else { return nil }
            if case .steps = every { countsSteps = true }
            factor = { k in pow(gamma, (Double(k) / period + 1e-9).rounded(.down)) }
        case .multistep(let milestones, let gamma):
            let at = milestones.map(inEpochs)
            guard !at.contains(where: { $0 == nil }) else { return nil }
            if milestones.contains(where: { if case .steps = $0 { return true } else { return false } }) { countsSteps = true }
            factor = { k in pow(gamma, Double(at.filter { $0! <= Double(k) + 1e-9 }.count)) }
        case .exponential(let gamma):
            factor = { k in pow(gamma, Double(k)) }
        default:
            return nil
        }
        guard epochs >= 1, factor(epochs - 1) < LintTable.effectivelyZero,
              let first = (0..<epochs).first(where: { factor($0) < LintTable.effectivelyZero }),
              let call = trial.settings.value(at: ["schedule", "lr"]) else { return nil }
        return LintDiagnostics.scheduleDecaysToZero(schedule: file.text(call.span), factor: factor(epochs - 1), fromEpoch: first + 1, epochs: epochs,
                                                    countsSteps: countsSteps, span: call.span)
    }

    /// W0303: ReduceLROnPlateau lowers the rate after `patience + 1` bad epochs, the first at the end of epoch `patience + 2`.
    func plateau(_ trial: StageLinter.Trial) -> Diagnostic? {
        guard case .plateau(_, let patience, _, _, _) = trial.spec.schedule.lr, patience >= trial.spec.schedule.epochs - 2,
              let call = trial.settings.value(at: ["schedule", "lr"]) else { return nil }
        let given = written(call).contains("patience")
        return LintDiagnostics.plateauPatienceTooLong(patience: patience, epochs: trial.spec.schedule.epochs, defaulted: !given,
                                                      span: given ? (call["patience"]?.span ?? call.span) : call.span)
    }

    /// W0304, W0305.
    func batchSize(_ trial: StageLinter.Trial, rows: Rows?) -> Diagnostic? {
        guard let rows, let data else { return nil }
        let spec = trial.spec
        let span = trial.settings.value(at: ["schedule", "batch_size"])?.span ?? trial.settings["schedule"]?.span ?? stage.span
        let batch = spec.schedule.batchSize
        if batch > rows.count {
            return LintDiagnostics.batchLargerThanTrainSplit(batch: batch, rows: rows.count, bound: rows.isBound, data: data.name, span: span)
        }
        let steps = stepsPerEpoch(spec, rows: rows.count)
        guard steps < LintTable.minimumStepsPerEpoch else { return nil }
        return LintDiagnostics.fewStepsPerEpoch(batch: batch, accumulate: max(1, spec.schedule.accumulate), steps: steps, rows: rows.count,
                                                bound: rows.isBound, data: data.name, span: span)
    }

    /// W0306: some trained encoder bias or norm is decayed, and nobody decided so.
    func weightDecay(_ trial: StageLinter.Trial) -> Diagnostic? {
        let spec = trial.spec
        guard let model, encoderTrains(spec), spec.optimizer.weightDecay > 0, spec.optimizer.noDecay == .none,
              let optimizer = trial.settings["optimizer"] else { return nil }
        let text = written(optimizer)
        let sweptNoDecay = stage.sweeps.contains { $0.axes.contains { $0.path == ["optimizer", "no_decay"] } }
        guard !text.contains("no_decay"), !sweptNoDecay else { return nil }
        let decayed = names.contains { name in
            guard Self.isEncoder(name), roles[name]?.isBiasOrNorm == true, spec.everTrains(name) else { return false }
            return spec.optimization(of: name, role: roles[name]!, decayDepth: 0).weightDecay == nil
        }
        guard decayed else { return nil }
        let given = text.contains("weight_decay")
        return LintDiagnostics.weightDecayOnBiasAndNorm(optimizer: spec.optimizer.kind.rawValue, weightDecay: spec.optimizer.weightDecay, defaulted: !given,
                                                        model: model.name, span: given ? (optimizer["weight_decay"]?.span ?? optimizer.span) : optimizer.span)
    }

    /// W0309.
    func epochs(_ trial: StageLinter.Trial) -> Diagnostic? {
        let spec = trial.spec
        guard let model, encoderTrains(spec), spec.schedule.epochs > LintTable.manyFineTuningEpochs, spec.schedule.earlyStop == nil,
              let span = trial.settings.value(at: ["schedule", "epochs"])?.span else { return nil }
        return LintDiagnostics.tooManyEpochsForFineTuning(epochs: spec.schedule.epochs, model: model.name, span: span)
    }
}
