import DSL
import XCTest

final class ParserTests: XCTestCase {
    func testExamplesParseWithoutDiagnostics() {
        XCTAssertGreaterThanOrEqual(Fixtures.exampleFiles.count, 7, "experiments/ and the golden trajectories")
        for file in Fixtures.exampleFiles {
            let (unit, diagnostics) = Parser.parse(file)
            XCTAssertEqual(diagnostics.map(\.message), [], file.path)
            XCTAssertFalse(unit.sections.isEmpty, file.path)
        }
    }

    func testSectionsAndSettings() {
        let (unit, diagnostics) = parse("""
        stage finetune {
          optimizer.lr = 1e-3
          schedule {
            epochs = 2
          }
          sweep random(trials: 16, seed: 3) {
            x = 1
          }
          sweep grid {}
        }
        """)
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(unit.dump(), """
        (section stage (ref finetune)
          (setting optimizer.lr (number 1e-3 =0.001))
          (section schedule
            (setting epochs (number 2 =2.0))
          )
          (section sweep (call random trials:(number 16 =16.0) seed:(number 3 =3.0))
            (setting x (number 1 =1.0))
          )
          (section sweep (ref grid)
          )
        )

        """)
        XCTAssertEqual(unit.sections[0].name?.name, "finetune")
    }

    func testSpans() {
        let text = "stage a {\n  lr = f(1, k: [2])\n}\n"
        let (unit, _) = parse(text)
        let section = unit.sections[0]
        XCTAssertEqual(section.span, Span(start: 0, end: 31))
        XCTAssertEqual(section.bodySpan, Span(start: 8, end: 31))
        XCTAssertEqual(section.keyword.span, Span(start: 0, end: 5))
        guard case .setting(let setting) = section.items[0] else { return XCTFail() }
        XCTAssertEqual(setting.span, Span(start: 12, end: 29))
        XCTAssertEqual(setting.value.dump(spans: true), "(call f@17-18 (number 1 =1.0)@19-20 k@22-23:(list (number 2 =2.0)@26-27)@25-28)@17-29")
    }

    func testValues() {
        XCTAssertEqual(value("64")?.dump(), "(number 64 =64.0)")
        XCTAssertEqual(value("2 epochs")?.dump(), "(quantity (number 2 =2.0) epochs)")
        XCTAssertEqual(value("\"a\\tb\"")?.dump(), "(string \"a\\tb\")")
        XCTAssertEqual(value("true")?.dump(), "(bool true)")
        XCTAssertEqual(value("valid.accuracy")?.dump(), "(ref valid.accuracy)")
        XCTAssertEqual(value("[1, [], [2,],]")?.dump(), "(list (number 1 =1.0) (list) (list (number 2 =2.0)))")
        XCTAssertEqual(value("{metric: valid.loss, patience: 2}")?.dump(), "(record metric:(ref valid.loss) patience:(number 2 =2.0))")
        XCTAssertEqual(value("{}")?.dump(), "(record)")
        XCTAssertEqual(value("dense(128, activation: relu)")?.dump(), "(call dense (number 128 =128.0) activation:(ref relu))")
        XCTAssertEqual(value("-1e-3")?.dump(), "(- (number 1e-3 =0.001))")
    }

    func testMultiLineCallWithTrailingComma() {
        XCTAssertEqual(value("choice(\n    sgd(lr: 1),\n    adamw(),\n  )")?.dump(), "(call choice (call sgd lr:(number 1 =1.0)) (call adamw))")
    }

    func testPrecedence() {
        XCTAssertEqual(value("1 + 2 * 3 - 4 / 5")?.dump(),
                       "(- (+ (number 1 =1.0) (* (number 2 =2.0) (number 3 =3.0))) (/ (number 4 =4.0) (number 5 =5.0)))")
        XCTAssertEqual(value("(1 + 2) * -3")?.dump(), "(* (+ (number 1 =1.0) (number 2 =2.0)) (- (number 3 =3.0)))")
        XCTAssertEqual(value("cross_entropy() + 1e-4 * l2()")?.dump(),
                       "(+ (call cross_entropy) (* (number 1e-4 =0.0001) (call l2)))")
    }

    func testFilters() {
        XCTAssertEqual(value("digits where label >= 5")?.dump(), "(where (ref digits) (>= (ref label) (number 5 =5.0)))")
        XCTAssertEqual(value("d where a < 1 or not b == 2 and c != 3")?.dump(),
                       "(where (ref d) (or (< (ref a) (number 1 =1.0)) (and (not (== (ref b) (number 2 =2.0))) (!= (ref c) (number 3 =3.0)))))")
    }

    func testCommentsAreCollected() {
        let (unit, diagnostics) = parse("# a\nstage x { # b\n  y = 1 # c\n}\n# d")
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(unit.comments.map(\.text), ["# a", "# b", "# c", "# d"])
    }

    // MARK: Errors and recovery

    func testRecoveryReportsEveryErrorOnce() {
        let text = """
        experiment x {
          seed = 0 1
          lr cosine(warmup: 0.05)
          name = "abc
          a = [1, 2
          b = 3
          c = {metric = valid.loss}
          d = f(lr = 1)
          e = 1 < 2 < 3
          ok = 1
        }
        """
        XCTAssertEqual(positions(text), [
            "2:12 E0015", "3:6 E0013", "4:10 E0003", "5:12 E0034", "7:15 E0036", "8:12 E0037", "9:13 E0039",
        ])
        // `b` and `ok` survive the errors around them.
        let keys = parse(text).0.sections[0].items.compactMap { item -> String? in
            if case .setting(let s) = item { return s.key.text }
            return nil
        }
        XCTAssertTrue(keys.contains("b") && keys.contains("ok"), "\(keys)")
    }

    func testTopLevelErrors() {
        XCTAssertEqual(positions("seed = 1\n)\n42\nstage a {}\n"), ["1:1 E0011", "2:1 E0018", "3:1 E0010"])
    }

    func testSectionHeaderErrors() {
        XCTAssertEqual(positions("stage a b {\n  x = 1\n}\nstage c {\n  y 2\n}\n"), ["1:9 E0016", "5:5 E0013"])
    }

    func testValueErrors() {
        XCTAssertEqual(positions("e x {\n  a =\n  b = .5\n  c = valid.\n  d = [1\n    2]\n  f = (1 2)\n  g = where\n}"),
                       ["2:6 E0014", "3:7 E0006", "4:13 E0031", "6:5 E0033", "7:10 E0040", "8:7 E0019"])
        XCTAssertEqual(positions("e x {\n  a = f(k: 1, 2)\n  b = {1: 2}\n  c = 1e999\n  d = x where y = 1\n}"),
                       ["2:15 E0038", "3:8 E0035", "4:7 E0007", "5:17 E0015"])
    }

    func testLexicalErrors() {
        XCTAssertEqual(positions("e x {\n  a = @\n  b = \"\\q\"\n  c = \"x\u{1}\"\n}"), ["2:7 E0001", "3:8 E0004", "4:9 E0005"])
        let file = SourceFile(path: "t", bytes: Array("e x {\n  a = \"".utf8) + [0xFF] + Array("\"\n}\n# \u{1}".utf8) + [0xC3])
        XCTAssertEqual(Parser.parse(file).1.map(\.code), [.invalidUTF8, .invalidUTF8])
    }

    func testUnclosedSectionPointsAtSuspectBrace() {
        let text = "stage a {\n  schedule {\n    x = 1\n}\nstage b {\n  y = 2\n}\n"
        let diagnostics = parse(text).1
        XCTAssertEqual(diagnostics.map(\.code), [.unclosedSection])
        XCTAssertEqual(diagnostics[0].primary.span, Span(start: 8, end: 9))
        XCTAssertEqual(diagnostics[0].secondary.map(\.span.start), [text.utf8.count, 33])
    }

    func testUnclosedBracketBeforeNextSetting() {
        let (unit, diagnostics) = parse("e x {\n  a = f(1,\n  b = 2\n}\n")
        XCTAssertEqual(diagnostics.map(\.code), [.unclosedDelimiter])
        XCTAssertEqual(diagnostics[0].secondary.map(\.message), ["unclosed `(` opened here"])
        XCTAssertEqual(unit.sections[0].items.count, 2)
    }

    func testFixIts() {
        let diagnostics = parse("e x {\n  lr: 1\n  m 2\n}").1
        XCTAssertEqual(diagnostics.map(\.fixIts), [
            [FixIt(span: Span(start: 10, end: 11), replacement: "=")],
            [FixIt(span: Span(start: 17, end: 17), replacement: " =")],
        ])
    }

    func testDepthIsCapped() {
        let deep = "e x {\n  a = " + String(repeating: "[", count: 5_000) + "\n}\n"
        XCTAssertEqual(parse(deep).1.map(\.code), [.nestingTooDeep])
        let ok = "e x {\n  a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n}\n"
        XCTAssertEqual(parse(ok).1, [])
    }

    func testErrorCountIsCapped() {
        let diagnostics = parse(String(repeating: "@\n", count: 500)).1
        XCTAssertEqual(diagnostics.count, Parser.maxErrors + 1)
        XCTAssertEqual(diagnostics.last?.code, .tooManyErrors)
    }

    func testDiagnosticCodesAreDistinct() {
        // Every code the parser emits in this file's inputs is in E0001–E0099.
        let all = [
            "e x {\n a = @ }", "x = 1", "stage a b {}", "e x { a b }", "e x {\n a = \n}", "e x {\n a = 1 2\n}",
        ].flatMap { parse($0).1 }
        for diagnostic in all {
            let number = Int(diagnostic.code.rawValue.dropFirst())!
            XCTAssertTrue((1...99).contains(number), diagnostic.code.rawValue)
        }
    }
}
