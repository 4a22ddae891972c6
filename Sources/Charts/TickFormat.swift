import Foundation

/// How a tick or a value is written on a chart: as few digits as tell ticks apart,
/// exponent notation for very large or small magnitudes (`3e-4`, `2e5`).
public enum TickFormat {
    /// `v` written for ticks spaced `step` apart (`0.25`, `1.5`, `100`, `1e-4`).
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let magnitude = abs(v)
        if magnitude >= 1e5 || magnitude < 1e-3 { return exponent(v) }
        let decimals = step > 0 ? max(0, Int(-floor(log10(step) + 1e-9))) : 3
        return trimmed(String(format: "%.\(min(decimals, 6))f", v))
    }

    /// A value for a table or a tooltip: four significant digits (`0.9734`, `3e-4`, `128`).
    public static func value(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "–" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return exponent(v) }
        return trimmed(String(format: "%.4g", v))
    }

    /// `3e-4`, `1.5e-5`, `2e5`: the mantissa to three significant digits.
    public static func exponent(_ v: Double) -> String {
        let e = Int(floor(log10(abs(v))))
        let m = v / pow(10, Double(e))
        let mantissa = trimmed(String(format: "%.2f", m))
        return mantissa + "e" + String(e)
    }

    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var s = s
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
