import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx bench calibrate`: measures the prices of `CostCalibration` on this machine and
/// records them in `calibration.json` (`BenchCalibration`), in a few seconds. Each price
/// is timed on the runtime's own code, and where a measurement mixes several kinds of
/// work the others are subtracted at their already measured prices, with the work
/// counted by the same `CostModel` functions `ftx plan` estimates with:
/// 1. GEMM: the n = 256 and n = 1024 medians on all cores (`gflops`, as `ftx bench gemm`,
///    and `gflops_1024`), and six small one-core products whose times, fitted by least
///    squares, give the per-call cost, the small rate and the prices per packed op(B) and per
///    C element.
/// 2. The optimizer: an AdamW step over 1 M parameters (`parameter_update_seconds`).
/// 3. Training steps of two MLPs through the trainer's layers: a tiny one (all fixed
///    costs) and a layer norm, GELU and dropout over 2,048 features (mostly elementwise
///    work); with their GEMMs and updates
///    subtracted, they give the cost per operation and per element.
/// 4. Tokenizing texts, a store task with and without 8 MB of weights,
///    reading those weights back.
/// 5. A BERT encoder layer at MiniLM's and at BERT-base's width (`EncoderCostCalibrator`).
/// 6. A tiny experiment run as `ftx run`: the fixed costs of train, eval and data tasks,
///    per epoch and per step, and the parse prices per field and per byte (`TaskCostCalibrator`).
/// Every time is the median of several repetitions after a warm-up.
struct CostCalibrator {
    /// The measured prices.
    func run() throws -> CostCalibration {
        var c = CostCalibration.defaults
        let threads = GEMMBlocking.defaultThreads
        c.gflops = benchGEMM(GEMMShape(m: 256, n: 256, k: 256), threads: threads).median
        c.gflops1024 = benchGEMM(GEMMShape(m: 1024, n: 1024, k: 1024), threads: threads).median

        // Small products on one core: t = call + flops / rate + packed · pack + outputs · output,
        // fitted over shapes that stress each term: tiny, balanced, few rows (a batch of 16's
        // forward and input gradient) and shallow (a weight gradient over 16 rows).
        let shapes = [GEMMShape(m: 8, n: 8, k: 8), GEMMShape(m: 64, n: 128, k: 64), GEMMShape(m: 16, n: 128, k: 128),
                      GEMMShape(m: 16, n: 64, k: 128), GEMMShape(m: 128, n: 64, k: 16, transA: true), GEMMShape(m: 32, n: 256, k: 64)]
        let fit = leastSquares(shapes.map { s in
            // Each row divided by its time: relative errors, so the tiny product's call cost counts as much as the big ones' rate.
            let (m, n, k) = (Double(s.m), Double(s.n), Double(s.k)), t = gemmSeconds(s)
            return ([1 / t, 2 * m * n * k / t, k * n / t, m * n / t], 1)
        })
        if let fit, fit[1] > 0 {
            c.gemmCallSeconds = max(fit[0], 1e-9)
            c.smallGFLOPS = 1 / fit[1] / 1e9
            c.gemmPackSeconds = max(fit[2], 1e-13)
            c.gemmOutputSeconds = max(fit[3], 1e-13)
        }

        c.parameterUpdateSeconds = try optimizerStepSeconds(parameters: 1 << 20) / Double(1 << 20)

        // Two MLP steps: A = tiny (operations), B = wide (elements); solve for both prices.
        let a = (input: 4, layers: [LayerSpec.dense(units: 4, activation: .relu)], batch: 4)
        // B: a layer norm, GELU and dropout over 2,048 features, so elementwise passes dominate its one small product.
        let b = (input: 2048, layers: [LayerSpec.layerNorm(eps: 1e-5), .activation(.gelu), .dropout(p: 0.1)], batch: 256)
        var equations: [(ops: Double, elements: Double, rest: Double)] = []
        for m in [a, b] {
            let head = LayerSpec.dense(units: 2, activation: nil)
            let seconds = try mlpStepSeconds(input: m.input, layers: m.layers, head: head, batch: m.batch)
            var work = CostModel.layersStep(input: m.input, layers: m.layers, head: head, batch: Double(m.batch),
                                            trains: { _ in true }, inputNeedsGradient: false)
            work.ops += CostModel.stepOps
            work.parameterUpdates += ModelCatalog.mlp(inputSize: m.input, layers: m.layers, head: head).specs
                .reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
            var known = work
            known.ops = 0
            known.elements = 0
            equations.append((work.ops, work.elements, seconds - c.seconds(known)))
        }
        let (ea, eb) = (equations[0], equations[1])
        let det = ea.ops * eb.elements - ea.elements * eb.ops
        if det != 0 {
            c.opSeconds = max((ea.rest * eb.elements - ea.elements * eb.rest) / det, 1e-8)
            c.elementSeconds = max((ea.ops * eb.rest - ea.rest * eb.ops) / det, 1e-12)
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-calibrate-\(getpid())-\(UInt64.random(in: 0..<(1 << 40)))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        c.tokenizeByteSeconds = try tokenizeSeconds()
        (c.taskSeconds, c.writeByteSeconds, c.readByteSeconds) = try storeSeconds(folder: folder)
        (c.encoderGFLOPS, c.wideEncoderGFLOPS) = try EncoderCostCalibrator(prices: c).run()
        c = try TaskCostCalibrator(prices: c).run(folder: folder)
        c.measured = "ftx bench calibrate, \(threads) thread\(threads == 1 ? "" : "s"), \(Self.today())"
        return c
    }

    /// The median of `reps` timings of `body` after one warm-up.
    private func median(reps: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<reps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        return times.sorted()[reps / 2]
    }

    /// One product on one core, as the direct path runs training-sized products.
    private func gemmSeconds(_ s: GEMMShape) -> Double {
        let r = benchGEMM(s, threads: 1)
        return 2 * Double(s.m) * Double(s.n) * Double(s.k) / (r.median * 1e9)
    }

    private func mlpModel(input: Int, layers: [LayerSpec], head: LayerSpec) throws -> MLPModel {
        let model = try MLPModel(spec: ModelSpec(input: input, layers: layers, head: head))
        var g = SeededGenerator(seed: 1)
        try model.initialize(generator: &g)
        return model
    }

    /// An AdamW update of `parameters` parameters.
    private func optimizerStepSeconds(parameters: Int) throws -> Double {
        let model = try mlpModel(input: parameters / 1024 - 1, layers: [], head: .dense(units: 1024, activation: nil))
        let store = model.parameters
        let optimizer = try AdamOptimizer(group: store.group, config: .adamW(lr: 1e-3))
        let per = Double(store.totalCount)
        let t = median(reps: 7) {
            optimizer.step(parameters: store.values.pointer, gradients: store.gradients.pointer, learningRate: 1e-3)
        }
        return t * Double(parameters) / per
    }

    /// A training step as the trainer runs it: forward with dropout, cross-entropy, backward, AdamW.
    private func mlpStepSeconds(input: Int, layers: [LayerSpec], head: LayerSpec, batch: Int) throws -> Double {
        let model = try mlpModel(input: input, layers: layers, head: head)
        let store = model.parameters
        let optimizer = try AdamOptimizer(group: store.group, config: .adamW(lr: 1e-3))
        var g = SeededGenerator(seed: 2)
        let x = Tensor(shape: [batch, input], data: (0..<(batch * input)).map { _ in Float.random(in: -1...1, using: &g) })
        let targets = (0..<batch).map { $0 % 2 }
        let tape = Tape()
        let steps = 20
        return try median(reps: 5) {
            for _ in 0..<steps {
                tape.reset()
                store.zeroGradients()
                let out = model.forward(tape.input(x), on: tape, training: true, rng: &g)
                let loss = tape.crossEntropy(out, targets: targets)
                guard tape.value(loss).scalar.isFinite else { throw BenchError("the calibration step diverged") }
                tape.backward(loss)
                optimizer.step(parameters: store.values.pointer, gradients: store.gradients.pointer, learningRate: 1e-3)
            }
        } / Double(steps)
    }

    /// WordPiece over 2,000 English-like texts with a small vocabulary.
    private func tokenizeSeconds() throws -> Double {
        let words = ["a", "the", "of", "small", "animal", "that", "lives", "in", "water", "plant", "tree", "person",
                     "who", "makes", "tool", "used", "for", "cutting", "##s", "##ing", "##ed"]
        let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
        let vocabulary = try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + letters
                                                 + letters.map { "##" + $0 })
        let tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
        var g = SeededGenerator(seed: 4)
        let pool = ["a", "the", "of", "small", "animals", "that", "lives", "in", "water", "plants", "tree", "person",
                    "who", "makes", "tools", "used", "for", "cutting", "genus", "Family", "(", "edible", "fruit,"]
        let texts = (0..<2000).map { _ in (0..<14).map { _ in pool[g.nextInt(below: pool.count)] }.joined(separator: " ") }
        let bytes = Double(texts.reduce(0) { $0 + $1.utf8.count })
        return median(reps: 3) { _ = tokenizer.encodeBatch(texts, maxLength: 64) } / bytes
    }

    /// A store task (entry, spec, a small result, seal) without and with 8 MB of weights,
    /// and loading 32 MB of weights as a model does (open the safetensors file, copy each
    /// tensor into fresh parameter storage, whose pages fault in as they are written):
    /// the fixed task cost, per byte written and per byte read.
    private func storeSeconds(folder: String) throws -> (task: Double, write: Double, read: Double) {
        let store = try TaskStore(root: folder + "/store", create: true)
        var n = 0
        let weights = Data(count: 8 << 20)
        func task(_ payload: Data?) throws {
            n += 1
            let key = String(format: "%064x", n)
            try store.prepareEntry(key)
            try store.writeJSON(["calibration": .int(n)], "spec.json", for: key)
            try store.writeJSON(["rows": .int(n)], "summary.json", for: key)
            var files = ["spec.json", "summary.json"]
            if let payload {
                try store.write(payload, "final.safetensors", for: key)
                files.append("final.safetensors")
            }
            try store.seal(key, status: .done, files: files)
        }
        let fixed = try median(reps: 5) { try task(nil) }
        let big = try median(reps: 3) { try task(weights) }
        let tensors = (0..<8).map { SafetensorsTensor(name: "w\($0)", shape: [1024, 1024], values: [Float](repeating: 0.5, count: 1 << 20)) }
        let path = folder + "/weights.safetensors"
        try SafetensorsWriter.write(tensors, to: path)
        let floats = tensors.count << 20
        let read = try median(reps: 3) {
            let file = try SafetensorsFile(contentsOf: path)
            let storage = TensorStorage(capacity: floats)
            for (i, t) in tensors.enumerated() {
                try file.copyFloats(t.name, into: UnsafeMutableBufferPointer(start: storage.pointer + (i << 20), count: 1 << 20))
            }
        }
        return (fixed, max(big - fixed, 1e-9) / Double(weights.count), read / Double(floats * 4))
    }

    private static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}
