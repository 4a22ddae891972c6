import Foundation
import Kernels
import Plan
import Support

/// One split ready for training or evaluation: normalised Float32 features and targets.
public struct DataSplit: Sendable {
    /// Which split this is.
    public let name: SplitName
    /// Number of rows.
    public let rowCount: Int
    /// Features per row.
    public let featureCount: Int
    /// Normalised features, (rowCount, featureCount) row-major, contiguous.
    public let features: [Float]
    /// Class id per row (`classes`/`binary` targets); empty for `regression`/unlabelled.
    public let labels: [Int32]
    /// Float target per row (`binary` 0/1, `regression`); empty for `classes`.
    public let targets: [Float]
    /// Text per row; empty without a `text` column.
    public let texts: [String]
    /// The 0-based data row in the file of each row.
    public let sourceRows: [Int]
}

/// The normalisation applied to every split, evaluated in float64 on the file's
/// values and rounded once to Float32 (as NumPy preprocessing followed by a
/// float32 tensor would).
public enum FeatureTransform: Sendable, Equatable {
    /// `x`.
    case identity
    /// `x · k`.
    case scale(Double)
    /// `(x − mean[j]) / std[j]`, train-split statistics, std 0 replaced by 1.
    case standardize(mean: [Double], std: [Double])

    /// Feature `j`'s value `x` after the transform.
    @inline(always)
    public func apply(_ x: Double, feature j: Int) -> Double {
        switch self {
        case .identity: return x
        case let .scale(k): return x * k
        case let .standardize(mean, std): return (x - mean[j]) / std[j]
        }
    }
}

/// A stage's view of a data set: the three splits after the `where` filter and normalisation.
public struct PreparedData: Sendable {
    /// Feature column names.
    public let featureNames: [String]
    /// Class names by id (see `Dataset.classNames`).
    public let classNames: [String]
    /// How labels were encoded.
    public let target: TargetKind
    /// The normalisation applied.
    public let transform: FeatureTransform
    /// Training rows.
    public let train: DataSplit
    /// Validation rows.
    public let valid: DataSplit
    /// Test rows.
    public let test: DataSplit

    /// Number of features.
    public var featureCount: Int { featureNames.count }
    /// Number of classes.
    public var classCount: Int { classNames.count }

    /// The split called `name`.
    public subscript(name: SplitName) -> DataSplit {
        switch name {
        case .train: return train
        case .valid: return valid
        case .test: return test
        }
    }
}

extension Dataset {
    /// The normalisation of `spec.normalize`, with statistics from the whole
    /// (unfiltered) train split.
    ///
    /// Normalisation belongs to the `data` declaration, not the stage: every stage
    /// reading this data — whatever its `where` filter — sees the same inputs for
    /// the same row, so a checkpoint handed from `pretrain` (label < 5) to
    /// `finetune` (label ≥ 5) keeps seeing features on the scale it learnt.
    /// Standard deviation is the population one (divide by n); 0 counts as 1.
    public var transform: FeatureTransform {
        let f = featureCount
        switch spec.normalize {
        case .none: return .identity
        case let .scale(k): return .scale(k)
        case .standardize:
            let rows = assignment.train
            var mean = [Double](repeating: 0, count: f)
            var variance = [Double](repeating: 0, count: f)
            if !rows.isEmpty {
                for r in rows { for j in 0..<f { mean[j] += rawFeatures[r * f + j] } }
                for j in 0..<f { mean[j] /= Double(rows.count) }
                for r in rows {
                    for j in 0..<f { let d = rawFeatures[r * f + j] - mean[j]; variance[j] += d * d }
                }
                for j in 0..<f { variance[j] /= Double(rows.count) }
            }
            let std = variance.map { v -> Double in let s = v.squareRoot(); return s == 0 ? 1 : s }
            return .standardize(mean: mean, std: std)
        }
    }

    /// The stage's splits: rows of each split (file order) that satisfy `filter`,
    /// normalised by `transform`. A `binary` target's labels are checked on these rows
    /// only (`binaryLabels(rows:)`), so `bce()` on `digits where label < 2` runs.
    ///
    /// The filter runs after splitting, within each split, so a row's split never
    /// depends on the filter: stages that filter the same data differently share
    /// one partition (no row trained on in one stage is validated or tested on in
    /// another), and editing a filter never moves rows between splits.
    public func prepare(filter: RowPredicate? = nil) throws -> PreparedData {
        let transform = self.transform
        let bound = try filter?.bind(to: table)
        var used: [SplitName: [Int]] = [:]
        for name in SplitName.allCases {
            var rows = assignment[name]
            if let bound { rows = try rows.filter { try bound.evaluate(row: $0, in: table) } }
            used[name] = rows
        }
        // A 0/1 target is checked, and string labels numbered, on the rows this stage uses.
        var classNames = self.classNames
        var labels = self.labels, targets = self.targets
        if spec.target == .binary, !labels.isEmpty {
            let binary = try binaryLabels(rows: SplitName.allCases.flatMap { used[$0]! })
            classNames = binary.names
            if let newID = binary.newID {
                labels = labels.map { newID[Int($0)] }
                targets = labels.map { Float($0) }
            }
        }
        func build(_ name: SplitName) throws -> DataSplit {
            let rows = used[name]!
            let f = featureCount
            var x = [Float](repeating: 0, count: rows.count * f)
            for (i, r) in rows.enumerated() {
                for j in 0..<f {
                    x[i * f + j] = Float(transform.apply(rawFeatures[r * f + j], feature: j))
                }
            }
            return DataSplit(name: name, rowCount: rows.count, featureCount: f, features: x,
                             labels: labels.isEmpty ? [] : rows.map { labels[$0] },
                             targets: targets.isEmpty ? [] : rows.map { targets[$0] },
                             texts: texts.isEmpty ? [] : rows.map { texts[$0] },
                             sourceRows: rows)
        }
        return PreparedData(featureNames: featureNames, classNames: classNames, target: spec.target,
                            transform: transform, train: try build(.train), valid: try build(.valid), test: try build(.test))
    }
}
