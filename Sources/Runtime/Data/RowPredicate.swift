import Foundation

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

    /// The column names the predicate reads (for `ftx check` against `CSVHeader`).
    public var columns: [String] {
        switch self {
        case let .compare(l, _, r):
            return [l, r].compactMap { if case let .column(c) = $0 { return c } else { return nil } }
        case let .and(a, b), let .or(a, b): return a.columns + b.columns
        case let .not(a): return a.columns
        }
    }

    /// The predicate bound to `table`'s column indices; throws `missingColumn`.
    func bind(to table: RecordTable) throws -> BoundPredicate {
        switch self {
        case let .compare(l, op, r):
            let lb = try bindOperand(l, table), rb = try bindOperand(r, table)
            let numeric: Bool
            switch (l, r) {
            case (.string, .number), (.number, .string):
                throw DataError(path: table.path, reason: .invalidSpec(detail: "filter compares a number with a string: \(self)"))
            case (.string, _), (_, .string): numeric = false
            default: numeric = true  // column vs number, or column vs column: numeric
            }
            return .compare(lb, op, rb, numeric: numeric)
        case let .and(a, b): return .and(try a.bind(to: table), try b.bind(to: table))
        case let .or(a, b): return .or(try a.bind(to: table), try b.bind(to: table))
        case let .not(a): return .not(try a.bind(to: table))
        }
    }

    private func bindOperand(_ o: Operand, _ table: RecordTable) throws -> BoundPredicate.Operand {
        switch o {
        case let .column(name): return .column(try table.columnIndex(name))
        case let .number(v): return .number(v)
        case let .string(s): return .string(s)
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

/// A predicate with column names resolved; evaluated row by row.
indirect enum BoundPredicate {
    enum Operand { case column(Int), number(Double), string(String) }
    case compare(Operand, RowPredicate.Comparison, Operand, numeric: Bool)
    case and(BoundPredicate, BoundPredicate)
    case or(BoundPredicate, BoundPredicate)
    case not(BoundPredicate)

    func evaluate(row: Int, in table: RecordTable) throws -> Bool {
        switch self {
        case let .and(a, b): return try a.evaluate(row: row, in: table) && b.evaluate(row: row, in: table)
        case let .or(a, b): return try a.evaluate(row: row, in: table) || b.evaluate(row: row, in: table)
        case let .not(a): return try !a.evaluate(row: row, in: table)
        case let .compare(l, op, r, numeric):
            if numeric {
                let a = try number(l, row, table), b = try number(r, row, table)
                switch op {
                case .equal: return a == b
                case .notEqual: return a != b
                case .less: return a < b
                case .lessOrEqual: return a <= b
                case .greater: return a > b
                case .greaterOrEqual: return a >= b
                }
            }
            let a = Array(text(l, row, table).utf8), b = Array(text(r, row, table).utf8)
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a.lexicographicallyPrecedes(b)
            case .lessOrEqual: return !b.lexicographicallyPrecedes(a)
            case .greater: return b.lexicographicallyPrecedes(a)
            case .greaterOrEqual: return !a.lexicographicallyPrecedes(b)
            }
        }
    }

    private func number(_ o: Operand, _ row: Int, _ table: RecordTable) throws -> Double {
        switch o {
        case let .column(c): return try table.requireNumber(row: row, column: c)
        case let .number(v): return v
        case .string: return .nan  // excluded by `bind`
        }
    }

    private func text(_ o: Operand, _ row: Int, _ table: RecordTable) -> String {
        switch o {
        case let .column(c): return table.string(row: row, column: c)
        case let .number(v): return String(v)
        case let .string(s): return s
        }
    }
}
