import Foundation
import Support
import XCTest

/// `MappedFile`: the bytes are the file's, a released range reads back the same (the pages are
/// re-read from the file), and unreadable paths throw naming the path.
final class MappedFileTests: XCTestCase {
    func testReleasedPagesReadBackFromTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-mapped-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<(5 * 4096 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        XCTAssertEqual(Array(file.bytes), bytes)
        file.release(100..<(4 * 4096 + 5))  // whole pages 1...3, partial pages at both ends kept
        file.release(0..<file.bytes.count)
        XCTAssertEqual(Array(file.bytes), bytes)
    }

    func testEmptyFileAndMissingPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-mapped-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try MappedFile(path: path).bytes.count, 0)
        XCTAssertThrowsError(try MappedFile(path: path + ".missing")) {
            XCTAssertTrue("\($0.localizedDescription)".contains(path + ".missing: No such file"), "\($0.localizedDescription)")
        }
        XCTAssertThrowsError(try MappedFile(path: NSTemporaryDirectory()))
    }
}
