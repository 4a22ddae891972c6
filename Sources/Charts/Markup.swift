import Foundation

/// Writing SVG and HTML text: the one escaper and the one number format every
/// chart and the report use, so no caller builds markup from unescaped strings.
public enum Markup {
    /// `s` safe inside element text and double-quoted attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A coordinate: at most two decimals, no trailing zeros (`12.5`, `3`, `-0.25`); enough
    /// for a screen and keeps a file of thousands of points small.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// `<name a="…" b="…">content</name>` with every attribute value escaped (a nil value omits the attribute).
    public static func element(_ name: String, _ attributes: [(String, String?)] = [], _ content: String? = nil) -> String {
        var s = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            s += " \(key)=\"\(escape(value))\""
        }
        guard let content else { return s + "/>" }
        return s + ">" + content + "</" + name + ">"
    }

    /// An SVG path through `points` (`M x y L x y …`); empty for no points.
    public static func path(_ points: [(x: Double, y: Double)]) -> String {
        var d = ""
        for (i, p) in points.enumerated() {
            d += (i == 0 ? "M" : "L") + number(p.x) + " " + number(p.y)
        }
        return d
    }
}
