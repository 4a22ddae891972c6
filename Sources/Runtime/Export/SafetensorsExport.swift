import Foundation
import Plan
import Support

/// `--format safetensors`: every parameter in `model.safetensors` under its PyTorch name
/// (an MLP's `layers.{i}.*` and `head.*` as in `nn.Sequential`; a BERT model's encoder under
/// Hugging Face `BertModel` names, then its layers and head), and `ftx-model.json` describing
/// the architecture and preprocessing. A BERT model's folder also holds what rebuilding the
/// encoder needs: `config.json` (with `id2label`/`label2id`) and the tokenizer files.
public enum SafetensorsExport {
    /// Writes `model` into `folder` (which exists).
    public static func write(_ model: ExportableModel, into folder: String) throws {
        try writeWeights(model.tensors, "model.safetensors", in: folder)
        if case .bert = model.architecture { try BertFolderFiles.write(model, into: folder) }
        try ExportFolder.writeFile(ExportedModelFile.encode(model, weights: [.init(file: "model.safetensors")]),
                                   ExportedModelFile.name, in: folder)
    }

    /// Writes `tensors` (named as given) as one safetensors file `name` inside `folder`.
    static func writeWeights(_ tensors: [ExportableModel.Weight], _ name: String, in folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try SafetensorsWriter.write(tensors, to: path)
    }
}

/// The files that make a folder a Hugging Face BERT model folder (beside its weights):
/// `config.json` (the encoder's configuration with the labels as `id2label`/`label2id`),
/// `vocab.txt` (the vocabulary the model was trained with), `tokenizer_config.json` and
/// `special_tokens_map.json` (a `BertTokenizer` that lower-cases, or not, as in training and
/// truncates at the trained `max_length`).
enum BertFolderFiles {
    static func write(_ model: ExportableModel, into folder: String) throws {
        guard case let .bert(config, _, maxLength, _) = model.architecture else { return }
        guard case .object(var fields)? = try? JSONParser.parse(config.json) else {
            throw ExportFolder.Failure("cannot encode the encoder's config.json")
        }
        let names = model.target.classNames
        if model.target.kind != .regression, !names.isEmpty {
            fields.append(("id2label", .object(names.enumerated().map { (String($0.offset), .string($0.element)) })))
            fields.append(("label2id", .object(names.enumerated().map { ($0.element, .int($0.offset)) })))
        }
        try ExportFolder.writeFile(JSONWriter.encode(.object(fields), options: .init(pretty: true)) + "\n", "config.json", in: folder)
        try ExportFolder.writeFile(model.preprocessing.vocabulary.joined(separator: "\n") + "\n", "vocab.txt", in: folder)
        let specials: [(key: String, value: JSONValue)] = [("unk_token", "[UNK]"), ("sep_token", "[SEP]"), ("pad_token", "[PAD]"),
                                                           ("cls_token", "[CLS]"), ("mask_token", "[MASK]")]
        let tokenizer: JSONValue = .object([
            ("tokenizer_class", "BertTokenizer"), ("do_lower_case", .bool(model.preprocessing.lowercase)),
            ("strip_accents", .null), ("tokenize_chinese_chars", true), ("do_basic_tokenize", true),
            ("model_max_length", .int(maxLength)),
        ] + specials)
        try ExportFolder.writeFile(JSONWriter.encode(tokenizer, options: .init(pretty: true)) + "\n", "tokenizer_config.json", in: folder)
        try ExportFolder.writeFile(JSONWriter.encode(.object(specials), options: .init(pretty: true)) + "\n", "special_tokens_map.json", in: folder)
    }
}
