/// `ftx fmt`: prints a file in canonical form.
///
/// Layout: 2-space indent; one item per line, `key = value`; exactly one blank
/// line between top-level sections; a single blank line the author left
/// between items (or comments) is kept, longer runs shrink to one, and blank
/// lines at the start or end of a body go. Lists, records and calls stay on
/// one line unless they would pass column 100 or hold a comment; then they
/// put one element per line with a trailing comma (nested ones decide for
/// themselves). Numbers keep their spelling, strings are re-escaped
/// canonically, redundant parentheses go and needed ones are written.
/// Every comment is kept: above items, at the end of a line (two spaces
/// before the `#`), at the end of a body or of the file.
///
/// Files with syntax errors are never formatted. `format(format(x)) == format(x)`.
public enum Formatter {
    /// The column lists and calls must fit in before they break.
    public static let lineWidth = 100

    /// The canonical text of `file`, or nil when it has syntax errors.
    public static func format(_ file: SourceFile) -> String? {
        let (unit, diagnostics) = Parser.parse(file)
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return nil }
        var printer = CanonicalPrinter(file: file, comments: unit.comments)
        return printer.print(unit)
    }
}

/// Prints a parsed file, weaving its comments back in by position: a cursor
/// walks the (sorted) comments, and every place that can hold a comment —
/// before an item, at the end of a line, before a closing bracket — emits
/// those that come before it in the source.
struct CanonicalPrinter {
    let file: SourceFile
    let comments: [Comment]
    /// Index of the first comment not yet printed.
    var next = 0

    init(file: SourceFile, comments: [Comment]) {
        self.file = file
        self.comments = comments
    }

    mutating func print(_ unit: SourceUnit) -> String {
        var out = ""
        printItems(unit.sections.map(Item.section), indent: 0, bodyEnd: file.bytes.count, topLevel: true, into: &out)
        return out
    }

    // MARK: Bodies

    /// Items of a body (or the file), with the comments before, between and
    /// after them, each line ending in `\n`.
    mutating func printItems(_ items: [Item], indent: Int, bodyEnd: Int, topLevel: Bool, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        var previousEnd: Int?
        var previousWasSection = false

        // Top-level sections are always set apart; elsewhere the author's blank lines are kept.
        func separate(_ start: Int, _ out: inout String) {
            guard let end = previousEnd else { return }
            if topLevel && previousWasSection || hasBlankLine(from: end, to: start) {
                out += "\n"
            }
        }

        for item in items {
            while next < comments.count, comments[next].span.start < item.span.start {
                let comment = comments[next]
                separate(comment.span.start, &out)
                out += pad + commentText(comment) + "\n"
                previousEnd = comment.span.end
                previousWasSection = false
                next += 1
            }
            separate(item.span.start, &out)
            out += pad
            switch item {
            case .setting(let setting): printSetting(setting, indent: indent, into: &out)
            case .section(let section): printSection(section, indent: indent, into: &out)
            }
            previousEnd = finishLine(after: item.span.end, limit: bodyEnd, pad: pad, into: &out)
            previousWasSection = { if case .section = item { return true } else { return false } }()
        }
        while next < comments.count, comments[next].span.start < bodyEnd {
            let comment = comments[next]
            separate(comment.span.start, &out)
            out += pad + commentText(comment) + "\n"
            previousEnd = comment.span.end
            previousWasSection = false
            next += 1
        }
    }

    /// Ends the line of an element that ended at source offset `end`: its
    /// comment on the same line goes after it; comments that were inside it
    /// but had no place in the canonical layout follow on their own lines.
    /// Returns the source offset the element (with its comments) ends at.
    @discardableResult
    mutating func finishLine(after end: Int, limit: Int, pad: String, into out: inout String) -> Int {
        var lastEnd = end
        var stranded: [Comment] = []
        while next < comments.count, comments[next].span.start < end {
            stranded.append(comments[next])
            next += 1
        }
        let trailing = next < comments.count && comments[next].span.start < limit && sameLine(end, comments[next].span.start)
        if stranded.isEmpty, trailing {
            out += "  " + commentText(comments[next])
            lastEnd = comments[next].span.end
            next += 1
        }
        out += "\n"
        for comment in stranded {
            out += pad + commentText(comment) + "\n"
            lastEnd = max(lastEnd, comment.span.end)
        }
        if !stranded.isEmpty, trailing {
            out += pad + commentText(comments[next]) + "\n"
            lastEnd = comments[next].span.end
            next += 1
        }
        return lastEnd
    }

    mutating func printSetting(_ setting: Setting, indent: Int, into out: inout String) {
        let key = setting.key.text
        out += key + " = "
        out += render(setting.value, indent: indent, column: indent * 2 + key.count + 3, suffix: 0)
    }

    mutating func printSection(_ section: Section, indent: Int, into out: inout String) {
        out += section.keyword.name
        if let label = section.label {
            out += " " + render(label, indent: indent, column: indent * 2 + section.keyword.name.count + 1, suffix: 2)
        }
        let open = section.bodySpan.start
        let close = section.bodySpan.end - 1
        let firstItem = section.items.first?.span.start ?? close
        if section.items.isEmpty, !hasComment(in: Span(start: open, end: close)) {
            out += " {}"
            return
        }
        out += " {"
        if next < comments.count, comments[next].span.start > open, comments[next].span.start < firstItem,
           sameLine(open, comments[next].span.start) {
            out += "  " + commentText(comments[next])
            next += 1
        }
        out += "\n"
        printItems(section.items, indent: indent + 1, bodyEnd: close, topLevel: false, into: &out)
        out += String(repeating: "  ", count: indent) + "}"
    }

    // MARK: Comments and lines

    func commentText(_ comment: Comment) -> String {
        var text = Substring(comment.text)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }

    func sameLine(_ a: Int, _ b: Int) -> Bool {
        file.lineIndex(of: a) == file.lineIndex(of: b)
    }

    /// Whether the source has an empty line between offsets `a` and `b`
    /// (which only blank space separates).
    func hasBlankLine(from a: Int, to b: Int) -> Bool {
        var newlines = 0
        var i = max(0, a)
        while i < min(b, file.bytes.count) {
            if file.bytes[i] == UInt8(ascii: "\n") {
                newlines += 1
                if newlines >= 2 { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether any comment starts inside `span`.
    func hasComment(in span: Span) -> Bool {
        var lo = 0, hi = comments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if comments[mid].span.start < span.start { lo = mid + 1 } else { hi = mid }
        }
        return lo < comments.count && comments[lo].span.start < span.end
    }
}
