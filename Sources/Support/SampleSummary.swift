/// The mean and sample standard deviation of a few numbers (a sweep point's
/// replicates): mean = Σx/n, std = √(Σ(x − mean)²/(n − 1)) (Bessel's
/// correction, as `numpy.std(ddof=1)`), nil for fewer than two numbers. The
/// selection ranks points and `ftx results` prints them from this one formula.
public struct SampleSummary: Sendable, Hashable {
    public var count: Int
    public var mean: Double
    public var standardDeviation: Double?

    /// Nil for no numbers.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            standardDeviation = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
        }
    }
}
