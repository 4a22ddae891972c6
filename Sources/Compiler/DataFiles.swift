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
        // Read only up to the end of the first line (a header may hold a quoted newline, so the CSV scanner decides where it ends).
        var bytes: [UInt8] = []
        var inQuotes = false
        reading: while true {
            let chunk = handle.readData(ofLength: 64 * 1024)
            if chunk.isEmpty { break }
            for byte in chunk {
                if byte == UInt8(ascii: "\"") && format == "csv" { inQuotes.toggle() }
                if byte == UInt8(ascii: "\n") && !inQuotes { break reading }
                bytes.append(byte)
            }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.isEmpty { return .failure(.unreadable("the file is empty; expected a header line")) }
        switch format {
        case "jsonl":
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                return .failure(.unreadable("the first line is not a JSON object"))
            }
            return .success(DataHeader(columns: object.keys.sorted()))
        default:
            return .success(DataHeader(columns: parseCSVRecord(bytes)))
        }
    }

    /// Splits one CSV record (RFC 4180: quoted fields, doubled quotes).
    static func parseCSVRecord(_ bytes: [UInt8]) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 1 } else { inQuotes = false }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") {
                inQuotes = true
            } else if b == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces))
                field = []
            } else {
                field.append(b)
            }
            i += 1
        }
        fields.append(String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces))
        return fields
    }
}
