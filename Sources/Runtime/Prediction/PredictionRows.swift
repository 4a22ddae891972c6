import Foundation
import Plan
import Support

/// Rows made ready for a `Predictor`: the file's 0-based data row of each, and its input —
/// the declared features normalised as in training (`FeatureTransform.apply` on the
/// float64 the training reader parses, rounded once to Float32), or its text.
public struct PredictionRows {
    /// The file's 0-based data row (header excluded) of each row.
    public private(set) var rows: [Int] = []
    /// rows × features, preprocessed (MLP models).
    public private(set) var inputs: [Float] = []
    /// The rows' texts (BERT models).
    public private(set) var texts: [String] = []

    public init() {}

    /// Number of rows.
    public var count: Int { rows.count }

    /// Empties the block (keeping capacity).
    public mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        inputs.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
    }

    /// Moves the first `n` rows out into a block of their own.
    public mutating func takeFirst(_ n: Int) -> PredictionRows {
        var head = PredictionRows()
        let width = rows.isEmpty ? 0 : inputs.count / rows.count
        head.rows = Array(rows[..<n])
        head.inputs = Array(inputs[..<(n * width)])
        head.texts = texts.isEmpty ? [] : Array(texts[..<n])
        rows.removeFirst(n)
        inputs.removeFirst(n * width)
        if !texts.isEmpty { texts.removeFirst(n) }
        return head
    }

    /// What reading one row found.
    public struct Report {
        /// Why the row cannot be predicted (a non-numeric or empty feature, an empty text, …); nil when it was added.
        public var error: DataError?
        /// A label value the training data never had (the row is predicted anyway; the label is not used).
        public var unseenLabel: String?
    }

    /// Reads every input column of `chunk`'s row `row` as `columns` (`reader.columns(of:)` of
    /// the chunk's header) places them, appending the row when it is valid.
    public mutating func append(_ chunk: RecordChunks.Chunk, row: Int, reader: RowReader, columns: RowReader.Columns) -> Report {
        let table = chunk.table
        let fileRow = chunk.firstRow + row
        let line = chunk.line(ofRow: row)
        var report = Report()
        if let c = columns.label, !table.isMissing(row: row, column: c) {
            let value = table.string(row: row, column: c)
            if !value.isEmpty && !reader.isKnownLabel(value) { report.unseenLabel = value }
        }
        if reader.readsText {
            guard let name = reader.preprocessing.text, let c = columns.text else {
                report.error = DataError(path: table.path, line: line, reason: .missingColumn(name: reader.preprocessing.text ?? "text", available: table.header))
                return report
            }
            let text = table.string(row: row, column: c)
            guard !text.allSatisfy(\.isWhitespace) else {
                report.error = DataError(path: table.path, line: line, reason: .emptyValue(column: name, row: fileRow))
                return report
            }
            texts.append(text)
        } else {
            let features = reader.preprocessing.features
            var values: [Float] = []
            values.reserveCapacity(features.count)
            for (j, name) in features.enumerated() {
                guard let c = columns.features[j] else {
                    report.error = DataError(path: table.path, line: line, reason: .missingColumn(name: name, available: table.header))
                    return report
                }
                guard let x = table.number(row: row, column: c) else {
                    let text = table.string(row: row, column: c)
                    report.error = DataError(path: table.path, line: line, reason: text.isEmpty
                        ? .emptyValue(column: name, row: fileRow) : .nonNumeric(column: name, row: fileRow, value: text))
                    return report
                }
                values.append(Float(reader.preprocessing.transform.apply(x, feature: j)))
            }
            inputs += values
        }
        rows.append(fileRow)
        return report
    }
}

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
