import Foundation
import Kernels
import Plan
import Support

/// CSV data files, read into a `RecordTable` by Support's `CSVRecords` (the one
/// RFC 4180 parser, which `ftx check` also reads headers with); its rules are
/// documented there. Errors name the file and the line where the offending
/// record starts.
public enum CSVReader {
    /// Reads and parses the file at `path`.
    public static func read(path: String) throws -> RecordTable {
        try parse(bytes: readFile(path), path: path)
    }

    /// Parses CSV text already in memory; `path` is used only in errors.
    public static func parse(bytes input: [UInt8], path: String) throws -> RecordTable {
        var bytes = input
        let records: CSVRecords
        do {
            records = try bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
        } catch let error as CSVError {
            throw DataError(path: path, line: error.line, reason: .csv(error.reason))
        }
        guard let header = records.header else { throw DataError(path: path, reason: .emptyFile) }
        return RecordTable(path: path, header: header, rowCount: records.rowLines.count, bytes: bytes,
                           spans: records.spans, rowLines: records.rowLines)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
            return [UInt8](data)
        } catch {
            throw DataError(path: path, reason: .unreadable(detail: (error as NSError).localizedDescription))
        }
    }
}
