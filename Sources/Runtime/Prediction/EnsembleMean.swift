import Foundation

/// How an ensemble combines its members: the mean of their predicted probabilities
/// (softmax rows, sigmoids, or regression values), summed per entry in float64 in member
/// order and divided once by the member count, then rounded to Float32. The one
/// implementation: the `ensemble` task scores it and `ftx predict` outputs it, so
/// predicting a split reproduces the stored ensemble metrics bit for bit.
public struct EnsembleMean: Sendable {
    private var sums: [Double] = []
    /// Members added so far.
    public private(set) var members = 0

    public init() {}

    /// Adds one member's probabilities (rows × width, the same length for every member).
    public mutating func add(_ probabilities: [Float]) {
        if members == 0 { sums = [Double](repeating: 0, count: probabilities.count) }
        precondition(probabilities.count == sums.count, "ensemble members disagree on the output size")
        for j in probabilities.indices { sums[j] += Double(probabilities[j]) }
        members += 1
    }

    /// The mean over the members added (empty before the first).
    public var mean: [Float] {
        let n = Double(max(members, 1))
        return sums.map { Float($0 / n) }
    }
}
