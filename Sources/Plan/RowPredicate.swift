import Foundation
import Support

/// A `where` filter as an expression tree over a row's columns, built by the
/// compiler (`digits where label >= 5` → `.compare(.column("label"), .greaterOrEqual, .number(5))`).
///
/// Filters see the values as written in the file (before normalisation and before
/// labels become class ids). A comparison is numeric when both sides are numbers
/// (a column operand must then parse as a number in every row it is tested on);
/// it compares text when both sides are strings (ordering by UTF-8 bytes). A
/// number compared with a string constant is a `invalidSpec` error.
public indirect enum RowPredicate: Sendable, Hashable {
    /// `lhs op rhs`.
    case compare(Operand, Comparison, Operand)
    /// Both hold.
    case and(RowPredicate, RowPredicate)
    /// Either holds.
    case or(RowPredicate, RowPredicate)
    /// Does not hold.
    case not(RowPredicate)

    /// One side of a comparison.
    public enum Operand: Sendable, Hashable {
        /// The value of the named column in the row.
        case column(String)
        /// A numeric constant.
        case number(Double)
        /// A string constant.
        case string(String)
    }

    /// A comparison operator.
    public enum Comparison: String, Sendable, Hashable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// The column names the predicate reads (for `ftx check` against the data file's header).
    public var columns: [String] {
        switch self {
        case let .compare(l, _, r):
            return [l, r].compactMap { if case let .column(c) = $0 { return c } else { return nil } }
        case let .and(a, b), let .or(a, b): return a.columns + b.columns
        case let .not(a): return a.columns
        }
    }
}

extension RowPredicate: CustomStringConvertible {
    /// The filter in `.ftx` syntax, fully parenthesised, e.g. `(label >= 5 and not f0 == 0)`.
    /// Unambiguous, so usable in a canonical encoding: numbers print in one spelling
    /// (`5` for 5.0), strings JSON-quoted, column names that are not identifiers in backticks.
    public var description: String {
        func operand(_ o: Operand) -> String {
            switch o {
            case let .column(c):
                let identifier = !c.isEmpty && c.utf8.allSatisfy { $0 == 0x5F || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
                    && !(c.utf8.first! >= 0x30 && c.utf8.first! <= 0x39)
                return identifier ? c : "`\(c)`"
            case let .number(v): return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
            case let .string(s): return JSONWriter.quote(s)
            }
        }
        switch self {
        case let .compare(l, op, r): return "\(operand(l)) \(op.rawValue) \(operand(r))"
        case let .and(a, b): return "(\(a) and \(b))"
        case let .or(a, b): return "(\(a) or \(b))"
        case let .not(a): return "not \(a)"
        }
    }
}
