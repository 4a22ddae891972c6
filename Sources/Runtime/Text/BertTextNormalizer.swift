import Foundation
import Kernels
import Plan
import Support

/// BERT's text clean-up and pre-tokenisation, as Hugging Face's `BertNormalizer`
/// (clean_text, handle_chinese_chars, strip_accents, lowercase) followed by
/// `BertPreTokenizer` (split on whitespace, every punctuation character its own word).
public struct BertTextNormalizer: Sendable {
    public var lowercase: Bool
    /// Defaults to `lowercase`, as in Hugging Face when `strip_accents` is unset.
    public var stripAccents: Bool

    public init(lowercase: Bool = true, stripAccents: Bool? = nil) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
    }

    /// The words of `text` after normalisation.
    public func words(_ text: String) -> [String] {
        var spaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0 || v == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                spaced.append(" ")
            } else if Self.isCJK(v) {
                spaced.append(" "); spaced.append(scalar); spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        var normalized = String(spaced)
        if stripAccents {
            // NFD, then drop combining marks (category Mn): "café" → "cafe".
            let decomposed = normalized.decomposedStringWithCanonicalMapping.unicodeScalars
            normalized = String(String.UnicodeScalarView(decomposed.filter { $0.properties.generalCategory != .nonspacingMark }))
        }
        if lowercase { normalized = normalized.lowercased() }

        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
        }
        for scalar in normalized.unicodeScalars {
            if Self.isWhitespace(scalar) {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// Whitespace as Rust's `char::is_whitespace` (the White_Space property), which Hugging Face uses.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    /// Control characters other than tab and line breaks (categories Cc, Cf, Co, Cn, Cs).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .unassigned, .surrogate: return true
        default: return false
        }
    }

    /// ASCII symbol ranges count as punctuation too (`$`, `+`, `^`, `` ` ``), as in BERT.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideograph blocks BERT splits into single characters.
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
