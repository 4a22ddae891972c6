import Foundation
import Plan
import Support

/// A trained model, or an ensemble of them, ready to predict new rows with exactly the
/// evaluation path: inputs preprocessed as in training (`ExportableModel.Preprocessing`),
/// no dropout or augmentation, the layers run by `TrialEvaluation.outputs` in its chunks,
/// a BERT encoder by `PretrainedEncoder.evaluate` (length-sorted batches of 32), members'
/// probabilities combined by `EnsembleMean` — so the stored metrics of a split are
/// reproduced bit for bit from its rows.
public final class Predictor {
    let members: [MLPModel]
    private let specs: [TrainingSpec]
    private let data: PreparedData?
    /// Preprocessing and meaning of the outputs (shared by every member).
    public let preprocessing: ExportableModel.Preprocessing
    public let target: ExportableModel.Target

    /// Number of members (1 for a single trial).
    public var memberCount: Int { members.count }
    /// Outputs per row of each member.
    public var outputCount: Int { members[0].outputs }
    /// Whether the members read text (a BERT encoder) rather than numeric features.
    public var readsText: Bool { members[0].encoder != nil }

    private init(members: [MLPModel], specs: [TrainingSpec], data: PreparedData?,
                 preprocessing: ExportableModel.Preprocessing, target: ExportableModel.Target) {
        self.members = members
        self.specs = specs
        self.data = data
        self.preprocessing = preprocessing
        self.target = target
    }

    /// Trained trials from the store: each member's spec (its eval task's) and final weights.
    /// The training data is loaded once, for the normalisation statistics and the class
    /// names, from the first member's spec (as the `ensemble` task does).
    public static func trained(_ trials: [(spec: TrainingSpec, weights: String)]) throws -> Predictor {
        guard let first = trials.first else { throw TrainingError("nothing to predict with: no trained trial") }
        let models = try trials.map { try MLPModel.trained(spec: $0.spec.model, weights: $0.weights) }
        let data = try Trainer.prepareData(first.spec, model: models[0])
        guard models.allSatisfy({ $0.outputs == models[0].outputs && ($0.encoder == nil) == (models[0].encoder == nil) }) else {
            throw TrainingError("ensemble members have different outputs or inputs")
        }
        let exportable = try ExportableModel(model: models[0], data: data, spec: first.spec)
        return Predictor(members: models, specs: trials.map(\.spec), data: data,
                         preprocessing: exportable.preprocessing, target: exportable.target)
    }

    /// The models as export formats take them, one per member (all parameters copied).
    public func exportable() throws -> [ExportableModel] {
        guard let data else { throw TrainingError("a model loaded from an exported folder is exported already") }
        return try zip(members, specs).map { try ExportableModel(model: $0, data: data, spec: $1) }
    }

    /// A folder written by `ftx export`: one model (`ftx-model.json`) or an ensemble
    /// (`ensemble.json` naming member folders).
    public static func exported(_ directory: String) throws -> Predictor {
        let ensemblePath = (directory as NSString).appendingPathComponent(EnsembleFile.name)
        let folders: [String]
        if FileManager.default.fileExists(atPath: ensemblePath) {
            folders = try EnsembleFile.members(ensemblePath).map { (directory as NSString).appendingPathComponent($0) }
        } else {
            folders = [directory]
        }
        var models: [MLPModel] = []
        var description: ExportableModel?
        for folder in folders {
            let (model, weights) = try ExportedModelFile.load(folder)
            models.append(try build(model, weights: weights, directory: folder))
            if description == nil { description = model }
        }
        guard models.allSatisfy({ $0.outputs == models[0].outputs }) else {
            throw TrainingError("\(directory): the ensemble's members have different output widths")
        }
        return Predictor(members: models, specs: [], data: nil, preprocessing: description!.preprocessing, target: description!.target)
    }

    /// The network of an exported description, its parameters read from `weights`; every
    /// parameter must be found, with its shape.
    private static func build(_ description: ExportableModel, weights: [ExportedModelFile.WeightsFile], directory: String) throws -> MLPModel {
        guard !weights.isEmpty else {
            throw TrainingError("\(directory): the folder holds no safetensors weights (an ONNX export); ftx predicts from a safetensors or sentence-transformers export")
        }
        let model = try MLPModel(spec: description.modelSpec(directory: directory))
        var missing = Set(model.parameters.slots.map(\.name))
        for w in weights {
            let path = (directory as NSString).appendingPathComponent(w.file)
            let file: SafetensorsFile
            do { file = try SafetensorsFile(contentsOf: path) } catch { throw TrainingError("cannot read '\(path)': \(error)") }
            let renamed = Dictionary(w.names.map { ($0.stored, $0.parameter) }, uniquingKeysWith: { a, _ in a })
            for stored in file.names {
                let name = renamed[stored] ?? stored
                guard let i = model.parameters.index(of: name) else { continue }
                let slot = model.parameters.slots[i]
                guard let info = file.info(stored), info.shape == slot.shape else {
                    throw TrainingError("'\(path)': tensor '\(stored)' has shape \(file.info(stored)?.shape ?? []) but the model's \(name) has shape \(slot.shape)")
                }
                let t = model.parameters.value(at: i)
                try file.copyFloats(stored, into: UnsafeMutableBufferPointer(start: t.pointer, count: t.count))
                missing.remove(name)
            }
        }
        if let name = missing.sorted().first {
            throw TrainingError("\(directory): no weights file holds the parameter '\(name)' (\(missing.count) missing)")
        }
        return model
    }

    /// Predictions for a block of rows.
    public struct Output {
        /// Rows predicted.
        public var rows: Int
        /// Each member's raw outputs (logits; regression values), rows × `outputCount`.
        public var memberLogits: [[Float]]
        /// The probabilities (softmax rows; the sigmoid of a `bce` logit; a regression's value),
        /// averaged over the members by `EnsembleMean` (a single model's own).
        public var probabilities: [Float]
        /// The predicted class id per row (argmax, first on ties; `bce`: probability > 0.5); empty for regression.
        public var classes: [Int]
    }

    /// Predicts `rows` rows: `inputs` holds rows × features preprocessed values (MLP) or
    /// `texts` the rows' texts (BERT). The result depends only on the rows given, in order.
    public func predict(inputs: [Float], texts: [String], rows: Int) -> Output {
        var mean = EnsembleMean()
        var logits: [[Float]] = []
        for model in members {
            let x = model.encoder.map { $0.evaluate(texts) } ?? inputs
            let o = TrialEvaluation.outputs(of: model, inputs: x, rows: rows)
            mean.add(TrialEvaluation.probabilities(outputs: o, width: model.outputs, criterion: target.criterion))
            logits.append(o)
        }
        let p = mean.mean
        var classes: [Int] = []
        if case .mse = target.criterion {} else { classes = TrialEvaluation.predictions(probabilities: p, width: outputCount) }
        return Output(rows: rows, memberLogits: logits, probabilities: p, classes: classes)
    }
}
