import DSL
import XCTest

final class LexerTests: XCTestCase {
    private func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(SourceFile(path: "t", text: text)).map(\.kind)
    }

    private func texts(_ text: String) -> [String] {
        let file = SourceFile(path: "t", text: text)
        return Lexer.tokenize(file).map { file.text($0.span) }
    }

    func testPunctuationAndOperators() {
        XCTAssertEqual(kinds("{}()[],:.= == != < <= > >= + - * /"), [
            .leftBrace, .rightBrace, .leftParen, .rightParen, .leftBracket, .rightBracket, .comma, .colon, .dot,
            .equal, .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual, .plus, .minus, .star, .slash, .eof,
        ])
    }

    func testKeywordsAndIdentifiers() {
        XCTAssertEqual(kinds("true false and or not where whereas _x9 notx"), [
            .keywordTrue, .keywordFalse, .keywordAnd, .keywordOr, .keywordNot, .keywordWhere,
            .identifier, .identifier, .identifier, .eof,
        ])
    }

    func testNumbers() {
        XCTAssertEqual(texts("64 2e-5 1.5 1E+3 0.05 2epochs 1.x 3e"), ["64", "2e-5", "1.5", "1E+3", "0.05", "2", "epochs", "1", ".", "x", "3", "e", ""])
        XCTAssertEqual(kinds(".5"), [.dot, .number, .eof])
    }

    func testStringsAndEscapes() {
        let file = SourceFile(path: "t", text: #""a \"b\" \\ \n" "x""#)
        let tokens = Lexer.tokenize(file)
        XCTAssertEqual(tokens.map(\.kind), [.string, .string, .eof])
        XCTAssertEqual(StringLiteral.decode(file.bytes, tokens[0].span).value, "a \"b\" \\ \n")
        XCTAssertEqual(StringLiteral.quote("a\"b\\c\nd\te"), #""a\"b\\c\nd\te""#)
    }

    func testUnterminatedStringStopsAtLineEnd() {
        let file = SourceFile(path: "t", text: "a = \"abc\nb = 1")
        let tokens = Lexer.tokenize(file)
        XCTAssertEqual(tokens.map(\.kind), [.identifier, .equal, .unterminatedString, .newline, .identifier, .equal, .number, .eof])
        XCTAssertEqual(file.text(tokens[2].span), "\"abc")
    }

    func testCommentsAndNewlines() {
        let file = SourceFile(path: "t", text: "a # note\r\n\n# whole\n")
        let tokens = Lexer.tokenize(file)
        XCTAssertEqual(tokens.map(\.kind), [.identifier, .comment, .newline, .newline, .comment, .newline, .eof])
        XCTAssertEqual(file.text(tokens[1].span), "# note")
        XCTAssertEqual(tokens.last?.span, Span(start: file.bytes.count, end: file.bytes.count))
    }

    func testInvalidBytesBecomeOneTokenPerRun() {
        let file = SourceFile(path: "t", bytes: Array("a @$% b".utf8) + [0xFF, 0xFE] + Array(" é;".utf8))
        let tokens = Lexer.tokenize(file)
        XCTAssertEqual(tokens.map(\.kind), [.identifier, .invalid, .identifier, .invalid, .invalid, .eof])
        XCTAssertEqual(file.text(tokens[1].span), "@$%")
        XCTAssertEqual(tokens[3].span.length, 2)
        XCTAssertEqual(file.text(tokens[4].span), "é;")
    }

    func testSpansAreByteRanges() {
        let file = SourceFile(path: "t", text: "é = 1")
        let tokens = Lexer.tokenize(file)
        XCTAssertEqual(tokens[0].span, Span(start: 0, end: 2))
        XCTAssertEqual(tokens[1].span, Span(start: 3, end: 4))
        XCTAssertEqual(tokens[2].span, Span(start: 5, end: 6))
    }

    func testUTF8Validation() {
        XCTAssertNil(UTF8Scan.firstInvalid(Array("añ€😀".utf8), in: 0..<10))
        XCTAssertEqual(UTF8Scan.firstInvalid([0x61, 0xC0, 0x80], in: 0..<3), 1)  // overlong
        XCTAssertEqual(UTF8Scan.firstInvalid([0xED, 0xA0, 0x80], in: 0..<3), 0)  // surrogate
        XCTAssertEqual(UTF8Scan.firstInvalid([0x61, 0xE2, 0x82], in: 0..<3), 1)  // truncated
    }
}
