import Foundation

/// What `ftx results` shows, read from the store for a plan: every trial with
/// its status, settings, final metrics and epochs; the selected best per stage;
/// the ensembles. `json` is the `--json` shape of docs/CLI.md.
public struct ExperimentResults: Sendable {
    /// One trial.
    public struct Trial: Sendable {
        public var id: String
        public var stage: String
        /// `done`, `diverged`, `pruned`, `failed`, or `pending`/`running` for trials not (yet) finished.
        public var status: TaskStatus
        public var settings: [(key: String, value: SettingValue)]
        /// The eval task's metrics (`train.*`, `valid.*`, `test.*`), or the last epoch's for unevaluated trials.
        public var metrics: [(key: String, value: Double)]
        /// Completed epochs.
        public var epochs: Int
    }

    /// An ensemble's result.
    public struct Ensemble: Sendable {
        public var stage: String
        public var members: [String]
        public var metrics: [(key: String, value: Double)]
    }

    public var experiment: String
    public var trials: [Trial]
    /// Stage → selected trial id, in plan order.
    public var best: [(stage: String, trial: String)]
    public var ensembles: [Ensemble]

    /// Reads the results of `graph`'s tasks from `store` (read-only).
    public init(graph: TaskGraph, store: TaskStore) {
        experiment = graph.experiment
        func numbers(_ v: JSONValue?) -> [(key: String, value: Double)] {
            (v?.objectValue ?? []).map { (key: $0.key, value: $0.value.doubleValue ?? .nan) }
        }
        trials = graph.trials.map { t in
            let history = store.history(for: t.id).compactMap(EpochRecord.init(json:))
            var metrics = history.last?.metrics ?? []
            if case .complete = store.verify(t.evalKey), let m = store.metrics(for: t.evalKey)?["metrics"], m.objectValue?.isEmpty == false {
                metrics = numbers(m)
            }
            return Trial(id: t.id, stage: t.stage, status: store.status(of: t.id), settings: t.settings, metrics: metrics,
                         epochs: history.count)
        }
        best = []
        ensembles = []
        for task in graph.tasks {
            guard case .complete(.done) = store.verify(task.key), let m = store.metrics(for: task.key) else { continue }
            switch task.kind {
            case .select:
                if let s = m["selected"]?.stringValue { best.append((task.stage, s)) }
            case .ensemble:
                ensembles.append(Ensemble(stage: task.stage, members: (m["members"]?.arrayValue ?? []).compactMap(\.stringValue),
                                          metrics: numbers(m["metrics"])))
            default: break
            }
        }
    }

    /// A setting as JSON (`number` → number, `text` → its canonical text).
    public static func json(_ v: SettingValue) -> JSONValue {
        switch v {
        case .number(let d): return .double(d)
        case .string(let s), .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }

    /// `{"experiment":…,"trials":[…],"best":{…},"ensembles":[…]}` (docs/CLI.md).
    public var json: JSONValue {
        func metricsJSON(_ m: [(key: String, value: Double)]) -> JSONValue {
            .object(m.map { (key: $0.key, value: JSONValue.double($0.value)) })
        }
        return [
            "experiment": .string(experiment),
            "trials": .array(trials.map { t in
                ["id": .string(t.id), "stage": .string(t.stage), "status": .string(t.status.rawValue),
                 "settings": .object(t.settings.map { (key: $0.key, value: Self.json($0.value)) }),
                 "metrics": metricsJSON(t.metrics), "epochs": .int(t.epochs)]
            }),
            "best": .object(best.map { (key: $0.stage, value: JSONValue.string($0.trial)) }),
            "ensembles": .array(ensembles.map { e in
                ["stage": .string(e.stage), "members": .array(e.members.map { .string($0) }), "metrics": metricsJSON(e.metrics)]
            }),
        ]
    }
}
