import Foundation

/// A position scale: data values in `domain` → pixels in `range`, linear or
/// logarithmic (base 10), with the ticks an axis shows.
///
/// Linear domains are widened to whole tick steps of 1, 2 or 5 × 10^k (Heckbert's
/// "nice numbers", as d3's `scale.nice()`); log domains to whole decades, with
/// 2× and 5× ticks between powers of ten when they span three decades or fewer.
public struct Scale: Sendable, Equatable {
    /// Linear or base-10 logarithmic.
    public enum Kind: String, Sendable { case linear, log }

    /// How values map to positions.
    public var kind: Kind
    /// The domain's ends, in data units.
    public var lower: Double
    public var upper: Double
    /// Pixel positions of `lower` and `upper` (upper may be the smaller one: y grows downwards).
    public var rangeStart: Double
    public var rangeEnd: Double

    /// A scale with exactly this domain and range.
    public init(kind: Kind, lower: Double, upper: Double, rangeStart: Double, rangeEnd: Double) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// A scale covering `values` (non-finite ones ignored; non-positive ones on a log scale),
    /// widened to nice ticks. `includeZero` starts a linear scale at zero when all values are positive.
    /// With `nice` false the domain is the values' extent padded by `padding` of it (a factor in
    /// decades on a log scale) instead: for axes whose ends are data (epochs, a sweep's settings).
    public static func fitting(_ values: [Double], kind: Kind, range: (Double, Double), includeZero: Bool = false,
                               tickCount: Int = 5, nice: Bool = true, padding: Double = 0) -> Scale {
        var v = values.filter(\.isFinite)
        if kind == .log { v = v.filter { $0 > 0 } }
        guard var lo = v.min(), var hi = v.max() else {
            return kind == .log ? Scale(kind: .log, lower: 1, upper: 10, rangeStart: range.0, rangeEnd: range.1)
                : Scale(kind: .linear, lower: 0, upper: 1, rangeStart: range.0, rangeEnd: range.1)
        }
        if !nice {
            switch kind {
            case .log:
                let pad = max(padding * (log10(hi) - log10(lo)), hi == lo ? 0.3 : 0)
                return Scale(kind: .log, lower: lo / pow(10, pad), upper: hi * pow(10, pad), rangeStart: range.0, rangeEnd: range.1)
            case .linear:
                if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
                let pad = hi == lo ? max(abs(lo) * 0.1, 1) : padding * (hi - lo)
                return Scale(kind: .linear, lower: lo - pad, upper: hi + pad, rangeStart: range.0, rangeEnd: range.1)
            }
        }
        switch kind {
        case .log:
            lo = pow(10, floor(log10(lo) + 1e-9))
            hi = pow(10, ceil(log10(hi) - 1e-9))
            if hi <= lo { hi = lo * 10 }
        case .linear:
            if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
            if hi == lo {
                let pad = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= pad
                hi += pad
            }
            let step = niceStep((hi - lo) / Double(max(tickCount, 1)))
            lo = floor(lo / step + 1e-9) * step
            hi = ceil(hi / step - 1e-9) * step
        }
        return Scale(kind: kind, lower: lo, upper: hi, rangeStart: range.0, rangeEnd: range.1)
    }

    /// Whether values this spread read better on a log axis: all positive, spanning at least a decade.
    public static func spansDecades(_ values: [Double]) -> Bool {
        let v = values.filter { $0.isFinite }
        guard let lo = v.min(), let hi = v.max(), lo > 0 else { return false }
        return hi / lo >= 10 - 1e-9
    }

    /// 1, 2 or 5 × 10^k, the smallest not below `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-9) { return m * power }
        return 10 * power
    }

    /// The pixel of `v` (clamped to the range for a log scale's non-positive values).
    public func map(_ v: Double) -> Double {
        let t: Double
        switch kind {
        case .linear:
            t = upper == lower ? 0.5 : (v - lower) / (upper - lower)
        case .log:
            let x = log10(max(v, lower / 1e6))
            t = (x - log10(lower)) / (log10(upper) - log10(lower))
        }
        return rangeStart + t * (rangeEnd - rangeStart)
    }

    /// The tick values inside the domain, and the step their labels are written for.
    public func ticks(count: Int = 5) -> (values: [Double], step: Double) {
        switch kind {
        case .linear:
            let step = Self.niceStep((upper - lower) / Double(max(count, 1)))
            let first = ceil(lower / step - 1e-9)
            var out: [Double] = []
            var i = first
            while i * step <= upper + step * 1e-9, out.count < 50 {
                let v = i * step
                out.append(abs(v) < step * 1e-9 ? 0 : v)
                i += 1
            }
            return (out, step)
        case .log:
            let a = Int(floor(log10(lower) + 1e-9)), b = Int(ceil(log10(upper) - 1e-9))
            let multiples: [Double] = log10(upper) - log10(lower) <= 3 + 1e-9 ? [1, 2, 5] : [1]
            var out: [Double] = []
            for e in a...max(a, b) {
                for m in multiples {
                    let v = m * pow(10, Double(e))
                    if v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9) { out.append(v) }
                }
            }
            return (out, 0)
        }
    }

    /// A tick's label.
    public func label(_ v: Double, step: Double) -> String {
        kind == .log ? TickFormat.value(v) : TickFormat.label(v, step: step)
    }
}
