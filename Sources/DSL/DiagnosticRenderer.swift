import Support

/// Turns diagnostics into text: the human form (plain or ANSI colour), one
/// JSON line per diagnostic and the JSON summary of `ftx check --json`.
/// Pure functions of their arguments; the CLI decides colour and where to print.
///
///     experiments/x.ftx:12:3: error[E0102]: unknown key `lrr` in `schedule`
///        |
///     12 |   lrr = cosine(warmup: 0.05)
///        |   ^^^ not a key of `schedule`
///        |
///        = help: did you mean `lr`?
public enum DiagnosticRenderer {
    /// The 1-based line and column (in Unicode scalars) a diagnostic is reported at.
    /// A span at the very end of a file that ends with a line break is shown
    /// at the end of the last line rather than on an empty line after it.
    public static func location(of diagnostic: Diagnostic, in file: SourceFile) -> SourceLocation {
        file.location(of: displayOffset(diagnostic.primary.span, in: file).start)
    }

    /// The human form; every line ends with `\n`.
    public static func render(_ diagnostic: Diagnostic, in file: SourceFile, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        let primary = displayOffset(diagnostic.primary.span, in: file)
        let location = file.location(of: primary.start)
        var out = paint.bold("\(file.path):\(location.line):\(location.column):") + " "
        out += paint.severity(diagnostic.severity, "\(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]:")
        out += " " + paint.bold(diagnostic.message) + "\n"

        // Labels grouped by the line they start on, primary first within a line.
        var labels: [(line: Int, span: Span, message: String, primary: Bool)] = []
        labels.append((file.lineIndex(of: primary.start), primary, diagnostic.primary.message, true))
        for label in diagnostic.secondary {
            let span = displayOffset(label.span, in: file)
            labels.append((file.lineIndex(of: span.start), span, label.message, false))
        }
        let lines = Array(Set(labels.map(\.line))).sorted()
        let gutter = String(lines.last.map { $0 + 1 } ?? 1).count
        let blank = String(repeating: " ", count: gutter)
        out += paint.gutter("\(blank) |") + "\n"
        var previous: Int?
        for line in lines {
            if let previous, line > previous + 1 { out += paint.gutter("\(String(repeating: ".", count: min(3, gutter + 1)))") + "\n" }
            previous = line
            let onLine = labels.filter { $0.line == line }
            let range = file.lineRange(line)
            let excerpt = SourceExcerpt(bytes: file.bytes, line: range, focus: onLine[0].span.start)
            let number = String(line + 1)
            out += paint.gutter(String(repeating: " ", count: gutter - number.count) + number + " |")
            out += excerpt.text.isEmpty ? "\n" : " " + excerpt.text + "\n"
            for label in onLine {
                // A span running past its line is underlined to the line's end.
                let clipped = Span(start: label.span.start, end: min(label.span.end, max(range.upperBound, label.span.start)))
                let (column, count) = excerpt.underline(clipped)
                let marker = String(repeating: label.primary ? "^" : "-", count: count)
                let text = label.message.isEmpty ? marker : marker + " " + label.message
                out += paint.gutter("\(blank) |") + " " + String(repeating: " ", count: column)
                out += label.primary ? paint.severity(diagnostic.severity, text) : paint.gutter(text)
                out += "\n"
            }
        }
        if !diagnostic.notes.isEmpty || !diagnostic.help.isEmpty {
            out += paint.gutter("\(blank) |") + "\n"
        }
        for note in diagnostic.notes { out += paint.gutter("\(blank) =") + " " + paint.bold("note:") + " " + note + "\n" }
        for help in diagnostic.help { out += paint.gutter("\(blank) =") + " " + paint.bold("help:") + " " + help + "\n" }
        return out
    }

    /// Several diagnostics, separated by blank lines.
    public static func render(_ diagnostics: [Diagnostic], in file: SourceFile, color: Bool = false) -> String {
        diagnostics.map { render($0, in: file, color: color) }.joined(separator: "\n")
    }

    /// One JSON object (no line break) as `ftx check --json` prints it:
    /// `{"type":"diagnostic","severity":…,"code":…,"message":…,"file":…,"line":N,"column":N,"rendered":…}`.
    public static func json(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
        let location = location(of: diagnostic, in: file)
        return "{\"type\":\"diagnostic\""
            + ",\"severity\":" + JSONWriter.quote(diagnostic.severity.rawValue)
            + ",\"code\":" + JSONWriter.quote(diagnostic.code.rawValue)
            + ",\"message\":" + JSONWriter.quote(diagnostic.message)
            + ",\"file\":" + JSONWriter.quote(file.path)
            + ",\"line\":\(location.line),\"column\":\(location.column)"
            + ",\"rendered\":" + JSONWriter.quote(render(diagnostic, in: file, color: false))
            + "}"
    }

    /// `{"type":"summary","files":N,"errors":N,"warnings":N}` (no line break).
    public static func summaryJSON(files: Int, errors: Int, warnings: Int) -> String {
        "{\"type\":\"summary\",\"files\":\(files),\"errors\":\(errors),\"warnings\":\(warnings)}"
    }

    /// The human summary: `2 errors, 1 warning in 3 files`, or `no problems in 1 file`.
    public static func summary(files: Int, errors: Int, warnings: Int, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var parts: [String] = []
        if errors > 0 { parts.append(paint.severity(.error, plural(errors, "error"))) }
        if warnings > 0 { parts.append(paint.severity(.warning, plural(warnings, "warning"))) }
        let what = parts.isEmpty ? "no problems" : parts.joined(separator: ", ")
        return "\(what) in \(plural(files, "file"))"
    }

    /// A zero-length span at the very end of a file ending in a line break
    /// moves back onto the last line.
    static func displayOffset(_ span: Span, in file: SourceFile) -> Span {
        let count = file.bytes.count
        var span = Span(start: min(max(0, span.start), count), end: min(max(0, span.end), count))
        if span.start == count, count > 0, file.bytes[count - 1] == UInt8(ascii: "\n") {
            var at = count - 1
            if at > 0, file.bytes[at - 1] == UInt8(ascii: "\r") { at -= 1 }
            span = Span(start: at, end: at)
        }
        return span
    }
}

/// ANSI styling, or none.
private struct Paint {
    let enabled: Bool

    func wrap(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap("1", s) }
    func gutter(_ s: String) -> String { wrap("1;34", s) }
    func severity(_ severity: Severity, _ s: String) -> String {
        switch severity {
        case .error: wrap("1;31", s)
        case .warning: wrap("1;33", s)
        case .note: wrap("1;36", s)
        }
    }
}
