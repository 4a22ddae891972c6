import Foundation

/// Protocol Buffers wire-format encoder (proto2/proto3 binary encoding), enough to
/// write ONNX models: every field is a key (field number << 3 | wire type) varint,
/// then its payload. https://protobuf.dev/programming-guides/encoding/
///
/// Fields are appended in call order; a message is written by encoding it into its
/// own writer and appending that as a length-delimited field (`message(_:_:)`).
/// Numbers are little-endian as the format requires, on any host.
public struct ProtobufWriter: Sendable {
    /// The wire types this encoder writes.
    public enum WireType: UInt8, Sendable {
        /// int32, int64, uint32, uint64, bool, enum: a base-128 varint.
        case varint = 0
        /// fixed64, sfixed64, double: 8 bytes little-endian.
        case fixed64 = 1
        /// string, bytes, embedded messages, packed repeated fields: varint length, then bytes.
        case lengthDelimited = 2
        /// fixed32, sfixed32, float: 4 bytes little-endian.
        case fixed32 = 5
    }

    /// The encoded bytes so far.
    public private(set) var data = Data()

    /// An empty message.
    public init() {}

    // MARK: scalars

    /// A varint field (`uint64`, or an `int32`/`enum` known non-negative).
    public mutating func uint64(_ field: Int, _ value: UInt64) {
        key(field, .varint)
        Self.appendVarint(value, to: &data)
    }

    /// An `int64` (or `int32`) field: two's complement as a varint, so a negative
    /// value takes ten bytes (the format's rule for int32 too, not zigzag).
    public mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    /// A `bool` field (varint 0 or 1).
    public mutating func bool(_ field: Int, _ value: Bool) {
        uint64(field, value ? 1 : 0)
    }

    /// A `float` field: 4 bytes, IEEE 754 little-endian.
    public mutating func float(_ field: Int, _ value: Float) {
        fixed32(field, value.bitPattern)
    }

    /// A `double` field: 8 bytes, IEEE 754 little-endian.
    public mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    /// A `fixed32` field.
    public mutating func fixed32(_ field: Int, _ value: UInt32) {
        key(field, .fixed32)
        Self.appendFixed32(value, to: &data)
    }

    /// A `fixed64` field.
    public mutating func fixed64(_ field: Int, _ value: UInt64) {
        key(field, .fixed64)
        Self.appendFixed64(value, to: &data)
    }

    // MARK: length-delimited

    /// A `bytes` field.
    public mutating func bytes(_ field: Int, _ value: Data) {
        key(field, .lengthDelimited)
        Self.appendVarint(UInt64(value.count), to: &data)
        data.append(value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Data(value.utf8))
    }

    /// An embedded message field: `body` writes the message's own fields.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) throws -> Void) rethrows {
        var inner = ProtobufWriter()
        try body(&inner)
        bytes(field, inner.data)
    }

    /// A packed `repeated float` (one length-delimited field of 4-byte values).
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        bytes(field, Self.littleEndianBytes(values))
    }

    /// A packed `repeated int64` (one length-delimited field of varints).
    public mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var payload = Data()
        for v in values { Self.appendVarint(UInt64(bitPattern: v), to: &payload) }
        bytes(field, payload)
    }

    // MARK: encoding primitives

    private mutating func key(_ field: Int, _ type: WireType) {
        precondition(field >= 1 && field < 1 << 29, "protobuf field numbers lie in 1 ..< 2^29, got \(field)")
        Self.appendVarint(UInt64(field) << 3 | UInt64(type.rawValue), to: &data)
    }

    /// Appends `value` as a base-128 varint: 7 bits per byte, least significant
    /// group first, high bit set on every byte but the last.
    public static func appendVarint(_ value: UInt64, to out: inout Data) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The floats as consecutive 4-byte little-endian values (a packed field's
    /// payload, or ONNX's `raw_data`), copied in one go on a little-endian host.
    public static func littleEndianBytes(_ values: [Float]) -> Data {
        #if _endian(little)
        return values.withUnsafeBytes { Data($0) }
        #else
        var out = Data(capacity: values.count * 4)
        for v in values { appendFixed32(v.bitPattern, to: &out) }
        return out
        #endif
    }

    /// Appends 4 bytes, little-endian.
    public static func appendFixed32(_ value: UInt32, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Appends 8 bytes, little-endian.
    public static func appendFixed64(_ value: UInt64, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
