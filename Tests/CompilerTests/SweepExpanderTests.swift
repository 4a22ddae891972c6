import Compiler
import DSL
import Foundation
import Plan
import Support
import XCTest

final class SweepExpanderTests: XCTestCase {
    private func stage(_ text: String, _ sandbox: PlanSandbox, named name: String = "train") throws -> CheckedStage {
        let experiment = try checkedText(text, sandbox: sandbox)
        return try XCTUnwrap(experiment.stage(named: name))
    }

    func testNoSweepIsOneTrialWithoutOverrides() throws {
        let sandbox = try PlanSandbox()
        let points = SweepExpander.expand(try stage(wineExperiment(sweeps: ""), sandbox))
        XCTAssertEqual(points.count, 1)
        XCTAssertEqual(points[0].overrides.count, 0)
        XCTAssertTrue(points[0].settings.isEmpty)
    }

    func testGridIsCartesianProductWithFirstAxisSlowest() throws {
        let sandbox = try PlanSandbox()
        let s = try stage(wineExperiment(sweeps: """
          sweep grid {
            optimizer.lr = [0.1, 0.01, 0.001]
            schedule.batch_size = [8, 32]
          }
        """), sandbox)
        let points = SweepExpander.expand(s)
        XCTAssertEqual(points.count, 6)
        XCTAssertEqual(points.map { $0.value("optimizer.lr")?.number }, [0.1, 0.1, 0.01, 0.01, 0.001, 0.001])
        XCTAssertEqual(points.map { $0.value("schedule.batch_size")?.number }, [8, 32, 8, 32, 8, 32])
        XCTAssertEqual(points[3].settings.map(\.key), ["optimizer.lr", "schedule.batch_size"])
        XCTAssertEqual(points[3].settings[setting: "optimizer.lr"], .number(0.01))
        XCTAssertEqual(points[3].settings[setting: "schedule.batch_size"], .number(32))
        // Applying a point changes exactly the swept settings.
        let applied = points[3].apply(to: s.settings)
        XCTAssertEqual(applied.value(at: ["optimizer", "lr"])?.number, 0.01)
        XCTAssertEqual(applied.value(at: ["optimizer", "momentum"])?.number, 0.9)
        XCTAssertEqual(applied.value(at: ["schedule", "batch_size"])?.number, 32)
        XCTAssertEqual(applied.value(at: ["schedule", "epochs"])?.number, 3)
    }

    func testZipPairsAxesAndBlocksMultiply() throws {
        let sandbox = try PlanSandbox()
        let path = try sandbox.write(try PlanSandbox.example("cancer-ensemble"), as: "experiments/cancer.ftx")
        let s = try XCTUnwrap(try checked(path).0.stage(named: "train"))
        let points = SweepExpander.expand(s)
        XCTAssertEqual(points.count, 12)
        // First block (zip) slowest: each (lr, batch) pair runs with seeds 0, 1, 2.
        XCTAssertEqual(points.prefix(3).map { $0.value("optimizer.lr")?.number }, [3e-3, 3e-3, 3e-3])
        XCTAssertEqual(points.prefix(3).map { $0.value("schedule.batch_size")?.number }, [64, 64, 64])
        XCTAssertEqual(points.prefix(3).map { $0.value("seed")?.number }, [0, 1, 2])
        let pairs = Set(points.map { "\($0.value("optimizer.lr")!.number!)/\($0.value("schedule.batch_size")!.number!)" })
        XCTAssertEqual(pairs, ["0.003/64.0", "0.001/32.0", "0.0003/16.0", "0.0001/8.0"])
    }

    func testRandomSweepIsDeterministicAndWithinBounds() throws {
        let sandbox = try PlanSandbox()
        func points(seed: Int, trials: Int) throws -> [SweepPoint] {
            SweepExpander.expand(try stage(wineExperiment(sweeps: """
              sweep random(trials: \(trials), seed: \(seed)) {
                optimizer.lr = loguniform(1e-4, 1)
                optimizer.momentum = uniform(0.5, 0.9)
                schedule.batch_size = int(1, 3)
              }
            """), sandbox))
        }
        let a = try points(seed: 7, trials: 400), b = try points(seed: 7, trials: 400), c = try points(seed: 8, trials: 400)
        XCTAssertEqual(a.count, 400)
        XCTAssertEqual(a, b, "same seed, same points")
        XCTAssertNotEqual(a, c, "another seed, other points")
        let lrs = a.compactMap { $0.value("optimizer.lr")?.number }
        let momenta = a.compactMap { $0.value("optimizer.momentum")?.number }
        let batches = a.compactMap { $0.value("schedule.batch_size")?.number }
        XCTAssertEqual(lrs.count, 400)
        XCTAssertTrue(lrs.allSatisfy { $0 >= 1e-4 && $0 < 1 })
        XCTAssertTrue(momenta.allSatisfy { $0 >= 0.5 && $0 < 0.9 })
        XCTAssertEqual(Set(batches), [1, 2, 3], "int(a, b) includes both ends")
        // Log-uniform: half the draws fall below the geometric mean 1e-2 (a uniform draw would put ~1% there).
        let belowGeometricMean = Double(lrs.filter { $0 < 1e-2 }.count) / 400
        XCTAssertEqual(belowGeometricMean, 0.5, accuracy: 0.1)
        let decades = (0..<4).map { d in lrs.filter { log10($0) >= -4 + Double(d) && log10($0) < -3 + Double(d) }.count }
        XCTAssertTrue(decades.allSatisfy { $0 > 60 && $0 < 140 }, "each decade gets about a quarter: \(decades)")
        let belowMid = Double(momenta.filter { $0 < 0.7 }.count) / 400
        XCTAssertEqual(belowMid, 0.5, accuracy: 0.1)
    }

    func testRaisingTrialsKeepsTheEarlierDraws() throws {
        let sandbox = try PlanSandbox()
        func points(_ trials: Int) throws -> [SweepPoint] {
            SweepExpander.expand(try stage(wineExperiment(sweeps: """
              sweep random(trials: \(trials), seed: 3) {
                optimizer.lr = loguniform(1e-4, 1e-1)
              }
            """), sandbox))
        }
        let eight = try points(8), sixteen = try points(16)
        XCTAssertEqual(Array(sixteen.prefix(8)), eight)
    }

    func testConditionalChoiceCarriesOnlyItsOwnSubAxes() throws {
        let sandbox = try PlanSandbox()
        let path = try sandbox.write(try PlanSandbox.example("wine-search"), as: "experiments/wine.ftx")
        let s = try XCTUnwrap(try checked(path).0.stage(named: "train"))
        let points = SweepExpander.expand(s)
        XCTAssertEqual(points.count, 16)
        var kinds = Set<String>()
        for p in points {
            let optimizer = try XCTUnwrap(p.value("optimizer"))
            let keys = p.settings.map(\.key)
            let lr = try XCTUnwrap(optimizer["lr"]?.number)
            switch optimizer.callName {
            case "sgd":
                XCTAssertEqual(keys, ["optimizer", "optimizer.lr", "optimizer.momentum", "schedule.batch_size"])
                XCTAssertTrue(lr >= 1e-3 && lr < 1e-1)
                let momentum = try XCTUnwrap(optimizer["momentum"]?.number)
                XCTAssertTrue(momentum >= 0.5 && momentum < 0.99)
                // The whole call is replaced: the base's nesterov and weight decay do not leak in.
                XCTAssertNotEqual(optimizer["weight_decay"]?.number, 1e-4)
            case "adamw":
                XCTAssertEqual(keys, ["optimizer", "optimizer.lr", "optimizer.weight_decay", "schedule.batch_size"])
                XCTAssertTrue(lr >= 1e-4 && lr < 1e-2)
                XCTAssertTrue([0, 0.01].contains(try XCTUnwrap(optimizer["weight_decay"]?.number)))
                XCTAssertNil(p.settings[setting: "optimizer.momentum"])
            default:
                XCTFail("unexpected optimizer \(optimizer)")
            }
            kinds.insert(optimizer.callName ?? "")
            XCTAssertEqual(p.settings[setting: "optimizer"], .string(optimizer.callName ?? ""))
            XCTAssertTrue([8, 16, 32].contains(try XCTUnwrap(p.value("schedule.batch_size")?.number)))
        }
        XCTAssertEqual(kinds, ["sgd", "adamw"], "16 draws reach both branches")
    }

    // MARK: Lints

    private func codes(_ sweeps: String, stage scheduleExtra: String = "") throws -> [String] {
        let sandbox = try PlanSandbox()
        let s = try stage(wineExperiment(stage: scheduleExtra, sweeps: sweeps), sandbox)
        return SweepLinter.lint(s).map(\.code.rawValue)
    }

    func testDuplicateSpellingsOfOneValueWarn() throws {
        let sandbox = try PlanSandbox()
        let s = try stage(wineExperiment(sweeps: """
          sweep grid {
            optimizer.lr = [1e-3, 0.001, 0.01]
          }
        """), sandbox)
        let warnings = SweepLinter.lint(s)
        XCTAssertEqual(warnings.map(\.code), [.duplicateSweepValue])
        XCTAssertEqual(warnings.first?.severity, .warning)
        let source = try SourceFile.load(path: sandbox.root.appendingPathComponent("experiments/x.ftx").path)
        XCTAssertEqual(source.text(warnings[0].primary.span), "0.001")
        XCTAssertEqual(source.text(try XCTUnwrap(warnings[0].secondary.first).span), "1e-3")
        // Both spellings are one trial.
        let plan = try Planner().makePlan(try checked(sandbox.root.appendingPathComponent("experiments/x.ftx").path).0, file: source)
        XCTAssertEqual(plan.graph.trials.count, 2)
    }

    func testSingleValueAxisWarns() throws {
        XCTAssertEqual(try codes("""
          sweep grid {
            optimizer.lr = [0.01]
            schedule.batch_size = [8, 16]
          }
        """), ["W0201"])
    }

    func testAxisIgnoredByOneCycleWarns() throws {
        XCTAssertEqual(try codes("""
          sweep grid {
            optimizer.lr = [0.01, 0.1]
          }
        """, stage: "    lr = one_cycle(max: 0.1)\n"), ["W0202"])
        XCTAssertEqual(try codes("""
          sweep grid {
            optimizer.lr = [0.01, 0.1]
          }
        """, stage: "    lr = cosine(warmup: 0.1)\n"), [])
    }

    func testAxisOverwrittenByLaterWholeCallWarns() throws {
        XCTAssertEqual(try codes("""
          sweep grid {
            optimizer.lr = [0.01, 0.1]
          }
          sweep grid {
            optimizer = [sgd(lr: 0.1), adam(lr: 0.001)]
          }
        """), ["W0202"])
    }

    func testLargeGridWarns() throws {
        XCTAssertEqual(try codes("""
          sweep grid {
            optimizer.lr = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
            schedule.batch_size = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
            seed = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
          }
        """), ["W0203"])
    }

    /// `repeat` multiplies the trials a sweep costs: 121 points are fine, 9 × 121 are not.
    func testLargeGridCountsRepeats() throws {
        let grid = """
          sweep grid {
            optimizer.lr = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
            schedule.batch_size = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
          }
        """
        XCTAssertEqual(try codes(grid), [])
        XCTAssertEqual(try codes("  repeat = 9\n" + grid), ["W0203"])
    }

    func testRepeatedRandomDrawsWarn() throws {
        XCTAssertEqual(try codes("""
          sweep random(trials: 10, seed: 0) {
            schedule.batch_size = choice(8, 16)
          }
        """), ["W0204"])
    }
}
