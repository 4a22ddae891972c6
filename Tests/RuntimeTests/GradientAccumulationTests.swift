import Foundation
import Plan
import Runtime
import Support
import XCTest

/// `schedule { accumulate = k }`: one optimizer step per `k` batches, on the row-weighted
/// mean of their gradients. With the same row order (the epoch permutation depends on
/// (seed, epoch) only, not on the batch size) and no dropout, `batch_size = b, accumulate = k`
/// must train as `batch_size = b·k` does: same steps, same schedule, same final weights up
/// to float rounding — smaller last batches, the l2 penalty, clipping and AdamW included.
final class GradientAccumulationTests: XCTestCase {
    /// 150 rows, about 70% of them train rows, so epochs end on a short batch.
    private func spec(_ csv: String, batchSize: Int, accumulate: Int) -> TrainingSpec {
        var spec = TrainerFixtures.syntheticSpec(csv: csv, epochs: 3, dropout: 0, shuffle: true)
        spec.schedule.batchSize = batchSize
        spec.schedule.accumulate = accumulate
        return spec
    }

    private func train(_ spec: TrainingSpec, in dir: String) throws -> (weights: SafetensorsFile, steps: [Int], history: String) {
        let store = try TaskStore(root: dir)
        var steps: [Int] = []
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: store).run(.init(onStep: { t, _ in steps.append(t) })),
                       .finished(epochs: 3, earlyStopped: false))
        let history = String(decoding: store.read("history.jsonl", for: "k") ?? Data(), as: UTF8.self)
        return (try SafetensorsFile(contentsOf: store.path("final.safetensors", for: "k")), steps, history)
    }

    /// The largest |a − b| / max|b| over all tensors.
    private func relativeDifference(_ a: SafetensorsFile, _ b: SafetensorsFile) throws -> Double {
        XCTAssertEqual(a.names, b.names)
        var maxDiff = 0.0, maxRef = 0.0
        for name in b.names {
            for (x, y) in zip(try a.floats(name), try b.floats(name)) {
                maxDiff = max(maxDiff, Double(abs(x - y)))
                maxRef = max(maxRef, Double(abs(y)))
            }
        }
        return maxDiff / maxRef
    }

    func testAccumulatingBatchesEqualsOneLargeBatch() throws {
        let dir = TrainerFixtures.temporaryDirectory("accumulate")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        // Steps of 4 batches of 8 take 32 rows each but the last, as batches of 32 do; steps of 3 batches of 8
        // take 24 rows but the last (whose group has fewer batches), as batches of 24 do.
        for (small, k) in [(8, 4), (8, 3)] {
            let large = try train(spec(csv, batchSize: small * k, accumulate: 1), in: dir + "/large\(k)")
            let accumulated = try train(spec(csv, batchSize: small, accumulate: k), in: dir + "/small\(k)")
            XCTAssertEqual(accumulated.steps, large.steps, "the schedule counts optimizer steps, not batches")
            XCTAssertEqual(large.steps, Array(0..<large.steps.count))
            let relative = try relativeDifference(accumulated.weights, large.weights)
            XCTAssertLessThan(relative, 1e-5, "accumulate = \(k) of \(small) rows vs batches of \(small * k)")
            // The lr column of the history (per-epoch, at the epoch's last step) is the same schedule.
            let lrs = { (h: String) in h.split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["lr"]?.doubleValue } }
            XCTAssertEqual(lrs(accumulated.history), lrs(large.history))
            XCTAssertEqual(lrs(large.history).count, 3)
        }
        // Not vacuous: without accumulation, batches of 8 end elsewhere.
        let plain = try train(spec(csv, batchSize: 8, accumulate: 1), in: dir + "/plain")
        let large = try SafetensorsFile(contentsOf: try TaskStore(root: dir + "/large4").path("final.safetensors", for: "k"))
        XCTAssertGreaterThan(try relativeDifference(plain.weights, large), 1e-3)
    }
}
