/// Every message the lexer and parser can produce, one static factory each,
/// kept in alphabetical order. Codes are stable (`E0001`–`E0099` are syntax;
/// the checker uses `E0100` and up): tests and scripts key on them, so a code
/// is never reused for a different mistake.
///
/// Wording: say what was expected and what was found, name the construct, and
/// put the fix in a help line.
public enum ParserDiagnostics {
    /// `a < b < c`.
    public static func chainedComparison(_ op: Span, previous: Span) -> Diagnostic {
        Diagnostic(
            code: .chainedComparison, message: "comparison operators cannot be chained",
            primary: Label(op, "second comparison"),
            secondary: [Label(previous, "first comparison")],
            help: ["combine the comparisons with `and`: `a < b and b < c`"])
    }

    /// A raw control character (other than tab) inside a string literal.
    public static func controlCharacterInString(_ span: Span) -> Diagnostic {
        Diagnostic(
            code: .controlCharacterInString, message: "control character in string",
            primary: Label(span, "not allowed in a string"),
            help: ["write a line break as `\\n` and a tab as `\\t`"])
    }

    /// `optimizer.lr { … }`.
    public static func dottedSectionKeyword(_ span: Span, name: String) -> Diagnostic {
        Diagnostic(
            code: .dottedSectionKeyword, message: "section name `\(name)` cannot be dotted",
            primary: Label(span, "a section starts with a plain keyword"),
            help: ["write a section as `keyword name { … }`, or a setting as `\(name) = value`"])
    }

    /// `x = [1, 2 3]`: something other than `,` or the closing bracket after an element.
    public static func expectedCommaOrClose(found: String, at span: Span, container: String, closer: String) -> Diagnostic {
        Diagnostic(
            code: .expectedCommaOrClose, message: "expected `,` or `\(closer)` after an element of \(container), found \(found)",
            primary: Label(span, "expected `,` or `\(closer)` here"),
            help: ["separate the elements of \(container) with commas"])
    }

    /// `(1 + 2 3)`.
    public static func expectedClosingParen(found: String, at span: Span, open: Span) -> Diagnostic {
        Diagnostic(
            code: .expectedClosingParen, message: "expected `)` to close the parenthesized expression, found \(found)",
            primary: Label(span, "expected `)` here"),
            secondary: [Label(open, "`(` opened here")])
    }

    /// `lr cosine(warmup: 0.05)` or `lr: 1e-3` at the start of an item.
    public static func expectedEquals(key: String, keySpan: Span, found: String, at span: Span, replaceFound: Bool) -> Diagnostic {
        let fix = replaceFound
            ? FixIt(span: span, replacement: "=")
            : FixIt(span: Span(start: keySpan.end, end: keySpan.end), replacement: " =")
        return Diagnostic(
            code: .expectedEquals, message: "expected `=` after setting key `\(key)`, found \(found)",
            primary: Label(span, "expected `=` here"),
            help: ["write a setting as `\(key) = value`, or a section as `\(key) name { … }`"],
            fixIts: [fix])
    }

    /// A value was expected (after `=`, an operator, a `,` …).
    public static func expectedExpression(found: String, at span: Span, after: String?) -> Diagnostic {
        let message = after.map { "expected a value after \($0), found \(found)" } ?? "expected a value, found \(found)"
        return Diagnostic(
            code: .expectedExpression, message: message,
            primary: Label(span, "expected a value here"),
            help: ["a value is a number (`64`, `2e-5`), a string, `true`/`false`, a name (`relu`, `valid.loss`), a list `[a, b]`, a record `{k: v}` or a call `f(x, k: v)`"])
    }

    /// `{metric = valid.loss}`.
    public static func expectedFieldColon(field: String, found: String, at span: Span, isEquals: Bool) -> Diagnostic {
        Diagnostic(
            code: .expectedFieldColon, message: "expected `:` after record field `\(field)`, found \(found)",
            primary: Label(span, "expected `:` here"),
            help: ["write a record as `{\(field): value}`"],
            fixIts: isEquals ? [FixIt(span: span, replacement: ":")] : [])
    }

    /// `{1: 2}` or `{"a": 1}`.
    public static func expectedFieldName(found: String, at span: Span) -> Diagnostic {
        Diagnostic(
            code: .expectedFieldName, message: "expected a field name in record, found \(found)",
            primary: Label(span, "expected a name here"),
            help: ["write a record as `{metric: valid.loss, patience: 2}`"])
    }

    /// Something that is neither a setting nor a section inside a section body.
    public static func expectedItem(found: String, at span: Span, section: String) -> Diagnostic {
        Diagnostic(
            code: .expectedItem, message: "expected a setting or a section in `\(section)`, found \(found)",
            primary: Label(span, "expected `key = value` or `keyword { … }`"),
            help: ["write one setting per line, such as `epochs = 10`"])
    }

    /// `lr = 1e-3 2e-3`: more after a complete setting value.
    public static func expectedLineEnd(key: String, found: String, at span: Span, compare: Bool) -> Diagnostic {
        var help = ["settings are one per line: start a new line after the value of `\(key)`"]
        if compare { help = ["to compare in a filter, write `==`: `data = digits where label == 5`"] }
        return Diagnostic(
            code: .expectedLineEnd, message: "expected a line break after the value of `\(key)`, found \(found)",
            primary: Label(span, "unexpected \(found)"),
            help: help)
    }

    /// `valid.` or `layers.0`.
    public static func expectedNameAfterDot(found: String, at span: Span, prefix: String) -> Diagnostic {
        Diagnostic(
            code: .expectedNameAfterDot, message: "expected a name after `\(prefix).`, found \(found)",
            primary: Label(span, "expected a name here"),
            help: ["a dotted name is made of plain names (`valid.accuracy`); write a layer path as a string: `\"layers.0\"`"])
    }

    /// `stage x y {`.
    public static func expectedSectionBody(header: String, found: String, at span: Span) -> Diagnostic {
        Diagnostic(
            code: .expectedSectionBody, message: "expected `{` after `\(header)`, found \(found)",
            primary: Label(span, "expected `{` here"),
            help: ["write a section as `keyword name { … }`"])
    }

    /// Anything but a section at the top level of a file.
    public static func expectedTopLevelSection(found: String, at span: Span) -> Diagnostic {
        Diagnostic(
            code: .expectedTopLevelSection, message: "expected a section such as `stage name { … }`, found \(found)",
            primary: Label(span, "expected a section here"),
            help: ["a file holds sections: `experiment`, `data`, `model`, `stage`"])
    }

    /// A `\` escape in a string that the language does not define.
    public static func invalidEscape(_ span: Span, escape: String) -> Diagnostic {
        Diagnostic(
            code: .invalidEscape, message: "unknown escape `\(escape)` in string",
            primary: Label(span, "unknown escape"),
            help: ["the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write a backslash as `\\\\`"])
    }

    /// Bytes that are not UTF-8.
    public static func invalidUTF8(_ span: Span) -> Diagnostic {
        Diagnostic(
            code: .invalidUTF8, message: "invalid UTF-8 in source file",
            primary: Label(span, "not UTF-8"),
            help: ["save the file as UTF-8"])
    }

    /// `[1\n 2]`: a line break between elements but no comma.
    public static func missingComma(after span: Span, next: Span, container: String) -> Diagnostic {
        Diagnostic(
            code: .missingComma, message: "expected `,` between the elements of \(container)",
            primary: Label(next, "expected `,` before this element"),
            help: ["add `,` at the end of the previous line"],
            fixIts: [FixIt(span: Span(start: span.end, end: span.end), replacement: ",")])
    }

    /// `lr =` with nothing after it.
    public static func missingValue(key: String, at span: Span, found: String) -> Diagnostic {
        Diagnostic(
            code: .missingValue, message: "missing value after `=` in setting `\(key)`, found \(found)",
            primary: Label(span, "expected a value here"),
            help: ["give the value on the same line: `\(key) = 1e-3`"])
    }

    /// `f(lr = 1e-3)`.
    public static func namedArgumentWithEquals(name: String, equals span: Span) -> Diagnostic {
        Diagnostic(
            code: .namedArgumentWithEquals, message: "expected `:` after argument name `\(name)`, found `=`",
            primary: Label(span, "use `:` here"),
            help: ["named arguments use `:`, as in `adamw(\(name): 1e-3)`"],
            fixIts: [FixIt(span: span, replacement: ":")])
    }

    /// More nesting than the parser follows.
    public static func nestingTooDeep(_ span: Span, limit: Int) -> Diagnostic {
        Diagnostic(
            code: .nestingTooDeep, message: "nesting is too deep (more than \(limit) levels)",
            primary: Label(span, "too deeply nested"),
            help: ["split the value into simpler parts"])
    }

    /// `.5`.
    public static func numberWithLeadingDot(_ span: Span, digits: String) -> Diagnostic {
        Diagnostic(
            code: .numberWithLeadingDot, message: "a number must start with a digit: `.\(digits)`",
            primary: Label(span, "write `0.\(digits)`"),
            help: ["write `0.\(digits)`"],
            fixIts: [FixIt(span: span, replacement: "0.\(digits)")])
    }

    /// `1e999`.
    public static func numberOutOfRange(_ span: Span, text: String) -> Diagnostic {
        Diagnostic(
            code: .numberOutOfRange, message: "number `\(text)` is too large",
            primary: Label(span, "does not fit a 64-bit float"),
            help: ["numbers must be below 1.8e308 in magnitude"])
    }

    /// `f(a: 1, 2)`.
    public static func positionalAfterNamed(_ span: Span, firstNamed: Span) -> Diagnostic {
        Diagnostic(
            code: .positionalAfterNamed, message: "positional argument after named arguments",
            primary: Label(span, "positional argument"),
            secondary: [Label(firstNamed, "first named argument")],
            help: ["put positional arguments first: `dense(128, activation: relu)`"])
    }

    /// `where = 1`: a keyword where a name is needed.
    public static func reservedWord(_ span: Span, word: String) -> Diagnostic {
        Diagnostic(
            code: .reservedWord, message: "`\(word)` is a reserved word and cannot be used as a name",
            primary: Label(span, "reserved word"),
            help: ["`true`, `false`, `and`, `or`, `not` and `where` are reserved"])
    }

    /// `seed = 0` outside any section.
    public static func settingOutsideSection(_ span: Span, key: String) -> Diagnostic {
        Diagnostic(
            code: .settingOutsideSection, message: "setting `\(key)` must be inside a section",
            primary: Label(span, "outside any section"),
            help: ["put it in a section, such as `experiment name { \(key) = … }`"])
    }

    /// Reported once when a file has so many errors that the rest are dropped.
    public static func tooManyErrors(_ span: Span, limit: Int) -> Diagnostic {
        Diagnostic(
            code: .tooManyErrors, message: "too many syntax errors; stopped after \(limit)",
            primary: Label(span, "more errors from here on"),
            help: ["fix the errors above and run again"])
    }

    /// `[1, 2}` or `f(1` followed by a new setting: a bracket that is never closed.
    public static func unclosedDelimiter(open: Span, opener: String, closer: String, found: String, at span: Span) -> Diagnostic {
        Diagnostic(
            code: .unclosedDelimiter, message: "expected `\(closer)` to close `\(opener)`, found \(found)",
            primary: Label(span, "expected `\(closer)` here"),
            secondary: [Label(open, "unclosed `\(opener)` opened here")],
            help: ["add `\(closer)` to close `\(opener)`"])
    }

    /// A section whose `{` is never closed. `suspect` is a `}` whose indentation
    /// suggests it was meant for an outer section.
    public static func unclosedSection(open: Span, header: String, end: Span, suspect: Span?) -> Diagnostic {
        var secondary = [Label(end, "the file ends here")]
        var notes: [String] = []
        if let suspect {
            secondary.append(Label(suspect, "this `}` is indented like an outer section"))
            notes.append("a `}` may be missing before the marked `}`")
        }
        return Diagnostic(
            code: .unclosedSection, message: "unclosed `{` of `\(header)`",
            primary: Label(open, "unclosed `{` opened here"),
            secondary: secondary, notes: notes,
            help: ["add `}` after the last item of `\(header)`"])
    }

    /// A byte or character that starts no token (`@`, `;`, `é` outside a string).
    public static func unexpectedCharacter(_ span: Span, text: String) -> Diagnostic {
        Diagnostic(
            code: .unexpectedCharacter, message: "unexpected character\(text.unicodeScalars.count > 1 ? "s" : "") `\(text)`",
            primary: Label(span, "not part of the language"),
            help: ["names are ASCII letters, digits and `_`; other text belongs in a string (`\"…\"`) or a comment (`# …`)"])
    }

    /// A `)`, `]` or `}` with nothing to close.
    public static func unexpectedClosingDelimiter(_ span: Span, delimiter: String) -> Diagnostic {
        Diagnostic(
            code: .unexpectedClosingDelimiter, message: "unexpected `\(delimiter)` with nothing to close",
            primary: Label(span, "no matching opening bracket"),
            help: ["remove it, or add the opening bracket it closes"])
    }

    /// A string with no closing quote on its line.
    public static func unterminatedString(_ span: Span) -> Diagnostic {
        Diagnostic(
            code: .unterminatedString, message: "unterminated string",
            primary: Label(span, "this string has no closing `\"`"),
            help: ["end the string with `\"` on the same line; write a line break inside a string as `\\n`"])
    }
}
