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
