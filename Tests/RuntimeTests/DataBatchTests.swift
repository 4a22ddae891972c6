import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class DataBatchTests: XCTestCase {
    private func digitsTrain(augment: [Augmentation] = [], target: TargetKind = .classes) throws -> DataSplit {
        let spec = DataFixtures.spec("digits.csv", target: target, normalize: .scale(1.0 / 16),
                                     split: SplitRule(.ordered, train: 0.8, valid: 0.2))
        return try Dataset.load(spec).prepare().train
    }

    private func rowsOfEpoch(_ loader: inout BatchLoader, epoch: Int, batch: inout Batch) -> [[Int32]] {
        loader.beginEpoch(epoch)
        return (0..<loader.batchesPerEpoch).map { i in
            loader.fill(&batch, index: i, step: epoch * loader.batchesPerEpoch + i)
            return Array(batch.rows[0..<batch.count])
        }
    }

    func testUnshuffledBatchesAreConsecutiveSlicesWithPartialLast() throws {
        let train = try digitsTrain()  // 1438 rows
        var loader = BatchLoader(split: train, batchSize: 64, shuffle: false, seed: 0)
        XCTAssertEqual(loader.batchesPerEpoch, 23)  // 22 full + 30
        var batch = loader.makeBatch()
        loader.beginEpoch(3)
        for i in 0..<loader.batchesPerEpoch {
            loader.fill(&batch, index: i, step: i)
            let start = i * 64, count = min(64, 1438 - start)
            XCTAssertEqual(batch.count, count)
            XCTAssertEqual(Array(batch.rows[0..<count]), (start..<(start + count)).map { Int32($0) })
            XCTAssertEqual(Array(batch.x[0..<(count * 64)]), Array(train.features[(start * 64)..<((start + count) * 64)]))
            XCTAssertEqual(Array(batch.labels[0..<count]), Array(train.labels[start..<(start + count)]))
            XCTAssertEqual(batch.mixWeight, 1)
        }
        XCTAssertEqual(batch.count, 1438 - 22 * 64)
    }

    func testGoldenBatchingIsTwentyBatchesOfTwenty() throws {
        let path = DataFixtures.golden("traj_p1.csv")
        let spec = DataSpec(source: .csv(path: path), label: "label", normalize: .scale(1.0 / 16), split: SplitRule(.ordered, train: 0.8, valid: 0.2))
        let train = try Dataset.load(spec).prepare().train
        var loader = BatchLoader(split: train, batchSize: 20, shuffle: false, seed: 0)
        XCTAssertEqual(loader.batchesPerEpoch, 20)
        var batch = loader.makeBatch()
        loader.beginEpoch(1)
        loader.fill(&batch, index: 19, step: 39)
        XCTAssertEqual(Array(batch.rows[0..<batch.count]), (380..<400).map { Int32($0) })
    }

    func testShuffleIsAFunctionOfSeedAndEpoch() throws {
        let train = try digitsTrain()
        var a = BatchLoader(split: train, batchSize: 50, shuffle: true, seed: 11)
        var batch = a.makeBatch()
        let e0 = rowsOfEpoch(&a, epoch: 0, batch: &batch)
        let e1 = rowsOfEpoch(&a, epoch: 1, batch: &batch)
        XCTAssertNotEqual(e0, e1, "each epoch gets a new order")
        XCTAssertEqual(Set(e0.flatMap { $0 }), Set((0..<1438).map { Int32($0) }), "an epoch visits every row once")
        XCTAssertEqual(e0.flatMap { $0 }.count, 1438)

        // A run resumed at epoch 1 (fresh loader, no epoch 0) sees the same batches.
        var resumed = BatchLoader(split: train, batchSize: 50, shuffle: true, seed: 11)
        var b2 = resumed.makeBatch()
        XCTAssertEqual(rowsOfEpoch(&resumed, epoch: 1, batch: &b2), e1)
        XCTAssertEqual(rowsOfEpoch(&resumed, epoch: 0, batch: &b2), e0)

        var other = BatchLoader(split: train, batchSize: 50, shuffle: true, seed: 12)
        XCTAssertNotEqual(rowsOfEpoch(&other, epoch: 0, batch: &b2), e0, "a different seed, a different order")
        XCTAssertEqual(BatchLoader.epochOrder(count: 1438, shuffle: true, seed: 11, epoch: 1).map { Int32($0) }, e1.flatMap { $0 })
        XCTAssertEqual(BatchLoader.epochOrder(count: 10, shuffle: false, seed: 11, epoch: 4), Array(0..<10))

        // Gathered data matches the rows.
        a.beginEpoch(2)
        a.fill(&batch, index: 3, step: 0)
        for i in 0..<batch.count {
            let r = Int(batch.rows[i])
            XCTAssertEqual(Array(batch.x[(i * 64)..<(i * 64 + 64)]), Array(train.features[(r * 64)..<(r * 64 + 64)]))
            XCTAssertEqual(batch.labels[i], train.labels[r])
        }
    }

    func testNoiseIsDeterministicPerStepAndHasTheRequestedSpread() throws {
        let train = try digitsTrain()
        let loader = BatchLoader(split: train, batchSize: 256, shuffle: false, seed: 5, augment: [.noise(std: 0.1)])
        var b1 = loader.makeBatch(), b2 = loader.makeBatch()
        loader.fill(&b1, index: 0, step: 7)
        loader.fill(&b2, index: 0, step: 7)
        XCTAssertEqual(b1.x, b2.x, "same seed and step → same noise")
        loader.fill(&b2, index: 0, step: 8)
        XCTAssertNotEqual(b1.x, b2.x, "another step → other noise")
        var sum = 0.0, sq = 0.0
        let n = b1.count * 64
        for k in 0..<n { let d = Double(b1.x[k] - train.features[k]); sum += d; sq += d * d }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.005)
        XCTAssertEqual((sq / Double(n)).squareRoot(), 0.1, accuracy: 0.005)
        XCTAssertEqual(Array(b1.labels[0..<b1.count]), Array(train.labels[0..<256]), "noise leaves labels alone")
    }

    func testMixupMixesPairsWithOneWeight() throws {
        let train = try digitsTrain()
        let loader = BatchLoader(split: train, batchSize: 32, shuffle: false, seed: 3, augment: [.mixup(alpha: 0.4)])
        var batch = loader.makeBatch()
        var lambdas: [Float] = []
        for step in 0..<40 {
            loader.fill(&batch, index: 0, step: step)
            let l = batch.mixWeight
            XCTAssertTrue(l >= 0 && l <= 1)
            lambdas.append(l)
            // Every row is λ·own + (1 − λ)·partner for the partner whose label is mixLabels[i].
            for i in 0..<batch.count {
                let partners = (0..<32).filter { p in
                    train.labels[p] == batch.mixLabels[i] && (0..<64).allSatisfy { j in
                        abs(batch.x[i * 64 + j] - (l * train.features[i * 64 + j] + (1 - l) * train.features[p * 64 + j])) < 1e-5
                    }
                }
                XCTAssertFalse(partners.isEmpty, "row \(i) at step \(step)")
            }
        }
        XCTAssertGreaterThan(Set(lambdas).count, 30, "λ is drawn per step")
        var again = loader.makeBatch()
        loader.fill(&again, index: 0, step: 17)
        loader.fill(&batch, index: 0, step: 17)
        XCTAssertEqual(again.x, batch.x)
        XCTAssertEqual(again.mixLabels, batch.mixLabels)
        // Beta(0.4, 0.4) is U-shaped: most draws are near 0 or 1.
        XCTAssertGreaterThan(lambdas.filter { $0 < 0.2 || $0 > 0.8 }.count, lambdas.count / 3)
    }

    func testMixupMixesFloatTargets() throws {
        let spec = DataFixtures.spec("breast_cancer.csv", target: .binary, normalize: .standardize)
        let train = try Dataset.load(spec).prepare().train
        let loader = BatchLoader(split: train, batchSize: 16, shuffle: true, seed: 1, augment: [.mixup(alpha: 1)])
        var batch = loader.makeBatch()
        var l = loader
        l.beginEpoch(0)
        l.fill(&batch, index: 0, step: 0)
        let lambda = batch.mixWeight
        for i in 0..<batch.count {
            let own = train.targets[Int(batch.rows[i])]
            let t = batch.targets[i]
            XCTAssertTrue(abs(t - own * lambda) < 1e-6 || abs(t - (own * lambda + (1 - lambda))) < 1e-6, "target \(t)")
        }
    }
}
