import Foundation
import Plan
import Support

/// Evaluating a `where` filter on a loaded table (the filter itself is plan data).
extension RowPredicate {
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
