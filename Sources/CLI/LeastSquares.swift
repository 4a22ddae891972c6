import Foundation

/// Solves min ‖X·b − y‖ over measured rows (x, y) through the normal equations, each column
/// scaled to at most 1 first (the calibration's columns run from 1 to millions of operations),
/// with Gaussian elimination and partial pivoting. Nil when X has no full rank. Used by
/// `ftx bench calibrate` to split measured times into per-unit prices.
func leastSquares(_ rows: [(x: [Double], y: Double)]) -> [Double]? {
    let n = rows.first?.x.count ?? 0
    guard n > 0, rows.count >= n else { return nil }
    let scale = (0..<n).map { j in rows.map { abs($0.x[j]) }.max().map { $0 > 0 ? $0 : 1 } ?? 1 }
    var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
    for r in rows {
        for i in 0..<n {
            for j in 0..<n { a[i][j] += r.x[i] / scale[i] * r.x[j] / scale[j] }
            a[i][n] += r.x[i] / scale[i] * r.y
        }
    }
    for col in 0..<n {
        guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
        a.swapAt(col, pivot)
        for row in 0..<n where row != col {
            let f = a[row][col] / a[col][col]
            for j in col...n { a[row][j] -= f * a[col][j] }
        }
    }
    return (0..<n).map { a[$0][n] / a[$0][$0] / scale[$0] }
}

/// `leastSquares` with every coefficient at least zero (a price is never negative): while
/// the fit has a negative coefficient, that column is dropped and the rest fitted again;
/// dropped columns are 0. Nil when no fit of the remaining columns exists.
func nonNegativeLeastSquares(_ rows: [(x: [Double], y: Double)]) -> [Double]? {
    let n = rows.first?.x.count ?? 0
    var kept = Array(0..<n)
    while !kept.isEmpty {
        guard let fit = leastSquares(rows.map { r in (kept.map { r.x[$0] }, r.y) }) else { return nil }
        if let worst = fit.indices.filter({ fit[$0] < 0 }).min(by: { fit[$0] < fit[$1] }) {
            kept.remove(at: worst)
            continue
        }
        var out = [Double](repeating: 0, count: n)
        for (i, column) in kept.enumerated() { out[column] = fit[i] }
        return out
    }
    return [Double](repeating: 0, count: n)
}
