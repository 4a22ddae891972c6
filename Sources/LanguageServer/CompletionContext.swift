import Compiler
import DSL

/// Where the cursor is, for completion: read from the tokens before it, not the
/// syntax tree, because the text being typed (`lr = `, `adamw(`) rarely parses.
/// Braces, brackets and parentheses are tracked as a stack of frames; a `{`
/// after `=`, `:`, `,`, `[` or `(` opens a record, any other opens a block.
struct CompletionContext {
    enum Place {
        /// At the start of a top-level line: a declaration keyword.
        case topLevel
        /// At the start of a line in a block (`blocks`: the keywords, outermost first).
        case key(blocks: [String], stage: String?)
        /// A value of `type` for the setting `key` (dotted as written) of the innermost block.
        case value(ValueType, key: [String], blocks: [String], stage: String?, data: String?, inString: Bool)
        /// After `call(` or `,` inside it: an argument label (or the next positional value).
        case argument(CallSpec, positional: ParamSpec?, blocks: [String], stage: String?)
        /// After `{` or `,` inside a record: a field name.
        case field([ParamSpec])
    }

    var place: Place
    /// The partial word the completion replaces.
    var replace: Span

    private enum Frame {
        case block(keyword: String, label: String?)
        case record
        case paren(callee: String)
        case bracket
    }

    private struct Level {
        var frame: Frame
        /// Index of the first token of the current item (setting, argument, element).
        var itemStart: Int
        /// Commas seen at this level (a call's positional index).
        var commas = 0
    }

    static func at(_ offset: Int, in snapshot: DocumentSnapshot) -> CompletionContext? {
        let bytes = snapshot.file.bytes
        let all = snapshot.tokens
        // The token under the cursor: a partial word, or a string being typed.
        var inString = false
        var replace = Span(start: offset, end: offset)
        var tokens: [Token] = []
        // Scan from the start of the top-level declaration around the cursor (or the end of the
        // one before it): outside declarations the bracket stack is empty, so nothing is lost.
        let sections = snapshot.parsed.unit.sections
        var from = 0
        if let before = sections.last(where: { $0.span.start <= offset }) {
            from = before.span.end < offset ? before.span.end : before.span.start
        }
        var lo = 0, hi = all.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if all[mid].span.start < from { lo = mid + 1 } else { hi = mid }
        }
        for token in all[lo...] where token.kind != .comment {
            if token.span.end < offset || (token.span.end == offset && !Self.isPartial(token)) {
                tokens.append(token)
                continue
            }
            if token.span.start >= offset { break }
            switch token.kind {
            case .string, .unterminatedString:
                inString = true
                replace = Span(start: token.span.start + 1, end: offset)
            default:
                break
            }
            break
        }
        if !inString {
            // A dotted word (`valid.acc`) is replaced whole.
            var start = offset
            func isWordByte(_ b: UInt8) -> Bool { b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) }
            while start > 0, isWordByte(bytes[start - 1]) { start -= 1 }
            replace = Span(start: start, end: offset)
            tokens.removeAll { $0.span.start >= start && $0.kind != .newline }
        }
        if let inComment = all.first(where: { $0.kind == .comment && $0.span.start < offset && offset <= $0.span.end }), inComment.span.start < offset {
            return nil
        }

        var levels = [Level(frame: .block(keyword: "", label: nil), itemStart: 0)]
        func previousSignificant(_ i: Int) -> TokenKind? {
            var j = i - 1
            while j >= 0 { if tokens[j].kind != .newline { return tokens[j].kind }; j -= 1 }
            return nil
        }
        func text(_ t: Token) -> String { snapshot.file.text(t.span) }
        for (i, token) in tokens.enumerated() {
            switch token.kind {
            case .newline:
                if case .block = levels[levels.count - 1].frame { levels[levels.count - 1].itemStart = i + 1 }
            case .leftBrace:
                if let prev = previousSignificant(i), [.equal, .colon, .comma, .leftBracket, .leftParen].contains(prev) {
                    levels.append(Level(frame: .record, itemStart: i + 1))
                } else {
                    let item = tokens[levels[levels.count - 1].itemStart..<i].filter { $0.kind != .newline }
                    let keyword = item.first.map(text) ?? ""
                    let label = item.count > 1 && item[item.startIndex + 1].kind == .identifier ? text(item[item.startIndex + 1]) : nil
                    levels.append(Level(frame: .block(keyword: keyword, label: label), itemStart: i + 1))
                }
            case .leftParen:
                var j = i - 1, parts: [String] = []
                while j >= 0, tokens[j].kind == .identifier || tokens[j].kind == .dot {
                    if tokens[j].kind == .identifier { parts.insert(text(tokens[j]), at: 0) }
                    j -= 1
                }
                levels.append(Level(frame: .paren(callee: parts.joined(separator: ".")), itemStart: i + 1))
            case .leftBracket:
                levels.append(Level(frame: .bracket, itemStart: i + 1))
            case .comma:
                levels[levels.count - 1].itemStart = i + 1
                levels[levels.count - 1].commas += 1
            case .rightBrace, .rightParen, .rightBracket:
                if levels.count > 1 { levels.removeLast() }
                if case .block = levels[levels.count - 1].frame, token.kind == .rightBrace { levels[levels.count - 1].itemStart = i + 1 }
            default:
                break
            }
        }

        // The innermost block, and the frames opened inside its current setting.
        guard let blockIndex = levels.lastIndex(where: { if case .block = $0.frame { return true } else { return false } }) else { return nil }
        let blocks = levels.prefix(blockIndex + 1).dropFirst().compactMap { level -> String? in if case .block(let k, _) = level.frame { return k } else { return nil } }
        let stage: String? = levels.lazy.compactMap { level -> String? in
            if case .block("stage", let label) = level.frame { return label }
            return nil
        }.first
        let data: String? = levels.lazy.compactMap { level -> String? in
            if case .block("data", let label) = level.frame { return label }
            return nil
        }.first
        let block = levels[blockIndex]
        let item = Array(tokens[block.itemStart...])
        guard let equal = item.firstIndex(where: { $0.kind == .equal }) else {
            guard blockIndex == levels.count - 1, item.allSatisfy({ $0.kind == .newline }) else { return nil }
            return CompletionContext(place: blocks.isEmpty ? .topLevel : .key(blocks: blocks, stage: stage), replace: replace)
        }
        let key = item[..<equal].filter { $0.kind == .identifier }.map(text)
        guard !key.isEmpty else { return nil }

        var type: ValueType
        if blocks.last == "sweep" {
            guard let stage, let section = snapshot.parsed.unit.sections.first(where: { $0.keyword.name == "stage" && $0.name?.name == stage }),
                  let param = SchemaLookup.axisTarget(key, stage: section) else { return nil }
            type = .list(param.type, nonEmpty: false)
        } else {
            guard let param = SchemaLookup.section(path: blocks)?.key(key.joined(separator: ".")) else { return nil }
            type = param.type
        }
        var fieldPath = key
        for index in (blockIndex + 1)..<levels.count {
            let level = levels[index]
            let own = tokens[level.itemStart...].filter { $0.kind != .newline }
            let labelled: String? = own.count >= 2 && own[0].kind == .identifier && own[1].kind == .colon ? text(own[0]) : nil
            let isLast = index == levels.count - 1
            switch level.frame {
            case .paren(let callee):
                guard let call = SchemaLookup.call(callee, for: type) else { return nil }
                if let labelled {
                    guard let param = call.param(labelled) else { return nil }
                    type = param.type
                    fieldPath.append(labelled)
                } else {
                    let positional = SchemaLookup.parameter(of: call, label: nil, index: level.commas)
                    if own.isEmpty, isLast { return CompletionContext(place: .argument(call, positional: positional, blocks: blocks, stage: stage), replace: replace) }
                    guard let positional else { return nil }
                    type = positional.type
                    fieldPath.append(positional.name)
                }
            case .bracket:
                type = SchemaLookup.element(of: type)
            case .record:
                guard let fields = SchemaLookup.recordFields(of: type) else { return nil }
                if let labelled, let field = fields.first(where: { $0.name == labelled }) {
                    type = field.type
                    fieldPath.append(labelled)
                } else {
                    if own.isEmpty, isLast { return CompletionContext(place: .field(fields), replace: replace) }
                    return nil
                }
            case .block:
                return nil
            }
        }
        return CompletionContext(place: .value(type, key: fieldPath, blocks: blocks, stage: stage, data: data, inString: inString), replace: replace)
    }

    /// Tokens the cursor may be in the middle of typing.
    private static func isPartial(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .number, .unterminatedString: true
        default: token.kind.isKeyword
        }
    }
}
