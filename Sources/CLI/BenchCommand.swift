import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx bench [gemm] [--json]`: square float32 GEMM (C = A·B, row-major) at
/// n = 256, 512, 1024, 2048 on all cores. After a warm-up each size runs at least
/// 5 times (more for small n, up to ≈ 0.6 s per size); reports the best and the
/// median rate. `--json` prints `{"gemm":[{"n":256,"threads":2,"gflops":…,
/// "gflops_median":…},…]}` (gflops = best). The n = 256 median on all cores is recorded
/// (`BenchCalibration`) for `plan`'s training-time estimates.
///
/// `--shape MxNxK[:OPS],…` times other shapes instead, for tuning the
/// kernels on training-sized products: OPS is two letters, `n` or `t` for op(A) and
/// op(B) as in BLAS (`tn`: C = Aᵀ·B, a weight gradient). `--threads N` caps the threads.
func runBench(arguments: [String], console: Console) -> Int32 {
    var json = false
    var what: [String] = []
    var shapes: [GEMMShape] = []
    var threads = GEMMBlocking.defaultThreads
    var i = 0
    func fail(_ message: String) -> Int32 {
        console.err("ftx bench: \(message)\n")
        return 64
    }
    var model: String?
    var sizes = ["--batch": 16, "--length": 64, "--reps": 5]
    while i < arguments.count {
        let arg = arguments[i]
        if arg == "--json" {
            json = true
        } else if ["--shape", "--threads", "--model", "--batch", "--length", "--reps"].contains(arg) {
            guard i + 1 < arguments.count else { return fail("\(arg) needs a value") }
            i += 1
            if arg == "--model" {
                model = arguments[i]
            } else if sizes[arg] != nil {
                guard let v = Int(arguments[i]), v >= 1, v <= 100_000 else { return fail("\(arg) needs a positive integer, got '\(arguments[i])'") }
                sizes[arg] = v
            } else if arg == "--threads" {
                guard let t = Int(arguments[i]), t >= 1 else { return fail("--threads needs a positive integer, got '\(arguments[i])'") }
                threads = t
            } else {
                for text in arguments[i].split(separator: ",") {
                    guard let shape = GEMMShape(String(text)) else {
                        return fail("--shape '\(text)' is not MxNxK[:OPS] (for example 128x1024x784:nt)")
                    }
                    shapes.append(shape)
                }
            }
        } else {
            what.append(arg)
        }
        i += 1
    }
    if what.count == 1, let mode = EncoderBench.Mode(rawValue: what[0]) {
        guard let model else { return fail("\(mode.rawValue) needs --model DIR (a BERT folder: config.json, model.safetensors)") }
        let bench = EncoderBench(mode: mode, directory: model, batch: sizes["--batch"]!, length: sizes["--length"]!, reps: sizes["--reps"]!)
        let r: EncoderBench.Result
        do { r = try bench.run() } catch {
            console.err("ftx bench: \(error)\n")
            return ExitCode.failure
        }
        if json {
            // JSONWriter writes a peak RSS that could not be read (NaN off Linux) as null.
            let fields: JSONValue = .object([
                ("batch", .int(bench.batch)), ("length", .int(bench.length)), ("reps", .int(bench.reps)),
                ("unit", .string(r.unit)), ("best", .double(r.best)), ("median", .double(r.median)),
                ("peak_rss_mb", .double(r.peakRSSMegabytes)), ("losses", .array(r.losses.map(JSONValue.float))),
            ])
            console.out(JSONWriter.encode(.object([(mode.rawValue, fields)])) + "\n")
        } else {
            console.out("\(mode.rawValue), batch \(bench.batch) × length \(bench.length): \(fmt1(r.median)) \(r.unit) median, "
                  + "\(fmt1(r.best)) best of \(bench.reps); peak RSS \(fmt1(r.peakRSSMegabytes)) MB" + "\n")
        }
        return 0
    }
    if what == ["calibrate"] {
        return runCalibrate(json: json, console: console)
    }
    if what.count > 1 || (what.count == 1 && what[0] != "gemm") {
        return fail("unknown benchmark '\(what.joined(separator: " "))' (available: gemm, calibrate, encoder, finetune)")
    }
    let squares = shapes.isEmpty
    if squares { shapes = [256, 512, 1024, 2048].map { GEMMShape(m: $0, n: $0, k: $0) } }
    let results = shapes.map { benchGEMM($0, threads: threads) }
    if squares && threads == GEMMBlocking.defaultThreads, let smallest = results.first {
        // `plan` turns FLOPs into seconds with this. The n = 256 median is the closest of the
        // squares to training-sized products (a batch of 128 through a 1024-wide layer).
        do { try BenchCalibration.record(gflops: tenths(smallest.median), measured: "gemm n=256 median, \(threads) threads") } catch {
            console.err("ftx bench: warning: could not record the calibration for `plan`: \(error)\n")
        }
    }
    if json {
        let items = results.map { r -> JSONValue in
            // Square products keep CLI.md's shape ({"n": …}); other shapes add m, k and the ops.
            let sh = r.shape
            let dims: [(key: String, value: JSONValue)] = sh.m == sh.n && sh.n == sh.k && !sh.transA && !sh.transB
                ? [("n", .int(sh.n))]
                : [("m", .int(sh.m)), ("n", .int(sh.n)), ("k", .int(sh.k)), ("ops", .string(String(sh.description.suffix(2))))]
            return .object(dims + [("threads", .int(r.threads)), ("gflops", .double(tenths(r.best))),
                                   ("gflops_median", .double(tenths(r.median)))])
        }
        console.out(JSONWriter.encode(.object([("gemm", .array(items))])) + "\n")
    } else {
        console.out("float32 GEMM, \(threads) thread\(threads == 1 ? "" : "s")" + "\n")
        console.out(pad("shape", 20) + pad("GFLOP/s best", 14) + pad("median", 10) + pad("reps", 6) + "\n")
        for r in results {
            console.out(pad(r.shape.description, 20) + pad(fmt1(r.best), 14) + pad(fmt1(r.median), 10) + pad("\(r.reps)", 6) + "\n")
        }
    }
    return 0
}

/// `ftx bench calibrate [--json]`: measures and records every price of the cost model.
/// Prints the prices (`--json`: `{"calibration":{…}}`, the object `calibration.json` holds).
private func runCalibrate(json: Bool, console: Console) -> Int32 {
    let calibration: CostCalibration
    do { calibration = try CostCalibrator().run() } catch {
        console.err("ftx bench: calibration failed: \(error)\n")
        return ExitCode.failure
    }
    do { try BenchCalibration.record(calibration) } catch {
        console.err("ftx bench: could not record the calibration in \(BenchCalibration.path): \(error)\n")
        return ExitCode.failure
    }
    if json {
        console.out(JSONWriter.encode(.object([("calibration", calibration.json)])) + "\n")
    } else {
        console.out("cost model prices (recorded in \(BenchCalibration.path)):\n")
        guard case .object(let members) = calibration.json else { return ExitCode.success }
        for (name, value) in members {
            let text: String
            switch value {
            case .double(let d): text = String(format: "%.4g", d)
            case .string(let s): text = s
            default: text = JSONWriter.encode(value)
            }
            console.out("  " + pad(name, 26) + text + "\n")
        }
    }
    return ExitCode.success
}

/// GFLOP/s to one decimal, as the table prints them.
private func tenths(_ x: Double) -> Double { (x * 10).rounded() / 10 }

/// One product to time: C (m, n) = op(A) (m, k) · op(B) (k, n).
struct GEMMShape: CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var transA = false, transB = false

    init(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false) {
        (self.m, self.n, self.k, self.transA, self.transB) = (m, n, k, transA, transB)
    }

    /// Parses `MxNxK` with an optional `:nn|nt|tn|tt`.
    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let dims = parts[0].split(separator: "x").compactMap { Int($0) }
        guard parts.count <= 2, dims.count == 3, dims.allSatisfy({ $0 >= 1 && $0 <= 16384 }) else { return nil }
        let ops = parts.count == 2 ? Array(parts[1]) : ["n", "n"]
        guard ops.count == 2, ops.allSatisfy({ $0 == "n" || $0 == "t" }) else { return nil }
        self.init(m: dims[0], n: dims[1], k: dims[2], transA: ops[0] == "t", transB: ops[1] == "t")
    }

    var description: String { "\(m)x\(n)x\(k):\(transA ? "t" : "n")\(transB ? "t" : "n")" }
}

struct GEMMBenchResult {
    let shape: GEMMShape
    let threads: Int
    let best: Double
    let median: Double
    let reps: Int
}

/// Times C = op(A)·op(B): one warm-up, then ≥ 5 repetitions.
func benchGEMM(_ s: GEMMShape, threads: Int) -> GEMMBenchResult {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.k)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: s.k * s.n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    var rng = SeededGenerator(seed: 1)
    for i in 0..<(s.m * s.k) { a[i] = Float.random(in: -1...1, using: &rng) }
    for i in 0..<(s.k * s.n) { b[i] = Float.random(in: -1...1, using: &rng) }
    c.update(repeating: 0, count: s.m * s.n)
    func once() -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
             a: a, lda: s.transA ? s.m : s.k, b: b, ldb: s.transB ? s.k : s.n, beta: 0, c: c, ldc: s.n, threads: threads)
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }
    let warm = min(once(), once())
    let reps = max(5, min(200, Int(0.6 / max(warm, 1e-6))))
    var times = (0..<reps).map { _ in once() }
    times.sort()
    let flops = 2 * Double(s.m) * Double(s.n) * Double(s.k)
    return GEMMBenchResult(shape: s, threads: threads, best: flops / times[0] * 1e-9,
                           median: flops / times[reps / 2] * 1e-9, reps: reps)
}

private func fmt1(_ x: Double) -> String { String(format: "%.1f", x) }

private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
