import Foundation
import XCTest

/// Issue 14, what a stage's data declares: `ftx check` accepts what `ftx run` trains and
/// rejects, naming the place, what it would refuse — a `bce()` subset chosen by `where`,
/// text data with other columns of any type, a head smaller than the label's classes,
/// numeric data whose features hold words.
final class DeclaredDataRunTests: XCTestCase {
    /// Twelve rows of `x,y,label,kind,note`: label 0…2, kind cat/dog/fish, note a word.
    static let csv = "x,y,label,kind,note\n" + (0..<12).map { r in
        "\(r),\(12 - r),\(r % 3),\(["cat", "dog", "fish"][r % 3]),word\(r)"
    }.joined(separator: "\n") + "\n"

    func experiment(data: String, features: String, head: String, loss: String) -> String {
        """
        experiment labels {
          seed = 0
        }

        data rows {
          source = csv("rows.csv")
          label = "label"
          \(features)
          split = ordered(train: 0.75, valid: 0.25)
        }

        model mlp {
          layers = [dense(4, activation: relu)]
          head = \(head)
        }

        stage train {
          model = mlp
          data = \(data)
          optimizer = adam(lr: 0.01)
          loss = \(loss)
          schedule {
            epochs = 1
            batch_size = 4
          }
        }
        """
    }

    /// `bce()` on the 0/1 rows a `where` keeps: checked and run; on all rows (a label 2)
    /// `check` cannot know the filter's result and `run` refuses, naming the line.
    func testBCEOnAFilteredBinarySubsetRuns() throws {
        let w = try Workspace()
        try w.write("rows.csv", Self.csv)
        let features = #"features = ["x", "y"]"#
        let run = try ExperimentRun(w, experiment(data: "rows where label < 2", features: features, head: "dense(1)", loss: "bce()"))
        let trial = try run.trial("train")
        XCTAssertNotNil(trial.metrics["valid.loss"])
        XCTAssertEqual(trial.json["status"] as? String, "done")

        let all = try w.write("all.ftx", experiment(data: "rows", features: features, head: "dense(1)", loss: "bce()"))
        XCTAssertEqual(ftx(["check", all]).status, 0)
        let refused = ftx(["run", "--store", w.url.appendingPathComponent("store-all").path, all])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("rows.csv:4: label '2' in column 'label' (data row 2) is not 0 or 1"), refused.err)
    }

    /// A head with fewer outputs than the label's classes: rejected with the counts and the
    /// fix when the stage reads the whole file; with a filter keeping two classes, it runs.
    func testAHeadSmallerThanTheClassesIsRejectedUnlessAFilterKeepsFewer() throws {
        let w = try Workspace()
        try w.write("rows.csv", Self.csv)
        let features = #"features = ["x", "y"]"#
        let file = try w.write("small.ftx", experiment(data: "rows", features: features, head: "dense(2)", loss: "cross_entropy()"))
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.err.contains("error[E0191]: `cross_entropy()` on data `rows` needs one output per class: label 'label' has 3 classes, but the head has 2 outputs"), check.err)
        XCTAssertTrue(check.err.contains("help: use `head = dense(3)`, or train on fewer classes: `data = rows where label < 2`"), check.err)
        let run = try ExperimentRun(w, name: "filtered.ftx", experiment(data: "rows where label < 2", features: features, head: "dense(2)", loss: "cross_entropy()"))
        XCTAssertEqual(try run.trial("train").json["status"] as? String, "done")
    }

    /// Numeric data: a default feature column of words is named by `check` (run would fail
    /// on it); declaring the numeric columns fixes it.
    func testAFeatureColumnOfWordsIsRejectedByCheck() throws {
        let w = try Workspace()
        try w.write("rows.csv", Self.csv)
        let file = try w.write("words.ftx", experiment(data: "rows", features: "", head: "dense(3)", loss: "cross_entropy()"))
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.err.contains("error[E0190]: feature column 'kind' of data `rows` is not numeric: 'cat' on line 2 of \"rows.csv\""), check.err)
        XCTAssertTrue(check.err.contains("help: list the numeric input columns in `features = [...]`, leaving out 'kind'"), check.err)
        _ = try ExperimentRun(w, name: "numeric.ftx", experiment(data: "rows", features: #"features = ["x", "y"]"#, head: "dense(3)", loss: "cross_entropy()"))
    }

    /// A pretrained model on text data with other columns (a word column, a number
    /// column) reads the text alone and trains; `features` beside the text is rejected.
    func testAPretrainedModelNeedsNoNumericFeatures() throws {
        let w = try Workspace()
        let texts = ["the cat sleeps", "a dog barks", "my cat purrs", "the dog runs", "a cat eats", "one dog sits", "the cat sits", "a dog eats"]
        try w.write("texts.csv", "text,label,topic,n\n" + texts.enumerated().map { i, t in "\(t),\(t.contains("cat") ? "cat" : "dog"),pets,\(i)" }
            .joined(separator: "\n") + "\n")
        let text = """
            experiment texts {
              seed = 0
            }

            data texts {
              source = csv("texts.csv")
              text = "text"
              label = "label"
              split = ordered(train: 0.75, valid: 0.25)
            }

            model m {
              pretrained = bert("../models/all-MiniLM-L6-v2")
              tokenizer = wordpiece(max_length: 8)
              head = dense(2)
            }

            stage probe {
              model = m
              data = texts
              freeze = ["embeddings.*", "encoder.*"]
              optimizer = adam(lr: 0.01)
              schedule {
                epochs = 1
                batch_size = 4
              }
            }
            """
        let run = try ExperimentRun(w, text)
        XCTAssertEqual(try run.trial("probe").json["status"] as? String, "done")
        let file = try w.write("features.ftx", text.replacingOccurrences(of: "  label = \"label\"\n", with: "  label = \"label\"\n  features = [\"n\"]\n"))
        let check = ftx(["check", file])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.err.contains("`features` does not apply to data `texts`: it has a `text` column, and a pretrained model reads only the text"), check.err)
    }
}
