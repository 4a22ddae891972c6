/// JSON string escaping, shared by every `--json` output (RFC 8259 §7).
public enum JSONEscape {
    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        "\"" + escape(s) + "\""
    }

    /// `s` with `"`, `\` and control characters escaped (no quotes added).
    /// Everything else, non-ASCII included, is written as is (JSON is UTF-8).
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                // U+007F and the JavaScript line separators are legal raw but
                // confuse terminals and JS consumers; escape them too.
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
