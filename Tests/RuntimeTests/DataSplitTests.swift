import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class DataSplitTests: XCTestCase {
    func testCountsFollowTheRoundingRuleAndSumToN() {
        func c(_ n: Int, _ a: Double, _ b: Double, _ t: Double = 0) -> [Int] {
            let r = SplitPlanner.counts(total: n, rule: SplitRule(.ordered, train: a, valid: b, test: t))
            return [r.train, r.valid, r.test]
        }
        XCTAssertEqual(c(500, 0.8, 0.2), [400, 100, 0])
        XCTAssertEqual(c(1797, 0.8, 0.2), [1438, 359, 0])  // 1437.6 → 1438
        XCTAssertEqual(c(569, 0.7, 0.15, 0.15), [398, 85, 86])  // 398.3, 85.35
        XCTAssertEqual(c(5, 0.5, 0.5), [2, 3, 0], "2.5 rounds half to even, like Python's round")
        XCTAssertEqual(c(7, 0.5, 0.5), [4, 3, 0], "3.5 → 4")
        XCTAssertEqual(c(3, 0.5, 0.5, 0), [2, 1, 0])
        XCTAssertEqual(c(10, 0.34, 0.33, 0.33), [3, 3, 4])
        XCTAssertEqual(c(0, 0.8, 0.2), [0, 0, 0])
        for n in 0..<60 {
            for (a, b, t) in [(0.8, 0.2, 0.0), (0.7, 0.15, 0.15), (0.34, 0.33, 0.33), (0.1, 0.85, 0.05), (1.0, 0.0, 0.0)] {
                let v = c(n, a, b, t)
                XCTAssertEqual(v.reduce(0, +), n)
                XCTAssertTrue(v.allSatisfy { $0 >= 0 })
            }
        }
    }

    func testInvalidFractionsAreErrors() {
        XCTAssertThrowsError(try SplitPlanner.assign(SplitRule(.ordered, train: 0.8, valid: 0.3), rowCount: 10, classIDs: nil, path: "p"))
        XCTAssertThrowsError(try SplitPlanner.assign(SplitRule(.ordered, train: 1.2, valid: -0.2), rowCount: 10, classIDs: nil, path: "p"))
    }

    func testOrderedSplitOfGoldenTrajectoryIsTheFirstRows() throws {
        let path = DataFixtures.golden("traj_p1.csv")
        let spec = DataSpec(source: .csv(path: path), label: "label", normalize: .scale(1.0 / 16),
                            split: SplitRule(.ordered, train: 0.8, valid: 0.2))
        let d = try Dataset.load(spec)
        XCTAssertEqual(d.rowCount, 500)
        XCTAssertEqual(d.assignment.train, Array(0..<400))
        XCTAssertEqual(d.assignment.valid, Array(400..<500))
        let p = try d.prepare()
        XCTAssertEqual(p.train.rowCount, 400)
        XCTAssertEqual(p.valid.rowCount, 100)
        XCTAssertEqual(p.test.rowCount, 0)
        // Row 0 of traj_p1.csv: 0,0,7,13,8,4,… label 0, scaled by 1/16.
        let firstRow: [Float] = [0, 0, 7, 13, 8, 4].map { $0 / 16 }
        XCTAssertEqual(Array(p.train.features[0..<6]), firstRow)
        XCTAssertEqual(p.train.labels[0], 0)
        XCTAssertEqual(p.train.labels[1], 4)
        XCTAssertEqual(p.valid.sourceRows.first, 400)
        let table = try CSVReader.read(path: path)
        XCTAssertEqual(p.valid.features[63], Float(table.number(row: 400, column: 63)! / 16))
    }

    func testRandomSplitIsDeterministicPerSeed() throws {
        func load(_ seed: UInt64) throws -> Dataset {
            try Dataset.load(DataFixtures.spec("digits.csv", split: SplitRule(.random(seed: seed), train: 0.8, valid: 0.2)))
        }
        let a = try load(0), b = try load(0), c = try load(1)
        XCTAssertEqual(a.assignment, b.assignment)
        XCTAssertNotEqual(a.assignment.train, c.assignment.train)
        XCTAssertEqual(a.assignment.train.count, 1438)
        XCTAssertEqual(a.assignment.valid.count, 359)
        XCTAssertEqual(Set(a.assignment.train).union(a.assignment.valid), Set(0..<1797))
        XCTAssertTrue(Set(a.assignment.train).isDisjoint(with: a.assignment.valid))
        XCTAssertEqual(a.assignment.train, a.assignment.train.sorted(), "each split lists rows in file order")
        XCTAssertNotEqual(a.assignment.train, Array(0..<1438), "random is not the ordered split")
        // The documented rule: ordered cuts of SeededGenerator(seed).fork("split").permutation(n).
        var g = SeededGenerator(seed: 0).fork("split")
        XCTAssertEqual(a.assignment.valid, Array(g.permutation(1797)[1438...]).sorted())
    }

    func testStratifiedSplitKeepsClassProportions() throws {
        let rule = SplitRule(.stratified(seed: 2), train: 0.7, valid: 0.15, test: 0.15)
        let d = try Dataset.load(DataFixtures.spec("breast_cancer.csv", split: rule))
        let all = d.labels
        let total0 = all.filter { $0 == 0 }.count, total1 = all.filter { $0 == 1 }.count
        XCTAssertEqual([total0, total1], [212, 357])
        for name in SplitName.allCases {
            let rows = d.assignment[name]
            let n0 = rows.filter { all[$0] == 0 }.count, n1 = rows.count - n0
            let f = name == .train ? 0.7 : 0.15
            let c0 = SplitPlanner.counts(total: total0, rule: rule), c1 = SplitPlanner.counts(total: total1, rule: rule)
            let want0 = name == .train ? c0.train : name == .valid ? c0.valid : c0.test
            let want1 = name == .train ? c1.train : name == .valid ? c1.valid : c1.test
            XCTAssertEqual(n0, want0, "\(name)")
            XCTAssertEqual(n1, want1, "\(name)")
            XCTAssertEqual(Double(n0), f * Double(total0), accuracy: 1)
            XCTAssertEqual(Double(n1), f * Double(total1), accuracy: 1)
        }
        XCTAssertEqual(d.assignment.train.count + d.assignment.valid.count + d.assignment.test.count, 569)
        XCTAssertEqual(Set(d.assignment.train + d.assignment.valid + d.assignment.test).count, 569)
        let again = try Dataset.load(DataFixtures.spec("breast_cancer.csv", split: rule))
        XCTAssertEqual(again.assignment, d.assignment)
        let other = try Dataset.load(DataFixtures.spec("breast_cancer.csv", split: SplitRule(.stratified(seed: 3), train: 0.7, valid: 0.15, test: 0.15)))
        XCTAssertNotEqual(other.assignment.train, d.assignment.train)

        let glosses = try Dataset.load(DataFixtures.spec("wordnet-glosses.csv", text: "text",
                                                         split: SplitRule(.stratified(seed: 0), train: 0.8, valid: 0.1, test: 0.1)))
        for k in 0..<6 {
            XCTAssertEqual(glosses.assignment.train.filter { glosses.labels[$0] == Int32(k) }.count, 560)
            XCTAssertEqual(glosses.assignment.valid.filter { glosses.labels[$0] == Int32(k) }.count, 70)
        }
    }

    func testStratifiedNeedsClassLabels() {
        let spec = DataFixtures.spec("iris.csv", label: nil, split: SplitRule(.stratified(seed: 0), train: 0.5, valid: 0.5))
        XCTAssertThrowsError(try Dataset.load(spec)) { error in
            XCTAssertEqual((error as? DataError)?.reason, .classLabelsRequired(rule: "a stratified"))
        }
    }

    func testFilterAppliesAfterSplittingWithinEachSplit() throws {
        let spec = DataFixtures.spec("digits.csv", normalize: .scale(1.0 / 16), split: SplitRule(.random(seed: 0), train: 0.8, valid: 0.2))
        let d = try Dataset.load(spec)
        let low = try d.prepare(filter: .compare(.column("label"), .less, .number(5)))
        let high = try d.prepare(filter: .compare(.column("label"), .greaterOrEqual, .number(5)))
        let none = try d.prepare()
        for name in SplitName.allCases {
            // The unfiltered split's rows are exactly partitioned by the two filters.
            XCTAssertEqual(Set(low[name].sourceRows).union(high[name].sourceRows), Set(none[name].sourceRows))
            XCTAssertTrue(Set(low[name].sourceRows).isDisjoint(with: high[name].sourceRows))
            XCTAssertEqual(low[name].sourceRows, none[name].sourceRows.filter { d.labels[$0] < 5 })
        }
        XCTAssertTrue(low.train.labels.allSatisfy { $0 < 5 })
        XCTAssertTrue(high.valid.labels.allSatisfy { $0 >= 5 })
        // No row trained on by one stage is validated on by the other.
        XCTAssertTrue(Set(low.train.sourceRows).isDisjoint(with: none.valid.sourceRows))
        XCTAssertEqual(low.classCount, 10, "class ids keep the data set's numbering")
        // Features follow their rows.
        let i = 5, r = low.train.sourceRows[i]
        XCTAssertEqual(Array(low.train.features[(i * 64)..<(i * 64 + 64)]), d.rawFeatures[(r * 64)..<(r * 64 + 64)].map { Float($0 / 16) })
    }

    func testCompoundAndStringFilters() throws {
        let d = try Dataset.load(DataFixtures.spec("wordnet-glosses.csv", text: "text", split: SplitRule(.ordered, train: 1, valid: 0)))
        let foodOrPlant = try d.prepare(filter: .or(.compare(.column("label"), .equal, .string("food")),
                                                    .compare(.column("label"), .equal, .string("plant"))))
        XCTAssertEqual(foodOrPlant.train.rowCount, 1400)
        let notAnimal = try d.prepare(filter: .not(.compare(.column("label"), .equal, .string("animal"))))
        XCTAssertEqual(notAnimal.train.rowCount, 3500)

        let iris = try Dataset.load(DataFixtures.spec("iris.csv", split: SplitRule(.ordered, train: 1, valid: 0)))
        let f: RowPredicate = .and(.compare(.column("label"), .equal, .number(0)),
                                   .compare(.column("petal length (cm)"), .greater, .number(1.5)))
        let p = try iris.prepare(filter: f)
        XCTAssertEqual(p.train.sourceRows, (0..<150).filter { iris.labels[$0] == 0 && iris.rawFeatures[$0 * 4 + 2] > 1.5 })
        XCTAssertFalse(p.train.sourceRows.isEmpty)
        XCTAssertEqual(f.columns, ["label", "petal length (cm)"])
        XCTAssertEqual(f.description, "(label == 0 and `petal length (cm)` > 1.5)")
        XCTAssertEqual(RowPredicate.not(.compare(.column("label"), .notEqual, .string("a\"b"))).description, #"not label != "a\"b""#)

        XCTAssertThrowsError(try iris.prepare(filter: .compare(.column("species"), .equal, .number(0)))) { error in
            guard case .missingColumn(name: "species", _)? = (error as? DataError)?.reason else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try d.prepare(filter: .compare(.column("label"), .greaterOrEqual, .number(5)))) { error in
            guard case .nonNumeric(column: "label", row: 0, value: "food")? = (error as? DataError)?.reason else { return XCTFail("\(error)") }
        }
    }

    func testStandardizeUsesTrainStatisticsOnly() throws {
        let rule = SplitRule(.stratified(seed: 1), train: 0.7, valid: 0.3)
        let d = try Dataset.load(DataFixtures.spec("wine.csv", normalize: .standardize, split: rule))
        let p = try d.prepare()
        let f = 13, n = p.train.rowCount
        for j in 0..<f {
            var mean = 0.0, sq = 0.0
            for i in 0..<n { mean += Double(p.train.features[i * f + j]) }
            mean /= Double(n)
            for i in 0..<n { let x = Double(p.train.features[i * f + j]) - mean; sq += x * x }
            XCTAssertEqual(mean, 0, accuracy: 1e-5, "train mean of feature \(j)")
            XCTAssertEqual((sq / Double(n)).squareRoot(), 1, accuracy: 1e-5, "train population std of feature \(j)")
        }
        // Valid rows use the train statistics, not their own.
        guard case let .standardize(mean, std) = p.transform else { return XCTFail("\(p.transform)") }
        let trainRows = d.assignment.train
        let mean0 = trainRows.map { d.rawFeatures[$0 * f] }.reduce(0, +) / Double(trainRows.count)
        XCTAssertEqual(mean[0], mean0, accuracy: 1e-12)
        let r = p.valid.sourceRows[3]
        XCTAssertEqual(p.valid.features[3 * f + 5], Float((d.rawFeatures[r * f + 5] - mean[5]) / std[5]))
        var validMean = 0.0
        for i in 0..<p.valid.rowCount { validMean += Double(p.valid.features[i * f]) }
        XCTAssertNotEqual(validMean / Double(p.valid.rowCount), 0, accuracy: 1e-6)
        // Filters do not change the statistics.
        let filtered = try d.prepare(filter: .compare(.column("label"), .equal, .number(1)))
        XCTAssertEqual(filtered.transform, p.transform)
    }

    func testConstantFeatureStandardizesToZero() throws {
        let path = try DataFixtures.temporaryCSV("a,b,label\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = DataSpec(source: .csv(path: path), label: "label", normalize: .standardize,
                            split: SplitRule(.ordered, train: 0.5, valid: 0.5))
        let p = try Dataset.load(spec).prepare()
        XCTAssertEqual(p.train.features, [-1, 0, 1, 0], "mean 1.5, population std 0.5; the constant column has std 0 → 1")
        XCTAssertEqual(p.valid.features, [3, 0, 5, 0])
    }
}
