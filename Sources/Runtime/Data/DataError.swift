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
        /// A stratified split needs class labels.
        case classLabelsRequired(rule: String)
        /// A malformed CSV file (a ragged row, a quote never closed, a repeated column, …).
        case csv(CSVError.Reason)
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
        /// The file cannot be opened or read.
        case unreadable(detail: String)
    }

    /// The human-readable problem, without location.
    public var message: String {
        switch reason {
        case let .classLabelsRequired(rule):
            return "\(rule) split needs class labels; use random(...) or ordered(...) for a numeric target"
        case let .csv(reason):
            return reason.message
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
        case let .unreadable(detail):
            return "cannot read the file: \(detail)"
        }
    }

    /// `path:line: message`.
    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
