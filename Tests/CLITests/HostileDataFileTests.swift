import Foundation
import Support
import XCTest

/// Issue 18, item 3: hostile CSV data files. Each one is either accepted with the
/// results of the plain file, or refused by `ftx check` (and so by `ftx run`, which
/// checks first) with an error naming the file, the line and the fix, exit 1.
/// Never a crash, a silent default, or a failure only at run time without the file's name.
final class HostileDataFileTests: XCTestCase {
    private let header = "f1,f2,f3,label"

    /// Twelve rows `r, r%3, r/4, label(r)` (line r + 2 of the file).
    private func rows(label: (Int) -> String = { "\($0 % 2)" }) -> [String] {
        (0..<12).map { "\($0),\($0 % 3),\(Double($0) / 4),\(label($0))" }
    }

    /// Writes `bytes` as `rows.csv` beside a one-epoch experiment on it; returns the experiment's path.
    private func experiment(_ workspace: Workspace, _ bytes: [UInt8], loss: String = "cross_entropy()") throws -> String {
        let head = loss.hasPrefix("mse") ? "dense(1)" : "dense(2)"
        try Data(bytes).write(to: workspace.experiments.appendingPathComponent("rows.csv"))
        return try workspace.write("hostile.ftx", """
            experiment hostile {
              seed = 0
            }

            data rows {
              source = csv("rows.csv")
              label = "label"
              features = ["f1", "f2", "f3"]
              split = ordered(train: 0.75, valid: 0.25)
            }

            model net {
              layers = [dense(4, activation: relu)]
              head = \(head)
            }

            stage fit {
              model = net
              data = rows
              optimizer = sgd(lr: 0.1)
              schedule {
                epochs = 1
                batch_size = 4
              }
              loss = \(loss)
            }

            """)
    }

    private func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    /// `ftx check` fails with exit 1 and every `expected` fragment in its message.
    private func assertCheckFails(_ bytes: [UInt8], _ expected: [String], loss: String = "cross_entropy()",
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let workspace = try Workspace()
        let path = try experiment(workspace, bytes, loss: loss)
        let check = ftx(["check", path])
        XCTAssertEqual(check.status, 1, check.err, file: file, line: line)
        for fragment in expected { XCTAssertTrue(check.err.contains(fragment), "missing \(fragment) in:\n\(check.err)", file: file, line: line) }
    }

    /// Ran once a stage failed at run time with "record has 3 fields"; now `check` names line 6.
    func testRaggedRowIsACheckErrorNamingTheLine() throws {
        var lines = [header] + rows()
        lines[5] = "4,1,1.0"
        try assertCheckFails(text(lines), ["error[E0200]: data `rows` cannot be read: line 6 of \"rows.csv\": record has 3 fields; the header has 4",
                                           "help: fix line 6 of \"rows.csv\""])
        // A quote never closed: the line where it opens.
        lines = [header] + rows()
        lines[3] = "2,\"2,0.5,0"
        try assertCheckFails(text(lines), ["error[E0200]", "line 4 of \"rows.csv\": a quoted field starting here is never closed"])
    }

    /// Issue 18: a header-only file passed `check`, then every task failed with "the train split is
    /// empty", never naming the file. With or without a final line break, with a byte-order mark.
    func testHeaderOnlyFileIsACheckError() throws {
        for bytes in [Array((header + "\n").utf8), Array(header.utf8), [0xEF, 0xBB, 0xBF] + Array((header + "\r\n\r\n").utf8)] {
            try assertCheckFails(bytes, ["error[E0201]: data `rows` has no rows: \"rows.csv\" holds a header and nothing below it",
                                         "help: add data rows below the header line of \"rows.csv\""])
        }
        // An empty file is still the header check's error.
        try assertCheckFails([], ["error[E0112]: cannot read the header of \"rows.csv\": the file is empty; expected a header line"])
    }

    func testEmptyLabelIsACheckErrorNamingTheLine() throws {
        var lines = [header] + rows()
        lines[9] = "8,2,2.0,"
        try assertCheckFails(text(lines), ["error[E0202]: label column 'label' of data `rows` is empty on line 10 of \"rows.csv\"",
                                           "help: fill in the label on line 10 of \"rows.csv\", or remove that row"])
    }

    /// One class: accuracy 1 whatever the model learns. Labels all 1 count as two class ids
    /// (0 and 1) for the head, but there is still only one class in the data.
    func testSingleClassIsACheckError() throws {
        try assertCheckFails(text([header] + rows(label: { _ in "0" })),
                             ["error[E0203]: `cross_entropy()` on data `rows` has nothing to tell apart: every label in column 'label' of \"rows.csv\" is '0'"])
        try assertCheckFails(text([header] + rows(label: { _ in "1" })), ["error[E0203]", "is '1'"])
        try assertCheckFails(text([header] + rows(label: { _ in "yes" })), ["error[E0203]", "is 'yes'"])
    }

    /// NaN, ±inf, text, NUL bytes, invalid UTF-8 and numbers beyond `Double`'s range in a
    /// feature column. The 5 MB number once read as inf, passed `check` and crashed `run`
    /// (`Int32(NaN)` in the softmax); a cell is shown cut short, control bytes escaped.
    /// A regression target that is not a number used to pass `check` and fail every trial at run time.
    func testNonNumericRegressionTargetIsACheckErrorNamingTheLine() throws {
        try assertCheckFails(text([header] + rows(label: { $0 == 5 ? "high" : "\(Double($0) / 2)" })),
                             ["error[E0240]: `mse()` on data `rows` needs numeric targets, but column 'label' holds 'high' on line 7 of \"rows.csv\"",
                              "help: fix line 7 of the file"], loss: "mse()")
        // Numeric targets pass; text labels under a classification loss are classes, not an error.
        let workspace = try Workspace()
        XCTAssertEqual(ftx(["check", try experiment(workspace, text([header] + rows(label: { "\(Double($0) / 2)" })), loss: "mse()")]).status, 0)
        XCTAssertEqual(ftx(["check", try experiment(workspace, text([header] + rows(label: { $0 % 2 == 0 ? "cat" : "dog" })))]).status, 0)
    }

    func testNonNumericFeaturesAreCheckErrorsNamingTheLine() throws {
        let cells: [([UInt8], String)] = [
            (Array("NaN".utf8), "'NaN' on line 9"), (Array("inf".utf8), "'inf' on line 9"), (Array("-inf".utf8), "'-inf' on line 9"),
            (Array("abc".utf8), "'abc' on line 9"), (Array("1e999".utf8), "'1e999' on line 9"),
            ([0x32, 0x00], "'2\\u{0}' on line 9"), ([0xFF, 0xFE], "'\u{FFFD}\u{FFFD}' on line 9"),
            ([UInt8](repeating: 0x31, count: 5 << 20), "'" + String(repeating: "1", count: 40) + "… (5242880 bytes)' on line 9"),
        ]
        for (cell, shown) in cells {
            var bytes = Array((header + "\n").utf8)
            for (r, row) in rows().enumerated() { bytes += r == 7 ? Array("7,1,".utf8) + cell + Array(",1\n".utf8) : Array((row + "\n").utf8) }
            try assertCheckFails(bytes, ["error[E0190]: feature column 'f3' of data `rows` is not numeric: \(shown) of \"rows.csv\""])
        }
    }

    /// A byte-order mark, CRLF line ends, and quoted fields holding line breaks and doubled
    /// quotes are accepted, with the results of the plain file.
    func testAcceptedVariantsGiveThePlainFilesResults() throws {
        let plain = text([header] + rows())
        let quoted = text(["\"f1\",\"f2\",\"f3\",\"label\",\"note\""] + (0..<12).map {
            "\"\($0)\",\"\($0 % 3)\",\"\(Double($0) / 4)\",\"\($0 % 2)\",\"line one\nsaid \"\"hi\"\", ok\""
        })
        func metrics(_ bytes: [UInt8]) throws -> String {
            let workspace = try Workspace()
            let path = try experiment(workspace, bytes)
            let run = ftx(["run", "--store", workspace.url.appendingPathComponent("store").path, path])
            XCTAssertEqual(run.status, 0, run.err)
            let output = run.out + run.err
            guard let epoch = output.range(of: "epoch 1: ") else { XCTFail(output); return "" }
            return String(output[epoch.upperBound...].prefix { $0 != "\n" })
        }
        let expected = try metrics(plain)
        XCTAssertTrue(expected.hasPrefix("train.loss "), expected)
        XCTAssertEqual(try metrics([0xEF, 0xBB, 0xBF] + plain), expected)
        XCTAssertEqual(try metrics(Array(String(decoding: plain, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)), expected)
        XCTAssertEqual(try metrics(quoted), expected)
    }

    /// Numbers beyond `Double`'s range are not numbers (they would read as ±inf).
    func testDecimalParserRefusesNumbersBeyondDoubleRange() {
        XCTAssertNil(DecimalParser.parse("1e999"))
        XCTAssertNil(DecimalParser.parse("-1e400"))
        XCTAssertNil(DecimalParser.parse(String(repeating: "9", count: 400)))
        XCTAssertEqual(DecimalParser.parse("1.7976931348623157e308"), Double.greatestFiniteMagnitude)
        XCTAssertEqual(DecimalParser.parse("1e-400"), 0)
    }
}
