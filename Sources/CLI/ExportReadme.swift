import Compiler
import Foundation
import Plan
import Runtime
import Support

/// The `README.md` of an exported folder: what the model is (experiment, trial ids, stage,
/// settings, stored metrics, the git commit it was trained at, labels, preprocessing) and
/// how to load it in the format written.
struct ExportReadme {
    var experiment: String
    var file: String
    var format: String
    var choice: ModelChoice
    var model: ExportableModel
    var store: TaskStore

    var text: String {
        var s = "# \(experiment): \(choice.title)\n\n"
        s += "Exported by `ftx export \((file as NSString).lastPathComponent) --format \(format)` from the experiment `\(file)`.\n\n"
        s += "## What it is\n\n"
        for m in choice.members {
            let provenance = Provenance(store.readJSON(Provenance.fileName, for: m.trial.id))
            s += "- trial `\(m.trial.id)` (stage `\(m.trial.stage)`), trained at commit \(provenance.map { "`\($0.short)`" } ?? "unknown")\n"
            for (key, value) in m.trial.settings where key != "init" {
                s += "  - `\(key)` = `\(PlanReport.text(value))`\n"
            }
        }
        if choice.isEnsemble {
            s += "\nAn ensemble: each member is a complete model in `members/N/`; `ensemble.json` says how they combine — the mean of the members' \(model.target.outputTransform) outputs.\n"
        }
        s += "\nStored metrics (\(choice.isEnsemble ? "the ensemble's" : "the trial's eval")):\n\n"
        s += "| metric | value |\n|---|---|\n"
        for (key, value) in choice.metrics { s += "| \(key) | \(JSONWriter.format(value)) |\n" }
        s += "\n## Inputs and outputs\n\n"
        switch model.architecture {
        case let .mlp(input, _):
            s += "Input: \(input) numeric features, in this order: \(model.preprocessing.features.map { "`\($0)`" }.joined(separator: ", ")).\n"
            switch model.preprocessing.transform {
            case .identity: s += "No normalisation.\n"
            case let .scale(k): s += "Each feature is multiplied by \(JSONWriter.format(k)) (in float64, then rounded to float32).\n"
            case .standardize: s += "Each feature is standardised, (x − mean) / std, with the training split's statistics in `ftx-model.json` (in float64, then rounded to float32).\n"
            }
        case let .bert(config, pooling, maxLength, _):
            s += "Input: the text column `\(model.preprocessing.text ?? "text")`, WordPiece-tokenized (`vocab.txt`, \(model.preprocessing.lowercase ? "lower-cased, accents stripped" : "case kept")), truncated to \(maxLength) tokens including `[CLS]` and `[SEP]`; a BERT encoder (\(config.numHiddenLayers) layers, hidden size \(config.hiddenSize)), \(pooling.rawValue) pooling.\n"
        }
        let names = model.target.classNames
        switch model.target.criterion {
        case .mse: s += "Output: the predicted value of `\(model.target.column ?? "label")`.\n"
        case .bce: s += "Output: one logit; its sigmoid is the probability of `\(names.count > 1 ? names[1] : "1")` (the other class: `\(names.first ?? "0")`).\n"
        case .crossEntropy, .focal:
            s += "Output: \(model.outputCount) logits, a softmax gives the class probabilities. Classes of `\(model.target.column ?? "label")` by output index: "
            s += names.enumerated().map { "\($0.offset) = `\($0.element)`" }.joined(separator: ", ") + ".\n"
        }
        s += "\n## How to load it\n\n"
        s += "In ftx: `ftx predict --model DIR --data rows.csv`.\n\n"
        let member = choice.isEnsemble ? "DIR/members/0" : "DIR"
        switch format {
        case "sentence-transformers":
            s += """
            ```python
            from sentence_transformers import SentenceTransformer
            model = SentenceTransformer("\(member)", device="cpu")
            logits = model.encode(["a text"])   # one row of logits per text
            ```

            """
        case "safetensors":
            s += "`model.safetensors` holds every parameter under its PyTorch name; `ftx-model.json` describes the architecture and preprocessing.\n\n"
            if case .bert = model.architecture {
                s += """
                ```python
                import torch, transformers
                from safetensors.torch import load_file
                weights = load_file("\(member)/model.safetensors")
                bert = transformers.BertModel(transformers.BertConfig.from_json_file("\(member)/config.json"), add_pooling_layer=True)
                bert.load_state_dict({k: v for k, v in weights.items() if not k.startswith(("layers.", "head."))})
                tokenizer = transformers.BertTokenizer("\(member)/vocab.txt", do_lower_case=\(model.preprocessing.lowercase ? "True" : "False"))
                # then: \(model.architecture.layers.map { $0.prefix }.joined(separator: ", ")) on the pooled output (see ftx-model.json)
                ```

                """
            } else {
                s += """
                ```python
                from safetensors.torch import load_file
                weights = load_file("\(member)/model.safetensors")   # layers.{i}.weight [out, in], head.weight, …
                ```

                """
            }
        default:
            s += "`model.onnx` runs in onnxruntime: `onnxruntime.InferenceSession(\"\(member)/model.onnx\").run(None, inputs)`.\n"
        }
        return s
    }
}
