import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

final class TensorTests: XCTestCase {
    func testViewsShareStorageAndReshapeIsFree() {
        let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let r = t.reshaped([3, -1])
        XCTAssertEqual(r.shape, [3, 2])
        XCTAssertTrue(r.storage === t.storage)
        r[2, 1] = 60
        XCTAssertEqual(t[1, 2], 60)
        let row = t.rows(1..<2)
        XCTAssertEqual(row.shape, [1, 3])
        XCTAssertEqual(row.toArray(), [4, 5, 60])
        XCTAssertEqual(row.offset, 3)
        let c = t.copy()
        c[0, 0] = -1
        XCTAssertEqual(t[0, 0], 1)
        XCTAssertEqual(Tensor(scalar: 2.5).scalar, 2.5)
        XCTAssertEqual(Tensor(shape: [0, 4], data: []).count, 0)
    }

    func testBroadcastShapes() {
        XCTAssertEqual(Broadcast.shape([64, 10], [10]), [64, 10])
        XCTAssertEqual(Broadcast.shape([2, 1, 3], [4, 1]), [2, 4, 3])
        XCTAssertEqual(Broadcast.shape([], [3]), [3])
        XCTAssertNil(Broadcast.shape([2, 3], [4]))
        XCTAssertEqual(Broadcast.strides(of: [4, 1], in: [2, 4, 3]), [0, 1, 0])
    }

    func testBroadcastArithmeticMatchesNaiveLoops() {
        var rng = SeededGenerator(seed: 1)
        for n in [1, 7, 17, 33] {
            let x = randomTensor([5, n], &rng), bias = randomTensor([n], &rng), col = randomTensor([5, 1], &rng)
            let y = x + bias, z = x * col, w = x - x
            for i in 0..<5 {
                for j in 0..<n {
                    XCTAssertEqual(y[i, j], x[i, j] + bias[j])
                    XCTAssertEqual(z[i, j], x[i, j] * col[i, 0])
                    XCTAssertEqual(w[i, j], 0)
                }
            }
            let s = x * 2
            XCTAssertEqual(s[4, n - 1], 2 * x[4, n - 1])
        }
    }

    /// Storages above the mapping threshold (anonymous pages) start zeroed like small ones and
    /// hold what is written.
    func testLargeStoragesStartZeroedAndKeepWrites() {
        let n = (8 << 20) / 4 + 17
        let storage = TensorStorage(capacity: n)
        XCTAssertEqual(Int(bitPattern: storage.pointer) % 64, 0)
        XCTAssertTrue((0..<n).allSatisfy { storage.pointer[$0] == 0 })
        storage.pointer[n - 1] = 3
        storage.pointer[0] = -1
        XCTAssertEqual(storage.pointer[n - 1], 3)
        XCTAssertEqual(storage.pointer[0], -1)
    }

    func testArenaReusesBlocksInRequestOrder() {
        let arena = TensorArena()
        let a = arena.take(100), b = arena.take(10)
        arena.rewind()
        XCTAssertTrue(arena.take(100) === a)
        XCTAssertTrue(arena.take(5) === b)
        XCTAssertFalse(arena.take(7) === a)  // a new third block
        XCTAssertEqual(arena.floatsHeld, 117)
    }
}
