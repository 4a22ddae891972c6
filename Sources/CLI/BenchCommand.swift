import Foundation
import Runtime

/// `ftx bench [gemm] [--json]`: square float32 GEMM (C = A·B, row-major) at
/// n = 256, 512, 1024, 2048 on all cores. After a warm-up each size runs at least
/// 5 times (more for small n, up to ≈ 0.6 s per size); reports the best and the
/// median rate. `--json` prints `{"gemm":[{"n":256,"threads":2,"gflops":…,
/// "gflops_median":…},…]}` (gflops = best), which `plan` uses for its cost estimates.
public func runBench(arguments: [String]) -> Int32 {
    var json = false
    var what: [String] = []
    for arg in arguments {
        if arg == "--json" { json = true } else { what.append(arg) }
    }
    if what.count > 1 || (what.count == 1 && what[0] != "gemm") {
        FileHandle.standardError.write(Data("ftx bench: unknown benchmark '\(what.joined(separator: " "))' (available: gemm)\n".utf8))
        return 64
    }
    let threads = GEMMBlocking.defaultThreads
    let results = [256, 512, 1024, 2048].map { benchGEMM(n: $0, threads: threads) }
    if json {
        let items = results.map {
            "{\"n\":\($0.n),\"threads\":\($0.threads),\"gflops\":\(fmt1($0.best)),\"gflops_median\":\(fmt1($0.median))}"
        }
        print("{\"gemm\":[" + items.joined(separator: ",") + "]}")
    } else {
        print("square float32 GEMM, \(threads) thread\(threads == 1 ? "" : "s")")
        print(pad("n", 6) + pad("GFLOP/s best", 14) + pad("median", 10) + pad("reps", 6))
        for r in results {
            print(pad("\(r.n)", 6) + pad(fmt1(r.best), 14) + pad(fmt1(r.median), 10) + pad("\(r.reps)", 6))
        }
    }
    return 0
}

struct GEMMBenchResult {
    let n: Int
    let threads: Int
    let best: Double
    let median: Double
    let reps: Int
}

/// Times C = A·B for n×n matrices: one warm-up, then ≥ 5 repetitions.
func benchGEMM(n: Int, threads: Int) -> GEMMBenchResult {
    let count = n * n
    let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    var rng = SeededGenerator(seed: 1)
    for i in 0..<count {
        a[i] = Float.random(in: -1...1, using: &rng)
        b[i] = Float.random(in: -1...1, using: &rng)
    }
    c.update(repeating: 0, count: count)
    func once() -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
             a: a, lda: n, b: b, ldb: n, beta: 0, c: c, ldc: n, threads: threads)
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }
    let warm = min(once(), once())
    let reps = max(5, min(200, Int(0.6 / max(warm, 1e-6))))
    var times = (0..<reps).map { _ in once() }
    times.sort()
    let flops = 2 * Double(n) * Double(n) * Double(n)
    return GEMMBenchResult(n: n, threads: threads, best: flops / times[0] * 1e-9,
                           median: flops / times[reps / 2] * 1e-9, reps: reps)
}

private func fmt1(_ x: Double) -> String { String(format: "%.1f", x) }

private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
