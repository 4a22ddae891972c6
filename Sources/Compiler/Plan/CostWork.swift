import Foundation

/// An amount of work, counted in the units `CostCalibration` prices: GEMM calls and
/// their floating-point operations (split by whether a product is large enough to use
/// every core, and how close it is to the size where the cores run at full speed), step operations, elementwise elements, parameter updates, bytes parsed,
/// tokenized, written and read, and store tasks. Counting is separate from pricing so
/// that `ftx bench calibrate` can solve for the prices from the counts of the steps it
/// times, with the very functions `CostModel` estimates plans with.
public struct CostWork: Sendable, Hashable {
    /// m·n·k from which a product is split over the cores (`WorkerPool`'s threshold, 2²⁰).
    public static let threadedProduct = 1 << 20
    /// m·n·k of the two sizes whose all-core rates the calibration measures: n = 256 and
    /// n = 1024 (`CostCalibration.gflops`, `.gflops1024`).
    static let calibratedProducts = (small: 24.0, big: 30.0)  // log2(m·n·k)

    public var gemmCalls = 0.0
    /// Operations (2·m·n·k) of products below `threadedProduct` (one core, the direct path) …
    public var smallFlops = 0.0
    /// … the op(B) elements (k·n) each such product packs into strips, and the C elements
    /// (m·n) it loads and stores: a batch-16 product packs as many floats as it multiplies
    /// by 16, and a weight gradient over 16 rows (k = 16) touches each C element for 16 FMAs.
    public var smallPacked = 0.0
    public var smallOutputs = 0.0
    /// Operations of products at or above it, priced at the n = 256 rate …
    public var largeFlops = 0.0
    /// … and at the n = 1024 rate. A product between the two sizes splits its operations
    /// between them by where log₂(m·n·k) lies (bigger products pack and synchronise less
    /// per operation); from n = 1024 on all go here.
    public var bigFlops = 0.0
    /// Operations (2·m·n·k) of an encoder layer's six projection products, split between
    /// the widths the calibration measures a real layer at: 384 (MiniLM) and 768 (BERT-base),
    /// by where log₂(hidden) lies. Their rate includes the elementwise work around them.
    public var encoderFlops = 0.0
    public var wideEncoderFlops = 0.0
    public var ops = 0.0
    public var elements = 0.0
    public var parameterUpdates = 0.0
    public var parsedBytes = 0.0
    /// Fields (CSV cells, JSON members) parsed: each costs a number conversion or a string besides its bytes.
    public var parsedFields = 0.0
    /// Bytes of a data file with a text column: kept as strings (validated, copied, their
    /// labels interned), which costs more per byte than a number.
    public var parsedTextBytes = 0.0
    public var tokenizedBytes = 0.0
    public var writtenBytes = 0.0
    public var readBytes = 0.0
    /// Store tasks other than train, eval and data ones (select, ensemble, features) …
    public var tasks = 0.0
    /// … and those three by kind, each with its store entry and what it does besides its
    /// counted work (reading its spec and data, building the model, the history and metrics files).
    public var trainTasks = 0.0
    public var evalTasks = 0.0
    public var dataTasks = 0.0
    /// Epochs and optimizer steps, for the trainer's own bookkeeping besides the model's
    /// operations: per epoch the shuffle, the metrics, the history and progress events; per
    /// step the batch's assembly, the schedule and the loss's read-back.
    public var epochs = 0.0
    public var steps = 0.0

    public init() {}

    /// `count` products C (m, n) = A (m, k) · B (k, n).
    public mutating func gemm(_ m: Double, _ n: Double, _ k: Double, count: Double = 1) {
        guard m > 0, n > 0, k > 0, count > 0 else { return }
        gemmCalls += count
        let flops = 2 * m * n * k * count
        let size = m * n * k
        guard size >= Double(Self.threadedProduct) else {
            smallFlops += flops
            smallPacked += k * n * count
            smallOutputs += m * n * count
            return
        }
        let (lo, hi) = Self.calibratedProducts
        let big = min(max((log2(size) - lo) / (hi - lo), 0), 1)
        largeFlops += flops * (1 - big)
        bigFlops += flops * big
    }

    /// An encoder layer's projections over `tokens` tokens: query, key, value and output
    /// (hidden × hidden each) and the MLP's two (hidden × intermediate).
    public mutating func encoderProjections(tokens t: Double, hidden h: Double, intermediate i: Double) {
        let flops = 2 * t * (4 * h * h + 2 * h * i)
        let wide = min(max(log2(h / 384), 0), 1)
        encoderFlops += flops * (1 - wide)
        wideEncoderFlops += flops * wide
    }

    /// All floating-point operations, whatever the product size.
    public var flops: Double { smallFlops + largeFlops + bigFlops + encoderFlops + wideEncoderFlops }

    public static func + (a: CostWork, b: CostWork) -> CostWork {
        var r = a
        r += b
        return r
    }

    public static func += (a: inout CostWork, b: CostWork) {
        a.gemmCalls += b.gemmCalls
        a.smallFlops += b.smallFlops
        a.smallPacked += b.smallPacked
        a.smallOutputs += b.smallOutputs
        a.largeFlops += b.largeFlops
        a.bigFlops += b.bigFlops
        a.encoderFlops += b.encoderFlops
        a.wideEncoderFlops += b.wideEncoderFlops
        a.ops += b.ops
        a.elements += b.elements
        a.parameterUpdates += b.parameterUpdates
        a.parsedBytes += b.parsedBytes
        a.parsedFields += b.parsedFields
        a.parsedTextBytes += b.parsedTextBytes
        a.tokenizedBytes += b.tokenizedBytes
        a.writtenBytes += b.writtenBytes
        a.readBytes += b.readBytes
        a.tasks += b.tasks
        a.trainTasks += b.trainTasks
        a.evalTasks += b.evalTasks
        a.dataTasks += b.dataTasks
        a.epochs += b.epochs
        a.steps += b.steps
    }

    /// The work repeated `factor` times.
    public static func * (a: CostWork, factor: Double) -> CostWork {
        var r = CostWork()
        r.gemmCalls = a.gemmCalls * factor
        r.smallFlops = a.smallFlops * factor
        r.smallPacked = a.smallPacked * factor
        r.smallOutputs = a.smallOutputs * factor
        r.largeFlops = a.largeFlops * factor
        r.bigFlops = a.bigFlops * factor
        r.encoderFlops = a.encoderFlops * factor
        r.wideEncoderFlops = a.wideEncoderFlops * factor
        r.ops = a.ops * factor
        r.elements = a.elements * factor
        r.parameterUpdates = a.parameterUpdates * factor
        r.parsedBytes = a.parsedBytes * factor
        r.parsedFields = a.parsedFields * factor
        r.parsedTextBytes = a.parsedTextBytes * factor
        r.tokenizedBytes = a.tokenizedBytes * factor
        r.writtenBytes = a.writtenBytes * factor
        r.readBytes = a.readBytes * factor
        r.tasks = a.tasks * factor
        r.trainTasks = a.trainTasks * factor
        r.evalTasks = a.evalTasks * factor
        r.dataTasks = a.dataTasks * factor
        r.epochs = a.epochs * factor
        r.steps = a.steps * factor
        return r
    }
}
