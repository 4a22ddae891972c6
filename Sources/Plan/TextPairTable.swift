import Foundation
import Support

/// A CSV table of text pairs that a text augmentation reads: `word,synonym` for
/// `synonyms` and `random_insertion`, `text,paraphrase` for `paraphrases`. One reader
/// for `ftx check` (which reports its errors with file and line) and the runtime
/// (which augments with it), so both accept the same files.
///
/// - The header must name both columns; other columns are ignored.
/// - Every row needs both cells non-empty (not only spaces). Synonym cells are trimmed of
///   spaces and a `word` must be one word, kept lower-cased, as words are matched;
///   paraphrase cells are kept exactly, as texts are matched.
/// - A key may have several rows: its values are kept in file order, repeats dropped.
public struct TextPairTable: Sendable {
    /// Which pair a table holds.
    public enum Kind: Sendable {
        /// `word,synonym`.
        case synonyms
        /// `text,paraphrase`.
        case paraphrases

        /// The key and value column names.
        public var columns: (key: String, value: String) {
            switch self {
            case .synonyms: return ("word", "synonym")
            case .paraphrases: return ("text", "paraphrase")
            }
        }
    }

    /// A table that cannot be used, with the 1-based line of the offending record when there is one.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The line, or nil for the whole file.
        public var line: Int?
        /// What is wrong, in one sentence.
        public var reason: String
        /// How to fix it.
        public var help: String

        public init(line: Int?, reason: String, help: String) {
            self.line = line
            self.reason = reason
            self.help = help
        }

        public var description: String { (line.map { "line \($0): " } ?? "") + reason }
    }

    /// Each key's values, in file order.
    public let entries: [String: [String]]
    /// Data rows read.
    public let rowCount: Int

    /// Reads the table at `path`. Throws `Failure`.
    public static func read(path: String, kind: Kind) throws -> TextPairTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(line: nil, reason: "cannot read the file", help: "check the path, relative to the `.ftx` file")
        }
        return try parse([UInt8](data), kind: kind)
    }

    /// Parses a table's bytes. Throws `Failure`.
    public static func parse(_ bytes: [UInt8], kind: Kind) throws -> TextPairTable {
        var bytes = bytes
        let (keyName, valueName) = kind.columns
        let example = "`\(keyName),\(valueName)`"
        let records: CSVRecords
        do {
            records = try bytes.withUnsafeMutableBufferPointer { try CSVRecords.parse($0) }
        } catch let error as CSVError {
            throw Failure(line: error.line, reason: error.reason.message, help: "write RFC 4180 CSV with a header line \(example)")
        }
        guard let header = records.header else {
            throw Failure(line: nil, reason: "the file is empty", help: "start it with the header line \(example)")
        }
        guard let k = header.firstIndex(of: keyName), let v = header.firstIndex(of: valueName) else {
            let missing = [keyName, valueName].filter { !header.contains($0) }.map { "`\($0)`" }.joined(separator: " and ")
            throw Failure(line: 1, reason: "the header has no column \(missing) (it has \(header.map { "`\($0)`" }.joined(separator: ", ")))",
                          help: "name the columns in the header line: \(example)")
        }
        let width = header.count
        let rows = records.rowLines.count
        var entries: [String: [String]] = [:]
        func cell(_ row: Int, _ column: Int) -> String {
            let i = 2 * (row * width + column)
            let start = Int(records.spans[i]), end = Int(records.spans[i + 1])
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            // Words are looked up without spaces; texts are matched exactly, as the data's cells are read.
            return kind == .synonyms ? text.trimmingCharacters(in: .whitespaces) : text
        }
        for row in 0..<rows {
            let line = Int(records.rowLines[row])
            var key = cell(row, k)
            let value = cell(row, v)
            if key.allSatisfy(\.isWhitespace) || value.allSatisfy(\.isWhitespace) {
                throw Failure(line: line, reason: "the `\(key.allSatisfy(\.isWhitespace) ? keyName : valueName)` cell is empty",
                              help: "give every row both a \(keyName) and a \(valueName), or remove the row")
            }
            if kind == .synonyms {
                if key.contains(where: \.isWhitespace) {
                    throw Failure(line: line, reason: "the word `\(key)` is not one word; words are matched one at a time",
                                  help: "list single words in the `word` column (a synonym may be several words)")
                }
                key = key.lowercased()
            }
            if entries[key]?.contains(value) == true { continue }
            if value == key { continue }
            entries[key, default: []].append(value)
        }
        return TextPairTable(entries: entries, rowCount: rows)
    }

    private init(entries: [String: [String]], rowCount: Int) {
        self.entries = entries
        self.rowCount = rowCount
    }
}
