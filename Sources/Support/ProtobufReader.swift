import Foundation

/// Why protobuf bytes could not be decoded: what was wrong and at which byte.
public struct ProtobufDecodeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The problem.
    public let message: String
    /// Offset of the offending byte in the message being decoded.
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A Protocol Buffers wire-format decoder into untyped fields — the inverse of
/// `ProtobufWriter`, for tests and tools that inspect what ftx wrote (an ONNX
/// model's nodes and initializers). Bounds-checked: truncated or malformed input
/// is an error, never a read out of range.
public struct ProtobufMessage: Sendable, Equatable {
    /// One field's payload, by wire type.
    public enum Value: Sendable, Equatable {
        /// Wire type 0.
        case varint(UInt64)
        /// Wire type 1, little-endian.
        case fixed64(UInt64)
        /// Wire type 2: a string, bytes, an embedded message or a packed field.
        case bytes(Data)
        /// Wire type 5, little-endian.
        case fixed32(UInt32)
    }

    /// The fields in wire order (repeated fields appear once per element).
    public let fields: [(number: Int, value: Value)]

    /// Decodes `data` as one message.
    public init(_ data: Data) throws {
        let bytes = [UInt8](data)
        var fields: [(number: Int, value: Value)] = []
        var i = 0
        func fail(_ message: String) -> ProtobufDecodeError { ProtobufDecodeError(message: message, offset: i) }
        func varint() throws -> UInt64 { try Self.readVarint(bytes, at: &i) }
        func fixed(_ n: Int) throws -> UInt64 {
            guard bytes.count - i >= n else { throw fail("truncated \(n * 8)-bit value") }
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += n
            return v
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            guard number >= 1 && number < 1 << 29 else { throw fail("field number \(key >> 3) outside 1 ..< 2^29") }
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1: fields.append((number, .fixed64(try fixed(8))))
            case 5: fields.append((number, .fixed32(UInt32(try fixed(4)))))
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count - i) else { throw fail("length \(length) runs past the end") }
                fields.append((number, .bytes(Data(bytes[i..<(i + Int(length))]))))
                i += Int(length)
            default: throw fail("unsupported wire type \(key & 7)")
            }
        }
        self.fields = fields
    }

    public static func == (a: ProtobufMessage, b: ProtobufMessage) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.number == $1.number && $0.value == $1.value }
    }

    // MARK: typed access

    /// Every payload of field `number`, in order.
    public func values(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    /// The last varint of field `number` (protobuf's last-one-wins), if any.
    public func varint(_ number: Int) -> UInt64? {
        values(number).reversed().lazy.compactMap { if case let .varint(v) = $0 { return v } else { return nil } }.first
    }

    /// The last varint of field `number` read as a two's complement `int64`.
    public func int64(_ number: Int) -> Int64? { varint(number).map { Int64(bitPattern: $0) } }

    /// The last `float` of field `number`.
    public func float(_ number: Int) -> Float? {
        values(number).reversed().lazy.compactMap { if case let .fixed32(v) = $0 { return Float(bitPattern: v) } else { return nil } }.first
    }

    /// Every length-delimited payload of field `number`.
    public func bytes(_ number: Int) -> [Data] {
        values(number).compactMap { if case let .bytes(d) = $0 { return d } else { return nil } }
    }

    /// Every string of field `number` (UTF-8; invalid bytes are replaced).
    public func strings(_ number: Int) -> [String] { bytes(number).map { String(decoding: $0, as: UTF8.self) } }

    /// The last string of field `number`.
    public func string(_ number: Int) -> String? { strings(number).last }

    /// Every embedded message of field `number`.
    public func messages(_ number: Int) throws -> [ProtobufMessage] { try bytes(number).map { try ProtobufMessage($0) } }

    /// The last embedded message of field `number`.
    public func message(_ number: Int) throws -> ProtobufMessage? { try messages(number).last }

    /// A repeated `int64` field, packed or not (both encodings are valid on the wire).
    public func int64s(_ number: Int) throws -> [Int64] {
        var out: [Int64] = []
        for value in values(number) {
            switch value {
            case let .varint(v): out.append(Int64(bitPattern: v))
            case let .bytes(d):
                let b = [UInt8](d)
                var i = 0
                while i < b.count { out.append(Int64(bitPattern: try Self.readVarint(b, at: &i))) }
            default: continue
            }
        }
        return out
    }

    /// A repeated `float` field, packed or not.
    public func floats(_ number: Int) throws -> [Float] {
        var out: [Float] = []
        for value in values(number) {
            switch value {
            case let .fixed32(v): out.append(Float(bitPattern: v))
            case let .bytes(d):
                guard d.count % 4 == 0 else { throw ProtobufDecodeError(message: "packed floats of \(d.count) bytes", offset: 0) }
                out += Self.littleEndianFloats(d)
            default: continue
            }
        }
        return out
    }

    /// Consecutive 4-byte little-endian floats (a packed payload or ONNX `raw_data`).
    public static func littleEndianFloats(_ d: Data) -> [Float] {
        let b = [UInt8](d)
        return stride(from: 0, to: b.count - 3, by: 4).map { k in
            Float(bitPattern: UInt32(b[k]) | UInt32(b[k + 1]) << 8 | UInt32(b[k + 2]) << 16 | UInt32(b[k + 3]) << 24)
        }
    }

    /// Reads the base-128 varint at `i` and moves `i` past it.
    static func readVarint(_ bytes: [UInt8], at i: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < bytes.count else { throw ProtobufDecodeError(message: "truncated varint", offset: i) }
            guard shift < 64 else { throw ProtobufDecodeError(message: "varint longer than 10 bytes", offset: i) }
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }
}
