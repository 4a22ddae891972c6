import Foundation
import Kernels
import XCTest

/// Each optimizer kernel against its scalar twin, bit for bit (both round the same operations
/// in the same order; the SIMD square root is IEEE's), on awkward lengths and every option.
final class OptimizerKernelTests: KernelTestCase {
    /// Parameters, gradients and `states` state buffers (positive where a square root reads them).
    func data(_ n: Int, states: Int) -> (p: [Float], g: [Float], s: [[Float]]) {
        (Self.random(n, -1...1, seed: 1), Self.random(n, -1...1, seed: 2),
         (0..<states).map { Self.random(n, 0.01...0.1, seed: 3 + UInt64($0)) })
    }

    func testAdamMatchesTwin() {
        for n in Self.sizes {
            for (l2, decay, amsgrad) in [(Float(0), Float(0.9999), false), (0.01, 1, true)] {
                var (p, g, s) = data(n, states: 3)
                var (pt, _, st) = data(n, states: 3)
                func step(_ twin: Bool, _ p: inout [Float], _ s: inout [[Float]]) {
                    let kernel = twin ? adamStepReference : adamStep
                    var m = s[0], v = s[1], vmax = s[2]
                    vmax.withUnsafeMutableBufferPointer { vmax in
                        kernel(n, &p, g, &m, &v, amsgrad ? vmax.baseAddress : nil, decay, l2, 0.1, 0.999, 0.001, -0.01, 1.2, 1e-8)
                    }
                    s = [m, v, vmax]
                }
                for _ in 0..<3 { step(false, &p, &s); step(true, &pt, &st) }
                assertBits(p, pt, "adam p n=\(n)")
                for (a, b) in zip(s, st) { assertBits(a, b, "adam state n=\(n)") }
            }
        }
    }

    func testSGDMatchesTwin() {
        for n in Self.sizes {
            for wd in [Float(0), 0.01] {
                var (p, g, _) = data(n, states: 0)
                var pt = p
                sgdStep(count: n, parameters: &p, gradients: g, weightDecay: wd, negLR: -0.1)
                sgdStepReference(count: n, parameters: &pt, gradients: g, weightDecay: wd, negLR: -0.1)
                assertBits(p, pt, "sgd n=\(n)")
                for nesterov in [false, true] {
                    var (p, g, s) = data(n, states: 1)
                    var (pt, _, st) = data(n, states: 1)
                    for first in [true, false] {
                        sgdMomentumStep(count: n, parameters: &p, gradients: g, momentumBuffer: &s[0], weightDecay: wd, momentum: 0.9,
                                        keep: 0.9, first: first, nesterov: nesterov, negLR: -0.1)
                        sgdMomentumStepReference(count: n, parameters: &pt, gradients: g, momentumBuffer: &st[0], weightDecay: wd,
                                                 momentum: 0.9, keep: 0.9, first: first, nesterov: nesterov, negLR: -0.1)
                    }
                    assertBits(p, pt, "sgd momentum n=\(n) nesterov \(nesterov)")
                    assertBits(s[0], st[0], "sgd momentum buffer n=\(n)")
                }
            }
        }
    }

    func testRMSpropMatchesTwin() {
        for n in Self.sizes {
            for (momentum, centered) in [(false, false), (true, false), (false, true), (true, true)] {
                var (p, g, s) = data(n, states: 3)
                var (pt, _, st) = data(n, states: 3)
                func step(_ twin: Bool, _ p: inout [Float], _ s: inout [[Float]]) {
                    let kernel = twin ? rmspropStepReference : rmspropStep
                    var square = s[0], buffer = s[1], average = s[2]
                    buffer.withUnsafeMutableBufferPointer { b in average.withUnsafeMutableBufferPointer { a in
                        kernel(n, &p, g, &square, momentum ? b.baseAddress : nil, centered ? a.baseAddress : nil,
                               0.01, 0.99, 0.01, 1e-8, 0.9, -0.01)
                    } }
                    s = [square, buffer, average]
                }
                for _ in 0..<3 { step(false, &p, &s); step(true, &pt, &st) }
                assertBits(p, pt, "rmsprop p n=\(n) momentum \(momentum) centered \(centered)")
                for (a, b) in zip(s, st) { assertBits(a, b, "rmsprop state n=\(n)") }
            }
        }
    }

    func testAdagradMatchesTwin() {
        for n in Self.sizes {
            var (p, g, s) = data(n, states: 1)
            var (pt, _, st) = data(n, states: 1)
            for _ in 0..<3 {
                adagradStep(count: n, parameters: &p, gradients: g, sum: &s[0], weightDecay: 0.01, negCLR: -0.01, eps: 1e-10)
                adagradStepReference(count: n, parameters: &pt, gradients: g, sum: &st[0], weightDecay: 0.01, negCLR: -0.01, eps: 1e-10)
            }
            assertBits(p, pt, "adagrad p n=\(n)")
            assertBits(s[0], st[0], "adagrad sum n=\(n)")
        }
    }
}
