import DSL
import Foundation
import Support
import XCTest

/// The VS Code grammar (`editors/vscode/syntaxes/ftx.tmLanguage.json`) against the lexer:
/// it is valid JSON, and on every example (and every checker fixture) its patterns
/// classify comments, strings, numbers and keywords exactly where the lexer finds them,
/// and give no other token one of those classes. The patterns run through a small
/// TextMate-style matcher over `NSRegularExpression` (ICU); the grammar keeps to the
/// regex syntax ICU and Oniguruma (VS Code's engine) share.
final class GrammarTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let grammarPath = root.appendingPathComponent("editors/vscode/syntaxes/ftx.tmLanguage.json")

    /// What the test compares: the lexer's classes, and everything else.
    enum TokenClass: String {
        case comment, string, number, keyword, other
    }

    /// The grammar's scopes for the lexer's classes; any other scope is `other`.
    static let classOfScope: [String: TokenClass] = [
        "comment.line.number-sign.ftx": .comment,
        "string.quoted.double.ftx": .string,
        "constant.numeric.ftx": .number,
        "constant.language.boolean.ftx": .keyword,
        "keyword.operator.word.ftx": .keyword,
    ]

    /// One `match` pattern: its regex, the scope of the whole match and of its capture groups.
    struct Rule {
        var regex: NSRegularExpression
        var name: String?
        var captures: [Int: String]
    }

    /// The grammar's top-level patterns in order, `include`s of the repository expanded.
    static func rules() throws -> [Rule] {
        let json = try JSONParser.parse(try Data(contentsOf: grammarPath))
        XCTAssertEqual(json["scopeName"]?.stringValue, "source.ftx")
        let repository = json["repository"]
        func expand(_ pattern: JSONValue) throws -> [Rule] {
            if let include = pattern["include"]?.stringValue {
                guard include.hasPrefix("#"), let target = repository?[String(include.dropFirst())] else {
                    throw GrammarError("unknown include `\(include)`")
                }
                return try expand(target)
            }
            if let nested = pattern["patterns"]?.arrayValue { return try nested.flatMap(expand) }
            guard let match = pattern["match"]?.stringValue else {
                throw GrammarError("a pattern without `match` (begin/end rules are not used by this grammar)")
            }
            var captures: [Int: String] = [:]
            if case .object(let members)? = pattern["captures"] {
                for (key, value) in members {
                    guard let group = Int(key), let name = value["name"]?.stringValue else { throw GrammarError("bad capture `\(key)`") }
                    captures[group] = name
                }
            }
            return [Rule(regex: try NSRegularExpression(pattern: match), name: pattern["name"]?.stringValue, captures: captures)]
        }
        return try (json["patterns"]?.arrayValue ?? []).flatMap(expand)
    }

    struct GrammarError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The class of each UTF-16 unit of `line`, as a TextMate tokenizer scopes it: from
    /// the current position, the pattern whose match starts first wins (the earlier
    /// pattern on a tie); the scan resumes after its match.
    static func classify(_ line: String, rules: [Rule]) -> [TokenClass] {
        let text = line as NSString
        var classes = [TokenClass](repeating: .other, count: text.length)
        var position = 0
        while position < text.length {
            var best: (match: NSTextCheckingResult, rule: Rule)?
            for rule in rules {
                // Transparent, non-anchoring bounds: look-behind sees the text before the
                // position, and `^` matches only at the start of the line, as in TextMate.
                guard let match = rule.regex.firstMatch(in: line, options: [.withTransparentBounds, .withoutAnchoringBounds],
                                                        range: NSRange(location: position, length: text.length - position)) else { continue }
                if best == nil || match.range.location < best!.match.range.location { best = (match, rule) }
            }
            guard let (match, rule) = best else { break }
            func paint(_ range: NSRange, _ scope: String?) {
                guard let scope, range.location != NSNotFound else { return }
                let c = classOfScope[scope] ?? .other
                for i in range.location..<(range.location + range.length) { classes[i] = c }
            }
            paint(match.range, rule.name)
            for (group, scope) in rule.captures where group < match.numberOfRanges { paint(match.range(at: group), scope) }
            position = match.range.length > 0 ? match.range.location + match.range.length : match.range.location + 1
        }
        return classes
    }

    /// The lexer's class of a token kind.
    static func lexerClass(_ kind: TokenKind) -> TokenClass {
        switch kind {
        case .comment: return .comment
        case .string, .unterminatedString: return .string
        case .number: return .number
        default: return kind.isKeyword ? .keyword : .other
        }
    }

    /// Every mismatch between the lexer's and the grammar's classes in `file`, as `LINE:COL: …`.
    static func mismatches(in file: SourceFile, rules: [Rule]) -> [String] {
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        let grammar = lines.map { classify($0, rules: rules) }
        var out: [String] = []
        for token in Lexer.tokenize(file) where ![.newline, .eof, .invalid].contains(token.kind) {
            let expected = lexerClass(token.kind)
            let start = file.location(of: token.span.start)
            // The token's UTF-16 range in its line (NSString counts UTF-16 units).
            let lineStart = file.lineStarts[start.line - 1]
            let first = String(decoding: file.bytes[lineStart..<token.span.start], as: UTF8.self).utf16.count
            let length = String(decoding: file.bytes[token.span.start..<token.span.end], as: UTF8.self).utf16.count
            let found = grammar[start.line - 1][first..<min(first + length, grammar[start.line - 1].count)]
            if let wrong = found.first(where: { $0 != expected }) {
                out.append("\(start.line):\(start.column): `\(file.text(token.span))` is \(expected.rawValue) to the lexer, \(wrong.rawValue) to the grammar")
            }
        }
        return out
    }

    private static func files(in directory: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".ftx") && $0 != ".ftx" }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    func testGrammarIsValidJSONWithTheLanguagesScope() throws {
        let rules = try Self.rules()
        XCTAssertGreaterThan(rules.count, 10)
        let manifest = try JSONParser.parse(try Data(contentsOf: Self.root.appendingPathComponent("editors/vscode/package.json")))
        XCTAssertEqual(manifest["contributes"]?["languages"]?.arrayValue?.first?["extensions"]?.arrayValue?.first?.stringValue, ".ftx")
        XCTAssertEqual(manifest["contributes"]?["grammars"]?.arrayValue?.first?["scopeName"]?.stringValue, "source.ftx")
        let configuration = try JSONParser.parse(try Data(contentsOf: Self.root.appendingPathComponent("editors/vscode/language-configuration.json")))
        XCTAssertEqual(configuration["comments"]?["lineComment"]?.stringValue, "#", "the lexer's comment")
    }

    func testGrammarClassifiesTheExamplesAsTheLexerDoes() throws {
        let rules = try Self.rules()
        let examples = Self.files(in: Self.root.appendingPathComponent("experiments"))
        XCTAssertEqual(examples.count, 5)
        var tokens = 0
        for url in examples {
            let file = try SourceFile.load(path: url.path)
            tokens += Lexer.tokenize(file).count
            let wrong = Self.mismatches(in: file, rules: rules)
            XCTAssertTrue(wrong.isEmpty, "\(url.lastPathComponent):\n" + wrong.prefix(20).joined(separator: "\n"))
        }
        XCTAssertGreaterThan(tokens, 500)
    }

    /// The checker's fixtures: hundreds of files, many with mistakes (unterminated strings,
    /// numbers glued to names, keywords as names), each lexed as the examples are.
    func testGrammarClassifiesEveryFixtureAsTheLexerDoes() throws {
        let rules = try Self.rules()
        let fixtures = Self.files(in: Self.root.appendingPathComponent("Tests/CompilerTests/Fixtures"))
        XCTAssertGreaterThan(fixtures.count, 50)
        for url in fixtures {
            let file = try SourceFile.load(path: url.path)
            let wrong = Self.mismatches(in: file, rules: rules)
            XCTAssertTrue(wrong.isEmpty, "\(url.lastPathComponent):\n" + wrong.prefix(20).joined(separator: "\n"))
        }
    }

    /// Tricky spellings, one per line, each classified by hand as the lexer reads it.
    func testEdgeCasesOfTheLexer() throws {
        let rules = try Self.rules()
        let text = """
            layer0 = 2epochs # a comment with "quotes"
            x = 1.x
            y = 2e-5 and true_ or not(false)
            s = "esc \\" quote" + "open
            where1 = e5 where 3E+2
            """
        let file = SourceFile(path: "edge.ftx", text: text)
        XCTAssertEqual(Self.mismatches(in: file, rules: rules), [])
        let classes = Lexer.tokenize(file).filter { ![.newline, .eof].contains($0.kind) }.map { "\(file.text($0.span))=\(Self.lexerClass($0.kind).rawValue)" }
        XCTAssertTrue(classes.contains("2=number") && classes.contains("epochs=other") && classes.contains("true_=other") && classes.contains("3E+2=number"), "\(classes)")
    }
}
