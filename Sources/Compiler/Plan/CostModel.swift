import Foundation
import Plan
import Support

/// The estimated work of one train task, in floating-point operations.
public struct TrainEstimate: Sendable, Hashable {
    /// Rows read per epoch (all splits; before any `where` filter, so an upper bound).
    public var rows: Int
    /// Optimizer steps over the whole stage (without early stopping).
    public var steps: Int
    /// Forward + backward over the train split, plus the per-epoch evaluation of every split.
    public var flops: Double

    public init(rows: Int, steps: Int, flops: Double) {
        self.rows = rows
        self.steps = steps
        self.flops = flops
    }

    /// Seconds at `gflops` billion operations per second.
    public func seconds(gflops: Double) -> Double { flops / (max(gflops, 1e-9) * 1e9) }
}

/// FLOP counts from a model's shapes: a dense layer costs `2·in·out` per row
/// forward; training costs ≈ 3× forward (forward, input gradient, weight
/// gradient), frozen bottom layers of a pretrained encoder 1×.
public enum CostModel {
    /// Bytes of text per WordPiece token, roughly, for English text.
    static let bytesPerToken = 4.0

    /// The estimate for `spec` on a data file of `records` rows and `bytes` bytes;
    /// `encoder` is the config of its pretrained encoder, if it has one.
    /// A text model's sequence length is estimated from the file's bytes per
    /// row (plus `[CLS]` and `[SEP]`), capped at the tokenizer's `max_length`.
    public static func estimate(_ spec: TrainingSpec, records: Int, bytes: Int, encoder: BertConfig?) -> TrainEstimate {
        let split = spec.data.split
        let trainRows = Int((Double(records) * split.train).rounded())
        let stepsPerEpoch = spec.schedule.batchSize > 0 ? (trainRows + spec.schedule.batchSize - 1) / spec.schedule.batchSize : 0
        let steps = stepsPerEpoch * spec.schedule.epochs

        var trainPerRow = 0.0, forwardPerRow = 0.0
        var width = Double(spec.model.input)
        if let pretrained = spec.model.pretrained, let config = encoder {
            let bytesPerRow = records > 0 ? Double(bytes) / Double(records) : Double(pretrained.maxLength) * bytesPerToken
            let length = min(Double(pretrained.maxLength), (bytesPerRow / bytesPerToken).rounded(.up) + 2)
            let h = Double(config.hiddenSize), i = Double(config.intermediateSize), layers = Double(config.numHiddenLayers)
            // Per token and layer: Q, K, V, output projections (4·2h²), the MLP (2·2hi), attention scores and mix (2·2Lh).
            let layer = length * (8 * h * h + 4 * h * i + 4 * length * h)
            let frozen = Double(frozenBottomLayers(freeze: spec.freeze, layers: config.numHiddenLayers))
            forwardPerRow += layer * layers
            trainPerRow += layer * (frozen + 3 * (layers - frozen))
            width = h
        }
        for layer in spec.model.layers + (spec.model.head.map { [$0] } ?? []) {
            switch layer {
            case .dense(let units, _):
                let f = 2 * width * Double(units)
                forwardPerRow += f
                trainPerRow += 3 * f
                width = Double(units)
            case .layerNorm:
                forwardPerRow += 8 * width
                trainPerRow += 24 * width
            case .dropout, .activation:
                break
            }
        }
        let epochs = Double(spec.schedule.epochs)
        let flops = epochs * (trainPerRow * Double(trainRows) + forwardPerRow * Double(records))
        return TrainEstimate(rows: records, steps: steps, flops: flops)
    }

    /// How many encoder layers from the bottom are frozen (their backward pass is skipped).
    static func frozenBottomLayers(freeze: [String], layers: Int) -> Int {
        var n = 0
        while n < layers, freeze.contains(where: { ParameterPattern.matches($0, "encoder.layer.\(n).attention.self.query.weight") }) { n += 1 }
        return n
    }
}
