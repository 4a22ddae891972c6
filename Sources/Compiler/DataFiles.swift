import Foundation
import Plan
import Support

/// The columns of a data file, read from its header only.
struct DataHeader: Sendable {
    var columns: [String]
}

/// Reads data-file headers, each path once per checker run.
final class DataFileReader {
    enum Failure: Error {
        case notFound
        case unreadable(String)
    }

    private var cache: [String: Result<DataHeader, Failure>] = [:]

    /// The header of the file at the absolute `path`, `format` `csv` or `jsonl`.
    func header(path: String, format: String) -> Result<DataHeader, Failure> {
        let key = format + ":" + path
        if let cached = cache[key] { return cached }
        let result = Self.read(path: path, format: format)
        cache[key] = result
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
