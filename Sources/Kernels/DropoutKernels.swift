import Foundation

// Dropout with its mask kept as one byte per element (1 = kept, 0 = dropped) instead of the
// float factor {1/(1−p), 0}: a fine-tune keeps every layer's masks until backward, and at
// BERT-base size (seq 128, batch 16) float masks were 300 MB of the step's peak memory.
//
// Each kernel expands the bytes into the float factor first and then computes exactly what
// the float-mask kernel did (`vectorMul`, `vectorMulAdd`: a multiply, then an add, not
// fused), so results are bit-identical to keeping the floats. Scalar twins: `…Reference`.

/// The factor a kept element is multiplied by: 1/(1 − p).
@inlinable
public func dropoutKeepFactor(p: Float) -> Float { 1 / (1 - p) }

// The loops are plain element loops on purpose: LLVM vectorises them (byte loads widened,
// compared and blended: `vpmovzxbd`, `vptestmd`, masked moves), while `SIMD16<UInt8>`'s
// widening and integer comparisons were scalarised into a per-lane loop (6% of a BERT-base
// fine-tune step). Every element is one select and one multiply (and one add) either way, so
// the vector width the compiler picks cannot change a result. In place (out == x) LLVM's
// overlap check takes the scalar loop: callers on a hot path write to another buffer.

/// out = x ⊙ factor(mask).   // x, out: (N)  mask: (N) bytes
public func dropoutMultiply(_ x: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, keep: Float,
                            out: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { out[i] = x[i] * (mask[i] != 0 ? keep : 0) }
}

/// out = x ⊙ factor(mask) + y (a multiply, then an add).   // x, y, out: (N)  mask: (N) bytes
public func dropoutMultiplyAdd(_ x: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, keep: Float, _ y: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { out[i] = x[i] * (mask[i] != 0 ? keep : 0) + y[i] }
}

/// Scalar twin of `dropoutMultiply`.
public func dropoutMultiplyReference(_ x: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, keep: Float,
                                     out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] * (mask[i] != 0 ? keep : 0) }
}

/// Scalar twin of `dropoutMultiplyAdd`.
public func dropoutMultiplyAddReference(_ x: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, keep: Float,
                                        _ y: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = x[i] * (mask[i] != 0 ? keep : 0) + y[i] }
}
