import Foundation
import Runtime
import XCTest

/// W1's shape (BENCHMARKS.md): MLP 64-256-256-10 ReLU, batch 64, cross-entropy,
/// AdamW — time per training step. Prints the numbers; asserts only a loose
/// ceiling so a noisy shared machine does not fail the suite.
final class LayerPerformanceTests: XCTestCase {
    func testW1ShapedTrainingStep() {
        var rng = SeededGenerator(seed: 0)
        let model = Sequential(inputSize: 64, layers: [.dense(units: 256, activation: .relu), .dense(units: 256, activation: .relu)],
                               head: .dense(units: 10, activation: nil), rng: &rng)
        let store = model.parameters
        let x = randomTensor([64, 64], &rng)
        let targets = (0..<64).map { $0 % 10 }
        let tape = Tape()
        var adam = FlatAdamW(count: store.totalCount)

        func step(optimizer: Bool) {
            tape.reset()
            store.zeroGradients()
            let loss = tape.crossEntropy(model.forward(tape.input(x), on: tape, training: true, rng: &rng), targets: targets)
            tape.backward(loss)
            if optimizer { adam.step(store) }
        }
        for _ in 0..<50 { step(optimizer: true) }
        func time(_ n: Int, optimizer: Bool) -> Double {
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n { step(optimizer: optimizer) }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(n) / 1e6)
            }
            return best
        }
        // The same GEMMs alone (forward 3, dW 3, dX 2), to separate kernel time from tape overhead.
        let bufs = (0..<8).map { _ in Tensor(zeros: [256 * 256]) }
        let shapes: [(Bool, Bool, Int, Int, Int)] = [
            (false, true, 64, 256, 64), (false, true, 64, 256, 256), (false, true, 64, 10, 256),
            (true, false, 256, 64, 64), (true, false, 256, 256, 64), (true, false, 10, 256, 64),
            (false, false, 64, 256, 256), (false, false, 64, 256, 10),
        ]
        var gemmBest = Double.infinity
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<200 {
                for (ta, tb, m, n, k) in shapes {
                    gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: bufs[0].pointer, lda: ta ? m : k,
                         b: bufs[1].pointer, ldb: tb ? k : n, beta: 0, c: bufs[2].pointer, ldc: n)
                }
            }
            gemmBest = min(gemmBest, Double(DispatchTime.now().uptimeNanoseconds - t0) / 200 / 1e6)
        }
        print(String(format: "PERF W1-shaped GEMMs alone: %.3f ms", gemmBest))
        let fb = time(200, optimizer: false)
        let full = time(200, optimizer: true)
        print(String(format: "PERF W1-shaped step: forward+backward %.3f ms, with (scalar test) AdamW %.3f ms → %.0f steps/s", fb, full, 1000 / full))
        XCTAssertLessThan(fb, 20)
    }
}
