import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Shared helpers for the tensor/autograd/op/layer/loss tests: golden file
/// loading, the README's tolerance rule, a tiny safetensors reader and a
/// central-difference gradient checker.
enum Golden {
    /// The package root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The PyTorch reference files: the repository's copy `Tests/Fixtures/golden`,
    /// so that a fresh clone anywhere has them (nothing outside the repository),
    /// or $FTX_GOLDEN, another set with the same layout.
    static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["FTX_GOLDEN"] { return URL(fileURLWithPath: env) }
        return root.appendingPathComponent("Tests/Fixtures/golden")
    }()

    /// The path of `relative` (e.g. "trajectories/traj_p1.csv") in `directory`.
    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    /// all-MiniLM-L6-v2 in `models/` (not in git; `scripts/test` links it), or an
    /// error that fails the test (never a skip) and says how to get it.
    static func miniLM() throws -> String {
        let path = root.appendingPathComponent("models/all-MiniLM-L6-v2").path
        guard FileManager.default.fileExists(atPath: path + "/config.json") else { throw MissingModel(path: path) }
        return path
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func numbers(_ any: Any?) -> [Double] {
        (any as! [Any]).map { ($0 as! NSNumber).doubleValue }
    }

    /// A JSON tensor `{shape, dtype, data}` as a `Tensor` (float) .
    static func tensor(_ any: Any?) -> Tensor {
        let d = any as! [String: Any]
        let shape = (d["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
        return Tensor(shape: shape, data: numbers(d["data"]).map { Float($0) })
    }

    /// A JSON int64 tensor's data.
    static func ints(_ any: Any?) -> [Int] {
        ((any as! [String: Any])["data"] as! [Any]).map { ($0 as! NSNumber).intValue }
    }

    static func intShape(_ any: Any?) -> [Int] {
        ((any as! [String: Any])["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
    }
}

/// all-MiniLM-L6-v2 is not linked into `models/`: the message says how to get it.
struct MissingModel: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "all-MiniLM-L6-v2 is not at \(path) (no config.json). It is not in git (88 MB): run the tests with "
            + "`scripts/test`, which links it, or link it yourself: ln -sfn \"$(scripts/fetch-minilm.sh)\" models/all-MiniLM-L6-v2"
    }
}

/// The README's rule: |ftx − ref| ≤ rtol·|ref| + atol·S, S = max(1, max|ref|).
/// Returns the worst ratio (error / allowed) and the max absolute error.
@discardableResult
func assertClose(_ got: Tensor, _ ref: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6, scaled: Bool = true,
                 _ label: String, file: StaticString = #filePath, line: UInt = #line) -> (ratio: Float, maxAbs: Float) {
    XCTAssertEqual(got.count, ref.count, "\(label): \(got.shape) vs \(ref.shape)", file: file, line: line)
    guard got.count == ref.count else { return (.infinity, .infinity) }
    var s: Float = 1
    if scaled { for i in 0..<ref.count { s = max(s, abs(ref[flat: i])) } }
    var worst: Float = 0, maxAbs: Float = 0, worstAt = -1
    for i in 0..<ref.count {
        let e = abs(got[flat: i] - ref[flat: i])
        let allowed = rtol * abs(ref[flat: i]) + atol * s
        let r = e / allowed
        if !(r <= worst) { worst = r; worstAt = i }
        maxAbs = max(maxAbs, e)
    }
    XCTAssertLessThanOrEqual(worst, 1, "\(label): element \(worstAt) got \(worstAt >= 0 ? got[flat: worstAt] : 0) want \(worstAt >= 0 ? ref[flat: worstAt] : 0)", file: file, line: line)
    return (worst, maxAbs)
}

/// A minimal safetensors reader (F32 and I64 only) for test fixtures.
struct SafetensorsFixture {
    var floats: [String: Tensor] = [:]
    var ints: [String: [Int]] = [:]

    init(_ url: URL) throws {
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        let base = 8 + n
        for (name, info) in header where name != "__metadata__" {
            let d = info as! [String: Any]
            let dtype = d["dtype"] as! String
            let shape = (d["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let off = (d["data_offsets"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let bytes = data.subdata(in: (base + off[0])..<(base + off[1]))
            switch dtype {
            case "F32":
                let values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
                floats[name] = Tensor(shape: shape, data: values)
            case "I64":
                ints[name] = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 8)).map { Int(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) } }
            default:
                continue
            }
        }
    }
}

/// Random tensors for gradient checks (deterministic).
func randomTensor(_ shape: [Int], _ rng: inout SeededGenerator, scale: Double = 1) -> Tensor {
    let t = Tensor(zeros: shape)
    for i in 0..<t.count { t[flat: i] = Float(rng.nextGaussian() * scale) }
    return t
}

/// Central finite differences of L = Σ f(inputs) ⊙ w (w a fixed random weighting)
/// against the tape's gradients, for every input marked differentiable.
///
/// `build` records the op on a tape from the input variables. The loss is
/// evaluated in Double from the Float forward; with step h the truncation error
/// is O(h²) and the rounding error O(ε·|L|/h), so the tolerance is loose in
/// absolute terms but still catches any wrong rule (those are O(1) off).
func checkGradients(_ label: String, inputs: [Tensor], differentiable: [Bool]? = nil, h: Float = 1e-2,
                    tolerance: Double = 2e-3, seed: UInt64 = 7,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ build: (Tape, [Variable]) -> Variable) {
    let diff = differentiable ?? inputs.map { _ in true }
    let tape = Tape()
    var vars = zip(inputs, diff).map { tape.input($0, requiresGradient: $1) }
    let out = build(tape, vars)
    var rng = SeededGenerator(seed: seed)
    let weight = randomTensor(tape.shape(out), &rng)
    let outCount = tape.value(out).count
    tape.backward(out, seed: weight)
    let analytic = zip(vars, diff).map { $1 ? tape.gradient($0)!.copy() : Tensor(zeros: [0]) }

    func loss() -> Double {
        let t = Tape()
        vars = inputs.map { t.input($0) }
        let o = t.value(build(t, vars))
        var s: Double = 0
        for i in 0..<outCount { s += Double(o[flat: i]) * Double(weight[flat: i]) }
        return s
    }
    var worst: Double = 0
    for (k, x) in inputs.enumerated() where diff[k] {
        for i in 0..<x.count {
            let keep = x[flat: i]
            x[flat: i] = keep + h
            let hi = Double(x[flat: i])
            let lp = loss()
            x[flat: i] = keep - h
            let lo = Double(x[flat: i])
            let lm = loss()
            x[flat: i] = keep
            let fd = (lp - lm) / (hi - lo)
            let a = Double(analytic[k][flat: i])
            let err = abs(a - fd) / max(1, abs(fd))
            worst = max(worst, err)
            if err > tolerance {
                XCTFail("\(label): d/d input\(k)[\(i)] analytic \(a) vs finite difference \(fd)", file: file, line: line)
                return
            }
        }
    }
    _ = worst
}
