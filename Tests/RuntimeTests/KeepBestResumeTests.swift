import Foundation
import Plan
import Runtime
import Support
import XCTest

/// `keep_best` across interruptions: the kept weights are part of the resume state, so a
/// trial paused after any epoch and resumed seals exactly the straight run's files; a
/// pruned trial (ASHA) is sealed with its best epoch so far.
final class KeepBestResumeTests: XCTestCase {
    /// A constant, too-high rate: later epochs are worse than an earlier one.
    static func spec(csv: String, epochs: Int, keep: Bool) -> TrainingSpec {
        var spec = TrainerFixtures.syntheticSpec(csv: csv, lr: 0.3, epochs: epochs, dropout: 0.3, schedule: .constant)
        if keep { spec.schedule.keepBest = KeepBestSpec(metric: "valid.loss", minimize: true) }
        return spec
    }

    static func keptEpoch(_ store: TaskStore, _ key: String = "k") -> Int? {
        store.readJSON("status.json", for: key)?["kept_epoch"]?.intValue
    }

    func testKeptWeightsSurviveAResumeBitIdentically() throws {
        let dir = TrainerFixtures.temporaryDirectory("keep-best")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let epochs = 6
        let spec = Self.spec(csv: csv, epochs: epochs, keep: true)
        let straight = try TaskStore(root: dir + "/straight")
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: straight).run(), .finished(epochs: epochs, earlyStopped: false))
        let kept = try XCTUnwrap(Self.keptEpoch(straight))
        let losses = straight.history(for: "k").compactMap { $0["valid.loss"]?.doubleValue }
        XCTAssertEqual(kept, try XCTUnwrap(losses.firstIndex(of: try XCTUnwrap(losses.min()))) + 1)
        XCTAssertLessThan(kept, epochs - 1, "the test needs the kept epoch well before the last: \(losses)")

        for pause in 1..<epochs {
            let store = try TaskStore(root: dir + "/paused\(pause)")
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: store).run(.init(epochLimit: pause)), .paused(epochs: pause))
            XCTAssertEqual(store.exists("best.safetensors", for: "k"), true, "the kept weights are in the resume state")
            XCTAssertEqual(try Trainer(spec: spec, key: "k", store: store).run(), .finished(epochs: epochs, earlyStopped: false))
            XCTAssertEqual(TrainerFixtures.snapshot(store.root), TrainerFixtures.snapshot(straight.root), "paused after epoch \(pause)")
            XCTAssertEqual(Self.keptEpoch(store), kept)
            XCTAssertFalse(store.exists("best.safetensors", for: "k"), "a sealed trial keeps no resume state")
        }

        // The kept weights are the weights of the same trial trained for `kept` epochs.
        let upto = try TaskStore(root: dir + "/upto")
        XCTAssertEqual(try Trainer(spec: Self.spec(csv: csv, epochs: kept, keep: false), key: "k", store: upto).run(),
                       .finished(epochs: kept, earlyStopped: false))
        XCTAssertEqual(upto.read("final.safetensors", for: "k"), straight.read("final.safetensors", for: "k"))
    }

    /// ASHA pauses a trial at a rung and seals it `pruned`: its checkpoint is its best epoch so far.
    func testAPrunedTrialIsSealedWithItsBestEpochSoFar() throws {
        let dir = TrainerFixtures.temporaryDirectory("keep-best-pruned")
        let csv = TrainerFixtures.syntheticCSV(in: dir)
        let epochs = 6
        let store = try TaskStore(root: dir + "/pruned")
        let spec = Self.spec(csv: csv, epochs: epochs, keep: true)
        XCTAssertEqual(try Trainer(spec: spec, key: "k", store: store).run(.init(epochLimit: epochs - 1)), .paused(epochs: epochs - 1))
        try Trainer.sealPruned(key: "k", store: store)
        let losses = store.history(for: "k").compactMap { $0["valid.loss"]?.doubleValue }
        XCTAssertEqual(losses.count, epochs - 1)
        let kept = try XCTUnwrap(losses.firstIndex(of: try XCTUnwrap(losses.min()))) + 1
        XCTAssertLessThan(kept, epochs - 1)
        XCTAssertEqual(Self.keptEpoch(store), kept)
        let upto = try TaskStore(root: dir + "/upto")
        _ = try Trainer(spec: Self.spec(csv: csv, epochs: kept, keep: false), key: "k", store: upto).run()
        XCTAssertEqual(store.read("final.safetensors", for: "k"), upto.read("final.safetensors", for: "k"))
    }
}
