import Foundation
import Plan
import Support

/// The columns of a data file, read from its header only.
struct DataHeader: Sendable {
    var columns: [String]
}

/// Reads data files for `check`: headers (`header`), and the values `run` would refuse
/// or that size the head (`values`), each file once per checker run.
final class DataFileReader {
    enum Failure: Error {
        case notFound
        case unreadable(String)
    }

    private var cache: [String: Result<DataHeader, Failure>] = [:]
    /// Reads kept across checker runs (a language server re-checks on every edit), if any.
    private let shared: DataFileCache?

    init(shared: DataFileCache? = nil) { self.shared = shared }

    /// The header of the file at the absolute `path`, `format` `csv` or `jsonl`.
    func header(path: String, format: String) -> Result<DataHeader, Failure> {
        let key = format + ":" + path
        if let cached = cache[key] { return cached }
        let result = shared?.header(key: key, path: path) { Self.read(path: path, format: format) } ?? Self.read(path: path, format: format)
        cache[key] = result
        return result
    }

    private var valueCache: [String: DataValues?] = [:]

    /// The values of the (readable) file at the absolute `path`, read once per checker run.
    func values(path: String, format: String, label: String?, text: String? = nil) -> DataValues? {
        let key = format + ":" + (label ?? "") + ":" + (text ?? "") + ":" + path
        if let cached = valueCache[key] { return cached }
        let read = { DataValues.read(path: path, format: format, label: label, text: text) }
        let result = shared.map { $0.values(key: key, path: path, read: read) } ?? read()
        valueCache[key] = result
        return result
    }

    static func read(path: String, format: String) -> Result<DataHeader, Failure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return .failure(.notFound) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable("permission denied")) }
        defer { try? handle.close() }
        if format != "jsonl" {
            // The runtime's own parser, reading only the chunks the header record needs.
            do {
                let header = try CSVRecords.header(readingChunks: { [UInt8](try handle.read(upToCount: 64 * 1024) ?? Data()) })
                guard let header else { return .failure(.unreadable("the file is empty; expected a header line")) }
                return .success(DataHeader(columns: header))
            } catch let error as CSVError {
                return .failure(.unreadable(error.description))
            } catch {
                return .failure(.unreadable((error as NSError).localizedDescription))
            }
        }
        // JSON Lines: a key may first appear on any line, so the columns are those of the
        // whole file, found by the runtime's own reader (a column `check` rejects, `run` would too).
        do {
            let bytes = [UInt8](try handle.readToEnd() ?? Data())
            let columns = try JSONLinesRecords.columns(of: bytes)
            if columns.isEmpty { return .failure(.unreadable("the file has no records; expected one JSON object per line")) }
            return .success(DataHeader(columns: columns))
        } catch let failure as JSONLinesRecords.Failure {
            return .failure(.unreadable(failure.description))
        } catch {
            return .failure(.unreadable((error as NSError).localizedDescription))
        }
    }
}

/// Data-file reads kept across checker runs, each valid while the file's size and
/// modification time are unchanged: a language server checks the document on every
/// edit, and re-reading a large CSV each time would dominate its answer time.
public final class DataFileCache: @unchecked Sendable {
    private struct Stamp: Equatable {
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int
    }

    private let lock = NSLock()
    private var headers: [String: (Stamp?, Result<DataHeader, DataFileReader.Failure>)] = [:]
    private var values: [String: (Stamp?, DataValues?)] = [:]

    /// An empty cache; give the same instance to every `Checker` whose reads should be shared.
    public init() {}

    /// The file's size and modification time, nil when it cannot be stat'ed (then nothing is kept).
    private static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(size: Int64(info.st_size), modified: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }

    func header(key: String, path: String, read: () -> Result<DataHeader, DataFileReader.Failure>) -> Result<DataHeader, DataFileReader.Failure> {
        let stamp = Self.stamp(path)
        if let stamp, let (kept, result) = lock.withLock({ headers[key] }), kept == stamp { return result }
        let result = read()
        if stamp != nil { lock.withLock { headers[key] = (stamp, result) } }
        return result
    }

    func values(key: String, path: String, read: () -> DataValues?) -> DataValues? {
        let stamp = Self.stamp(path)
        if let stamp, let (kept, result) = lock.withLock({ values[key] }), kept == stamp { return result }
        let result = read()
        if stamp != nil { lock.withLock { values[key] = (stamp, result) } }
        return result
    }
}

/// What `check` reads of a data file's values (a local file, read once per checker run):
/// cells `run` would refuse, and how many classes the label column holds.
struct DataValues: Sendable {
    /// A cell that is empty, missing or not a number.
    struct Cell: Sendable {
        /// 1-based line where its record starts, and 0-based data row.
        var line: Int
        var row: Int
        var text: String
    }

    /// Per column, its first cell (in file order) that is not a number, as `DecimalParser` reads numbers.
    var firstNonNumeric: [String: Cell] = [:]
    /// The label column's class count under `TargetKind.classes`: one more than the largest
    /// label when every label is a non-negative integer (below 1 000 000), else the number
    /// of distinct values. Nil without a label column or with labels `run` refuses as class ids.
    var classCount: Int?
    /// The number of data rows (records after the header; JSON objects).
    var rowCount = 0
    /// The first row whose label is empty or absent, which `run` refuses.
    var firstEmptyLabel: Cell?
    /// The one label value when every row has that same (non-empty) label.
    var onlyLabel: String?
    /// Why the file cannot be parsed past its header (a ragged row, an unclosed quote),
    /// with the line: the error `run` would stop at. The header's own problems are the header check's.
    var malformed: (line: Int?, reason: String)?
    /// The text column's cells in file order, when it was asked for (`paraphrases` counts the texts its table covers).
    var texts: [String] = []

    /// Reads the file at the absolute `path` (`csv` or `jsonl`); nil when it cannot be read
    /// (its header check reports why).
    static func read(path: String, format: String, label: String?, text textColumn: String? = nil) -> DataValues? {
        guard let bytes = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) else { return nil }
        var values = DataValues()
        var labels: [String] = []
        func visit(_ column: String, line: Int, row: Int, _ text: String?) {
            if values.firstNonNumeric[column] == nil, text.flatMap({ DecimalParser.parse($0) }) == nil {
                values.firstNonNumeric[column] = Cell(line: line, row: row, text: text ?? "")
            }
            if column == label {
                if (text ?? "").isEmpty, values.firstEmptyLabel == nil { values.firstEmptyLabel = Cell(line: line, row: row, text: "") }
                labels.append(text ?? "")
            }
            if column == textColumn { values.texts.append(text ?? "") }
        }
        if format == "jsonl" {
            var columns: [String] = [], known = Set<String>()
            var row = 0, firstLine = 0
            do {
                try bytes.withUnsafeBufferPointer { buf in
                    try JSONLinesRecords.forEach(in: buf) { line, members in
                        if row == 0 { firstLine = line }
                        var present = Set<String>()
                        for (key, value) in members {
                            if known.insert(key).inserted {
                                // Absent from every earlier record: missing there.
                                if row > 0, values.firstNonNumeric[key] == nil { values.firstNonNumeric[key] = Cell(line: firstLine, row: 0, text: "") }
                                columns.append(key)
                            }
                            present.insert(key)
                            visit(key, line: line, row: row, JSONLinesRecords.cellText(value))
                        }
                        for c in columns where !present.contains(c) { visit(c, line: line, row: row, nil) }
                        row += 1
                    }
                }
            } catch { return nil }  // the header check reads the whole file and reports it
            values.rowCount = row
        } else {
            var buffer = bytes
            let records: CSVRecords
            do {
                records = try buffer.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
            } catch let error as CSVError {
                values.malformed = (error.line, error.reason.message)
                return values
            } catch { return nil }
            guard let header = records.header else { return nil }
            values.rowCount = records.rowLines.count
            let width = header.count
            // Numbers are read from the bytes; a cell becomes a `String` only when it is a label
            // or a column's first non-number (10⁶ rows: one String per row, not one per cell).
            var settled = [Bool](repeating: false, count: width)
            buffer.withUnsafeBufferPointer { buf in
                for row in 0..<records.rowLines.count {
                    for (c, column) in header.enumerated() where !settled[c] || column == label || column == textColumn {
                        let k = 2 * (row * width + c)
                        let cell = UnsafeBufferPointer(rebasing: buf[Int(records.spans[k])..<Int(records.spans[k + 1])])
                        if column != label, column != textColumn, DecimalParser.parse(cell) != nil { continue }
                        visit(column, line: Int(records.rowLines[row]), row: row, String(decoding: cell, as: UTF8.self))
                        settled[c] = values.firstNonNumeric[column] != nil
                    }
                }
            }
        }
        if let first = labels.first, !first.isEmpty, labels.allSatisfy({ $0 == first }) { values.onlyLabel = first }
        if let label, !labels.isEmpty, !labels.contains("") {
            if values.firstNonNumeric[label] == nil {
                let ids = labels.compactMap { DecimalParser.parse($0) }
                if ids.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 < 1_000_000 }), let top = ids.max() { values.classCount = Int(top) + 1 }
            } else {
                values.classCount = Set(labels).count
            }
        }
        return values
    }
}
