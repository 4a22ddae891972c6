import Compiler
import Foundation
import Plan
import Runtime
import Support

/// Part of `ftx bench calibrate`: the rate of a BERT encoder layer's six projections with the
/// elementwise passes around them (`CostCalibration.encoderGFLOPS`, `.wideEncoderGFLOPS`).
/// One random layer at MiniLM's width (hidden 384, 12 heads, intermediate 1,536) and one at
/// BERT-base's (768, 12, 3,072) run forward over a batch of 16 sequences of 64 tokens; the
/// time less the attention, embeddings and pooling (counted by `CostModel.encoderPass`, at the
/// prices already measured) is the projections' time.
///
/// Why not the square GEMM rates: the MiniLM feature pass ran at 18 µs per token and layer
/// where the n = 256 and n = 1024 rates plus the counted elementwise passes gave 28 µs —
/// its products are tall and thin, and its fused norm and GELU kernels cost far less per
/// element than the training step's tape operations the element price comes from.
struct EncoderCostCalibrator {
    var prices: CostCalibration

    /// (MiniLM width, BERT-base width) rates in GFLOP/s.
    func run() throws -> (narrow: Double, wide: Double) {
        (try rate(hidden: 384, intermediate: 1536), try rate(hidden: 768, intermediate: 3072))
    }

    /// A random BERT parameter's values, as BERT initialises them: LayerNorm gains 1,
    /// everything else N(0, 0.02²) (the calibration's layers and its tiny text model).
    static func randomValues(_ name: String, count: Int, _ g: inout SeededGenerator) -> [Float] {
        let gain = name.hasSuffix("LayerNorm.weight")
        return (0..<count).map { _ in gain ? 1 : 0.02 * Float(g.nextGaussian()) }
    }

    private func rate(hidden: Int, intermediate: Int) throws -> Double {
        let config = BertConfig(hiddenSize: hidden, numHiddenLayers: 1, numAttentionHeads: 12, intermediateSize: intermediate,
                                maxPositionEmbeddings: 128, typeVocabSize: 2, vocabSize: 1000)
        let store = ParameterStore(ModelCatalog.bert(config))
        var g = SeededGenerator(seed: 6)
        for (i, slot) in store.slots.enumerated() {
            let t = store.value(at: i)
            t.pointer.update(from: Self.randomValues(slot.name, count: t.count, &g), count: t.count)
        }
        let model = try BertModel(config: config, parameters: store)
        let (batch, length) = (16, 64)
        let ids = (0..<(batch * length)).map { _ in Int32(4 + g.nextInt(below: 996)) }
        let tokens = TokenBatch(paddedIDs: ids, mask: [Int32](repeating: 1, count: ids.count), count: batch, length: length)
        _ = model.forward(tokens, pooling: .mean)  // warm-up: buffers, pages
        var times: [Double] = []
        for _ in 0..<7 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = model.forward(tokens, pooling: .mean)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        let seconds = times.sorted()[times.count / 2]
        var rest = CostModel.encoderPass(config, sequences: Double(batch), length: Double(length), batch: Double(batch),
                                         training: false, trainedLayers: 0)
        let projections = rest.encoderFlops + rest.wideEncoderFlops
        rest.encoderFlops = 0
        rest.wideEncoderFlops = 0
        // The projections are most of the layer; a rest priced above half the time means the other prices are off, not that the projections are free.
        let projectionSeconds = max(seconds - prices.seconds(rest), seconds / 2)
        return projections / projectionSeconds / 1e9
    }
}
