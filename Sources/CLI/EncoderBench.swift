import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx bench encoder|finetune --model DIR`: BENCHMARKS.md's W3 on a BERT folder, batch 16 ×
/// sequence 64 by default (`--batch`, `--length`), on random in-vocabulary tokens (the work
/// does not depend on which tokens; the peer pads its texts to the same length).
/// - `encoder`: frozen-encoder feature extraction (evaluation forward + mean pooling);
///   a repetition is 12 batches of length 64 (as many tokens at other lengths: 6 of 128), as in
///   bench/peer_torch.py; reports sequences/s.
/// - `finetune`: a full fine-tune step (training forward with dropout, dense(2) head,
///   cross-entropy, backward, AdamW lr 2e-5); a repetition is one step; reports steps/s.
/// Both report the best and median of `--reps` (default 5) after a warm-up, and the peak
/// resident memory of the process.
struct EncoderBench {
    enum Mode: String { case encoder, finetune }

    let mode: Mode
    let directory: String
    let batch: Int
    let length: Int
    let reps: Int

    struct Result {
        var best: Double
        var median: Double
        var unit: String
        var peakRSSMegabytes: Double
        /// Fine-tune losses, one per step (they must fall: the step really trains).
        var losses: [Float]
    }

    func run() throws -> Result {
        let config = try BertFolder(directory).config()
        guard length >= 2 && length <= config.maxPositionEmbeddings else {
            throw BenchError("--length \(length) must lie in 2...\(config.maxPositionEmbeddings) (max_position_embeddings)")
        }
        let model = try BertModel(directory: directory,
                                  extraParameters: ModelCatalog.dense(prefix: "head", inFeatures: config.hiddenSize, outFeatures: 2))
        var g = SeededGenerator(seed: 0)
        let tokens = randomBatch(vocabulary: config.vocabSize, &g)
        return mode == .encoder ? extraction(model, tokens) : try fineTune(model, tokens, &g)
    }

    /// [CLS] random ids [SEP] per row, every position a real token: BERT-base's
    /// [CLS] 101, [SEP] 102 and words from 1000 up, or what a smaller table has —
    /// every id below `vocabulary`, the word-embedding rows.
    private func randomBatch(vocabulary: Int, _ g: inout SeededGenerator) -> TokenBatch {
        let (cls, sep) = (Int32(min(101, vocabulary - 1)), Int32(min(102, vocabulary - 1)))
        let firstWord = vocabulary > 1001 ? 1000 : 0
        let words = max(1, min(vocabulary, 29000) - firstWord)
        var ids: [Int32] = []
        for _ in 0..<batch {
            ids.append(cls)
            for _ in 0..<(length - 2) { ids.append(Int32(firstWord + g.nextInt(below: words))) }
            ids.append(sep)
        }
        return TokenBatch(paddedIDs: ids, mask: [Int32](repeating: 1, count: batch * length), count: batch, length: length)
    }

    private func extraction(_ model: BertModel, _ tokens: TokenBatch) -> Result {
        // 12 batches of 64 tokens per row (W3), the same number of tokens at other lengths (W6: 6 of 128).
        let batchesPerRep = max(2, 12 * 64 / length)
        _ = model.forward(tokens, pooling: .mean)  // warm-up: buffers, pages, the worker pool
        let times = (0..<reps).map { _ in
            seconds { for _ in 0..<batchesPerRep { _ = model.forward(tokens, pooling: .mean) } }
        }.sorted()
        let sequences = Double(batchesPerRep * batch)
        return Result(best: sequences / times[0], median: sequences / times[times.count / 2], unit: "seq/s",
                      peakRSSMegabytes: Self.peakRSSMegabytes(), losses: [])
    }

    private func fineTune(_ model: BertModel, _ tokens: TokenBatch, _ g: inout SeededGenerator) throws -> Result {
        let store = model.parameters
        let headWeight = store.value("head.weight")
        for i in 0..<headWeight.count { headWeight[flat: i] = Float(g.nextGaussian()) * 0.05 }
        let optimizer = try AdamOptimizer(group: store.group, config: .adamW(lr: 2e-5))
        let head = Dense(store: store, prefix: "head")
        let tape = Tape()
        let targets = (0..<batch).map { $0 % 2 }
        var losses: [Float] = []
        func step() {
            store.discardGradients()  // as the trainer does: each gradient's first write overwrites it
            tape.reset()
            let pooled = model.forward(tokens, pooling: .mean, training: true, generator: &g)
            let x = tape.input(pooled, requiresGradient: true)
            let loss = tape.crossEntropy(head(x, on: tape), targets: targets)
            losses.append(tape.value(loss).scalar)
            tape.backward(loss)
            model.backward(pooledGradient: tape.gradient(x)!)
            store.settleGradients()
            optimizer.step(parameters: store.values.pointer, gradients: store.gradients.pointer, learningRate: 2e-5)
        }
        step()  // warm-up
        let times = (0..<reps).map { _ in seconds(step) }.sorted()
        return Result(best: 1 / times[0], median: 1 / times[times.count / 2], unit: "steps/s",
                      peakRSSMegabytes: Self.peakRSSMegabytes(), losses: losses)
    }

    private func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }

    /// VmHWM of /proc/self/status (Linux), NaN elsewhere.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return .nan }
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan) / 1024
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
