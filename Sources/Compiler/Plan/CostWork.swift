import Foundation

/// An amount of work, counted in the units `CostCalibration` prices: GEMM calls and
/// their floating-point operations (split by whether a product is large enough to use
/// every core), step operations, elementwise elements, parameter updates, bytes parsed,
/// tokenized, written and read, and store tasks. Counting is separate from pricing so
/// that `ftx bench calibrate` can solve for the prices from the counts of the steps it
/// times, with the very functions `CostModel` estimates plans with.
public struct CostWork: Sendable, Hashable {
    /// m·n·k from which a product is split over the cores (`WorkerPool`'s threshold, 2²⁰).
    public static let threadedProduct = 1 << 20

    public var gemmCalls = 0.0
    /// Operations (2·m·n·k) of products below `threadedProduct`.
    public var smallFlops = 0.0
    /// Operations of products at or above it.
    public var largeFlops = 0.0
    public var ops = 0.0
    public var elements = 0.0
    public var parameterUpdates = 0.0
    public var parsedBytes = 0.0
    public var tokenizedBytes = 0.0
    public var writtenBytes = 0.0
    public var readBytes = 0.0
    public var tasks = 0.0

    public init() {}

    /// `count` products C (m, n) = A (m, k) · B (k, n).
    public mutating func gemm(_ m: Double, _ n: Double, _ k: Double, count: Double = 1) {
        guard m > 0, n > 0, k > 0, count > 0 else { return }
        gemmCalls += count
        let flops = 2 * m * n * k * count
        if m * n * k >= Double(Self.threadedProduct) { largeFlops += flops } else { smallFlops += flops }
    }

    /// All floating-point operations, whatever the product size.
    public var flops: Double { smallFlops + largeFlops }

    public static func + (a: CostWork, b: CostWork) -> CostWork {
        var r = a
        r += b
        return r
    }

    public static func += (a: inout CostWork, b: CostWork) {
        a.gemmCalls += b.gemmCalls
        a.smallFlops += b.smallFlops
        a.largeFlops += b.largeFlops
        a.ops += b.ops
        a.elements += b.elements
        a.parameterUpdates += b.parameterUpdates
        a.parsedBytes += b.parsedBytes
        a.tokenizedBytes += b.tokenizedBytes
        a.writtenBytes += b.writtenBytes
        a.readBytes += b.readBytes
        a.tasks += b.tasks
    }

    /// The work repeated `factor` times.
    public static func * (a: CostWork, factor: Double) -> CostWork {
        var r = CostWork()
        r.gemmCalls = a.gemmCalls * factor
        r.smallFlops = a.smallFlops * factor
        r.largeFlops = a.largeFlops * factor
        r.ops = a.ops * factor
        r.elements = a.elements * factor
        r.parameterUpdates = a.parameterUpdates * factor
        r.parsedBytes = a.parsedBytes * factor
        r.tokenizedBytes = a.tokenizedBytes * factor
        r.writtenBytes = a.writtenBytes * factor
        r.readBytes = a.readBytes * factor
        r.tasks = a.tasks * factor
        return r
    }
}
