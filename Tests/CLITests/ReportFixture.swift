import Foundation
import XCTest

/// The small finished experiment the report tests draw: iris with train/valid/test splits,
/// a stage sweeping the lr over a decade with `repeat = 2` (bands), cosine warm-up and
/// gradient accumulation, `confusion` listed, a selection and an ensemble; then a stage
/// from its best trial on a `plateau` schedule (the lr drops when valid.loss stalls).
enum ReportFixture {
    static let text = ExperimentText.file([
        ExperimentText.header("report_demo"),
        ExperimentText.iris(split: "random(train: 0.6, valid: 0.2, test: 0.2, seed: 0)"),
        ExperimentText.mlp(input: nil, layers: "[dense(8, activation: relu)]", head: 3),
        ExperimentText.stage("train", ["model = mlp", "data = iris", "optimizer = adam(lr: 0.01)"],
                             schedule: ["epochs = 6", "batch_size = 16", "accumulate = 2", "lr = cosine(warmup: 0.2)"],
                             after: ["metrics = [accuracy, loss, confusion]", "repeat = 2",
                                     "sweep grid {\n  optimizer.lr = [0.003, 0.03]\n}",
                                     "select = best(valid.accuracy)", "ensemble = top(2, by: valid.accuracy)"]),
        ExperimentText.stage("tune", ["init = best(train)", "data = iris", "optimizer = sgd(lr: 0.2, momentum: 0.9)"],
                             schedule: ["epochs = 8", "batch_size = 16", "lr = plateau(factor: 0.5, patience: 0)"],
                             after: ["metrics = [accuracy, loss, confusion]"]),
    ])

    /// Runs it in `workspace` (store folder `store`).
    static func run(_ workspace: Workspace) throws -> ExperimentRun {
        try ExperimentRun(workspace, name: "report-demo.ftx", text)
    }

    /// Where the browser test keeps its screenshot and page, to be looked at after a run.
    static var artefacts: URL { Paths.root.appendingPathComponent(".build/test-artefacts") }

    /// The `<svg …>…</svg>` elements of `html` whose opening tag has `attribute`.
    static func charts(_ html: String, with attribute: String) -> [String] {
        html.components(separatedBy: "<svg").dropFirst().compactMap { chunk in
            let tag = chunk.prefix { $0 != ">" }
            guard tag.contains(attribute) else { return nil }
            return chunk.components(separatedBy: "</svg>").first
        }
    }

    /// The values of `attribute="…"` in `text`, in order.
    static func values(of attribute: String, in text: String) -> [String] {
        text.components(separatedBy: attribute + "=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }
}
