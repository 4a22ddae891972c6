import Foundation
import Plan
import Support

/// The estimated work of one trial, by the task that does it: its train task (set-up,
/// each epoch, each checkpoint), its eval task, the data task that parses its file, and
/// the `features` task of its encoder when that is hoisted. `CostCalibration` prices it.
public struct TrainEstimate: Sendable, Hashable {
    /// Rows of the data file (all splits; before any `where` filter).
    public var rows: Int
    /// Optimizer steps over the whole stage (every epoch: without early stopping or pruning).
    public var steps: Int
    /// GEMM operations of the train task over every epoch (forward, backward, per-epoch evaluation).
    public var flops: Double
    /// The stage's epochs.
    public var epochs: Int
    /// Work done once per train task: the store entry, the model's set-up, the final seal.
    public var setup: CostWork
    /// Work of one epoch: its steps and its evaluation passes.
    public var epoch: CostWork
    /// Work of one resume checkpoint (weights and optimizer state, written every
    /// `CostModel.checkpointInterval` seconds at an epoch's end).
    public var checkpoint: CostWork
    /// The trial's eval task.
    public var eval: CostWork
    /// The data task of its data file.
    public var data: CostWork
    /// The hoisted `features` task of its frozen encoder, if it has one.
    public var features: CostWork?

    public init(rows: Int, steps: Int, flops: Double, epochs: Int, setup: CostWork, epoch: CostWork,
                checkpoint: CostWork, eval: CostWork, data: CostWork, features: CostWork?) {
        self.rows = rows
        self.steps = steps
        self.flops = flops
        self.epochs = epochs
        self.setup = setup
        self.epoch = epoch
        self.checkpoint = checkpoint
        self.eval = eval
        self.data = data
        self.features = features
    }

    /// Seconds of the train task at `calibration`'s prices over every epoch, or for a trial of
    /// a pruned stage over its mean share of synchronous successive halving (`pruned`): its
    /// mean epochs, plus a checkpoint at every rung it reaches and a new start (set-up and
    /// reading that checkpoint back) each time it goes on. Checkpoints besides: one at the end
    /// of every epoch that ends `CostModel.checkpointInterval` seconds after the last, never
    /// after the final epoch (the seal writes the weights then).
    public func seconds(_ calibration: CostCalibration, pruned: CostModel.ASHAShare? = nil) -> Double {
        let n = pruned?.epochs ?? Double(self.epochs)
        let perEpoch = calibration.seconds(epoch)
        let loop = perEpoch * n
        let checkpoints = min(max(n - 1, 0), (loop / CostModel.checkpointInterval).rounded(.down))
        var resume = setup
        resume.readBytes += checkpoint.writtenBytes
        let rungs = pruned.map { $0.pauses * calibration.seconds(checkpoint) + ($0.starts - 1) * calibration.seconds(resume) } ?? 0
        return calibration.seconds(setup) + loop + checkpoints * calibration.seconds(checkpoint) + rungs
    }

}

/// Counts the work of every task kind the executor runs, from the shapes, rows, steps
/// and batch sizes of the plan; `CostCalibration` turns counts into seconds.
///
/// What is charged, and why:
/// - **GEMMs**, one call per product with its size: a dense layer is a forward product
///   (batch, out, in), a weight gradient (out, in, batch) when its weights train, and an
///   input gradient (batch, in, out) when anything below it trains. Products of
///   m·n·k < 2²⁰ run on one core: a fixed cost per call, their operations, the op(B)
///   elements they pack and the C elements they store (the small products of a 64-wide
///   MLP run far below the machine's peak). Larger ones run on all cores, at rates
///   between the n = 256 and n = 1024 ones by size.
/// - **Operations**: a fixed cost per node of the step (a layer, an activation, dropout,
///   the loss) and per step (`stepOps`: tape reset, gradient settling, the optimizer
///   call). A node that only runs forward (evaluation) counts half.
/// - **Elements** of elementwise and row-wise passes (bias, activation, dropout, layer
///   norm, softmax, loss), forward and, where gradients flow, backward.
/// - **Parameter updates**: the optimizer touches every trainable parameter each step;
///   random initialisation costs one update-equivalent per parameter.
/// - **The executor's and trainer's own costs**: per train, eval and data task (spec,
///   data, model, history), per epoch (shuffle, metrics, events) and per step: what
///   dominates tiny models.
/// - **Data**: the data task parses the file once per process (later tasks share the
///   parse), per byte and per field; text is tokenized wherever the encoder reads it
///   (each training batch of a trained encoder, each evaluation pass, the features task).
/// - **Text lengths** from the file's row lengths (`SequenceLengths`): evaluation passes
///   sort texts by length and pad to about the mean; a training batch pads to its longest.
/// - **Evaluation**: after each epoch a forward pass over the splits the trainer scores
///   (`splitsScoredEachEpoch`) in chunks of 512 rows; the eval task scores all three.
/// - **Encoder**: per layer the Q, K, V and output projections and the two MLP products
///   at the rate a real encoder layer of that width runs them, elementwise passes included
///   (`CostWork.encoderProjections`), and per sequence and head the attention scores and
///   mix (small products, one call each) and the softmax; trained layers cost twice their
///   forward again backward; frozen bottom layers only forward. A frozen encoder's features
///   are computed once (a hoisted `features` task, or once per trial when it cannot be
///   hoisted) and then only read.
/// - **Store**: a fixed cost per task, bytes written (sealed weights, resume
///   checkpoints with the optimizer's moments, features) and bytes of weights read.
/// - **Pruning**: a trial of an `asha` stage runs its mean share of successive halving
///   (`ashaShare`): its epochs, a checkpoint at each rung and a new start after each.
///
/// Two things are not known before the run and are assumed: a stage's `where` filter
/// keeps `filterKeeps` of the rows, and every epoch runs (early stopping can only make
/// a trial shorter).
public enum CostModel {
    /// The share of rows a `where` filter is assumed to keep (its selectivity is only
    /// known once the data is read): a half, as `label < 5` keeps of ten balanced classes.
    public static let filterKeeps = 0.5
    /// Rows per forward pass of an evaluation (`TrialEvaluation.chunk`).
    static let evalChunk = 512.0
    /// Sequences per batch of an encoder's evaluation pass (`PretrainedEncoder.evaluate`).
    static let encoderEvalBatch = 32.0
    /// Seconds between resume checkpoints (`ftx run --checkpoint-every`'s default).
    public static let checkpointInterval = 10.0
    /// Operations of a training step besides its layers: tape reset, gradient settling,
    /// the optimizer call, the batch's gathering.
    public static let stepOps = 4.0
    /// Operations of one encoder layer (projections, attention, softmax, norms, residuals, MLP).
    static let encoderLayerOps = 14.0
    /// Bytes of `summary.json` and history per row or epoch, roughly.
    static let summaryBytesPerRow = 8.0

    /// The estimate for `spec` on its data `file`; `encoder` is the config of its pretrained
    /// encoder, if it has one. A text model's sequence lengths come from the file's row
    /// lengths (`SequenceLengths`): evaluation passes sort texts by length and pad about to
    /// the mean; a training batch, in shuffled order, pads to its longest row.
    public static func estimate(_ spec: TrainingSpec, file: DataFileFacts, encoder: BertConfig?) -> TrainEstimate {
        let records = file.records
        let used = Double(records) * (spec.filter == nil ? 1 : filterKeeps)
        let split = spec.data.split
        let rows = (train: (used * split.train).rounded(), valid: (used * split.valid).rounded(), test: (used * split.test).rounded())
        let batch = Double(max(spec.schedule.batchSize, 1))
        let batches = (rows.train / batch).rounded(.up)
        let accumulate = Double(max(spec.schedule.accumulate, 1))
        let stepsPerEpoch = (batches / accumulate).rounded(.up)
        let rowBatch = batches > 0 ? rows.train / batches : 0  // the mean rows of a batch
        let bytesPerRow = file.bytesPerRow

        let trains: (String) -> Bool = spec.everTrains
        var setup = CostWork(), epoch = CostWork(), eval = CostWork(), checkpoint = CostWork()
        // A train, eval or data task's fixed cost, its store entry included, is its kind's
        // (`CostCalibration.trainTaskSeconds` …, measured on real tasks); `tasks` prices the others.
        setup.trainTasks = 1
        eval.evalTasks = 1
        epoch.epochs = 1
        epoch.steps = stepsPerEpoch
        var data = CostWork()
        data.dataTasks = 1
        data.parsedBytes = Double(file.bytes)
        data.parsedFields = Double(file.fields)
        if spec.data.text != nil { data.parsedTextBytes = Double(file.bytes) }  // a text file's bytes are mostly its text column
        data.writtenBytes = Double(records) * summaryBytesPerRow
        var features: CostWork?

        // The encoder, if any: what each step, each epoch's evaluation and the eval task pay for it.
        var width = spec.model.input
        var inputNeedsGradient = false
        var persistedParameters = 0.0
        if let pretrained = spec.model.pretrained, let config = encoder {
            width = config.hiddenSize
            let textLengths = SequenceLengths(file, maxLength: pretrained.maxLength)
            let length = textLengths.mean
            let trainLength = textLengths.expectedLongest(of: rowBatch)
            let catalog = ModelCatalog.bert(config)
            let encoderParameters = catalog.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
            let trained = catalog.filter { ModelCatalog.isBertEncoderParameter($0.name) && trains($0.name) }
            let trainedParameters = trained.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
            persistedParameters += trainedParameters
            let frozen = frozenBottomLayers(spec, layers: config.numHiddenLayers)
            let augmentsText = spec.data.augment.contains { $0.actsOnText || $0.actsOnTokens }
            let hoisted = FeatureHoisting(configs: [pretrained.directory: config]).featuresSpec(for: spec) != nil
            setup.readBytes += encoderParameters * 4  // the folder's weights
            let pooledBytes = Double(config.hiddenSize) * 4
            func pass(_ sequences: Double) -> CostWork {
                var w = encoderPass(config, sequences: sequences, length: length, batch: encoderEvalBatch, training: false, trainedLayers: 0)
                w.tokenizedBytes += sequences * bytesPerRow
                return w
            }
            let scored = spec.splitsScoredEachEpoch.reduce(0.0) { sum, s in sum + (s == .train ? rows.train : s == .valid ? rows.valid : rows.test) }
            if trainedParameters == 0 && !augmentsText {
                // Frozen: the features of every split once — read from the hoisted task, else computed by the trial.
                if hoisted {
                    setup.readBytes += used * pooledBytes
                    eval.readBytes += used * pooledBytes + encoderParameters * 4  // features, and the folder the model loads anyway
                    var f = pass(used)
                    f.tasks = 1
                    f.readBytes = encoderParameters * 4
                    f.writtenBytes = used * pooledBytes
                    features = f
                } else {
                    setup += pass(used)
                    eval += pass(used) + readWork(encoderParameters)
                }
            } else {
                // Each training batch runs the encoder (trained layers backward), each epoch's evaluation re-encodes its splits.
                var step = encoderPass(config, sequences: rowBatch, length: trainLength, batch: rowBatch, training: true,
                                       trainedLayers: trainedParameters > 0 ? config.numHiddenLayers - frozen : 0)
                step.tokenizedBytes += rowBatch * bytesPerRow
                step.parameterUpdates += trainedParameters / accumulate
                epoch += step * batches
                epoch += trainedParameters > 0 ? pass(scored) : CostWork()
                if trainedParameters == 0 { setup += pass(rows.valid + rows.test) }  // frozen with augmentation: evaluation features are cached
                inputNeedsGradient = trainedParameters > 0
                eval += pass(used) + readWork(encoderParameters)
            }
        }

        // The layers and head above the input or the encoder.
        let (layerSpecs, _) = ModelCatalog.mlp(inputSize: width, layers: spec.model.layers, head: spec.model.head)
        let layerParameters = layerSpecs.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
        let trainedLayerParameters = layerSpecs.filter { trains($0.name) }.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
        persistedParameters += layerParameters
        let step = layersStep(input: width, layers: spec.model.layers, head: spec.model.head, batch: rowBatch,
                              trains: trains, inputNeedsGradient: inputNeedsGradient)
        epoch += step * batches
        var update = CostWork()
        update.parameterUpdates = trainedLayerParameters
        update.ops = stepOps
        epoch += update * stepsPerEpoch
        let scoredRows = spec.splitsScoredEachEpoch.map { s in s == .train ? rows.train : s == .valid ? rows.valid : rows.test }
        for n in scoredRows { epoch += layersForward(input: width, layers: spec.model.layers, head: spec.model.head, rows: n) }

        // Set-up, checkpoints, seal, and the eval task's pass over every split.
        switch spec.initialization {
        case .random: setup.parameterUpdates += layerParameters  // drawing the initial weights
        case .checkpoint, .upstream: setup += readWork(persistedParameters)
        }
        let slots = optimizerSlots(spec.optimizer)
        checkpoint.writtenBytes = persistedParameters * 4 * (1 + slots) + Double(spec.schedule.epochs) * 200
        setup.writtenBytes += persistedParameters * 4 + Double(spec.schedule.epochs) * 200
        eval += readWork(persistedParameters)
        for n in [rows.train, rows.valid, rows.test] { eval += layersForward(input: width, layers: spec.model.layers, head: spec.model.head, rows: n) }

        let epochs = spec.schedule.epochs
        return TrainEstimate(rows: records, steps: Int(stepsPerEpoch) * epochs, flops: (setup.flops + epoch.flops * Double(epochs)),
                             epochs: epochs, setup: setup, epoch: epoch, checkpoint: checkpoint, eval: eval, data: data,
                             features: features)
    }

    /// One training step of the layers over the input (or the encoder's pooled output):
    /// `batch` rows of `input` features through `layers` and `head`, forward, loss and
    /// backward; `trains` says which parameters train, `inputNeedsGradient` whether the
    /// gradient flows on into an encoder. Without the optimizer update (`stepOps`, updates).
    public static func layersStep(input: Int, layers: [LayerSpec], head: LayerSpec?, batch b: Double,
                                  trains: (String) -> Bool, inputNeedsGradient: Bool) -> CostWork {
        let entries = layers.enumerated().map { ("layers.\($0.offset)", $0.element) } + (head.map { [("head", $0)] } ?? [])
        // Whether any parameter at or below each entry trains: the gradient flows back down to there.
        var below = inputNeedsGradient
        var flows: [Bool] = []
        for (prefix, layer) in entries {
            if case .dense = layer, trains(prefix + ".weight") || trains(prefix + ".bias") { below = true }
            if case .layerNorm = layer, trains(prefix + ".weight") { below = true }
            flows.append(below)
        }
        var w = CostWork()
        var width = Double(input)
        w.elements += b * width  // the batch's rows copied in
        var gradientBelow = inputNeedsGradient
        for (i, (prefix, layer)) in entries.enumerated() {
            let backward = flows[i]
            switch layer {
            case .dense(let units, let activation):
                let out = Double(units)
                w.gemm(b, out, width)
                w.elements += b * out
                w.ops += 1
                let weightTrains = trains(prefix + ".weight")
                if weightTrains { w.gemm(out, width, b) }
                if backward { w.elements += b * out }
                if gradientBelow { w.gemm(b, width, out) }
                if activation != nil {
                    w.elements += b * out * (backward ? 2 : 1)
                    w.ops += 1
                }
                width = out
                if weightTrains || trains(prefix + ".bias") { gradientBelow = true }
            case .dropout, .activation:
                w.elements += b * width * (backward ? 2 : 1)
                w.ops += 1
            case .layerNorm:
                w.elements += b * width * (backward ? 6 : 3)
                w.ops += 1
                if trains(prefix + ".weight") { gradientBelow = true }
            }
        }
        w.elements += 3 * b * width  // the loss and its gradient
        w.ops += 1
        return w
    }

    /// A forward pass of the layers over `rows` rows in evaluation chunks (dropout off, no
    /// gradients), with the metrics' pass over the outputs.
    public static func layersForward(input: Int, layers: [LayerSpec], head: LayerSpec?, rows: Double) -> CostWork {
        guard rows > 0 else { return CostWork() }
        let full = (rows / evalChunk).rounded(.down)
        let rest = rows - full * evalChunk
        var w = CostWork()
        for (chunks, n) in [(full, evalChunk), (rest > 0 ? 1 : 0, rest)] where chunks > 0 {
            var one = CostWork()
            var width = Double(input)
            one.elements += n * width
            for layer in layers + (head.map { [$0] } ?? []) {
                switch layer {
                case .dense(let units, let activation):
                    one.gemm(n, Double(units), width)
                    width = Double(units)
                    one.elements += n * width * (activation == nil ? 1 : 2)
                    one.ops += activation == nil ? 0.5 : 1
                case .layerNorm:
                    one.elements += 3 * n * width
                    one.ops += 0.5
                case .dropout, .activation:
                    one.elements += n * width
                    one.ops += 0.5
                }
            }
            one.elements += 3 * n * width  // probabilities and metrics
            one.ops += 1
            w += one * chunks
        }
        return w
    }

    /// A BERT encoder's pass over `sequences` texts of `length` tokens in batches of `batch`:
    /// evaluation mode, or training mode (dropout) with the top `trainedLayers` layers backward.
    public static func encoderPass(_ c: BertConfig, sequences: Double, length l: Double, batch: Double,
                                   training: Bool, trainedLayers: Int) -> CostWork {
        guard sequences > 0, batch > 0 else { return CostWork() }
        let batches = (sequences / batch).rounded(.up)
        let b = sequences / batches
        let h = Double(c.hiddenSize), i = Double(c.intermediateSize), a = Double(c.numAttentionHeads)
        let d = h / a, t = b * l
        var layer = CostWork()
        // The query, key, value and output projections and the two MLP products, with the
        // bias, GELU, norm and residual passes around them: priced at the rate a real encoder
        // layer runs them (`CostCalibration.encoderGFLOPS`, by width).
        layer.encoderProjections(tokens: t, hidden: h, intermediate: i)
        layer.gemm(l, l, d, count: b * a)  // scores per sequence and head
        layer.gemm(l, d, l, count: b * a)  // the mix
        layer.elements = 2 * a * b * l * l + (training ? 3 * t * h + a * b * l * l : 0)  // softmax; dropout when training
        layer.ops = encoderLayerOps / 2
        var perBatch = layer * Double(c.numHiddenLayers)
        perBatch += layer * (2 * Double(min(max(trainedLayers, 0), c.numHiddenLayers)))  // backward: input and weight gradients
        perBatch.elements += 6 * t * h  // embeddings, their norm, pooling
        perBatch.ops += 2
        return perBatch * batches
    }

    /// Reading `parameters` float32 weights from a safetensors file.
    static func readWork(_ parameters: Double) -> CostWork {
        var w = CostWork()
        w.readBytes = parameters * 4
        return w
    }

    /// Per-parameter state buffers of the optimizer a checkpoint writes besides the weights.
    static func optimizerSlots(_ o: OptimizerSpec) -> Double {
        switch o.kind {
        case .adam, .adamw: return o.amsgrad ? 3 : 2
        case .sgd: return o.momentum > 0 ? 1 : 0
        case .rmsprop: return 1 + (o.momentum > 0 ? 1 : 0) + (o.centered ? 1 : 0)
        case .adagrad: return 1
        }
    }

    /// What a trial of a pruned stage does on average under `ASHACohort`'s synchronous
    /// successive halving: all `trials` train to the first rung and pause there (a
    /// checkpoint); the best `max(1, ⌊n / reduction⌋)` start again from it and go on to the
    /// next, and so on; the last survivors train to the end.
    public struct ASHAShare: Sendable, Hashable {
        /// Epochs trained.
        public var epochs: Double
        /// Times the trial's task starts (1, plus once per rung it survives).
        public var starts: Double
        /// Rungs it reaches and pauses at.
        public var pauses: Double

        public init(epochs: Double, starts: Double, pauses: Double) {
            self.epochs = epochs
            self.starts = starts
            self.pauses = pauses
        }
    }

    /// The mean `ASHAShare` of a trial of a stage pruned by `prune` with `trials` trials of `epochs` epochs.
    public static func ashaShare(_ prune: PruneSpec, epochs: Int, trials: Int) -> ASHAShare {
        guard trials > 0 else { return ASHAShare(epochs: Double(epochs), starts: 1, pauses: 0) }
        var total = 0, alive = trials, done = 0, starts = trials, pauses = 0
        var rung = max(prune.minEpochs, 1)
        while rung < epochs {
            total += alive * (rung - done)
            pauses += alive
            done = rung
            alive = max(1, alive / max(prune.reduction, 2))
            starts += alive
            let next = rung * max(prune.reduction, 2)
            if next <= rung { break }
            rung = next
        }
        total += alive * (epochs - done)
        let n = Double(trials)
        return ASHAShare(epochs: Double(total) / n, starts: Double(starts) / n, pauses: Double(pauses) / n)
    }

    /// How many encoder layers from the bottom never train (their backward pass is skipped).
    static func frozenBottomLayers(_ spec: TrainingSpec, layers: Int) -> Int {
        var n = 0
        while n < layers, !spec.everTrains("encoder.layer.\(n).attention.self.query.weight") { n += 1 }
        return n
    }
}
