import Foundation

/// Decimal text to `Double` without allocating: exact fast paths for integers and
/// short decimals (Clinger's: ≤ 15 significant digits and |exponent| ≤ 22 are
/// exactly representable, so one multiply or divide is correctly rounded), and
/// the standard library's correctly rounded parser for everything else. The one
/// number reader of data files: the runtime's `RecordTable` and `ftx check` use it.
public enum DecimalParser {
    private static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }

    /// `text` as a number (see `parse(_:)` on bytes).
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// The field as a number, or nil when it is empty or not a decimal number (spaces and
    /// tabs around it are ignored; `nan`/`inf`, and values beyond `Double`'s range, are not numbers).
    public static func parse(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, n = field.count
        while i < n, field[i] == 0x20 || field[i] == 0x09 { i += 1 }
        while n > i, field[n - 1] == 0x20 || field[n - 1] == 0x09 { n -= 1 }
        if i == n { return nil }
        let begin = i
        var negative = false
        if field[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if field[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, significant = 0, fractionDigits = 0
        var sawDigit = false
        while i < n, field[i] &- 0x30 < 10 {
            sawDigit = true
            if mantissa != 0 || field[i] != 0x30 { significant += 1 }
            if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(field[i] &- 0x30) }
            digits += 1; i += 1
        }
        if i < n, field[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, field[i] &- 0x30 < 10 {
                sawDigit = true
                if mantissa != 0 || field[i] != 0x30 { significant += 1 }
                if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(field[i] &- 0x30); fractionDigits += 1 }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if i < n, field[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, field[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < n, field[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < n, field[i] &- 0x30 < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(field[i] &- 0x30) }
                i += 1
            }
            if i == expStart { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        let scale = exponent - fractionDigits
        if significant <= 15 && scale >= -22 && scale <= 22 {
            var v = Double(mantissa)
            v = scale < 0 ? v / powersOfTen[-scale] : v * powersOfTen[scale]
            return negative ? -v : v
        }
        // Rare: long or extreme numbers go through the correctly rounded slow path.
        let text = String(decoding: UnsafeBufferPointer(rebasing: field[begin..<n]), as: UTF8.self)
        // A value beyond Double's range (`1e999`, a 5 MB run of digits) reads as ±inf: not a number.
        return Double(text).flatMap { $0.isFinite ? $0 : nil }
    }
}
