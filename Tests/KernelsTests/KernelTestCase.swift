import Foundation
import XCTest

/// Helpers shared by the kernel-against-twin tests: test data with edge values, buffers run
/// through a kernel, and comparisons (bit-identical, or within a stated tolerance).
class KernelTestCase: XCTestCase {
    /// Awkward lengths: only a tail, a vector and a tail, whole vectors, many vectors.
    static let sizes = [1, 7, 15, 16, 17, 33, 65, 1000]
    /// Awkward (rows, cols).
    static let shapes = [(1, 1), (1, 7), (7, 1), (3, 17), (17, 33), (33, 65), (65, 10), (4, 1000), (1000, 7)]

    typealias P = UnsafePointer<Float>
    typealias MP = UnsafeMutablePointer<Float>

    /// `n` values in `range`, with edge values where the approximations switch branches or
    /// saturate (and ±0) at every 7th place.
    static func random(_ n: Int, _ range: ClosedRange<Float> = -6...6, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed: seed)
        var v = (0..<n).map { _ in Float.random(in: range, using: &rng) }
        let specials: [Float] = [0, -0.0, 0.624, 0.626, -0.626, 1e-4, -1e-4, 20, -20, 90, -90, 9, -9]
        for (i, s) in specials.enumerated() where i * 7 < n { v[i * 7] = s }
        return v
    }

    func assertClose(_ got: [Float], _ want: [Float], abs absTol: Float, rel: Float, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        var bad = 0
        for i in 0..<min(got.count, want.count) {
            let ok = got[i] == want[i] || abs(got[i] - want[i]) <= absTol + rel * abs(want[i])
            if !ok {
                if bad < 3 { XCTFail("\(what)[\(i)] = \(got[i]), twin \(want[i])", file: file, line: line) }
                bad += 1
            }
        }
    }

    func assertBits(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(got.elementsEqual(want, by: { $0.bitPattern == $1.bitPattern }), "\(what) not bit-identical",
                      file: file, line: line)
    }

    /// Runs `f` with an output buffer initialised to `initial`, returns the buffer.
    func run(_ initial: [Float], _ f: (MP) -> Void) -> [Float] {
        var out = initial
        out.withUnsafeMutableBufferPointer { f($0.baseAddress!) }
        return out
    }
}
