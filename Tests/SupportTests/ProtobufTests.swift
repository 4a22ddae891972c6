import Foundation
import Support
import XCTest

/// The protobuf wire-format encoder against bytes computed by hand from the
/// encoding rules (protobuf.dev/programming-guides/encoding), and the decoder as
/// its inverse.
final class ProtobufTests: XCTestCase {
    private func bytes(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        body(&w)
        return [UInt8](w.data)
    }

    func testVarintsIncludingTheDocumentationsExampleAndLimits() {
        // Field 1 = 150: key 0x08, then 150 = 0b1_0010110 → 0x96 0x01.
        XCTAssertEqual(bytes { $0.uint64(1, 150) }, [0x08, 0x96, 0x01])
        XCTAssertEqual(bytes { $0.uint64(1, 0) }, [0x08, 0x00])
        XCTAssertEqual(bytes { $0.uint64(1, 127) }, [0x08, 0x7f])
        XCTAssertEqual(bytes { $0.uint64(1, 128) }, [0x08, 0x80, 0x01])
        XCTAssertEqual(bytes { $0.uint64(1, UInt64.max) }, [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        // Field 16 needs a two-byte key: 16 << 3 | 0 = 128.
        XCTAssertEqual(bytes { $0.uint64(16, 1) }, [0x80, 0x01, 0x01])
        // Field 20, ONNX's AttributeProto.type: 20 << 3 = 160 = 0xa0 0x01.
        XCTAssertEqual(bytes { $0.uint64(20, 7) }, [0xa0, 0x01, 0x07])
        XCTAssertEqual(bytes { $0.bool(3, true) }, [0x18, 0x01])
    }

    func testNegativeInt64IsTenBytesOfTwosComplement() {
        XCTAssertEqual(bytes { $0.int64(1, -1) }, [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        // −2 = 0xffff_ffff_ffff_fffe: low group 0x7e (with continuation → 0xfe).
        XCTAssertEqual(bytes { $0.int64(1, -2) }, [0x08, 0xfe] + [UInt8](repeating: 0xff, count: 8) + [0x01])
        XCTAssertEqual(bytes { $0.int64(1, Int64.min) }, [0x08] + [UInt8](repeating: 0x80, count: 9) + [0x01])
        XCTAssertEqual(bytes { $0.int64(2, 8) }, [0x10, 0x08])
    }

    func testFixedWidthFloatsAndDoubles() {
        // 1.0f = 0x3f800000, little-endian; key 2 << 3 | 5 = 0x15.
        XCTAssertEqual(bytes { $0.float(2, 1) }, [0x15, 0x00, 0x00, 0x80, 0x3f])
        // −2.5f = 0xc0200000.
        XCTAssertEqual(bytes { $0.float(2, -2.5) }, [0x15, 0x00, 0x00, 0x20, 0xc0])
        // 1.0 = 0x3ff0000000000000; key 1 << 3 | 1 = 0x09.
        XCTAssertEqual(bytes { $0.double(1, 1) }, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])
        XCTAssertEqual(bytes { $0.fixed32(3, 0x0102_0304) }, [0x1d, 0x04, 0x03, 0x02, 0x01])
    }

    func testLengthDelimitedStringsPackedFieldsAndNestedMessages() {
        // The documentation's string example: field 2 = "testing".
        XCTAssertEqual(bytes { $0.string(2, "testing") }, [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67])
        XCTAssertEqual(bytes { $0.string(2, "") }, [0x12, 0x00])
        // Its packed example: field 4 = [3, 270, 86942] → 06 03 8e02 9ea705.
        XCTAssertEqual(bytes { $0.packedInt64s(4, [3, 270, 86942]) }, [0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05])
        XCTAssertEqual(bytes { $0.packedInt64s(1, [-1]) }, [0x0a, 0x0a] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        XCTAssertEqual(bytes { $0.packedFloats(4, [1, -2.5]) }, [0x22, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0])
        // Its embedded-message example: field 3 holding {1: 150} → 1a 03 08 96 01.
        XCTAssertEqual(bytes { $0.message(3) { $0.uint64(1, 150) } }, [0x1a, 0x03, 0x08, 0x96, 0x01])
        // Two levels, and fields in call order.
        XCTAssertEqual(bytes { w in
            w.message(1) { $0.message(2) { $0.string(1, "a") }; $0.uint64(3, 1) }
            w.uint64(2, 5)
        }, [0x0a, 0x07, 0x12, 0x03, 0x0a, 0x01, 0x61, 0x18, 0x01, 0x10, 0x05])
        // A payload longer than 127 bytes has a two-byte length.
        let long = bytes { $0.bytes(1, Data(repeating: 7, count: 200)) }
        XCTAssertEqual(Array(long.prefix(3)), [0x0a, 0xc8, 0x01])
        XCTAssertEqual(long.count, 203)
    }

    func testDecoderInvertsTheEncoder() throws {
        var inner = ProtobufWriter()
        inner.string(1, "node")
        inner.packedInt64s(2, [1, -3, 1 << 40])
        var w = ProtobufWriter()
        w.int64(1, -7)
        w.float(2, 0.25)
        w.double(3, -1.5)
        w.packedFloats(4, [1, 2, 3.5])
        w.bytes(5, inner.data)
        w.bytes(5, inner.data)
        w.uint64(6, 1)
        w.uint64(6, 2)
        let m = try ProtobufMessage(w.data)
        XCTAssertEqual(m.int64(1), -7)
        XCTAssertEqual(m.float(2), 0.25)
        XCTAssertEqual(m.values(3), [.fixed64((-1.5 as Double).bitPattern)])
        XCTAssertEqual(try m.floats(4), [1, 2, 3.5])
        let nested = try m.messages(5)
        XCTAssertEqual(nested.count, 2)
        XCTAssertEqual(nested[0].string(1), "node")
        XCTAssertEqual(try nested[1].int64s(2), [1, -3, 1 << 40])
        XCTAssertEqual(m.varint(6), 2, "the last of a repeated scalar wins")
        XCTAssertEqual(try m.int64s(6), [1, 2], "unpacked repeated int64s")
    }

    func testDecoderRejectsTruncatedAndMalformedInput() {
        func error(_ b: [UInt8]) -> ProtobufDecodeError? {
            do { _ = try ProtobufMessage(Data(b)); return nil } catch { return error as? ProtobufDecodeError }
        }
        XCTAssertEqual(error([0x08, 0x96])?.message, "truncated varint")
        XCTAssertEqual(error([0x0a, 0x05, 0x61])?.message, "length 5 runs past the end")
        XCTAssertEqual(error([0x15, 0x00, 0x00])?.message, "truncated 32-bit value")
        XCTAssertEqual(error([0x0b])?.message, "unsupported wire type 3")
        XCTAssertEqual(error([0x00, 0x00])?.message, "field number 0 outside 1 ..< 2^29")
        XCTAssertEqual(error([0x08] + [UInt8](repeating: 0xff, count: 11))?.message, "varint longer than 10 bytes")
        XCTAssertNil(error([]), "an empty message is valid")
    }
}
