import DSL
import Foundation
import Support

/// Where the user said a warning is meant: `allow = ["W0304"]` in `experiment` (the whole
/// file) and `# ftx: allow(W0304, W0306)` comments (the comment's line and the line after
/// it, so the comment may sit at the end of the flagged line or alone on the line above).
/// Only warnings can be allowed; errors are always reported.
public struct LintSuppression: Sendable {
    /// Codes allowed in the whole file.
    public var fileWide: Set<DiagnosticCode> = []
    /// Codes allowed by comments, by 0-based line index of the comment.
    public var byLine: [Int: Set<DiagnosticCode>] = [:]

    public init(fileWide: Set<DiagnosticCode> = [], byLine: [Int: Set<DiagnosticCode>] = [:]) {
        self.fileWide = fileWide
        self.byLine = byLine
    }

    /// The comment that allows warnings: `# ftx: allow(` codes `)`.
    static let marker = "ftx: allow("

    /// Reads the `# ftx: allow(…)` comments of `file`; a code that names no warning is reported through `emit` (W0340).
    public static func comments(in file: SourceFile, emit: (Diagnostic) -> Void) -> [Int: Set<DiagnosticCode>] {
        var out: [Int: Set<DiagnosticCode>] = [:]
        for token in Lexer.tokenize(file) where token.kind == .comment {
            let text = file.text(token.span)
            guard let open = text.range(of: marker), let close = text[open.upperBound...].firstIndex(of: ")") else { continue }
            // Spans of each code inside the comment, for messages about unknown ones.
            var codes: [(String, Span)] = []
            var offset = token.span.start + text.utf8.distance(from: text.startIndex, to: open.upperBound)
            for piece in text[open.upperBound..<close].split(separator: ",", omittingEmptySubsequences: false) {
                let lead = piece.prefix { $0 == " " }.utf8.count
                let word = piece.trimmingCharacters(in: .whitespaces)
                let start = offset + lead
                codes.append((word, Span(start: start, end: start + word.utf8.count)))
                offset += piece.utf8.count + 1
            }
            let line = file.lineIndex(of: token.span.start)
            out[line, default: []].formUnion(validCodes(codes, emit: emit))
        }
        return out
    }

    /// The warning codes of an `allow = [...]` list; the others are reported through `emit` (W0340).
    static func allowedCodes(_ values: [Value], emit: (Diagnostic) -> Void) -> Set<DiagnosticCode> {
        validCodes(values.compactMap { v in v.string.map { ($0, v.span) } }, emit: emit)
    }

    private static func validCodes(_ codes: [(String, Span)], emit: (Diagnostic) -> Void) -> Set<DiagnosticCode> {
        var out = Set<DiagnosticCode>()
        let warnings = DiagnosticCode.allCases.filter { $0.rawValue.hasPrefix("W") }
        for (text, span) in codes {
            if let code = DiagnosticCode(rawValue: text), text.hasPrefix("W") {
                out.insert(code)
            } else {
                emit(LintDiagnostics.allowUnknownCode(text: text, isError: DiagnosticCode(rawValue: text) != nil,
                                                      suggestion: Suggestions.closest(to: text, in: warnings.map(\.rawValue)), span: span))
            }
        }
        return out
    }

    /// Whether `diagnostic` (a warning) is allowed where it points.
    public func allows(_ diagnostic: Diagnostic, in file: SourceFile) -> Bool {
        guard diagnostic.severity == .warning else { return false }
        if fileWide.contains(diagnostic.code) { return true }
        let line = file.lineIndex(of: diagnostic.primary.span.start)
        return byLine[line]?.contains(diagnostic.code) == true || (line > 0 && byLine[line - 1]?.contains(diagnostic.code) == true)
    }

    /// `diagnostics` without the allowed warnings.
    public func filter(_ diagnostics: [Diagnostic], in file: SourceFile) -> [Diagnostic] {
        diagnostics.filter { !allows($0, in: file) }
    }
}
