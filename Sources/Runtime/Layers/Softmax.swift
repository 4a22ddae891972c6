import Foundation
import Kernels
import Plan
import Support

/// Row-wise softmax and log-softmax over the last dim, forward/backward pairs.
///
/// x, y, dy, dx: (rows, cols). Max-subtracted, as PyTorch.
public enum SoftmaxKernel {
    typealias V = SIMD16<Float>
    typealias M = VectorMath

    @inline(always) static func rowMax(_ n: Int, _ x: UnsafePointer<Float>) -> Float {
        var i = 0
        var m = -Float.infinity
        if n >= 16 {
            var mv = M.load(x)
            i = 16
            while i + 16 <= n { mv = pointwiseMax(mv, M.load(x + i)); i += 16 }
            m = mv.max()
        }
        while i < n { m = max(m, x[i]); i += 1 }
        return m
    }

    /// y = exp(x − shift), returns Σy.
    @inline(always) static func expShifted(_ n: Int, _ x: UnsafePointer<Float>, _ shift: Float, _ y: UnsafeMutablePointer<Float>) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        while i + 16 <= n { let e = M.exp(M.load(x + i) - shift); M.store(e, y + i); acc += e; i += 16 }
        var s = acc.sum()
        while i < n { let e = M.exp(x[i] - shift); y[i] = e; s += e; i += 1 }
        return s
    }

    @inline(always) static func dot(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += M.load(a + i) * M.load(b + i); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// y = softmax(x) per row (in place allowed: x == y).
    public static func forward(rows: Int, cols: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * cols, yr = y + r * cols
            let s = expShifted(cols, xr, rowMax(cols, xr), yr)
            Elementwise.scale(cols, yr, 1 / s, yr)
        }
    }

    /// dx += y ⊙ (dy − ⟨dy, y⟩) per row.
    public static func backward(rows: Int, cols: Int, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let yr = y + r * cols, gr = dy + r * cols, dr = dx + r * cols
            let d = dot(cols, gr, yr)
            var i = 0
            while i + 16 <= cols { M.store(M.load(dr + i) + M.load(yr + i) * (M.load(gr + i) - d), dr + i); i += 16 }
            while i < cols { dr[i] += yr[i] * (gr[i] - d); i += 1 }
        }
    }

    /// y = x − max − log Σ exp(x − max) per row; `scratch` holds `cols` floats.
    public static func logForward(rows: Int, cols: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * cols, yr = y + r * cols
            let m = rowMax(cols, xr)
            let s = expShifted(cols, xr, m, yr)  // yr used as scratch
            let shift = m + Foundation.log(s)
            var i = 0
            while i + 16 <= cols { M.store(M.load(xr + i) - shift, yr + i); i += 16 }
            while i < cols { yr[i] = xr[i] - shift; i += 1 }
        }
    }

    /// dx += dy − exp(y) · Σdy per row.
    public static func logBackward(rows: Int, cols: Int, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let yr = y + r * cols, gr = dy + r * cols, dr = dx + r * cols
            let s = Elementwise.sum(cols, gr)
            var i = 0
            while i + 16 <= cols { M.store(M.load(dr + i) + M.load(gr + i) - M.exp(M.load(yr + i)) * s, dr + i); i += 16 }
            while i < cols { dr[i] += gr[i] - M.exp(yr[i]) * s; i += 1 }
        }
    }
}

extension Tape {
    /// Softmax over the last dim.
    public func softmax(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let (rows, cols) = xv.rowsAndColumns
        SoftmaxKernel.forward(rows: rows, cols: cols, x: xv.pointer, y: y.pointer)
        return record(y, .softmax(x.id), inputs: x.id)
    }

    /// Log-softmax over the last dim.
    public func logSoftmax(_ x: Variable) -> Variable {
        let xv = value(x)
        let y = scratch(xv.shape)
        let (rows, cols) = xv.rowsAndColumns
        SoftmaxKernel.logForward(rows: rows, cols: cols, x: xv.pointer, y: y.pointer)
        return record(y, .logSoftmax(x.id), inputs: x.id)
    }
}
