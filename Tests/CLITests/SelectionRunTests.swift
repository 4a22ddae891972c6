import Foundation
import Runtime
import Support
import XCTest

/// Issue 14 through `ftx run`: `select = top(k, by:)` starts k downstream trials, each
/// from the upstream trial of its rank, and `repeat = N` trains every sweep point with
/// seeds s…s+N−1, reports mean ± sample std and selects by the mean. Which upstream
/// checkpoint a downstream trial started from is read from its weights: the downstream
/// stage freezes `layers.0`, so its final `layers.0` is bit-identical to its start's.
final class SelectionRunTests: XCTestCase {
    /// Digits, a 16-unit MLP; `upstream` and `downstream` are stage bodies.
    private func digits(_ name: String, upstream: String, downstream: String) -> String {
        // `upstream` and `downstream` may be empty: ExperimentText.stage leaves an empty line then.
        ExperimentText.file([
            ExperimentText.header(name), ExperimentText.digits, ExperimentText.mlp(input: 64, layers: "[dense(16, activation: relu)]", head: 10),
            ExperimentText.stage("up", ["model = mlp", "data = digits", "optimizer = adam(lr: 1e-3)"], schedule: ["epochs = 1", "batch_size = 64"],
                                 after: [upstream]),
            ExperimentText.stage("down", ["init = best(up)", "data = digits", "freeze = [\"layers.0\"]", "optimizer = adam(lr: 1e-3)"],
                                 schedule: ["epochs = 1", "batch_size = 64"], after: [downstream]),
        ])
    }

    private struct Run {
        var results: [String: Any]
        var text: String
        var plan: [String: Any]
        var store: String

        var trials: [[String: Any]] { results["trials"] as? [[String: Any]] ?? [] }
        func trials(_ stage: String) -> [[String: Any]] { trials.filter { $0["stage"] as? String == stage } }
        func metric(_ trial: [String: Any], _ name: String) -> Double { (trial["metrics"] as? [String: Any])?[name] as? Double ?? .nan }
        func selectKeys() -> [String] {
            (plan["tasks"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "select" }.compactMap { $0["id"] as? String }
        }
        /// The resolved spec a task's key hashes (`spec.json`'s payload).
        func spec(_ key: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: store + "/tasks/\(key)/spec.json"))
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try XCTUnwrap((json["payload"] as? [String: Any])?["train-task"] as? [String: Any])
        }
        func layer0(_ trial: [String: Any]) throws -> [Float] {
            try SafetensorsFile(contentsOf: try XCTUnwrap(trial["checkpoint"] as? String)).floats("layers.0.weight")
        }
    }

    /// Checks `text` clean and runs it (as experiments/NAME.ftx, into the workspace's one store),
    /// then reads back `results --json`, the results as text and `plan --json`.
    private func run(_ workspace: Workspace, _ name: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let run = try ExperimentRun(workspace, name: "\(name).ftx", text, file: file, line: line)
        let plan = ftx(["plan", "--json", "--store", run.store, run.file])
        return Run(results: run.results, text: ftx(["results", "--store", run.store, run.file]).out,
                   plan: try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [String: Any]), store: run.store)
    }

    func testTopKStartsEachDownstreamTrialFromTheUpstreamTrialOfItsRank() throws {
        let workspace = try Workspace()
        let sweep = "  sweep grid {\n    optimizer.lr = [1e-3, 3e-3, 1e-2, 3e-2]\n  }\n"
        var selectKeys: [String] = []
        var upstreamIDs: [[String]] = []
        for k in [1, 3] {
            let r = try run(workspace, "top\(k)", digits("top\(k)", upstream: sweep + "  select = top(\(k), by: valid.accuracy)", downstream: ""))
            let up = r.trials("up"), down = r.trials("down")
            XCTAssertEqual(up.count, 4)
            XCTAssertEqual(down.count, k, "top(\(k)) hands \(k) trial(s) downstream")
            upstreamIDs.append(up.compactMap { $0["id"] as? String })
            selectKeys += r.selectKeys()

            // The ranking by hand: valid.accuracy descending, ties in plan order.
            let ranking = up.enumerated().sorted { a, b in
                r.metric(a.element, "valid.accuracy") != r.metric(b.element, "valid.accuracy")
                    ? r.metric(a.element, "valid.accuracy") > r.metric(b.element, "valid.accuracy") : a.offset < b.offset
            }.map(\.element)
            XCTAssertEqual((r.results["best"] as? [String: Any])?["up"] as? String, ranking[0]["id"] as? String)
            let selected = try XCTUnwrap((r.results["selected"] as? [String: Any])?["up"] as? [[String: Any]])
            XCTAssertEqual(selected.compactMap { $0["trial"] as? String }, ranking.prefix(k).compactMap { $0["id"] as? String })
            XCTAssertEqual(selected.compactMap { $0["rank"] as? Int }, Array(1...k))

            for (i, trial) in down.enumerated() {
                let rank = ((trial["settings"] as? [String: Any])?["rank"] as? Int) ?? 1
                XCTAssertEqual(rank, i + 1)
                let start = ranking[rank - 1]
                XCTAssertEqual(try r.layer0(trial), try r.layer0(start), "rank \(rank) starts from \(start["id"] ?? "?")")
                for other in up where other["id"] as? String != start["id"] as? String {
                    XCTAssertNotEqual(try r.layer0(trial), try r.layer0(other))
                }
            }
            if k == 3 {
                XCTAssertTrue(r.text.contains("selected of up (top 3 by valid.accuracy): 1. "), r.text)
            }
        }
        XCTAssertEqual(upstreamIDs[0], upstreamIDs[1], "the upstream trials are the same (reused) for any k")
        XCTAssertEqual(selectKeys.count, 2)
        XCTAssertNotEqual(selectKeys[0], selectKeys[1], "k is part of the select task's key")
    }

    func testRepeatTrainsConsecutiveSeedsAndSelectsPointsByTheirMean() throws {
        let workspace = try Workspace()
        let r = try run(workspace, "rep", digits("rep", upstream: """
              seed = 12
              repeat = 3
              sweep grid {
                optimizer.lr = [0.05, 0.12]
              }
              select = best(valid.accuracy)
              ensemble = top(1, by: valid.accuracy)
            """, downstream: ""))
        let up = r.trials("up")
        XCTAssertEqual(up.count, 6)
        // spec.json writes seeds as strings (exact for any UInt64).
        XCTAssertEqual(try up.map { try XCTUnwrap(r.spec(XCTUnwrap($0["id"] as? String))["seed"] as? String) }, ["12", "13", "14", "12", "13", "14"])
        XCTAssertEqual(up.compactMap { $0["replicate"] as? Int }, [0, 1, 2, 0, 1, 2])

        // Mean and sample standard deviation (n − 1) of each point, by hand.
        let points = try XCTUnwrap(r.results["points"] as? [[String: Any]])
        XCTAssertEqual(points.count, 2)
        var means: [Double] = []
        for (p, point) in points.enumerated() {
            let replicates = Array(up[(3 * p)..<(3 * p + 3)])
            XCTAssertEqual(point["trials"] as? [String], replicates.compactMap { $0["id"] as? String })
            for name in ["valid.accuracy", "valid.loss", "train.loss"] {
                let x = replicates.map { r.metric($0, name) }
                let mean = (x[0] + x[1] + x[2]) / 3
                let std = (((x[0] - mean) * (x[0] - mean) + (x[1] - mean) * (x[1] - mean) + (x[2] - mean) * (x[2] - mean)) / 2).squareRoot()
                XCTAssertEqual(try XCTUnwrap((point["mean"] as? [String: Any])?[name] as? Double), mean, accuracy: 1e-12, name)
                XCTAssertEqual(try XCTUnwrap((point["std"] as? [String: Any])?[name] as? Double), std, accuracy: 1e-12, name)
                XCTAssertEqual((point["n"] as? [String: Any])?[name] as? Int, 3)
                if name == "valid.accuracy" { means.append(mean) }
            }
        }
        // This case is chosen so the best point by mean is not the point of the best single trial
        // (lr 0.05: mean ≈ 0.851, best ≈ 0.864; lr 0.12: mean ≈ 0.756, best ≈ 0.928).
        let bestPoint = means[0] >= means[1] ? 0 : 1
        let single = up.indices.max { r.metric(up[$0], "valid.accuracy") < r.metric(up[$1], "valid.accuracy") }!
        XCTAssertNotEqual(single / 3, bestPoint, "precondition: the best single trial is in the other point (means \(means))")
        // Handed on: the best replicate of the best point.
        let chosen = up[(3 * bestPoint)..<(3 * bestPoint + 3)].max { r.metric($0, "valid.accuracy") < r.metric($1, "valid.accuracy") }!
        let chosenID = try XCTUnwrap(chosen["id"] as? String)
        XCTAssertEqual((r.results["best"] as? [String: Any])?["up"] as? String, chosenID)
        let selected = try XCTUnwrap(((r.results["selected"] as? [String: Any])?["up"] as? [[String: Any]])?.first)
        XCTAssertEqual(try XCTUnwrap(selected["value"] as? Double), means[bestPoint], accuracy: 1e-12, "ranked by the mean")
        let ensemble = try XCTUnwrap((r.results["ensembles"] as? [[String: Any]])?.first)
        XCTAssertEqual(ensemble["members"] as? [String], [chosenID])
        let down = try XCTUnwrap(r.trials("down").first)
        XCTAssertEqual(try r.layer0(down), try r.layer0(chosen), "the downstream stage starts from the chosen replicate")
        XCTAssertTrue(r.text.contains("sweep points over their replicates (mean ± sample std):"), r.text)
        // --csv names each row's replicate and point too (empty for the stage that does not repeat).
        let csv = ftx(["results", "--csv", "--store", r.store, workspace.experiments.appendingPathComponent("rep.ftx").path]).out
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try XCTUnwrap(csv.first)
        XCTAssertEqual(Array(header[5...8]), ["commit", "dirty", "replicate", "point"])
        let byID = Dictionary(uniqueKeysWithValues: csv.dropFirst().map { ($0[0], $0) })
        for trial in up {
            let row = try XCTUnwrap(byID[try XCTUnwrap(trial["id"] as? String)])
            XCTAssertEqual(row[7], String(try XCTUnwrap(trial["replicate"] as? Int)))
            XCTAssertEqual(row[8], trial["point"] as? String)
        }
        XCTAssertEqual(Array(try XCTUnwrap(byID[try XCTUnwrap(down["id"] as? String)])[7...8]), ["", ""])
        XCTAssertTrue(r.text.contains(String(format: "%.4f ± %.4f", means[bestPoint], try XCTUnwrap((points[bestPoint]["std"] as? [String: Any])?["valid.accuracy"] as? Double))), r.text)
    }
}
