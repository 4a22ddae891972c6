import Foundation
import Runtime
import Support
import XCTest

/// Issue 14: task adaptation layers on a pretrained encoder (`layers` beside `pretrained`,
/// rejected with E0120 before). On all-MiniLM-L6-v2 (max_length 16, 24 short texts, one
/// epoch of 2 steps) through `ftx run`: the layers apply to the pooled vector, are named
/// `layers.{i}.*`, start from the seed as MLP layers do, train, are freezable, are in the
/// checkpoint, and back-propagate into the encoder; a frozen encoder's hoisted features
/// train them exactly as inline encoding does.
final class AdaptationLayersRunTests: XCTestCase {
    static func stage(_ name: String, freeze: [String], unfreeze: String? = nil) -> String {
        ExperimentText.stage(name, ["model = minilm", "data = texts", "freeze = [\(freeze.map { "\"\($0)\"" }.joined(separator: ", "))]"]
                                 + (unfreeze.map { ["unfreeze = [{at: 1000 steps, layers: [\"\($0)\"]}]  # ftx: allow(W0205)"] } ?? []) + ["optimizer = adamw(lr: 1e-2)"],
                             schedule: ["epochs = 1", "batch_size = 9"])
    }

    func testIssue14AdaptationLayersOnMiniLMTrainAndAreCheckpointed() throws {
        let workspace = try Workspace()
        let words = ["good", "great", "fine", "bad", "awful", "poor"]
        var g = SeededGenerator(seed: 14)
        var csv = "text,label\n"
        for _ in 0..<24 {
            let w = g.nextInt(below: words.count)
            csv += "the film was \(words[w]) today,\(w < 3 ? 1 : 0)\n"
        }
        try csv.write(to: workspace.url.appendingPathComponent("texts.csv"), atomically: true, encoding: .utf8)
        let encoder = ["embeddings", "encoder"]
        let lower = ["embeddings"] + (0..<5).map { "encoder.layer.\($0)" }
        let run = try ExperimentRun(workspace, """
            \(ExperimentText.header("adaptation"))

            \(ExperimentText.texts(split: "random(train: 0.75, valid: 0.25, seed: 0)"))

            model minilm {
              pretrained = bert("\(try Paths.miniLM())")
              tokenizer = wordpiece(max_length: 16)
              layers = [dense(16, activation: gelu), dropout(0.1)]
              head = dense(2)
            }

            \(Self.stage("probe", freeze: encoder))

            \(Self.stage("inline", freeze: encoder, unfreeze: "encoder.layer.5.output.LayerNorm"))

            \(Self.stage("held", freeze: encoder + ["layers.0"]))

            \(Self.stage("tune", freeze: lower))

            """)
        // The seed's initialisation, by hand: U(−1/√fan_in, 1/√fan_in) in parameter order after
        // the encoder's (layers.0.weight (16, 384), layers.0.bias, head.weight (2, 16), head.bias),
        // from the trial's seed forked for "init" — as an MLP's layers.
        var seeded = SeededGenerator(seed: 0).fork("init")
        func uniform(_ n: Int, fanIn: Int) -> [Float] {
            let bound = 1 / Double(fanIn).squareRoot()
            return (0..<n).map { _ in Float((2 * seeded.nextDouble() - 1) * bound) }
        }
        let initial = ["layers.0.weight": uniform(16 * 384, fanIn: 384), "layers.0.bias": uniform(16, fanIn: 384)]

        let held = try run.weights("held")
        XCTAssertEqual(Set(held.keys), ["layers.0.weight", "layers.0.bias", "head.weight", "head.bias"],
                       "a frozen encoder is not checkpointed; the adaptation layer is")
        XCTAssertEqual(held["layers.0.weight"], initial["layers.0.weight"], "frozen layers.0 keeps the seeded initialisation")
        XCTAssertEqual(held["layers.0.bias"], initial["layers.0.bias"])

        let probe = try run.weights("probe")
        XCTAssertEqual(Set(probe.keys), Set(held.keys))
        for name in ["layers.0.weight", "layers.0.bias"] {
            XCTAssertNotEqual(probe[name], initial[name], "\(name) trains on the pooled vector")
        }
        XCTAssertNotEqual(probe["head.weight"], held["head.weight"], "the head sees the trained layer's output")

        // The probe's frozen encoder was hoisted into a features task; `inline` (which unfreezes a
        // parameter only after the run's last step) encodes the texts itself: same weights, bit for bit.
        XCTAssertEqual(run.taskKinds()["features-task"], 1, "the frozen encoder's features are computed once, by a features task")
        let inline = try run.weights("inline")
        for name in held.keys { XCTAssertEqual(inline[name], probe[name], "\(name): hoisted and inline features train alike") }
        XCTAssertEqual(try run.trial("inline").metrics, try run.trial("probe").metrics)

        // With the top encoder layer trainable, the loss's gradient reaches it through the adaptation layers.
        let tune = try run.weights("tune")
        let folder = try SafetensorsFile(contentsOf: try Paths.miniLM() + "/model.safetensors").floats("encoder.layer.5.output.dense.weight")
        XCTAssertNotEqual(tune["encoder.layer.5.output.dense.weight"], folder, "layer 5 trains through layers.0")
        XCTAssertNil(tune["encoder.layer.4.output.dense.weight"], "frozen encoder layers are not checkpointed")
        XCTAssertNotEqual(tune["layers.0.weight"], initial["layers.0.weight"])
    }
}
