import Foundation
import Runtime
import XCTest

/// BENCHMARKS.md W3 on all-MiniLM-L6-v2, seq length 64, batch 16: (a) a full
/// fine-tune step (forward + dense(2) head + cross-entropy + backward + AdamW)
/// and (b) frozen-encoder feature extraction. Only with FTX_BENCH_BERT=1
/// (`FTX_BENCH_BERT=1 swift test -c release --filter BertBenchmark`), since it
/// takes a while; prints steps/s, sequences/s and peak RSS.
final class BertBenchmarkTests: XCTestCase {
    static var enabled: Bool { ProcessInfo.processInfo.environment["FTX_BENCH_BERT"] == "1" }

    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return .nan }
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan) / 1024
    }

    static func batch(_ generator: inout SeededGenerator) -> TokenBatch {
        var ids: [Int32] = []
        for _ in 0..<16 {
            ids.append(101)
            for _ in 0..<62 { ids.append(Int32(1000 + generator.nextInt(below: 28000))) }
            ids.append(102)
        }
        return TokenBatch(paddedIDs: ids, mask: [Int32](repeating: 1, count: 16 * 64), count: 16, length: 64)
    }

    func testW3FineTuneAndExtraction() throws {
        try XCTSkipUnless(Self.enabled, "set FTX_BENCH_BERT=1 to run the W3 benchmark")
        let model = try BertModel(directory: BertGoldenTests.modelDir,
                                  extraParameters: Dense.parameterSpecs(prefix: "head", inFeatures: 384, outFeatures: 2))
        var g = SeededGenerator(seed: 0)
        let batch = Self.batch(&g)
        let store = model.parameters
        for i in 0..<store.value("head.weight").count { store.value("head.weight")[flat: i] = Float(g.nextGaussian()) * 0.05 }

        // (b) extraction
        var best = 0.0, times: [Double] = []
        for round in 0..<8 {
            let t0 = Date()
            _ = model.forward(batch, pooling: .mean)
            let dt = Date().timeIntervalSince(t0)
            if round > 0 { times.append(dt); best = max(best, 16 / dt) }
        }
        let median = 16 / times.sorted()[times.count / 2]
        print(String(format: "W3 extraction: %.1f seq/s median, %.1f best (batch 16 × 64), peak RSS %.0f MB",
                     median, best, Self.peakRSSMegabytes()))

        // (a) full fine-tune
        let optimizer = try AdamOptimizer(group: store.group, config: .adamW(lr: 2e-5))
        let head = Dense(store: store, prefix: "head")
        let tape = Tape()
        let targets = (0..<16).map { $0 % 2 }
        var stepTimes: [Double] = []
        var losses: [Float] = []
        for step in 0..<8 {
            let t0 = Date()
            store.zeroGradients()
            tape.reset()
            let pooled = model.forward(batch, pooling: .mean, training: true, generator: &g)
            let x = tape.input(pooled, requiresGradient: true)
            let loss = tape.crossEntropy(head(x, on: tape), targets: targets)
            losses.append(tape.value(loss).scalar)
            tape.backward(loss)
            model.backward(pooledGradient: try XCTUnwrap(tape.gradient(x)))
            optimizer.step(parameters: store.values.pointer, gradients: store.gradients.pointer, learningRate: 2e-5)
            if step > 0 { stepTimes.append(Date().timeIntervalSince(t0)) }
        }
        let sorted = stepTimes.sorted()
        print(String(format: "W3 fine-tune: %.2f steps/s median, %.2f best, peak RSS %.0f MB, activations %.0f MB; losses %@",
                     1 / sorted[sorted.count / 2], 1 / sorted[0], Self.peakRSSMegabytes(),
                     Double(model.activationFloats * 4) / 1e6, losses.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        XCTAssertLessThan(losses.last!, losses.first!)
    }
}
