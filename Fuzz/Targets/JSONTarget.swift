import Foundation
import Runtime
import Support

/// The one JSON reader (config files, the store, JSONL data) and the JSONL data
/// reader. Property: what parses, re-encoded, parses to the same value.
enum JSONTarget {
    static func run(_ data: Data) {
        if let value = try? JSONParser.parse(data) {
            let text = JSONWriter.encode(value, options: .init(sortKeys: false))
            let back = try? JSONParser.parse(text)
            FuzzCheck.require(back == value, "re-encoded JSON differs: \(text)")
        }
        if let table = try? JSONLReader.parse(bytes: [UInt8](data), path: "fuzz.jsonl") {
            for row in 0..<min(table.rowCount, 1000) {
                for column in 0..<table.columnCount {
                    _ = table.string(row: row, column: column)
                    _ = table.number(row: row, column: column)
                }
            }
        }
    }
}
