import Foundation
import Kernels
import Plan
import Support

extension Tape {
    /// Softmax over the last dim.
    public func softmax(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let (rows, cols) = xv.rowsAndColumns
        softmaxRows(xv.pointer, out: y.pointer, rows: rows, cols: cols)
        return record(y, .softmax(x.id), inputs: x.id)
    }

    /// Log-softmax over the last dim.
    public func logSoftmax(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let (rows, cols) = xv.rowsAndColumns
        logSoftmaxRows(xv.pointer, out: y.pointer, rows: rows, cols: cols)
        return record(y, .logSoftmax(x.id), inputs: x.id)
    }
}
