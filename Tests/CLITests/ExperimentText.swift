/// The blocks of `.ftx` text the end-to-end tests build their experiments from. The
/// repository's data sets are declared here once, the way every test reads them (same
/// normalisation, same split unless a test is about the split), so a test spells out
/// only the settings it is about and the declarations cannot drift apart between tests.
enum ExperimentText {
    /// `blocks` as one file: a blank line between blocks, a newline at the end.
    static func file(_ blocks: [String]) -> String {
        blocks.joined(separator: "\n\n") + "\n"
    }

    static func header(_ name: String, seed: Int = 0) -> String {
        """
        experiment \(name) {
          seed = \(seed)
        }
        """
    }

    /// The repository's split used unless a test is about the split: 80 % train, 20 % valid.
    static let trainValid = "random(train: 0.8, valid: 0.2, seed: 0)"

    /// `data iris` (4 standardized features, 3 classes, 150 rows).
    static func iris(split: String = trainValid) -> String {
        data("iris", csv: "../data/iris.csv", normalize: "standardize", split: split)
    }

    /// `data digits` (64 pixel features in 0…16, scaled to 0…1; 10 classes).
    static let digits = data("digits", csv: "../data/digits.csv", normalize: "scale(1 / 16)", split: trainValid)

    /// `data cancer` (breast_cancer: 30 standardized features, labels 0 and 1).
    static let cancer = data("cancer", csv: "../data/breast_cancer.csv", normalize: "standardize", split: trainValid)

    static func data(_ name: String, csv: String, normalize: String, split: String) -> String {
        """
        data \(name) {
          source = csv("\(csv)")
          label = "label"
          normalize = \(normalize)
          split = \(split)
        }
        """
    }

    /// `data NAME` of short texts: the CSV at `csv` (columns `text` and `label`), then `extra` lines.
    static func texts(_ name: String = "texts", csv: String = "../texts.csv", split: String, extra: [String] = []) -> String {
        "data \(name) {\n" + indent(["source = csv(\"\(csv)\")", "text = \"text\"", "label = \"label\"", "split = \(split)"] + extra)
            .joined(separator: "\n") + "\n}"
    }

    /// An MLP `name`; `input` is omitted (the data's width is used) when nil.
    static func mlp(_ name: String = "mlp", input: Int?, layers: String, head: Int) -> String {
        """
        model \(name) {
        \(input.map { "  input = \($0)\n" } ?? "")  layers = \(layers)
          head = dense(\(head))
        }
        """
    }

    /// A stage `name` with `settings` (model, data, optimizer, …), a `schedule` block of
    /// `schedule`'s lines, then `after` (loss, metrics, sweep blocks, …). Lines may hold
    /// several lines of their own; every line is indented into the block.
    static func stage(_ name: String, _ settings: [String], schedule: [String], after: [String] = []) -> String {
        "stage \(name) {\n" + indent(settings + ["schedule {"] + indent(schedule) + ["}"] + after).joined(separator: "\n") + "\n}"
    }

    /// Each line of `lines` (and of the lines within them) two spaces further in.
    static func indent(_ lines: [String]) -> [String] {
        lines.flatMap { $0.components(separatedBy: "\n") }.map { $0.isEmpty ? $0 : "  " + $0 }
    }
}
