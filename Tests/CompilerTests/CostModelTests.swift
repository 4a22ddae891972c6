import Compiler
import Foundation
import Plan
import Support
import XCTest

/// The cost model's counts against hand-computed figures for small specs, its pricing,
/// and the calibration file's round trip (issue 20). Nothing here is timed.
final class CostModelTests: XCTestCase {
    /// Every price 1 except the one under test, so a count reads back as seconds.
    private func unitPrices() -> CostCalibration {
        CostCalibration(gflops: 1e-9, gflops1024: 1e-9, smallGFLOPS: 1e-9, gemmCallSeconds: 1, opSeconds: 1, elementSeconds: 1,
                        parameterUpdateSeconds: 1, parseByteSeconds: 1, parseFieldSeconds: 1, tokenizeByteSeconds: 1,
                        writeByteSeconds: 1, readByteSeconds: 1, taskSeconds: 1, measured: "test")
    }

    func testProductsSplitBySizeAtTheThreadedThreshold() {
        var w = CostWork()
        w.gemm(64, 128, 64)   // m·n·k = 2¹⁹: one core
        w.gemm(128, 128, 64)  // 2²⁰: all cores
        w.gemm(0, 10, 10)     // empty: no call
        XCTAssertEqual(w.gemmCalls, 2)
        XCTAssertEqual(w.smallFlops, 2 * 64 * 128 * 64)
        XCTAssertEqual(w.largeFlops, 2 * 128 * 128 * 64)
        XCTAssertEqual(w.bigFlops, 0)
    }

    /// All-core products split their operations between the n = 256 and n = 1024 rates by log₂(m·n·k).
    func testBigProductsMoveTowardsTheLargeRate() {
        var w = CostWork()
        w.gemm(256, 256, 256)     // 2²⁴: all at the n = 256 rate
        XCTAssertEqual(w.largeFlops, 2 * 256 * 256 * 256)
        XCTAssertEqual(w.bigFlops, 0)
        var mid = CostWork()
        mid.gemm(512, 512, 512)   // 2²⁷: half way
        XCTAssertEqual(mid.largeFlops, 512 * 512 * 512, accuracy: 1)
        XCTAssertEqual(mid.bigFlops, 512 * 512 * 512, accuracy: 1)
        var big = CostWork()
        big.gemm(2048, 1024, 1024)  // beyond 2³⁰: all at the n = 1024 rate
        XCTAssertEqual(big.largeFlops, 0)
        XCTAssertEqual(big.bigFlops, 2 * 2048 * 1024 * 1024)
        XCTAssertEqual(big.flops, 2 * 2048 * 1024 * 1024)
        let c = CostCalibration(gflops: 100, gflops1024: 200, smallGFLOPS: 10, gemmCallSeconds: 0, opSeconds: 0, elementSeconds: 0,
                                parameterUpdateSeconds: 0, parseByteSeconds: 0, parseFieldSeconds: 0, tokenizeByteSeconds: 0,
                                writeByteSeconds: 0, readByteSeconds: 0, taskSeconds: 0, measured: "test")
        XCTAssertEqual(c.seconds(mid), 512.0 * 512 * 512 / 100e9 + 512.0 * 512 * 512 / 200e9, accuracy: 1e-15)
    }

    /// Line lengths and commas as `FileDigests` collects them, chunk boundaries included.
    func testLineProfileCountsLinesAcrossChunks() {
        let text = Array("a,b\n1,22\n333,4\nxyz".utf8)  // lines of 4, 5, 6 and (unterminated) 3 bytes
        for cut in 0...text.count {
            var scanner = LineProfileScanner()
            text[..<cut].withUnsafeBytes { scanner.scan($0) }
            text[cut...].withUnsafeBytes { scanner.scan($0) }
            let p = scanner.finish()
            XCTAssertEqual(p.commas, 3, "cut at \(cut)")
            XCTAssertEqual(p.lineBreaks, 3, "cut at \(cut)")
            XCTAssertEqual(p.firstLine, 4, "cut at \(cut)")
            let rows = p.rows(hasHeader: true)
            XCTAssertEqual(rows.reduce(0, +), 3)
            XCTAssertEqual([rows[3], rows[5], rows[6]], [1, 1, 1], "cut at \(cut)")
            XCTAssertEqual(p.rows(hasHeader: false)[4], 1)
        }
    }

    /// Mean tokens and the expected longest of a batch, against a brute-force enumeration.
    func testSequenceLengthsFromRowLengths() {
        // Rows of 10 bytes (4 tokens: ⌈10/5⌉ + 2) and 40 bytes (10 tokens), three to one.
        var lengths = [Int](repeating: 0, count: LineProfile.longestCounted + 1)
        lengths[10] = 300
        lengths[40] = 100
        let file = DataFileFacts(records: 400, bytes: 7000, fields: 800, rowLengths: lengths)
        let s = SequenceLengths(file, maxLength: 64)
        XCTAssertEqual(s.mean, 0.75 * 4 + 0.25 * 10, accuracy: 1e-12)
        // Longest of 2 rows: 10 unless both are short (9/16).
        XCTAssertEqual(s.expectedLongest(of: 2), 9.0 / 16 * 4 + 7.0 / 16 * 10, accuracy: 1e-12)
        XCTAssertEqual(s.expectedLongest(of: 1), s.mean, accuracy: 1e-12)
        // Cut at max_length.
        XCTAssertEqual(SequenceLengths(file, maxLength: 6).expectedLongest(of: 1000), 6, accuracy: 1e-9)
        // Without row lengths every row is the mean length.
        XCTAssertEqual(SequenceLengths(DataFileFacts(records: 10, bytes: 400), maxLength: 64).mean, 10)
    }

    func testPricingSumsEveryKindOfWork() {
        var w = CostWork()
        w.gemm(10, 10, 10)            // 2,000 small flops, 1 call
        w.gemm(128, 128, 64)          // 2,097,152 large flops, 1 call
        w.ops = 3
        w.elements = 1000
        w.parameterUpdates = 500
        w.parsedBytes = 100
        w.parsedFields = 20
        w.tokenizedBytes = 10
        w.writtenBytes = 4000
        w.readBytes = 8000
        w.tasks = 2
        w.encoderProjections(tokens: 2, hidden: 384, intermediate: 1536)  // 2 · 2 · (4 · 384² + 2 · 384 · 1536) at the encoder rate
        w.trainTasks = 1
        w.evalTasks = 2
        w.dataTasks = 3
        w.epochs = 4
        w.steps = 5
        var c = CostCalibration(gflops: 100, gflops1024: 300, smallGFLOPS: 10, gemmCallSeconds: 1e-6, opSeconds: 2e-6,
                                elementSeconds: 1e-9, parameterUpdateSeconds: 2e-9, parseByteSeconds: 1e-8, parseFieldSeconds: 5e-8,
                                tokenizeByteSeconds: 3e-8, writeByteSeconds: 1e-9, readByteSeconds: 5e-10, taskSeconds: 1e-3,
                                measured: "test")
        c.gemmPackSeconds = 4e-10
        c.gemmOutputSeconds = 5e-10
        c.encoderGFLOPS = 50
        c.trainTaskSeconds = 1e-2
        c.evalTaskSeconds = 2e-2
        c.dataTaskSeconds = 3e-2
        c.epochSeconds = 4e-4
        c.stepSeconds = 5e-6
        let expected = 2 * 1e-6 + 2000 / 10e9 + 2_097_152 / 100e9 + 100 * 4e-10 + 100 * 5e-10  // the 10³ product packs and stores 100 each
            + 4 * (4 * 384.0 * 384 + 2 * 384 * 1536) / 50e9
            + 3 * 2e-6 + 1000 * 1e-9 + 500 * 2e-9
            + 100 * 1e-8 + 20 * 5e-8 + 10 * 3e-8 + 4000 * 1e-9 + 8000 * 5e-10 + 2 * 1e-3
            + 1e-2 + 2 * 2e-2 + 3 * 3e-2 + 4 * 4e-4 + 5 * 5e-6
        XCTAssertEqual(c.seconds(w), expected, accuracy: 1e-15)
        // Hidden 768 (BERT-base) is all at the wide rate.
        var wide = CostWork()
        wide.encoderProjections(tokens: 1, hidden: 768, intermediate: 3072)
        XCTAssertEqual(wide.encoderFlops, 0)
        XCTAssertEqual(wide.wideEncoderFlops, 2 * (4 * 768.0 * 768 + 2 * 768 * 3072))
    }

    /// input 4 → dense(3, relu) → head dense(2), batch 8, everything trains, counted by hand.
    func testTrainingStepOfATinyMLP() {
        let w = CostModel.layersStep(input: 4, layers: [.dense(units: 3, activation: .relu)], head: .dense(units: 2, activation: nil),
                                     batch: 8, trains: { _ in true }, inputNeedsGradient: false)
        // Products: layer 0 forward (8,3,4) and weight gradient (3,4,8) — no input gradient, nothing
        // below it trains; the head forward (8,2,3), weight gradient (2,3,8), input gradient (8,3,2).
        XCTAssertEqual(w.gemmCalls, 5)
        XCTAssertEqual(w.smallFlops, 2 * Double(8 * 3 * 4 + 3 * 4 * 8 + 8 * 2 * 3 + 2 * 3 * 8 + 8 * 3 * 2))
        XCTAssertEqual(w.largeFlops, 0)
        // Nodes: dense, relu, dense, loss.
        XCTAssertEqual(w.ops, 4)
        // Input copy 32; layer 0: bias 24 + bias gradient 24 + relu forward and backward 48;
        // head: bias 16 + bias gradient 16; loss 3·8·2 = 48.
        XCTAssertEqual(w.elements, 32 + 24 + 24 + 48 + 16 + 16 + 48)
    }

    /// A frozen first layer: no weight gradient there, and nothing flows back through it.
    func testFrozenLayersSkipTheirBackwardProducts() {
        let w = CostModel.layersStep(input: 4, layers: [.dense(units: 3, activation: .relu)], head: .dense(units: 2, activation: nil),
                                     batch: 8, trains: { $0.hasPrefix("head") }, inputNeedsGradient: false)
        XCTAssertEqual(w.gemmCalls, 3)  // (8,3,4) forward, head forward and weight gradient
        XCTAssertEqual(w.smallFlops, 2 * Double(8 * 3 * 4 + 8 * 2 * 3 + 2 * 3 * 8))
        XCTAssertEqual(w.elements, 32 + 24 + 24 + 16 + 16 + 48)  // relu forward only
    }

    /// 20 rows in one chunk: input 80; dense(3, relu) bias and relu 120; head 40; metrics 3·20·2.
    func testEvaluationPass() {
        let w = CostModel.layersForward(input: 4, layers: [.dense(units: 3, activation: .relu)], head: .dense(units: 2, activation: nil), rows: 20)
        XCTAssertEqual(w.gemmCalls, 2)
        XCTAssertEqual(w.smallFlops, 2 * Double(20 * 3 * 4 + 20 * 2 * 3))
        XCTAssertEqual(w.elements, 80 + 120 + 40 + 120)
        XCTAssertEqual(w.ops, 2.5)
        // 1,100 rows: two chunks of 512 and one of 76.
        XCTAssertEqual(CostModel.layersForward(input: 4, layers: [], head: .dense(units: 2, activation: nil), rows: 1100).gemmCalls, 3)
        XCTAssertEqual(CostModel.layersForward(input: 4, layers: [], head: nil, rows: 0), CostWork())
    }

    /// 16 trials, rungs at 3, 9 and 27 of 30 epochs, reduction 3: 16·3 + 5·6 + 1·18 + 1·3 = 99 epochs.
    func testSuccessiveHalvingEpochs() {
        let prune = PruneSpec(metric: "valid.loss", minimize: true, minEpochs: 3, reduction: 3)
        // wine-search.ftx's stage: 16 trials to epoch 3, 5 to 9, 1 to 27 and on to 30 (99 epochs);
        // 16 + 5 + 1 pauses at rungs and 16 + 5 + 1 + 1 starts — what its run's events count.
        let wine = CostModel.ashaShare(prune, epochs: 30, trials: 16)
        XCTAssertEqual(wine.epochs, 99.0 / 16)
        XCTAssertEqual(wine.pauses, 22.0 / 16)
        XCTAssertEqual(wine.starts, 23.0 / 16)
        XCTAssertEqual(CostModel.ashaShare(prune, epochs: 2, trials: 4), CostModel.ASHAShare(epochs: 2, starts: 1, pauses: 0))  // no rung below the end
    }

    /// Set-up 1 s, 5 epochs of 4 s: checkpoints after 10 s and 20 s of the loop (none after the last epoch).
    func testCheckpointsEveryIntervalButNotAfterTheLastEpoch() {
        var setup = CostWork(), epoch = CostWork(), checkpoint = CostWork()
        setup.tasks = 1
        epoch.tasks = 4
        checkpoint.tasks = 0.5
        let e = TrainEstimate(rows: 0, steps: 0, flops: 0, epochs: 5, setup: setup, epoch: epoch, checkpoint: checkpoint,
                              eval: CostWork(), data: CostWork(), features: nil)
        XCTAssertEqual(e.seconds(unitPrices()), 1 + 20 + 2 * 0.5)
        XCTAssertEqual(e.seconds(unitPrices(), pruned: CostModel.ASHAShare(epochs: 2, starts: 1, pauses: 0)), 1 + 8)
        // Paused at a rung and started again: a checkpoint, and the set-up once more.
        XCTAssertEqual(e.seconds(unitPrices(), pruned: CostModel.ASHAShare(epochs: 2, starts: 2, pauses: 1)), 1 + 8 + 0.5 + 1)
    }

    /// 100 rows, 80/20 split, batch 16: 5 steps per epoch; an epoch is 5 steps, 5 updates of the
    /// 23 parameters and the evaluation of the 20 valid rows.
    func testEstimateOfASmallMLPTrial() {
        let layers: [LayerSpec] = [.dense(units: 3, activation: .relu)]
        let head = LayerSpec.dense(units: 2, activation: nil)
        let spec = TrainingSpec(data: DataSpec(source: .csv(path: "/data/x.csv"), label: "y", split: SplitRule(.ordered, train: 0.8, valid: 0.2)),
                                filter: nil, model: ModelSpec(input: 4, layers: layers, head: head), initialization: .random,
                                freeze: [], unfreeze: [], optimizer: OptimizerSpec(kind: .adamw, lr: 1e-3),
                                schedule: ScheduleSpec(epochs: 2, batchSize: 16), loss: LossSpec(criterion: .crossEntropy(labelSmoothing: 0)),
                                metrics: [], seed: 0, prune: nil)
        let e = CostModel.estimate(spec, file: DataFileFacts(records: 100, bytes: 3000, fields: 500), encoder: nil)
        XCTAssertEqual(e.steps, 10)
        XCTAssertEqual(e.epochs, 2)
        var update = CostWork()
        update.parameterUpdates = 23  // 4·3 + 3 + 3·2 + 2
        update.ops = CostModel.stepOps
        let step = CostModel.layersStep(input: 4, layers: layers, head: head, batch: 16, trains: { _ in true }, inputNeedsGradient: false)
        let valid = CostModel.layersForward(input: 4, layers: layers, head: head, rows: 20)
        var bookkeeping = CostWork()  // the trainer's own: one epoch of 5 steps
        bookkeeping.epochs = 1
        bookkeeping.steps = 5
        XCTAssertEqual(e.epoch, step * 5 + update * 5 + valid + bookkeeping)
        XCTAssertEqual(e.setup.trainTasks, 1)
        XCTAssertEqual(e.eval.evalTasks, 1)
        XCTAssertEqual(e.data.dataTasks, 1)
        XCTAssertEqual(e.flops, 2 * e.epoch.flops)
        // Set-up: the task, drawing 23 weights, sealing them and the history (2 epochs · 200 bytes).
        XCTAssertEqual(e.setup.tasks, 0)  // a train task's store entry is in its kind's fixed cost
        XCTAssertEqual(e.setup.parameterUpdates, 23)
        XCTAssertEqual(e.setup.writtenBytes, 23 * 4 + 400)
        // A checkpoint writes the weights and AdamW's two moments.
        XCTAssertEqual(e.checkpoint.writtenBytes, 23 * 4 * 3 + 400)
        // The data task parses the file once; the eval task reads the weights and scores all 100 rows.
        XCTAssertEqual(e.data.parsedBytes, 3000)
        XCTAssertEqual(e.data.parsedFields, 500)
        XCTAssertEqual(e.eval.readBytes, 23 * 4)
        XCTAssertEqual(e.eval.gemmCalls, 4)  // train (80) and valid (20) splits; the test split is empty
        XCTAssertNil(e.features)

        // A `where` filter is assumed to keep half the rows: 40 train rows, 3 steps per epoch.
        var filtered = spec
        filtered.filter = .compare(.column("y"), .less, .number(5))
        XCTAssertEqual(CostModel.estimate(filtered, file: DataFileFacts(records: 100, bytes: 3000), encoder: nil).steps, 6)
    }

    func testCalibrationRoundTripAndOldFiles() throws {
        var c = CostCalibration.defaults
        c.gflops = 123.4
        c.opSeconds = 3.5e-6
        c.taskSeconds = 0.004
        c.measured = "ftx bench calibrate, 2 threads, 2026-12-07"
        let text = JSONWriter.encode(c.json)
        XCTAssertEqual(CostCalibration(json: try JSONParser.parse(Data(text.utf8))), c)
        // What `ftx bench gemm` wrote before calibrate existed: the GEMM rate, the other prices at their defaults.
        let old = CostCalibration(json: try JSONParser.parse(Data(#"{"gflops":55.5,"measured":"gemm n=256 median, 2 threads"}"#.utf8)))
        var expected = CostCalibration.defaults(gflops: 55.5)
        expected.measured = "gemm n=256 median, 2 threads"
        XCTAssertEqual(old, expected)
        XCTAssertEqual(old.gflops1024, 55.5)  // big products at the only rate the file has
        // Prices that are not positive numbers are ignored, one by one.
        let bad = CostCalibration(json: try JSONParser.parse(Data(#"{"gflops":-1,"op_seconds":"fast","task_seconds":0.5}"#.utf8)))
        XCTAssertEqual(bad.gflops, CostCalibration.defaults.gflops)
        XCTAssertEqual(bad.opSeconds, CostCalibration.defaults.opSeconds)
        XCTAssertEqual(bad.taskSeconds, 0.5)
        XCTAssertEqual(CostCalibration(json: .object([])), CostCalibration.defaults)
    }
}
