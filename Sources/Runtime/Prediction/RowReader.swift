import Foundation
import Plan
import Support

/// Which columns a model reads and which label values it knows; checks a CSV header up front.
public struct RowReader {
    public let preprocessing: ExportableModel.Preprocessing
    public let target: ExportableModel.Target
    public let readsText: Bool
    private let known: Set<String>
    private let numericClasses: Bool

    /// A reader for `predictor`'s inputs. With `columns` (a CSV header), every input column
    /// must be among them: a missing one is an error naming the file and the columns it has.
    public init(_ predictor: Predictor, columns: [String]?, path: String) throws {
        preprocessing = predictor.preprocessing
        target = predictor.target
        readsText = predictor.readsText
        known = Set(target.classNames)
        numericClasses = target.classNames.enumerated().allSatisfy { $0.element == String($0.offset) }
        if let columns {
            let needed = readsText ? [preprocessing.text ?? "text"] : preprocessing.features
            if let name = needed.first(where: { !columns.contains($0) }) {
                throw DataError(path: path, reason: .missingColumn(name: name, available: columns))
            }
        }
    }

    /// Where a table's columns are: the label (when classes are predicted), the text, each feature (nil: absent).
    public struct Columns {
        var label: Int?
        var text: Int?
        var features: [Int?]
    }

    /// The columns of a table with `header` (once per chunk, not per row).
    public func columns(of header: [String]) -> Columns {
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name] == nil { index[name] = i }
        return Columns(label: target.kind == .regression ? nil : target.column.flatMap { index[$0] },
                       text: preprocessing.text.flatMap { index[$0] },
                       features: preprocessing.features.map { index[$0] })
    }

    /// Whether the training data had this label value (integer labels also as `3.0`).
    func isKnownLabel(_ value: String) -> Bool {
        if known.contains(value) { return true }
        guard numericClasses, let x = DecimalParser.parse(value), x == x.rounded(), x >= 0 else { return false }
        return Int(exactly: x).map { $0 < target.classNames.count } ?? false
    }
}
