import Foundation
import Kernels
import Plan
import Support

/// A loaded `data` declaration: every row of the file with its features (as
/// read, before normalisation), label and text, and the split assignment.
///
/// Load once per data content, then `prepare(filter:)` once per stage: the split
/// depends only on the spec, so stages with different `where` filters share it.
///
/// - Features are the columns other than `label`, in file order, or the declared
///   `features` in their declared order; data with a `text` column has none by default.
/// - Labels follow `spec.target` (see `TargetKind`).
public struct Dataset: Sendable {
    /// The spec this was loaded from.
    public let spec: DataSpec
    /// The parsed file (kept so filters can read any column).
    public let table: RecordTable
    /// Feature column names in matrix order.
    public let featureNames: [String]
    /// Class names by id (`classes`/`binary`): the integers `"0"…"max"` for integer
    /// labels, the sorted distinct strings otherwise; empty for `regression` or no label.
    public let classNames: [String]
    /// Number of rows.
    public let rowCount: Int
    /// Raw feature values, (rowCount, featureCount) row-major, as float64 from the file.
    public let rawFeatures: [Double]
    /// Class id per row (`classes`/`binary`); empty otherwise. For `binary`, a numeric
    /// label's id is its value and a string label's id its index in `classNames`: which
    /// rows may have ids other than 0 and 1 is decided by `prepare(filter:)`, on the rows
    /// a stage uses (`binaryLabels(rows:)`).
    public let labels: [Int32]
    /// Whether every label is a number (else labels are strings).
    let numericLabels: Bool
    /// Float target per row (`binary`: 0/1, `regression`: the value); empty for `classes`.
    public let targets: [Float]
    /// The text column per row; empty without `text`.
    public let texts: [String]
    /// Which rows belong to which split.
    public let assignment: SplitAssignment

    /// Number of features per row.
    public var featureCount: Int { featureNames.count }
    /// Number of classes (`classNames.count`).
    public var classCount: Int { classNames.count }

    /// Reads `spec.source` and builds features, labels and the split — once per process for
    /// the same spec and unchanged file (see `DatasetCache`).
    public static func load(_ spec: DataSpec) throws -> Dataset {
        try DatasetCache.shared.dataset(spec, path: spec.source.path) {
            let table: RecordTable
            switch spec.source {
            case let .csv(path): table = try CSVReader.read(path: path)
            case let .jsonl(path): table = try JSONLReader.read(path: path)
            }
            return try Dataset(spec: spec, table: table)
        }
    }

    /// Builds a data set from an already parsed table (`spec.source` is not read).
    public init(spec: DataSpec, table: RecordTable) throws {
        self.spec = spec
        self.table = table
        let path = table.path
        let n = table.rowCount
        rowCount = n

        let labelColumn = try spec.label.map { try table.columnIndex($0) }
        let textColumn = try spec.text.map { try table.columnIndex($0) }
        let featureColumns: [Int]
        if let declared = spec.features {
            featureColumns = try declared.map { try table.columnIndex($0) }
            if let bad = featureColumns.first(where: { $0 == labelColumn || $0 == textColumn }) {
                throw DataError(path: path, reason: .invalidSpec(
                    detail: "column '\(table.header[bad])' cannot be both a feature and the label or text column"))
            }
        } else if textColumn != nil {
            // A pretrained model reads the text alone: the other columns (of any type) are not features.
            featureColumns = []
        } else {
            featureColumns = table.header.indices.filter { $0 != labelColumn && $0 != textColumn }
        }
        featureNames = featureColumns.map { table.header[$0] }

        var raw = [Double](repeating: 0, count: n * featureColumns.count)
        try raw.withUnsafeMutableBufferPointer { buf in
            if let base = buf.baseAddress {
                try table.gatherNumbers(columns: featureColumns, into: base, stride: featureColumns.count)
            }
        }
        rawFeatures = raw

        texts = textColumn.map { c in (0..<n).map { table.string(row: $0, column: c) } } ?? []

        if let labelColumn {
            (labels, targets, classNames, numericLabels) = try Dataset.encodeLabels(table, column: labelColumn, target: spec.target)
        } else {
            (labels, targets, classNames, numericLabels) = ([], [], [], false)
        }

        let stratifyBy: [Int32]? = labels.isEmpty ? nil : labels
        if case .stratified = spec.split.kind, stratifyBy == nil {
            throw DataError(path: path, reason: .classLabelsRequired(rule: "a stratified"))
        }
        assignment = try SplitPlanner.assign(spec.split, rowCount: n, classIDs: stratifyBy, path: path)
    }

    /// Labels → (class ids, float targets, class names, all numeric) per `TargetKind`.
    /// A `binary` target's 0/1 check waits for the rows a stage uses (`binaryLabels(rows:)`).
    private static func encodeLabels(_ table: RecordTable, column c: Int, target: TargetKind)
        throws -> ([Int32], [Float], [String], Bool)
    {
        let n = table.rowCount
        let name = table.header[c]
        func emptyCheck(_ r: Int) throws {
            if table.isMissing(row: r, column: c) || table.string(row: r, column: c).isEmpty {
                throw DataError(path: table.path, line: table.line(ofRow: r), reason: .emptyValue(column: name, row: r))
            }
        }
        if target == .regression {
            var targets = [Float](repeating: 0, count: n)
            for r in 0..<n { targets[r] = Float(try table.requireNumber(row: r, column: c)) }
            return ([], targets, [], true)
        }
        // Numeric labels if every value is a number; otherwise string labels.
        var numbers = [Double](repeating: 0, count: n)
        var allNumeric = true
        for r in 0..<n {
            try emptyCheck(r)
            guard let v = table.number(row: r, column: c) else { allNumeric = false; break }
            numbers[r] = v
        }
        var ids = [Int32](repeating: 0, count: n)
        var names: [String]
        if allNumeric {
            let expected = target == .binary ? "0 or 1 (bce needs a 0/1 label)" : "a class id (an integer ≥ 0)"
            var maxID = -1
            for r in 0..<n {
                let v = numbers[r]
                let ok = v == v.rounded() && v >= 0 && v < 1_000_000
                guard ok else {
                    throw DataError(path: table.path, line: table.line(ofRow: r), reason: .invalidLabel(
                        column: name, row: r, value: table.string(row: r, column: c), expected: expected))
                }
                ids[r] = Int32(v)
                maxID = max(maxID, Int(v))
            }
            names = (0..<(target == .binary ? 2 : maxID + 1)).map { String($0) }
        } else {
            var strings = [String](); strings.reserveCapacity(n)
            for r in 0..<n { strings.append(table.string(row: r, column: c)) }
            names = Array(Set(strings)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            var idOf: [String: Int32] = [:]
            for (i, s) in names.enumerated() { idOf[s] = Int32(i) }
            for r in 0..<n { ids[r] = idOf[strings[r]]! }
        }
        let targets = target == .binary ? ids.map { Float($0) } : []
        return (ids, targets, names, allNumeric)
    }

    /// A `binary` target on the rows a stage uses (`rows`, after its `where` filter): the
    /// class names and, when string labels need new ids, the id of each old id.
    ///
    /// Numeric labels must be 0 or 1 on these rows. String labels keep the ids of the whole
    /// file when the file has exactly two values; otherwise the rows must hold exactly two,
    /// which get 0 and 1 in sorted (UTF-8 byte) order. Unfiltered data thus keeps its ids,
    /// and a filter never renumbers a file with two values.
    func binaryLabels(rows: [Int]) throws -> (names: [String], newID: [Int32]?) {
        guard let labelColumn = spec.label.flatMap({ table.header.firstIndex(of: $0) }) else { return (classNames, nil) }
        if numericLabels {
            if let r = rows.sorted().first(where: { labels[$0] > 1 }) {
                throw DataError(path: table.path, line: table.line(ofRow: r), reason: .invalidLabel(
                    column: table.header[labelColumn], row: r, value: table.string(row: r, column: labelColumn),
                    expected: "0 or 1 (bce needs a 0/1 label)"))
            }
            return (classNames, nil)
        }
        if classNames.count == 2 { return (classNames, nil) }
        let used = Set(rows.map { labels[$0] }).sorted()
        guard used.count == 2 else {
            let values = used.map { classNames[Int($0)] }
            throw DataError(path: table.path, reason: .invalidSpec(
                detail: "bce needs a 0/1 label or exactly two label values; column '\(table.header[labelColumn])' has \(values.count) on the rows the stage uses: \(values.prefix(5).joined(separator: ", "))"))
        }
        var newID = [Int32](repeating: -1, count: classNames.count)
        newID[Int(used[0])] = 0
        newID[Int(used[1])] = 1
        return (used.map { classNames[Int($0)] }, newID)
    }
}
