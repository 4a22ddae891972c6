import Foundation
import Plan
import Runtime
import XCTest

/// The trainer's per-step reports and their sampling for the live display (issue 17).
final class StepSamplerTests: XCTestCase {
    func progress(_ step: Int, perEpoch: Int = 50, loss: Float = 2) -> StepProgress {
        StepProgress(step: step, epoch: (step - 1) / perEpoch, stepInEpoch: (step - 1) % perEpoch + 1,
                     stepsPerEpoch: perEpoch, totalEpochs: 4, loss: loss)
    }

    /// 100 steps a second for two seconds: a sample at the first step, then one per 0.1 s
    /// (20), plus the epoch ends that fall between (steps 50, 150); the rate is 100 steps/s.
    func testSamplesComeAtMostTenTimesASecondPlusEachEpochsEnd() {
        let sampler = StepSampler(key: "k", interval: 0.1)
        var samples: [StepSample] = []
        for step in 1...200 {
            // Steps at exact binary times (1/128 s apart) so the spacing test cannot round either way.
            if let s = sampler.record(progress(step), now: Double(step) / 128) { samples.append(s) }
        }
        let steps = samples.map(\.position.step)
        XCTAssertEqual(steps.first, 1)
        XCTAssertTrue(steps.contains(50) && steps.contains(100) && steps.contains(150) && steps.contains(200))
        let timed = steps.filter { $0 % 50 != 0 }
        for (a, b) in zip([1] + timed.dropFirst(), timed.dropFirst()) {
            XCTAssertGreaterThanOrEqual(Double(b - a) / 128, 0.1, "samples \(a) → \(b)")
            XCTAssertLessThan(Double(b - a - 1) / 128, 0.1, "no sample due was skipped: \(a) → \(b)")
        }
        XCTAssertLessThanOrEqual(samples.count, 200 / 12 + 1 + 4)
        XCTAssertTrue(samples[0].stepsPerSecond.isNaN, "no rate from one step")
        XCTAssertEqual(samples.last!.stepsPerSecond, 128, accuracy: 1e-9)
        XCTAssertEqual(samples.last!.smoothedLoss, 2, accuracy: 1e-12, "bias-corrected: a constant loss is itself")
    }

    /// The smoothed loss is the bias-corrected exponential average of the step losses.
    func testTheSmoothedLossIsTheBiasCorrectedAverage() {
        let sampler = StepSampler(key: "k", interval: 0)
        var average = 0.0, power = 1.0
        for (i, loss) in [4, 2, 1, 3].enumerated() {
            average = 0.95 * average + 0.05 * Double(loss)
            power *= 0.95
            let s = sampler.record(progress(i + 1, loss: Float(loss)), now: Double(i))
            XCTAssertEqual(s!.smoothedLoss, average / (1 - power), accuracy: 1e-12)
        }
    }

    /// The trainer reports every optimizer step with its place in the epoch and the loss
    /// `onStep` sees.
    func testTheTrainerReportsEveryStepWithItsPlaceInTheEpoch() throws {
        let dir = TrainerFixtures.temporaryDirectory("steps")
        let store = try TaskStore(root: dir + "/store")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 3)
        var reported: [StepProgress] = []
        var losses: [Float] = []
        _ = try Trainer(spec: spec, key: "k", store: store).run(.init(onStep: { losses.append($1) }, onProgress: { reported.append($0) }))
        let perEpoch = try XCTUnwrap(reported.first?.stepsPerEpoch)
        XCTAssertEqual(reported.count, 3 * perEpoch)
        XCTAssertEqual(reported.map(\.step), Array(1...(3 * perEpoch)))
        XCTAssertEqual(reported.map(\.stepInEpoch), Array(repeating: Array(1...perEpoch), count: 3).flatMap { $0 })
        XCTAssertEqual(reported.map(\.epoch), (0..<3).flatMap { Array(repeating: $0, count: perEpoch) })
        XCTAssertEqual(reported.map(\.loss), losses)
        XCTAssertEqual(Set(reported.map(\.totalEpochs)), [3])
    }

    /// The executor turns the trainer's steps into `.step` events (every step with interval 0)
    /// and says when a trial stops resumably (`.paused`), so a display drops its line.
    func testTheExecutorReportsStepsAndPauses() throws {
        let dir = TrainerFixtures.temporaryDirectory("step-events")
        let spec = TrainerFixtures.syntheticSpec(csv: TrainerFixtures.syntheticCSV(in: dir), epochs: 3)
        let log = EventLog()
        let executor = Executor(graph: TrainerFixtures.graph([spec], select: false), store: try TaskStore(root: dir + "/store"),
                                progress: log.append)
        executor.stepReportInterval = 0
        executor.interruptAfterEpochs = ["ttrain0": 2]
        _ = try executor.run()
        let steps = log.all.compactMap { if case let .step(stage, s) = $0, stage == "fit" { return s } else { return nil } }
        let perEpoch = try XCTUnwrap(steps.first?.position.stepsPerEpoch)
        XCTAssertEqual(steps.map(\.position.step), Array(1...(2 * perEpoch)))
        XCTAssertEqual(Set(steps.map(\.key)), ["ttrain0"])
        XCTAssertTrue(log.all.contains { if case let .paused(key, _, 2) = $0 { return key == "ttrain0" } else { return false } })
    }
}
