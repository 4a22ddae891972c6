/// The one JSON string escaper: the store, `spec.json`, every `--json` output,
/// diagnostics' JSON and the AST dump all quote strings here, so the same text
/// is always the same bytes.
///
/// The rule (RFC 8259 §7, plus two escapes JSON allows but does not require):
/// - `"` → `\"` and `\` → `\\`;
/// - U+0008, U+000C, U+000A, U+000D, U+0009 → `\b`, `\f`, `\n`, `\r`, `\t`;
/// - every other U+0000–U+001F, and U+007F (DEL) → `\u00XX`, lowercase hex;
/// - U+2028 and U+2029 (line and paragraph separator) → `\u2028`, `\u2029`:
///   legal raw in JSON but line breaks to JavaScript before ES2019 and to
///   many editors, so the output is valid JavaScript and one line stays one line;
/// - everything else, `/` and all other non-ASCII included, is written as its
///   UTF-8 bytes (JSON text is UTF-8; no `\uXXXX` for printable characters).
extension JSONWriter {
    /// `s` as a quoted, escaped JSON string.
    public static func quote(_ s: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 2)
        appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` quoted and escaped to `out`.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\")
        out.append(UInt8(ascii: "\""))
        var text = s
        text.withUTF8 { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "\""): out.append(backslash); out.append(b)
                case backslash: out.append(backslash); out.append(b)
                case 0x08: out.append(backslash); out.append(UInt8(ascii: "b"))
                case 0x09: out.append(backslash); out.append(UInt8(ascii: "t"))
                case 0x0A: out.append(backslash); out.append(UInt8(ascii: "n"))
                case 0x0C: out.append(backslash); out.append(UInt8(ascii: "f"))
                case 0x0D: out.append(backslash); out.append(UInt8(ascii: "r"))
                case 0x00..<0x20, 0x7F:
                    out.append(contentsOf: [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    out.append(hexDigits[Int(b >> 4)])
                    out.append(hexDigits[Int(b & 15)])
                case 0xE2 where i + 2 < n && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    // U+2028 / U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
                    out.append(contentsOf: [backslash, UInt8(ascii: "u"), UInt8(ascii: "2"), UInt8(ascii: "0"), UInt8(ascii: "2")])
                    out.append(bytes[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                    i += 2
                default: out.append(b)
                }
                i += 1
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
