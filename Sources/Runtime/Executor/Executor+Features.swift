import Foundation
import Kernels
import Plan
import Support

/// Hoisted frozen prefixes: a `features` task encodes a data set's texts once
/// with a pretrained encoder's own (folder) weights, in evaluation mode, and
/// stores the pooled vectors (`features.safetensors`: tensors `train`, `valid`,
/// `test`, each rows × hidden size, rows in split order). Every train task that
/// depends on it — and its eval task — reads them instead of running the encoder.
/// The values are exactly those the trainer would compute inline
/// (`PretrainedEncoder.evaluate`), so a trial's result does not depend on
/// whether its features were hoisted.
extension Executor {
    static let featuresFile = "features.safetensors"

    func runFeatures(_ task: PlannedTask, spec: TrainingSpec) throws -> UnitResult {
        try sealedOr(task) {
            guard spec.model.pretrained != nil else { throw TrainingError("a features task needs a pretrained encoder") }
            let model = try MLPModel(spec: spec.model)
            var g = SeededGenerator(seed: 0)
            try model.initialize(generator: &g)
            guard let encoder = model.encoder else { throw TrainingError("a features task needs a pretrained encoder") }
            let data = try Dataset.load(spec.data).prepare(filter: spec.filter)
            var tensors: [SafetensorsTensor] = []
            for name in [SplitName.train, .valid, .test] {
                let split = data[name]
                guard split.rowCount > 0 else { continue }
                guard split.texts.count == split.rowCount else {
                    throw TrainingError("a pretrained encoder reads a text column; the data declares no `text`")
                }
                tensors.append(SafetensorsTensor(name: name.rawValue, shape: [split.rowCount, encoder.width],
                                                 values: encoder.evaluate(split.texts)))
            }
            try store.write(try SafetensorsWriter.encode(tensors), Self.featuresFile, for: task.key)
            try store.seal(task.key, status: .done, files: ["spec.json", Self.featuresFile])
            return .status(.done, worked: true)
        }
    }

    /// The stored features file of the `features` task `trainKey`'s train task depends on, if any is complete.
    func hoistedFeatures(forTrain trainKey: String) -> String? {
        guard let train = graph.task(trainKey) else { return nil }
        for d in train.deps {
            guard graph.task(d)?.kind == .features, store.completedStatus(d) == .done,
                  store.exists(Self.featuresFile, for: d) else { continue }
            return store.path(Self.featuresFile, for: d)
        }
        return nil
    }
}

extension PretrainedEncoder {
    /// Installs a `features` task's stored pooled vectors for `data`'s splits.
    /// A split whose stored shape does not match is left to be computed inline.
    func preloadFeatures(from path: String, data: PreparedData) throws {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: path) } catch {
            throw TrainingError("cannot read hoisted features '\(path)': \(error)")
        }
        for name in [SplitName.train, .valid, .test] {
            let split = data[name]
            guard split.rowCount > 0, let info = file.info(name.rawValue), info.shape == [split.rowCount, width] else { continue }
            preload(name, try file.floats(name.rawValue))
        }
    }
}

extension MLPModel {
    /// Prepares a trained pretrained-encoder model for evaluation from hoisted
    /// features: marks the encoder frozen as the stage froze it and installs them.
    func useHoistedFeatures(_ path: String, data: PreparedData) throws {
        guard let encoder else { return }
        for i in parameters.slots.indices where isEncoderParameter(parameters.slots[i].name) {
            parameters.setTrainable(false, at: i)
        }
        try encoder.preloadFeatures(from: path, data: data)
    }
}
