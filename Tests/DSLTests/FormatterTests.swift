import DSL
import XCTest

final class FormatterTests: XCTestCase {
    private func format(_ text: String) -> String? {
        Formatter.format(SourceFile(path: "t.ftx", text: text))
    }

    /// Formatting `text` is idempotent and keeps the meaning and every comment.
    private func assertCanonical(_ text: String, path: String = "t.ftx", file: StaticString = #filePath, line: UInt = #line) {
        guard let once = format(text) else { return XCTFail("\(path) did not format", file: file, line: line) }
        XCTAssertEqual(format(once), once, "\(path) is not idempotent", file: file, line: line)
        let before = Parser.parse(SourceFile(path: path, text: text)).0
        let after = Parser.parse(SourceFile(path: path, text: once)).0
        XCTAssertEqual(after.dump(), before.dump(), "\(path): formatting changed the meaning", file: file, line: line)
        XCTAssertEqual(after.comments.map { $0.text.trimmingCharacters(in: .whitespaces) },
                       before.comments.map { $0.text.trimmingCharacters(in: .whitespaces) },
                       "\(path): comments lost or reordered", file: file, line: line)
    }

    func testExamplesAreCanonicalAndIdempotent() {
        for source in Fixtures.exampleFiles {
            assertCanonical(source.text, path: source.path)
            XCTAssertEqual(Formatter.format(source), source.text, "\(source.path) is not in canonical form")
        }
    }

    func testCanonicalLayout() {
        let messy = """


        # header



        experiment   x{ # on brace
          seed=0   # trailing


          # lead
          lr = (1e-3)
          x = -(1 + 2) * 3 - (4 - 5)
          d = digits where (label >= 5 and label < 8)
          s = "tab\\there"
          l = [1,2,
            3, # three
            # before four
            4,
          ]
          r = {metric: valid.loss,patience: 2}
          long = [dense(128, activation: relu), dropout(0.1), dense(128, activation: relu), dense(128, activation: relu)]
          sched { }
          sweep random(trials: 16, # trials
             seed: 3) {
            a.b = choice(1, 2)
          }
          # end of body
        }
        stage y {
          q = 2 epochs
        } # after close
        # end of file
        """
        XCTAssertEqual(format(messy), """
        # header

        experiment x {  # on brace
          seed = 0  # trailing

          # lead
          lr = 1e-3
          x = -(1 + 2) * 3 - (4 - 5)
          d = digits where label >= 5 and label < 8
          s = "tab\\there"
          l = [
            1,
            2,
            3,  # three
            # before four
            4,
          ]
          r = {metric: valid.loss, patience: 2}
          long = [
            dense(128, activation: relu),
            dropout(0.1),
            dense(128, activation: relu),
            dense(128, activation: relu),
          ]
          sched {}
          sweep random(
            trials: 16,  # trials
            seed: 3,
          ) {
            a.b = choice(1, 2)
          }
          # end of body
        }

        stage y {
          q = 2 epochs
        }  # after close

        # end of file

        """)
        assertCanonical(messy)
    }

    func testParenthesesKeepMeaning() {
        for text in ["a - (b - c)", "(a - b) - c", "a / (b * c)", "-(a + b) * c", "not (a and b)", "(not a) == b",
                     "x where (a where b)", "(a < b) == c", "- -a", "not not a", "-(not a)", "a + (not b == c)",
                     "(a or b) and c", "a or b and c", "-2 epochs * 3"] {
            assertCanonical("e x {\n  v = \(text)\n}\n", path: text)
        }
        XCTAssertEqual(format("e x {\n  v = ((1)) + (2 * 3)\n}\n"), "e x {\n  v = 1 + 2 * 3\n}\n")
    }

    func testNumbersKeepTheirSpellingAndStringsAreReEscaped() {
        XCTAssertEqual(format("e x {\n  a = [1e-3, 0.001, 1E3, 007]\n  s = \"a\tb\"\n}"),
                       "e x {\n  a = [1e-3, 0.001, 1E3, 007]\n  s = \"a\\tb\"\n}\n")
    }

    func testBrokenInputIsNotFormatted() {
        XCTAssertNil(format("e x {\n  a = [1,\n"))
        XCTAssertNil(format("e x {\n  a = \"\\q\"\n}"))
        XCTAssertEqual(format(""), "")
        XCTAssertEqual(format("\n\n# only\n\n"), "# only\n")
    }

    func testNestedBreaking() {
        let inner = (1...12).map { "item_number_\($0)" }.joined(separator: ", ")
        let text = "e x {\n  v = outer(short(1), [\(inner)], k: {a: 1})\n}\n"
        XCTAssertEqual(format(text), """
        e x {
          v = outer(
            short(1),
            [
              item_number_1,
              item_number_2,
              item_number_3,
              item_number_4,
              item_number_5,
              item_number_6,
              item_number_7,
              item_number_8,
              item_number_9,
              item_number_10,
              item_number_11,
              item_number_12,
            ],
            k: {a: 1},
          )
        }

        """)
        assertCanonical(text)
    }

    func testCommentsInOddPlacesSurvive() {
        for text in [
            "e x {\n  v = [1, # a\n  -  # b\n  2]\n}\n",
            "e x {\n  v = f(k: # a\n  1)\n}\n",
            "e x {\n  v = [ # first\n  ]\n}\n",
            "e x { # a\n}\n# b\n",
            "e x { y = 1 } # z\n",
            "e x {\n  v = {a: 1, # a\n  b: (2 # two\n  )}\n}\n",
            "e # c\n x {}\n",
        ] {
            if format(text) == nil, Parser.parse(SourceFile(path: "t", text: text)).1.isEmpty {
                XCTFail("valid input not formatted: \(text)")
            }
            if format(text) != nil { assertCanonical(text, path: text) }
        }
    }
}
