import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

/// `SettingOrigins` (what `ftx explain` prints) against the files themselves and
/// against what the planner lowers: on every repository example, every origin that
/// points into the file points at that setting's key in the right declaration,
/// every swept value is the trial's planned value, every default is the schema's,
/// and the values are those of the trial's `TrainingSpec`.
final class SettingOriginsTests: XCTestCase {
    private struct Example {
        var name: String
        var plan: Plan
        var experiment: CheckedExperiment
        var file: SourceFile
        var sections: [Section]
    }

    private func examples(sandbox: PlanSandbox) throws -> [Example] {
        let names = TestPaths.ftxFiles(in: TestPaths.root + "/experiments").map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        XCTAssertEqual(names.count, 5, "every repository example is explained")
        return try names.map { name in
            let path = try sandbox.write(try PlanSandbox.example(name), as: "experiments/\(name).ftx")
            let (experiment, file) = try checked(path)
            let plan = try Planner().makePlan(experiment, file: file)
            return Example(name: name, plan: plan, experiment: experiment, file: file, sections: Parser.parse(file).0.sections)
        }
    }

    func testEveryTrialOfEveryExampleIsExplainedWithNamesAsThePlanOrdersThem() throws {
        let sandbox = try PlanSandbox()
        for example in try examples(sandbox: sandbox) {
            let trials = SettingOrigins.trials(of: example.plan, experiment: example.experiment)
            XCTAssertEqual(trials.map(\.id), example.plan.graph.trials.map(\.id), example.name)
            XCTAssertEqual(Set(trials.map(\.name)).count, trials.count, "\(example.name): trial names are unique")
            for stage in example.experiment.stages {
                let own = trials.filter { $0.stage == stage.name }
                XCTAssertEqual(own.map(\.index), Array((1...max(1, own.count)).prefix(own.count)), "\(example.name) \(stage.name)")
            }
        }
    }

    func testWrittenAndInheritedOriginsPointAtTheSettingsKeyInItsDeclaration() throws {
        let sandbox = try PlanSandbox()
        var checkedOrigins = 0
        for example in try examples(sandbox: sandbox) {
            for trial in SettingOrigins.trials(of: example.plan, experiment: example.experiment) {
                for setting in trial.settings where [.declared, .inherited].contains(setting.origin.kind) {
                    let context = "\(example.name) \(trial.name) \(setting.path)"
                    guard let span = setting.origin.span, let declaration = setting.origin.declaration else {
                        XCTFail("\(context): a written value has a place and a declaration"); continue
                    }
                    // The declaration (`stage `probe``) is the section holding the span.
                    let parts = declaration.replacingOccurrences(of: "`", with: "").split(separator: " ").map(String.init)
                    let section = example.sections.first { $0.keyword.name == parts[0] && ($0.name?.name ?? example.experiment.name) == parts[1] }
                    XCTAssertNotNil(section, "\(context): no section \(declaration)")
                    if let section {
                        XCTAssertTrue(section.span.start <= span.start && span.end <= section.span.end, "\(context): \(declaration) does not hold the span")
                    }
                    let key = String(setting.path.split(separator: ".").last!)
                    let text = example.file.text(span)
                    if setting.origin.valueSpan != nil || setting.path == "init" {
                        // A keyed setting or labelled argument: the span is its key.
                        XCTAssertTrue(text.hasPrefix(key), "\(context): `\(text)` at the origin is not the key `\(key)`")
                    } else {
                        // A positional argument: the span is the value as written.
                        if let n = setting.value.number {
                            XCTAssertEqual(Self.evaluate(text), n, "\(context): `\(text)`")
                        } else {
                            XCTAssertEqual(text, setting.value.description, context)
                        }
                    }
                    if setting.origin.kind == .inherited, let via = setting.origin.via {
                        XCTAssertTrue(example.file.text(via).hasPrefix("init"), "\(context): inherited through `init`")
                    }
                    checkedOrigins += 1
                }
            }
        }
        XCTAssertGreaterThan(checkedOrigins, 500)
    }

    /// A number as written: a literal, or one product or quotient of two (`1 / 16`).
    private static func evaluate(_ text: String) -> Double? {
        if let n = Double(text) { return n }
        for (op, f) in [(" / ", { (a: Double, b: Double) in a / b }), (" * ", { (a: Double, b: Double) in a * b })] {
            let parts = text.components(separatedBy: op)
            if parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]) { return f(a, b) }
        }
        return nil
    }

    func testSweptValuesAreThePlannedTrialsValuesAndPointAtTheirAxis() throws {
        let sandbox = try PlanSandbox()
        var swept = 0
        for example in try examples(sandbox: sandbox) {
            for trial in SettingOrigins.trials(of: example.plan, experiment: example.experiment) {
                let planned = try XCTUnwrap(example.plan.graph.trials.first { $0.id == trial.id })
                for (key, value) in planned.settings where key != "init" && key != "rank" {
                    let context = "\(example.name) \(trial.name) \(key)"
                    guard let setting = trial.setting(key) else { XCTFail("\(context): not explained"); continue }
                    XCTAssertTrue([.swept, .drawn].contains(setting.origin.kind), "\(context): \(setting.origin.kind)")
                    if case .call = setting.value.kind {
                        XCTAssertEqual(SettingValue.string(setting.text), value, context)
                    } else {
                        XCTAssertEqual(SweepPoint.settingValue(setting.value), value, context)
                    }
                }
                for setting in trial.settings where [.swept, .drawn].contains(setting.origin.kind) {
                    let context = "\(example.name) \(trial.name) \(setting.path)"
                    let sweep = try XCTUnwrap(setting.origin.sweep, context)
                    XCTAssertTrue(setting.path == sweep.axis || setting.path.hasPrefix(sweep.axis + "."), context)
                    XCTAssertTrue(example.file.text(sweep.axisSpan).hasPrefix(sweep.axis), "\(context): the axis span holds `\(sweep.axis)`")
                    XCTAssertTrue((1...sweep.count).contains(sweep.index), context)
                    if sweep.generator == nil, setting.path == sweep.axis, let valueSpan = setting.origin.valueSpan {
                        // A grid or zip value: the list element it was written as.
                        let text = example.file.text(valueSpan)
                        if let n = setting.value.number { XCTAssertEqual(Double(text), n, context) }
                    }
                    swept += 1
                }
            }
        }
        XCTAssertGreaterThan(swept, 100)
    }

    func testDefaultsAreTheSchemasDefaults() throws {
        let sandbox = try PlanSandbox()
        var defaults = 0
        for example in try examples(sandbox: sandbox) {
            for trial in SettingOrigins.trials(of: example.plan, experiment: example.experiment) {
                for setting in trial.settings where setting.origin.kind == .default {
                    let context = "\(example.name) \(trial.name) \(setting.path)"
                    var parts = setting.path.split(separator: ".").map(String.init)
                    let name = parts.removeLast()
                    let expected: Value?
                    if case .call(let owner, let positional, _)? = trial.setting(parts.joined(separator: "."))?.value.kind, positional.isEmpty {
                        expected = LanguageSchema.calls.first { $0.name == owner && $0.param(name) != nil }?.param(name)?.defaultValue
                    } else {
                        // A section's key, or a field of a record-typed key (`schedule.early_stop.min_delta`).
                        var section = LanguageSchema.stage
                        if ["model", "data", "schedule"].contains(parts.first) {
                            section = [LanguageSchema.model, LanguageSchema.data, LanguageSchema.schedule].first { $0.keyword == parts.first }!
                            parts.removeFirst()
                        }
                        var params = section.keys
                        for part in parts {
                            guard case .record(let fields)? = params.first(where: { $0.name == part })?.type else { params = []; break }
                            params = fields
                        }
                        expected = params.first { $0.name == name }?.defaultValue
                    }
                    XCTAssertEqual(setting.value, expected, context)
                    defaults += 1
                }
            }
        }
        XCTAssertGreaterThan(defaults, 100)
    }

    func testValuesAreThoseOfTheTrialsTrainingSpec() throws {
        let sandbox = try PlanSandbox()
        for example in try examples(sandbox: sandbox) {
            for trial in SettingOrigins.trials(of: example.plan, experiment: example.experiment) {
                let context = "\(example.name) \(trial.name)"
                guard case .train(let spec)? = example.plan.graph.task(trial.id!)?.payload else { XCTFail(context); continue }
                XCTAssertEqual(trial.setting("optimizer")?.text, spec.optimizer.kind.rawValue, context)
                XCTAssertEqual(trial.setting("optimizer.lr")?.value.number, spec.optimizer.lr, context)
                XCTAssertEqual(trial.setting("schedule.batch_size")?.value.number, Double(spec.schedule.batchSize), context)
                XCTAssertEqual(trial.setting("schedule.epochs")?.value.number, Double(spec.schedule.epochs), context)
                XCTAssertEqual(trial.setting("seed")?.value.number, Double(spec.seed), context)
                XCTAssertEqual(trial.setting("freeze")?.value.list?.compactMap(\.string), spec.freeze, context)
                if let weightDecay = trial.setting("optimizer.weight_decay")?.value.number {
                    XCTAssertEqual(weightDecay, spec.optimizer.weightDecay, context)
                }
                if let momentum = trial.setting("optimizer.momentum")?.value.number {
                    XCTAssertEqual(momentum, spec.optimizer.momentum, context)
                }
            }
        }
    }

    /// The finetune stage of glosses-minilm inherits its model through `init = best(probe)`
    /// and its seed from the experiment; a probe trial's lr is the grid's second value.
    func testGlossesOrigins() throws {
        let sandbox = try PlanSandbox()
        let example = try XCTUnwrap(try examples(sandbox: sandbox).first { $0.name == "glosses-minilm" })
        let trials = SettingOrigins.trials(of: example.plan, experiment: example.experiment)
        func location(_ span: Span?) -> String {
            guard let span else { return "-" }
            let l = example.file.location(of: span.start)
            return "\(l.line):\(l.column)"
        }
        let finetune = try XCTUnwrap(trials.first { $0.name == "finetune:1" })
        let model = try XCTUnwrap(finetune.setting("model"))
        XCTAssertEqual(model.origin.kind, .inherited)
        XCTAssertEqual(model.origin.declaration, "stage `probe`")
        XCTAssertEqual(location(model.origin.span), "26:3")
        XCTAssertEqual(location(model.origin.via), "46:3")
        XCTAssertEqual(model.origin.summary(in: example.file), "26:3 in stage `probe`, inherited through `init` (46:3)")
        let seed = try XCTUnwrap(finetune.setting("seed"))
        XCTAssertEqual(seed.origin.kind, .inherited)
        XCTAssertEqual(seed.origin.declaration, "experiment `glosses`")
        XCTAssertEqual(location(seed.origin.span), "8:3")
        XCTAssertEqual(finetune.setting("optimizer.lr")?.origin.summary(in: example.file), "49:21 in stage `finetune`")
        XCTAssertEqual(finetune.setting("optimizer.eps")?.origin.kind, .default)
        XCTAssertEqual(finetune.setting("model.tokenizer.lowercase")?.origin.kind, .derived)

        let probe = try XCTUnwrap(trials.first { $0.name == "probe:5" })
        let lr = try XCTUnwrap(probe.setting("optimizer.lr"))
        XCTAssertEqual(lr.value.number, 1e-3)
        XCTAssertEqual(lr.origin.summary(in: example.file), "sweep grid, axis optimizer.lr at 38:5, value 2 of 3")
        XCTAssertEqual(location(lr.origin.replaces), "29:21", "the stage's own lr, which the sweep replaces")
        XCTAssertEqual(location(lr.origin.valueSpan), "38:27")
    }

    /// What an editor's hover asks, without planning: a setting in every point of a stage.
    func testValuesOfASettingAcrossAStagesPoints() throws {
        let sandbox = try PlanSandbox()
        let example = try XCTUnwrap(try examples(sandbox: sandbox).first { $0.name == "glosses-minilm" })
        let probe = try XCTUnwrap(example.experiment.stage(named: "probe"))
        let values = SettingOrigins.values(of: "optimizer.lr", in: probe, experiment: example.experiment)
        XCTAssertEqual(values.map { $0.value.number }, [3e-4, 3e-4, 3e-4, 3e-4, 1e-3, 1e-3, 1e-3, 1e-3, 3e-3, 3e-3, 3e-3, 3e-3])
        XCTAssertEqual(values.map { $0.origin.sweep?.index }, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        XCTAssertTrue(SettingOrigins.values(of: "optimizer.lt", in: probe, experiment: example.experiment).isEmpty)
    }

    /// What the planner adds: a replicate's seed (as its spec has it) and the rank of a `top(k)` selection.
    func testReplicateSeedsAndUpstreamRanksAreThePlannersOwn() throws {
        let sandbox = try PlanSandbox()
        let path = try sandbox.write("""
            experiment r {
              seed = 4
            }

            data wine {
              source = csv("../data/wine.csv")
              label = "label"
              split = stratified(train: 0.7, valid: 0.3, seed: 1)
            }

            model net {
              input = 13
              layers = [dense(8, activation: relu)]
              head = dense(3)
            }

            stage a {
              model = net
              data = wine
              optimizer = adam(lr: 0.01)
              schedule {
                epochs = 2
                batch_size = 16
              }
              repeat = 2
              sweep zip {
                optimizer.lr = [0.01, 0.02]
                schedule.batch_size = [8, 16]
              }
              select = top(2, by: valid.accuracy)
            }

            stage b {
              init = best(a)
              data = wine
              optimizer = sgd(lr: 0.1)
              schedule {
                epochs = 1
                batch_size = 16
              }
            }

            """)
        let (experiment, _) = try checked(path)
        let plan = try Planner().makePlan(experiment, file: try SourceFile.load(path: path))
        let trials = SettingOrigins.trials(of: plan, experiment: experiment)
        XCTAssertEqual(trials.map(\.name), ["a:1", "a:2", "a:3", "a:4", "b:1", "b:2"])
        for trial in trials.prefix(4) {
            guard case .train(let spec)? = plan.graph.task(trial.id!)?.payload else { return XCTFail(trial.name) }
            let seed = try XCTUnwrap(trial.setting("seed"))
            XCTAssertEqual(seed.value.number, Double(spec.seed), trial.name)
            XCTAssertEqual(seed.origin.kind, .replicate, trial.name)
        }
        XCTAssertEqual(trials.prefix(4).compactMap { $0.setting("seed")?.value.number }, [4, 5, 4, 5])
        XCTAssertEqual(trials.suffix(2).map { $0.setting("init.rank")?.value.number }, [1, 2])
        XCTAssertEqual(trials.last?.setting("init.rank")?.origin.kind, .planned)
        XCTAssertEqual(trials.last?.setting("model")?.origin.kind, .inherited)
        XCTAssertEqual(trials.last?.setting("seed")?.origin.kind, .inherited, "a stage without repeat keeps the experiment's seed")
    }
}
