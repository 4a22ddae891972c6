import Foundation
import Runtime
import XCTest

/// One experiment checked (no errors, no warnings) and run by in-process `ftx`, with what
/// `ftx results --json` reports of each trial, by stage.
struct ExperimentRun {
    /// A trial of `ftx results --json`.
    struct Trial {
        var json: [String: Any]
        var checkpoint: String? { json["checkpoint"] as? String }
        var metrics: [String: Double] { json["metrics"] as? [String: Double] ?? [:] }
        var keptEpoch: Int? { json["kept_epoch"] as? Int }
        /// `history.jsonl`'s lines.
        var history: [[String: Any]] { json["history"] as? [[String: Any]] ?? [] }
        /// A metric of each epoch, in order.
        func perEpoch(_ metric: String) -> [Double] { history.map { $0[metric] as? Double ?? .nan } }
    }

    /// Kept alive with the run: its folder (store included) is removed with it.
    let workspace: Workspace
    let store: String
    let file: String
    /// `ftx results --json` as parsed.
    var results: [String: Any] = [:]
    /// Every trial, in the order `ftx results` lists them (plan order).
    var allTrials: [Trial] = []
    /// The trials of each stage (one per stage without a sweep).
    var trials: [String: [Trial]] = [:]
    /// Each stage's final checkpoint (its last trial's, when a stage has several).
    var checkpoints: [String: String] {
        trials.compactMapValues { $0.compactMap(\.checkpoint).last }
    }

    /// Writes `text` as experiments/NAME in `workspace`, checks it, runs it into the store
    /// folder `store` in the workspace (runs that share a store reuse each other's tasks).
    init(_ workspace: Workspace, name: String = "run.ftx", _ text: String, store: String = "store",
         file: StaticString = #filePath, line: UInt = #line) throws {
        self.workspace = workspace
        self.file = try workspace.write(name, text)
        self.store = workspace.url.appendingPathComponent(store).path
        let check = ftx(["check", self.file])
        XCTAssertEqual(check.status, 0, check.err, file: file, line: line)
        XCTAssertEqual(warningsOtherThanLints(check.err), [], check.err, file: file, line: line)
        let run = ftx(["run", "--store", self.store, self.file])
        XCTAssertEqual(run.status, 0, run.err, file: file, line: line)
        let results = ftx(["results", "--json", "--store", self.store, self.file])
        XCTAssertEqual(results.status, 0, results.err, file: file, line: line)
        self.results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(results.out.utf8)) as? [String: Any], results.err, file: file, line: line)
        allTrials = (self.results["trials"] as? [[String: Any]] ?? []).map(Trial.init(json:))
        for trial in allTrials {
            if let stage = trial.json["stage"] as? String { trials[stage, default: []].append(trial) }
        }
    }

    /// The only trial of `stage`.
    func trial(_ stage: String, file: StaticString = #filePath, line: UInt = #line) throws -> Trial {
        let all = trials[stage] ?? []
        XCTAssertEqual(all.count, 1, "stage \(stage)", file: file, line: line)
        return try XCTUnwrap(all.first, "stage \(stage) has no trial", file: file, line: line)
    }

    /// The final checkpoint of `stage`'s only trial, as name → values.
    func weights(_ stage: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: [Float]] {
        let path = try XCTUnwrap(try trial(stage, file: file, line: line).checkpoint, "stage \(stage) has no checkpoint", file: file, line: line)
        let tensors = try SafetensorsFile(contentsOf: path)
        return try Dictionary(uniqueKeysWithValues: tensors.names.map { ($0, try tensors.floats($0)) })
    }

    /// The payload kinds of the store's task entries (`train-task`, `features-task`, …), counted.
    func taskKinds() -> [String: Int] {
        let tasks = URL(fileURLWithPath: store).appendingPathComponent("tasks")
        var counts: [String: Int] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: tasks.path)) ?? [] {
            let spec = tasks.appendingPathComponent(entry).appendingPathComponent("spec.json")
            guard let data = try? Data(contentsOf: spec), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let payload = json["payload"] as? [String: Any], let kind = payload.keys.first else { continue }
            counts[kind, default: 0] += 1
        }
        return counts
    }
}
