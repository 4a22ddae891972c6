import Foundation
import Plan
import Support

/// `ftx-model.json`, the description every exported folder holds beside its weights:
/// architecture, preprocessing, labels, and where each parameter is stored — enough to
/// rebuild the model (`ftx predict --model DIR` reads it; so can any other program).
///
/// ```json
/// {"format": "ftx-model", "version": 1,
///  "architecture": {"kind": "mlp", "input": 64, "layers": [{"prefix": "layers.0", "type": "dense", "units": 128, "activation": "relu"}, …]},
///  "preprocessing": {"features": ["p0", …], "normalize": {"kind": "scale", "factor": 0.0625}},
///  "target": {"column": "label", "kind": "classes", "classes": ["0", …], "criterion": "cross_entropy", "output": "softmax"},
///  "weights": [{"file": "model.safetensors"}]}
/// ```
/// A BERT model's architecture is `{"kind": "bert", "config": "config.json", "pooling": "mean",
/// "max_length": 64, "layers": […]}` and its preprocessing `{"text": "text", "lowercase": true,
/// "vocabulary": "vocab.txt"}`. A `weights` entry may rename: `{"file": "2_Dense/model.safetensors",
/// "names": {"linear.weight": "head.weight", …}}` (name in the file → parameter name).
public enum ExportedModelFile {
    public static let name = "ftx-model.json"
    public static let version = 1

    /// Where a folder stores a parameter: a safetensors file (relative path) and, when the
    /// file's names differ from the parameters', the renaming (file name → parameter name).
    public struct WeightsFile: Sendable {
        public var file: String
        public var names: [(stored: String, parameter: String)]

        public init(file: String, names: [(stored: String, parameter: String)] = []) {
            self.file = file
            self.names = names
        }
    }

    /// The JSON text describing `model`, whose parameters are in `weights`.
    public static func encode(_ model: ExportableModel, weights: [WeightsFile]) -> String {
        func layer(_ l: ExportableModel.Layer) -> JSONValue {
            var f: [(key: String, value: JSONValue)] = [("prefix", .string(l.prefix))]
            switch l.spec {
            case let .dense(units, activation):
                f += [("type", "dense"), ("units", .int(units)), ("activation", activation.map { .string($0.rawValue) } ?? .null)]
            case let .dropout(p): f += [("type", "dropout"), ("p", .double(p))]
            case let .layerNorm(eps): f += [("type", "layer_norm"), ("eps", .double(eps))]
            case let .activation(a): f += [("type", "activation"), ("activation", .string(a.rawValue))]
            }
            return .object(f)
        }
        let layers = JSONValue.array(model.architecture.layers.map(layer))
        let architecture: JSONValue
        var preprocessing: [(key: String, value: JSONValue)] = []
        switch model.architecture {
        case let .mlp(input, _):
            architecture = .object([("kind", "mlp"), ("input", .int(input)), ("layers", layers)])
            preprocessing.append(("features", .array(model.preprocessing.features.map { .string($0) })))
            let normalize: JSONValue
            switch model.preprocessing.transform {
            case .identity: normalize = ["kind": "none"]
            case let .scale(k): normalize = .object([("kind", "scale"), ("factor", .double(k))])
            case let .standardize(mean, std):
                normalize = .object([("kind", "standardize"), ("mean", .array(mean.map { .double($0) })),
                                     ("std", .array(std.map { .double($0) }))])
            }
            preprocessing.append(("normalize", normalize))
        case let .bert(_, pooling, maxLength, _):
            architecture = .object([("kind", "bert"), ("config", "config.json"), ("pooling", .string(pooling.rawValue)),
                                    ("max_length", .int(maxLength)), ("layers", layers)])
            preprocessing += [("text", model.preprocessing.text.map { .string($0) } ?? .null),
                              ("lowercase", .bool(model.preprocessing.lowercase)), ("vocabulary", "vocab.txt")]
        }
        let t = model.target
        let kind: String
        switch t.kind {
        case .classes: kind = "classes"
        case .binary: kind = "binary"
        case .regression: kind = "regression"
        }
        var criterion: [(key: String, value: JSONValue)] = [("name", .string(t.criterion.name))]
        switch t.criterion {
        case let .crossEntropy(s): criterion.append(("label_smoothing", .double(s)))
        case let .focal(g): criterion.append(("gamma", .double(g)))
        case .bce, .mse: break
        }
        let json: JSONValue = .object([
            ("format", "ftx-model"), ("version", .int(version)),
            ("architecture", architecture),
            ("preprocessing", .object(preprocessing)),
            ("target", .object([("column", t.column.map { .string($0) } ?? .null), ("kind", .string(kind)),
                                ("classes", .array(t.classNames.map { .string($0) })), ("criterion", .object(criterion)),
                                ("output", .string(t.outputTransform))])),
            ("weights", .array(weights.map { w in
                var f: [(key: String, value: JSONValue)] = [("file", .string(w.file))]
                if !w.names.isEmpty { f.append(("names", .object(w.names.map { ($0.stored, .string($0.parameter)) }))) }
                return .object(f)
            })),
        ])
        return JSONWriter.encode(json, options: .init(pretty: true)) + "\n"
    }

    /// A problem with an exported folder, naming the file and what to do.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
        init(_ path: String, _ problem: String) { description = "\(path): \(problem)" }
    }

    /// The model of the folder `directory` (its `ftx-model.json` and the files it names).
    public static func load(_ directory: String) throws -> (model: ExportableModel, weights: [WeightsFile]) {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path, "no such file; `--model DIR` takes a folder written by `ftx export`")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch { throw LoadError(path, "\(error)") }
        guard json["format"]?.stringValue == "ftx-model" else { throw LoadError(path, "not an ftx model description (no \"format\": \"ftx-model\")") }
        guard json["version"]?.intValue == version else {
            throw LoadError(path, "version \(json["version"]?.description ?? "?") is not supported by this ftx (reads version \(version)); export the model again")
        }
        func need<T>(_ value: T?, _ what: String) throws -> T {
            guard let value else { throw LoadError(path, "missing or invalid \(what)") }
            return value
        }
        let a = try need(json["architecture"], "`architecture`")
        var layers: [ExportableModel.Layer] = []
        for l in try need(a["layers"]?.arrayValue, "`architecture.layers`") {
            let prefix = try need(l["prefix"]?.stringValue, "layer `prefix`")
            func activation(_ v: JSONValue?) throws -> Activation? {
                guard let s = v?.stringValue else { return nil }
                return try need(Activation(rawValue: s), "activation `\(s)`")
            }
            let spec: LayerSpec
            switch l["type"]?.stringValue {
            case "dense": spec = .dense(units: try need(l["units"]?.intValue, "dense `units`"), activation: try activation(l["activation"]))
            case "dropout": spec = .dropout(p: try need(l["p"]?.doubleValue, "dropout `p`"))
            case "layer_norm": spec = .layerNorm(eps: try need(l["eps"]?.doubleValue, "layer_norm `eps`"))
            case "activation": spec = .activation(try need(try activation(l["activation"]), "`activation`"))
            default: throw LoadError(path, "unknown layer type \(l["type"]?.description ?? "null")")
            }
            layers.append(.init(prefix: prefix, spec: spec))
        }
        let p = try need(json["preprocessing"], "`preprocessing`")
        let architecture: ExportableModel.Architecture
        var preprocessing = ExportableModel.Preprocessing(features: [], transform: .identity, text: nil, lowercase: false, vocabulary: [])
        switch a["kind"]?.stringValue {
        case "mlp":
            architecture = .mlp(input: try need(a["input"]?.intValue, "`architecture.input`"), layers: layers)
            preprocessing.features = try need(p["features"]?.arrayValue?.compactMap(\.stringValue), "`preprocessing.features`")
            let n = try need(p["normalize"], "`preprocessing.normalize`")
            switch n["kind"]?.stringValue {
            case "none": preprocessing.transform = .identity
            case "scale": preprocessing.transform = .scale(try need(n["factor"]?.doubleValue, "`normalize.factor`"))
            case "standardize":
                let mean = try need(n["mean"]?.doubleArray, "`normalize.mean`"), std = try need(n["std"]?.doubleArray, "`normalize.std`")
                guard mean.count == preprocessing.features.count, std.count == mean.count else {
                    throw LoadError(path, "`normalize` has \(mean.count) means and \(std.count) deviations for \(preprocessing.features.count) features")
                }
                preprocessing.transform = .standardize(mean: mean, std: std)
            default: throw LoadError(path, "unknown `normalize.kind`")
            }
        case "bert":
            let folder = BertFolder(directory)
            let config = try folder.config()
            let pooling = try need(a["pooling"]?.stringValue.flatMap(PretrainedSpec.Pooling.init(rawValue:)), "`architecture.pooling`")
            architecture = .bert(config: config, pooling: pooling, maxLength: try need(a["max_length"]?.intValue, "`architecture.max_length`"),
                                 layers: layers)
            preprocessing.text = p["text"]?.stringValue
            preprocessing.lowercase = try need(p["lowercase"]?.boolValue, "`preprocessing.lowercase`")
            preprocessing.vocabulary = try folder.vocabularyTokens()
        default:
            throw LoadError(path, "unknown `architecture.kind` \(a["kind"]?.description ?? "null")")
        }
        let t = try need(json["target"], "`target`")
        let kind: TargetKind
        switch t["kind"]?.stringValue {
        case "classes": kind = .classes
        case "binary": kind = .binary
        case "regression": kind = .regression
        default: throw LoadError(path, "unknown `target.kind`")
        }
        let c = try need(t["criterion"], "`target.criterion`")
        let criterion: LossSpec.Criterion
        switch c["name"]?.stringValue {
        case "cross_entropy": criterion = .crossEntropy(labelSmoothing: c["label_smoothing"]?.doubleValue ?? 0)
        case "focal": criterion = .focal(gamma: c["gamma"]?.doubleValue ?? 2)
        case "bce": criterion = .bce
        case "mse": criterion = .mse
        default: throw LoadError(path, "unknown `target.criterion.name`")
        }
        let target = ExportableModel.Target(column: t["column"]?.stringValue, kind: kind,
                                            classNames: try need(t["classes"]?.arrayValue?.compactMap(\.stringValue), "`target.classes`"),
                                            criterion: criterion)
        let weights = try need(json["weights"]?.arrayValue, "`weights`").map { w -> WeightsFile in
            let file = try need(w["file"]?.stringValue, "`weights[].file`")
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw LoadError(path, "weights file `\(file)` must be a path inside the folder")
            }
            let names = (w["names"]?.objectValue ?? []).compactMap { e in e.value.stringValue.map { (stored: e.key, parameter: $0) } }
            return WeightsFile(file: file, names: names)
        }
        let model = ExportableModel(architecture: architecture, tensors: [], preprocessing: preprocessing, target: target)
        return (model, weights)
    }
}
