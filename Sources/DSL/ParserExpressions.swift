/// Expressions, loosest first:
///
///     expression = binary { "where" binary }
///     binary     = unary { op binary }      precedence climbing: or, and, comparisons, + -, * /
///     unary      = "-" unary | "not" binary(comparisons) | postfix
///     postfix    = primary                  a name directly followed by "(" is a call,
///                                           a number directly followed by a name a quantity
///     primary    = number | string | true | false | dotted | list | record | "(" expression ")"
extension SyntaxParser {
    /// An expression; `after` names what came before, for messages ("`+`").
    mutating func parseExpression(after: String?) -> Expr {
        var base = parseBinary(minPrecedence: 1, after: after)
        var levels = 0
        while at(.keywordWhere) {
            let keyword = advance()
            guard enter(keyword.span) else { break }
            levels += 1
            let condition = parseBinary(minPrecedence: 1, after: "`where`")
            base = Expr(.filter(base: base, condition: condition), span: base.span.merged(with: condition.span))
        }
        depth -= levels
        return base
    }

    /// Precedence climbing; each operator applied counts as one level of
    /// nesting, so `1 + 1 + …` cannot build a tree deeper than the cap.
    mutating func parseBinary(minPrecedence: Int, after: String?) -> Expr {
        var lhs = parseUnary(after: after)
        var levels = 0
        var lastComparison: Span?
        defer { depth -= levels }
        while let op = binaryOperator(peek().kind), op.precedence >= minPrecedence {
            let opToken = advance()
            if op.isComparison, let previous = lastComparison {
                report(ParserDiagnostics.chainedComparison(opToken.span, previous: previous))
            }
            guard enter(opToken.span) else { break }
            levels += 1
            let rhs = parseBinary(minPrecedence: op.precedence + 1, after: "`\(op.rawValue)`")
            lhs = Expr(.binary(op: op, lhs: lhs, rhs: rhs), span: lhs.span.merged(with: rhs.span))
            lastComparison = op.isComparison ? opToken.span : nil
        }
        return lhs
    }

    private func binaryOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .keywordOr: .or
        case .keywordAnd: .and
        case .equalEqual: .equal
        case .bangEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        case .plus: .add
        case .minus: .subtract
        case .star: .multiply
        case .slash: .divide
        default: nil
        }
    }

    mutating func parseUnary(after: String?) -> Expr {
        let token = peek()
        switch token.kind {
        case .minus, .keywordNot:
            advance()
            guard enter(token.span) else { return Expr(.invalid, span: token.span) }
            defer { leave() }
            let operand = token.kind == .minus
                ? parseUnary(after: "`-`")
                : parseBinary(minPrecedence: BinaryOperator.equal.precedence, after: "`not`")
            let op: UnaryOperator = token.kind == .minus ? .negate : .not
            return Expr(.unary(op: op, operand: operand), span: token.span.merged(with: operand.span))
        default:
            return parsePostfix(after: after)
        }
    }

    func canStartExpression(_ kind: TokenKind) -> Bool {
        switch kind {
        case .number, .string, .unterminatedString, .keywordTrue, .keywordFalse, .identifier,
             .leftBracket, .leftBrace, .leftParen, .minus, .keywordNot, .dot:
            true
        default:
            false
        }
    }

    /// A primary, with calls and quantities.
    mutating func parsePostfix(after: String?) -> Expr {
        let token = peek()
        switch token.kind {
        case .number:
            advance()
            let number = numberExpr(token)
            let unit = peek()
            if unit.kind == .identifier, !atLineStart, raw(1).kind != .colon, raw(1).kind != .equal {
                advance()
                return Expr(.quantity(value: number, unit: identifier(unit)), span: token.span.merged(with: unit.span))
            }
            return number
        case .string, .unterminatedString:
            advance()
            return Expr(.string(StringLiteral.decode(bytes, token.span).value), span: token.span)
        case .keywordTrue, .keywordFalse:
            advance()
            return Expr(.bool(token.kind == .keywordTrue), span: token.span)
        case .identifier:
            let name = parseDottedName()
            if at(.leftParen), !atLineStart {
                return parseCall(callee: name)
            }
            return Expr(.reference(name), span: name.span)
        case .leftBracket:
            return parseList()
        case .leftBrace:
            return parseRecord()
        case .leftParen:
            return parseParenthesized()
        case .dot where raw(1).kind == .number && raw(1).span.start == token.span.end:
            advance()
            let digits = advance()
            let span = token.span.merged(with: digits.span)
            report(ParserDiagnostics.numberWithLeadingDot(span, digits: text(digits)))
            let value = Double("0" + file.text(span)) ?? 0
            return Expr(.number(value: value, text: file.text(span)), span: span)
        default:
            let span = insertionSpan(token)
            if token.kind.isKeyword {
                report(ParserDiagnostics.reservedWord(token.span, word: text(token)))
            } else {
                report(ParserDiagnostics.expectedExpression(found: describe(token), at: span, after: after), at: token)
            }
            return Expr(.invalid, span: span)
        }
    }

    private mutating func numberExpr(_ token: Token) -> Expr {
        let spelling = text(token)
        let value = Double(spelling) ?? .infinity
        if !value.isFinite { report(ParserDiagnostics.numberOutOfRange(token.span, text: spelling)) }
        return Expr(.number(value: value, text: spelling), span: token.span)
    }

    private mutating func parseParenthesized() -> Expr {
        let open = peek()
        guard enter(open.span) else {
            skipGroup()
            return Expr(.invalid, span: open.span)
        }
        defer { leave() }
        advance()
        newlinesIgnored += 1
        defer { newlinesIgnored -= 1 }
        let inner = parseExpression(after: "`(`")
        let close = peek()
        if close.kind == .rightParen {
            advance()
        } else {
            report(ParserDiagnostics.expectedClosingParen(found: describe(close), at: insertionSpan(close), open: open.span), at: close)
            if !(close.kind == .eof || close.kind == .rightBrace || close.kind == .rightBracket || atLineStart && startsStatement(at: pos)) {
                skipInside(closer: .rightParen)
            } else if atLineStart {
                pos -= 1
            }
        }
        return inner
    }

    private mutating func parseList() -> Expr {
        let open = peek()
        var elements: [Expr] = []
        let end = parseDelimited(open: open, closer: .rightBracket, container: "a list") { parser in
            elements.append(parser.parseExpression(after: nil))
        }
        return Expr(.list(elements), span: open.span.merged(with: end))
    }

    private mutating func parseRecord() -> Expr {
        let open = peek()
        var fields: [RecordField] = []
        let end = parseDelimited(open: open, closer: .rightBrace, container: "a record") { parser in
            let name = parser.peek()
            guard name.kind == .identifier else {
                parser.report(ParserDiagnostics.expectedFieldName(found: parser.describe(name), at: name.span), at: name)
                return
            }
            parser.advance()
            let colon = parser.peek()
            if colon.kind == .colon {
                parser.advance()
            } else {
                parser.report(ParserDiagnostics.expectedFieldColon(
                    field: parser.text(name), found: parser.describe(colon), at: parser.insertionSpan(colon),
                    isEquals: colon.kind == .equal), at: colon)
                guard colon.kind == .equal else { return }
                parser.advance()
            }
            let value = parser.parseExpression(after: "`\(parser.text(name)):`")
            fields.append(RecordField(name: parser.identifier(name), value: value))
        }
        return Expr(.record(fields), span: open.span.merged(with: end))
    }

    private mutating func parseCall(callee: DottedName) -> Expr {
        let open = peek()
        var arguments: [Argument] = []
        var firstNamed: Span?
        let end = parseDelimited(open: open, closer: .rightParen, container: "the call to `\(callee.text)`") { parser in
            let token = parser.peek()
            let next = parser.raw(1)
            if token.kind == .identifier, next.kind == .colon || next.kind == .equal {
                parser.advance()
                if next.kind == .equal {
                    parser.report(ParserDiagnostics.namedArgumentWithEquals(name: parser.text(token), equals: next.span))
                }
                parser.advance()
                let value = parser.parseExpression(after: "`\(parser.text(token)):`")
                firstNamed = firstNamed ?? token.span
                arguments.append(Argument(label: parser.identifier(token), value: value))
            } else {
                let value = parser.parseExpression(after: nil)
                if let firstNamed {
                    parser.report(ParserDiagnostics.positionalAfterNamed(value.span, firstNamed: firstNamed))
                }
                arguments.append(Argument(label: nil, value: value))
            }
        }
        return Expr(.call(callee: callee, arguments: arguments), span: callee.span.merged(with: end))
    }

    /// `open element, element, … close` with an optional trailing comma and
    /// line breaks anywhere. Returns the span of the closer, or of the last
    /// token read when the bracket is left unclosed (the error is reported).
    private mutating func parseDelimited(
        open: Token, closer: TokenKind, container: String, element: (inout SyntaxParser) -> Void
    ) -> Span {
        guard enter(open.span) else {
            skipGroup()
            return tokens[max(0, pos - 1)].span
        }
        defer { leave() }
        advance()
        newlinesIgnored += 1
        defer { newlinesIgnored -= 1 }
        var lastEnd = open.span
        var usedColonFields = false
        while true {
            var token = peek()
            if token.kind == closer {
                advance()
                return token.span
            }
            if stopsBracket(token, closer: closer, recordFieldsSeen: usedColonFields) {
                reportUnclosed(open: open, closer: closer, found: token)
                return lastEnd
            }
            let start = pos
            element(&self)
            if pos > start { lastEnd = tokens[pos - 1].span }
            if closer == .rightBrace { usedColonFields = true }
            token = peek()
            switch token.kind {
            case .comma:
                advance()
                lastEnd = token.span
                continue
            case closer:
                advance()
                return token.span
            default:
                break
            }
            if stopsBracket(token, closer: closer, recordFieldsSeen: usedColonFields) {
                reportUnclosed(open: open, closer: closer, found: token)
                return lastEnd
            }
            if atLineStart, canStartExpression(token.kind), pos > start {
                report(ParserDiagnostics.missingComma(after: lastEnd, next: token.span, container: container))
                continue
            }
            report(ParserDiagnostics.expectedCommaOrClose(
                found: describe(token), at: token.span, container: container, closer: closer.rawValue), at: token)
            skipInside(closer: closer)
            if at(.comma) {
                advance()
            } else if at(closer) {
                return advance().span
            } else {
                return lastEnd
            }
        }
    }

    /// Whether `token` cannot continue the bracket `closer` closes: the end of
    /// the file, a different closing bracket, or a new statement on a new line.
    /// On a new statement, steps back to the line break so the setting being
    /// parsed ends there.
    private mutating func stopsBracket(_ token: Token, closer: TokenKind, recordFieldsSeen: Bool) -> Bool {
        switch token.kind {
        case .eof:
            return true
        case .rightBrace, .rightParen, .rightBracket:
            return token.kind != closer
        case .identifier where atLineStart:
            // In a record, `name =` is likelier a field typo than a new setting.
            if closer == .rightBrace, !recordFieldsSeen, raw(1).kind == .equal { return false }
            if startsStatement(at: pos) {
                pos -= 1
                return true
            }
            return false
        default:
            return false
        }
    }

    private mutating func reportUnclosed(open: Token, closer: TokenKind, found: Token) {
        var at = found.span
        if found.kind == .newline || found.kind == .eof || found.kind == .identifier {
            // Point just after the last token of the bracket's content.
            var i = pos - 1
            while i > 0, tokens[i].kind == .newline { i -= 1 }
            let end = i >= 0 ? tokens[i].span.end : 0
            at = Span(start: end, end: end)
        }
        let shown = found.kind == .identifier ? "a new setting on the next line" : describe(found)
        report(ParserDiagnostics.unclosedDelimiter(
            open: open.span, opener: text(open), closer: closer.rawValue, found: shown, at: at))
    }

    /// Recovery inside brackets: skips to the next `,` or `closer` at this
    /// level (stepping over nested groups), stopping early at a closer of an
    /// outer bracket, end of file or a new statement.
    private mutating func skipInside(closer: TokenKind) {
        var stack: [TokenKind] = []
        while true {
            let token = peek()
            switch token.kind {
            case .eof:
                return
            case .comma where stack.isEmpty:
                return
            case .leftBrace, .leftParen, .leftBracket:
                stack.append(token.kind)
            case .rightBrace, .rightParen, .rightBracket:
                if let top = stack.last, top.matchingCloser == token.kind {
                    stack.removeLast()
                } else if stack.isEmpty {
                    return
                } else if let index = stack.lastIndex(where: { $0.matchingCloser == token.kind }) {
                    stack.removeSubrange(index...)
                } else {
                    return
                }
            case .identifier where stack.isEmpty && atLineStart && startsStatement(at: pos):
                pos -= 1
                return
            default:
                break
            }
            pos += 1
        }
    }
}

extension BinaryOperator {
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
    public var isComparison: Bool { precedence == BinaryOperator.equal.precedence }
}
