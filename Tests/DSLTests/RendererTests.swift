import DSL
import XCTest

final class RendererTests: XCTestCase {
    private func diagnostic(_ span: Span, secondary: [Label] = []) -> Diagnostic {
        Diagnostic(code: .unknownKey, message: "unknown key `lrr` in `schedule`", primary: Label(span, "not a key of `schedule`"),
                   secondary: secondary, notes: ["a note"], help: ["did you mean `lr`?"])
    }

    func testHumanLayout() {
        let file = SourceFile(path: "experiments/x.ftx", text: "schedule {\n  lrr = cosine(warmup: 0.05)\n}\n")
        let rendered = DiagnosticRenderer.render(diagnostic(Span(start: 13, end: 16)), in: file)
        XCTAssertEqual(rendered, """
        experiments/x.ftx:2:3: error[E0148]: unknown key `lrr` in `schedule`
          |
        2 |   lrr = cosine(warmup: 0.05)
          |   ^^^ not a key of `schedule`
          |
          = note: a note
          = help: did you mean `lr`?

        """)
    }

    func testSecondaryLabelsOnOtherLines() {
        let text = (1...12).map { "line\($0)" }.joined(separator: "\n")
        let file = SourceFile(path: "f", text: text)
        let start9 = file.lineStarts[8], start12 = file.lineStarts[11]
        let d = Diagnostic(code: .unclosedSection, message: "m", primary: Label(Span(start: start12, end: start12 + 4), "here"),
                           secondary: [Label(Span(start: start9, end: start9 + 1), "there")])
        XCTAssertEqual(DiagnosticRenderer.render(d, in: file), """
        f:12:1: error[E0017]: m
           |
         9 | line9
           | - there
        ...
        12 | line12
           | ^^^^ here

        """)
    }

    func testCaretAlignsAfterTabsAndMultibyteCharacters() {
        let text = "\tname = \"é€😀\" x\n"
        let file = SourceFile(path: "f", text: text)
        let x = text.utf8.count - 2
        let rendered = DiagnosticRenderer.render(
            Diagnostic(code: .expectedLineEnd, message: "m", primary: Label(Span(start: x, end: x + 1), "")), in: file)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(rendered.hasPrefix("f:1:15: "), rendered)  // columns count scalars: tab, é, € and 😀 are one each
        XCTAssertEqual(lines[2], "1 |     name = \"é€😀\" x")
        // `😀` takes two terminal cells, so the caret sits one further right than the scalar count.
        XCTAssertEqual(lines[3], "  |                   ^")
    }

    func testLongLineIsTruncatedAroundTheSpan() {
        let text = "a = [" + String(repeating: "1, ", count: 70_000) + "@]\n"
        let file = SourceFile(path: "f", text: text)
        let at = text.utf8.count - 3
        let rendered = DiagnosticRenderer.render(
            Diagnostic(code: .unexpectedCharacter, message: "m", primary: Label(Span(start: at, end: at + 1), "bad")), in: file)
        XCTAssertLessThan(rendered.utf8.count, 600)
        let lines = rendered.split(separator: "\n")
        XCTAssertTrue(lines[2].contains("…1, 1, "), String(lines[2]))
        let caretLine = String(lines[3]), sourceLine = String(lines[2])
        let caret = caretLine.unicodeScalars.firstIndex(of: "^")!
        let offset = caretLine.unicodeScalars.distance(from: caretLine.unicodeScalars.startIndex, to: caret)
        XCTAssertEqual(Array(sourceLine.unicodeScalars)[offset], "@")
    }

    func testEndOfFileSpanShownOnLastLine() {
        let file = SourceFile(path: "f", text: "stage a {\n  x = 1\n")
        let (_, diagnostics) = Parser.parse(file)
        let location = DiagnosticRenderer.location(of: diagnostics[0], in: file)
        XCTAssertEqual([location.line, location.column], [1, 9])
        XCTAssertTrue(DiagnosticRenderer.render(diagnostics[0], in: file).contains("2 |   x = 1\n  |        - the file ends here"))
    }

    func testColorVariant() {
        let file = SourceFile(path: "f", text: "x\n")
        let d = Diagnostic(severity: .warning, code: .emptySweep, message: "m", primary: Label(Span(start: 0, end: 1), "l"))
        let colored = DiagnosticRenderer.render(d, in: file, color: true)
        XCTAssertTrue(colored.contains("\u{1B}[1;33mwarning[W0100]:\u{1B}[0m"))
        XCTAssertTrue(colored.contains("\u{1B}[1;34m"))
        XCTAssertFalse(DiagnosticRenderer.render(d, in: file).contains("\u{1B}"))
    }

    func testJSON() {
        let file = SourceFile(path: "dir/\"q\".ftx", text: "schedule {\n  lrr = 1\n}\n")
        let json = DiagnosticRenderer.json(diagnostic(Span(start: 13, end: 16)), in: file)
        XCTAssertTrue(json.hasPrefix(#"{"type":"diagnostic","severity":"error","code":"E0148","message":"unknown key `lrr` in `schedule`","file":"dir/\"q\".ftx","line":2,"column":3,"rendered":"dir/\"q\".ftx:2:3: error[E0148]"#), json)
        XCTAssertFalse(json.contains("\n"))
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["rendered"] as? String, DiagnosticRenderer.render(diagnostic(Span(start: 13, end: 16)), in: file))
        XCTAssertEqual(DiagnosticRenderer.summaryJSON(files: 2, errors: 3, warnings: 0),
                       #"{"type":"summary","files":2,"errors":3,"warnings":0}"#)
        XCTAssertEqual(DiagnosticRenderer.summary(files: 1, errors: 2, warnings: 1), "2 errors, 1 warning in 1 file")
    }
}
