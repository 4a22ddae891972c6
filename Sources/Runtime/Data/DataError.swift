import Foundation
import Kernels
import Plan
import Support

/// A problem reading or preparing a data set: which file, which line, what is wrong.
///
/// Rendered as `path:line: message` (or `path: message` when no line applies), so
/// the CLI can print it next to compiler diagnostics. Readers and loaders throw
/// these and never crash on bad input.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file being read (as given in the `DataSpec`).
    public var path: String
    /// 1-based physical line in `path` where the offending record starts; nil when
    /// the problem concerns the file as a whole.
    public var line: Int?
    /// What went wrong.
    public var reason: Reason

    /// Creates an error about `path`, at `line` when known.
    public init(path: String, line: Int? = nil, reason: Reason) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    /// The problem, with the values needed to explain it. Messages are kept in
    /// `message`, alphabetically by case.
    public enum Reason: Sendable, Equatable {
        /// A quoted CSV field's closing quote is followed by something other than a separator.
        case characterAfterQuote(found: String)
        /// A stratified split needs class labels.
        case classLabelsRequired(rule: String)
        /// The header names the same column twice.
        case duplicateColumn(name: String)
        /// A value that must be present is empty (or null in JSONL).
        case emptyValue(column: String, row: Int)
        /// The file has no header record (CSV) or no object (JSONL).
        case emptyFile
        /// A JSONL line is not a valid flat JSON object.
        case invalidJSON(detail: String)
        /// A label cannot be used with the requested target (e.g. `bce` with a label 2).
        case invalidLabel(column: String, row: Int, value: String, expected: String)
        /// The spec itself is inconsistent (e.g. a split fraction outside [0, 1]).
        case invalidSpec(detail: String)
        /// A column named by the spec or a filter is not in the file.
        case missingColumn(name: String, available: [String])
        /// A value that must be a number is not one.
        case nonNumeric(column: String, row: Int, value: String)
        /// A record has a different number of fields than the header.
        case raggedRow(expected: Int, found: Int)
        /// The file cannot be opened or read.
        case unreadable(detail: String)
        /// A quoted CSV field is never closed.
        case unterminatedQuote
    }

    /// The human-readable problem, without location.
    public var message: String {
        switch reason {
        case let .characterAfterQuote(found):
            return "unexpected \(found) after a closing quote; a quoted field must end at a comma or line end (write \"\" for a quote inside a field)"
        case let .classLabelsRequired(rule):
            return "\(rule) split needs class labels; use random(...) or ordered(...) for a numeric target"
        case let .duplicateColumn(name):
            return "column '\(name)' appears twice in the header"
        case let .emptyValue(column, row):
            return "empty value in column '\(column)' (data row \(row))"
        case .emptyFile:
            return "the file is empty; expected a header record"
        case let .invalidJSON(detail):
            return "invalid JSON line: \(detail)"
        case let .invalidLabel(column, row, value, expected):
            return "label '\(value)' in column '\(column)' (data row \(row)) is not \(expected)"
        case let .invalidSpec(detail):
            return detail
        case let .missingColumn(name, available):
            let shown = available.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            let more = available.count > 8 ? ", … (\(available.count) columns)" : ""
            return "no column named '\(name)'; the file has \(shown)\(more)"
        case let .nonNumeric(column, row, value):
            return "value '\(value)' in column '\(column)' (data row \(row)) is not a number"
        case let .raggedRow(expected, found):
            return "record has \(found) field\(found == 1 ? "" : "s"); the header has \(expected)"
        case let .unreadable(detail):
            return "cannot read the file: \(detail)"
        case .unterminatedQuote:
            return "a quoted field starting here is never closed"
        }
    }

    /// `path:line: message`.
    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
