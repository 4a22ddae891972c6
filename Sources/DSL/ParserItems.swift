/// Files, sections and settings.
///
///     file    = { section }
///     section = name [label] "{" { item } "}"
///     item    = setting | section
///     setting = dotted "=" expression  (ends at a line break or "}")
///     label   = postfix expression, e.g. `finetune` or `random(trials: 16)`
extension SyntaxParser {
    mutating func parseFile() -> SourceUnit {
        var sections: [Section] = []
        while true {
            skipBlankLines()
            let token = peek()
            switch token.kind {
            case .eof:
                return SourceUnit(sections: sections, comments: comments, endOffset: bytes.count)
            case .identifier:
                panicking = false
                let start = pos
                if case .section(let section)? = parseItem(topLevel: true) { sections.append(section) }
                if pos == start { advance() }
            case .rightBrace, .rightParen, .rightBracket:
                panicking = false
                report(ParserDiagnostics.unexpectedClosingDelimiter(token.span, delimiter: text(token)))
                advance()
            default:
                panicking = false
                if token.kind.isKeyword {
                    report(ParserDiagnostics.reservedWord(token.span, word: text(token)))
                } else {
                    report(ParserDiagnostics.expectedTopLevelSection(found: describe(token), at: token.span), at: token)
                }
                let start = pos
                skipLine()
                if pos == start { advance() }
            }
        }
    }

    mutating func skipBlankLines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    /// A dotted name at the current identifier: `a`, `a.b.c`.
    mutating func parseDottedName() -> DottedName {
        var parts = [identifier(advance())]
        while at(.dot) {
            let next = raw(1)
            guard next.kind == .identifier else {
                let dot = advance()
                let found = peek()
                if found.kind.isKeyword {
                    report(ParserDiagnostics.reservedWord(found.span, word: text(found)))
                } else {
                    report(ParserDiagnostics.expectedNameAfterDot(
                        found: describe(found), at: found.kind == .newline ? Span(start: dot.span.end, end: dot.span.end) : found.span,
                        prefix: DottedName(parts).text), at: found)
                }
                break
            }
            advance()
            parts.append(identifier(advance()))
        }
        return DottedName(parts)
    }

    func identifier(_ token: Token) -> Identifier { Identifier(text(token), span: token.span) }

    /// A setting or a section, starting at an identifier. Returns nil when the
    /// item is too broken to keep (the error is reported).
    mutating func parseItem(topLevel: Bool) -> Item? {
        let key = parseDottedName()
        let token = peek()
        switch token.kind {
        case .equal:
            if topLevel { report(ParserDiagnostics.settingOutsideSection(key.span, key: key.text)) }
            advance()
            return .setting(parseSettingValue(key: key))
        case .leftBrace:
            if key.parts.count > 1 { report(ParserDiagnostics.dottedSectionKeyword(key.span, name: key.text)) }
            return .section(parseSectionBody(keyword: key.parts[0], label: nil))
        case .colon:
            // `lr: 1e-3` — most likely a setting written like a record field.
            report(ParserDiagnostics.expectedEquals(
                key: key.text, keySpan: key.span, found: describe(token), at: token.span, replaceFound: true))
            advance()
            return .setting(parseSettingValue(key: key))
        default:
            break
        }
        if canStartLabel(token.kind), braceAheadOnLine() {
            if key.parts.count > 1 { report(ParserDiagnostics.dottedSectionKeyword(key.span, name: key.text)) }
            let label = parsePostfix(after: nil)
            let brace = peek()
            if brace.kind != .leftBrace {
                let header = file.text(key.span.merged(with: label.span))
                report(ParserDiagnostics.expectedSectionBody(header: header, found: describe(brace), at: brace.span), at: brace)
                skipLine(toBrace: true)
                guard at(.leftBrace) else { return nil }
            }
            return .section(parseSectionBody(keyword: key.parts[0], label: label))
        }
        report(ParserDiagnostics.expectedEquals(
            key: key.text, keySpan: key.span, found: describe(token), at: insertionSpan(token), replaceFound: false), at: token)
        if canStartExpression(token.kind) {
            return .setting(parseSettingValue(key: key))  // `epochs 10`: keep the value
        }
        skipLine()
        return nil
    }

    private func canStartLabel(_ kind: TokenKind) -> Bool {
        switch kind {
        case .identifier, .number, .string, .keywordTrue, .keywordFalse: true
        default: false
        }
    }

    /// The value after `key =`, then the end of the line.
    private mutating func parseSettingValue(key: DottedName) -> Setting {
        let token = peek()
        let value: Expr
        if token.kind == .newline || token.kind == .eof || token.kind == .rightBrace {
            let span = insertionSpan(token)
            report(ParserDiagnostics.missingValue(key: key.text, at: span, found: describe(token)))
            value = Expr(.invalid, span: span)
        } else {
            value = parseExpression(after: nil)
        }
        let end = peek()
        switch end.kind {
        case .newline, .eof, .rightBrace:
            break
        default:
            var isFilter = false
            if case .filter = value.kind { isFilter = true }
            report(ParserDiagnostics.expectedLineEnd(
                key: key.text, found: describe(end), at: end.span, compare: isFilter && end.kind == .equal), at: end)
            skipLine()
        }
        return Setting(key: key, value: value, span: key.span.merged(with: value.span))
    }

    /// `{ items }` from the current `{`.
    private mutating func parseSectionBody(keyword: Identifier, label: Expr?) -> Section {
        let keywordIndex = tokens.firstIndexBackwards(from: pos, matching: keyword.span)
        let open = peek()
        let headerSpan = label.map { keyword.span.merged(with: $0.span) } ?? keyword.span
        guard enter(open.span) else {
            skipGroup()
            let end = tokens[max(0, pos - 1)].span
            return Section(keyword: keyword, label: label, items: [], span: headerSpan.merged(with: end), bodySpan: open.span.merged(with: end))
        }
        defer { leave() }
        advance()
        let header = file.text(headerSpan)
        var items: [Item] = []
        while true {
            skipBlankLines()
            let token = peek()
            switch token.kind {
            case .rightBrace:
                advance()
                noteClosingBrace(at: pos - 1, keywordIndex: keywordIndex)
                return Section(keyword: keyword, label: label, items: items,
                               span: headerSpan.merged(with: token.span), bodySpan: open.span.merged(with: token.span))
            case .eof:
                report(ParserDiagnostics.unclosedSection(
                    open: open.span, header: header, end: token.span, suspect: suspectBrace(after: open.span.start)))
                return Section(keyword: keyword, label: label, items: items,
                               span: headerSpan.merged(with: token.span), bodySpan: open.span.merged(with: token.span))
            case .identifier:
                panicking = false
                let start = pos
                if let item = parseItem(topLevel: false) { items.append(item) }
                if pos == start { advance() }
            case .rightParen, .rightBracket:
                panicking = false
                report(ParserDiagnostics.unexpectedClosingDelimiter(token.span, delimiter: text(token)))
                advance()
            default:
                panicking = false
                if token.kind.isKeyword {
                    report(ParserDiagnostics.reservedWord(token.span, word: text(token)))
                } else {
                    report(ParserDiagnostics.expectedItem(found: describe(token), at: token.span, section: header), at: token)
                }
                let start = pos
                skipLine()
                if pos == start { advance() }
            }
        }
    }

    /// Remembers the first `}` that starts its line at a different
    /// indentation from its section's keyword line: if a `{` is left unclosed
    /// at the end of the file, this `}` is the likely culprit.
    private mutating func noteClosingBrace(at index: Int, keywordIndex: Int?) {
        guard let keywordIndex,
              let braceIndent = indentation(ofTokenAt: index),
              let keywordIndent = indentation(ofTokenAt: keywordIndex),
              braceIndent < keywordIndent else { return }
        suspects.append(tokens[index].span)
    }

    private func suspectBrace(after offset: Int) -> Span? {
        suspects.first { $0.start > offset }
    }
}

extension Array where Element == Token {
    /// The index of the token with exactly `span`, searching back from `index`
    /// a few tokens (section keywords sit just before their label and `{`).
    func firstIndexBackwards(from index: Int, matching span: Span) -> Int? {
        var i = Swift.min(index, count - 1)
        var steps = 0
        while i >= 0, steps < 64 {
            if self[i].span == span { return i }
            if self[i].span.start < span.start { return nil }
            i -= 1
            steps += 1
        }
        return nil
    }
}
