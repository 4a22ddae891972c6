import Foundation

/// The small pieces the live display is drawn from: a bar, durations, rates and losses
/// in a fixed width, so columns stay put while numbers change.
public enum ProgressFormat {
    /// A bar of `width` cells, `fraction` (clamped to 0…1) of it filled. With `unicode`, eighth
    /// blocks draw the partly filled cell (`███▌    `); otherwise ASCII (`###     `).
    public static func bar(_ fraction: Double, width: Int, unicode: Bool) -> String {
        guard width > 0 else { return "" }
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        guard unicode else {
            let full = Int((f * Double(width)).rounded(.down))
            return String(repeating: "#", count: full) + String(repeating: " ", count: width - full)
        }
        let eighths = Int((f * Double(width * 8)).rounded(.down))
        let full = eighths / 8, rest = eighths % 8
        var s = String(repeating: "█", count: full)
        if full < width {
            s += rest == 0 ? " " : String(Array("▏▎▍▌▋▊▉")[rest - 1])
            s += String(repeating: " ", count: width - full - 1)
        }
        return s
    }

    /// `42s`, `3m05s`, `2h07m`, `3d04h`; `--` when unknown.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        if s < 86400 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        return String(format: "%dd%02dh", s / 86400, (s % 86400) / 3600)
    }

    /// Steps per second with three significant digits (`2150`, `214`, `21.4`, `2.14`); `--` when unknown.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "--" }
        if perSecond >= 100 { return String(format: "%.0f", perSecond) }
        if perSecond >= 10 { return String(format: "%.1f", perSecond) }
        return String(format: "%.2f", perSecond)
    }

    /// A loss with four significant digits (`0.4123`, `12.31`, `1.2e-05`); `nan` / `inf` as such.
    public static func loss(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let a = abs(value)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.3e", value) }
        return String(format: "%.4g", value)
    }

    /// `text` cut to `width` characters, so a line never wraps (a wrapped line would
    /// break the count of lines the display moves the cursor back over).
    public static func fit(_ text: String, width: Int) -> String {
        text.count > width ? String(text.prefix(max(0, width))) : text
    }
}
