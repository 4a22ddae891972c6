import Foundation
import Kernels
import Plan
import Support

/// One tensor's entry in a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range within the data section (after the 8-byte length and the header).
    public let dataOffsets: Range<Int>

    /// Product of the shape (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file opened for reading.
///
/// Layout: 8-byte little-endian header length `n`, `n` bytes of UTF-8 JSON
/// (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`),
/// then the data section; offsets are relative to the data section. The file is
/// memory-mapped and the whole header validated up front, so every later read
/// is in bounds; a broken or hostile file throws a `SafetensorsError` naming the
/// file and the problem and never crashes.
public struct SafetensorsFile: @unchecked Sendable {
    /// Headers larger than this are refused (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// The file path (or `<memory>`), used in error messages.
    public let path: String
    /// Tensors in header order.
    public let tensors: [SafetensorsTensorInfo]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]

    private let data: Data
    private let dataStart: Int
    private let index: [String: Int]
    /// The mapping behind `data` when the file was opened from a path: `copyFloats` hands each
    /// tensor's pages back once copied, so loading does not hold the file and its copy at once.
    private var mapping: MappedFile?

    /// Opens and validates the file at `path`, memory-mapping it.
    public init(contentsOf path: String) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch {
            throw SafetensorsError(path: path, problem: "cannot read file: \(error.localizedDescription)")
        }
        let data = mapping.bytes.baseAddress.map {
            Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: mapping.bytes.count, deallocator: .none)
        } ?? Data()
        try self.init(data: data, path: path)
        self.mapping = mapping
    }

    /// Validates an in-memory safetensors image; `path` only labels errors.
    public init(data: Data, path: String = "<memory>") throws {
        func fail(_ problem: String) -> SafetensorsError { SafetensorsError(path: path, problem: problem) }
        self.path = path
        let data = data.startIndex == 0 ? data : Data(data)  // rebase slices so offsets start at 0
        self.data = data
        guard data.count >= 8 else {
            throw fail("file is \(data.count) bytes, shorter than the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        data.withUnsafeBytes { raw in
            headerLength = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(Self.maxHeaderBytes)-byte limit")
        }
        let n = Int(headerLength)
        guard n >= 2 else { throw fail("header of \(n) bytes cannot be a JSON object") }
        dataStart = 8 + n
        let dataLength = data.count - dataStart

        let header: JSONValue
        do {
            header = try data.withUnsafeBytes { raw in
                try JSONParser.parse(bytes: UnsafeBufferPointer(
                    start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + 8, count: n))
            }
        } catch let e as JSONParseError {
            throw fail("header is not valid JSON (\(e.message) at header byte \(e.offset))")
        }
        guard let members = header.objectValue else {
            throw fail("header is not a JSON object")
        }

        var tensors = [SafetensorsTensorInfo]()
        var metadata = [String: String]()
        var seen = Set<String>()
        var sawMetadata = false
        for (name, entry) in members {
            if name == "__metadata__" {
                if sawMetadata { throw fail("duplicate '__metadata__' entry") }
                sawMetadata = true
                guard let fields = entry.objectValue else { throw fail("'__metadata__' is not an object") }
                for (k, v) in fields {
                    guard let s = v.stringValue else { throw fail("'__metadata__' value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard seen.insert(name).inserted else { throw fail("duplicate tensor name '\(name)'") }
            guard entry.objectValue != nil else { throw fail("entry for tensor '\(name)' is not an object") }
            guard let dtypeName = entry["dtype"]?.stringValue else {
                throw fail("tensor '\(name)' has no string 'dtype'")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail("tensor '\(name)' has unknown dtype '\(dtypeName)'")
            }
            guard let shapeValues = entry["shape"]?.arrayValue else {
                throw fail("tensor '\(name)' has no 'shape' array")
            }
            var shape = [Int]()
            var count = 1
            for dim in shapeValues {
                guard case let .int(d) = dim else {
                    throw fail("tensor '\(name)' has a non-integer dimension \(dim) in its shape")
                }
                guard d >= 0 else { throw fail("tensor '\(name)' has a negative dimension \(d) in its shape") }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataLength else {
                    throw fail("tensor '\(name)' has an absurd shape \(SafetensorsError.formatShape(shape + [d]) ) for a \(dataLength)-byte data section")
                }
                shape.append(d)
                count = product
            }
            guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
                  case let .int(begin) = offsets[0], case let .int(end) = offsets[1]
            else {
                throw fail("tensor '\(name)' needs 'data_offsets' as two integers [begin, end]")
            }
            guard begin >= 0, end >= 0 else { throw fail("tensor '\(name)' has negative data offsets [\(begin), \(end)]") }
            guard begin <= end else { throw fail("tensor '\(name)' has data offsets with begin \(begin) > end \(end)") }
            guard end <= dataLength else {
                throw fail("tensor '\(name)' data offsets [\(begin), \(end)] run past the data section (\(dataLength) bytes)")
            }
            guard count * dtype.byteSize == end - begin else {
                throw fail("tensor '\(name)' has shape \(SafetensorsError.formatShape(shape)) × \(dtype.byteSize) bytes (\(dtypeName)) = \(count * dtype.byteSize) bytes but its data offsets span \(end - begin) bytes")
            }
            tensors.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end))
        }

        let byStart = tensors.filter { !$0.dataOffsets.isEmpty }.sorted { $0.dataOffsets.lowerBound < $1.dataOffsets.lowerBound }
        for (a, b) in zip(byStart, byStart.dropFirst()) where b.dataOffsets.lowerBound < a.dataOffsets.upperBound {
            throw fail("tensors '\(a.name)' \(Self.rangeText(a.dataOffsets)) and '\(b.name)' \(Self.rangeText(b.dataOffsets)) have overlapping data offsets")
        }

        self.tensors = tensors
        self.metadata = metadata
        var index = [String: Int]()
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    private static func rangeText(_ r: Range<Int>) -> String { "[\(r.lowerBound), \(r.upperBound)]" }

    /// Tensor names in header order.
    public var names: [String] { tensors.map(\.name) }

    /// The header entry for `name`, or nil.
    public func info(_ name: String) -> SafetensorsTensorInfo? { index[name].map { tensors[$0] } }

    /// The header entry for `name`, or a `missingTensor` error.
    public func requireInfo(_ name: String) throws -> SafetensorsTensorInfo {
        guard let i = info(name) else { throw SafetensorsError.missingTensor(path: path, tensor: name) }
        return i
    }

    /// Throws `shapeMismatch` (naming the tensor and both shapes) unless `name`
    /// exists with exactly `expected` shape.
    public func checkShape(_ name: String, expected: [Int]) throws {
        let i = try requireInfo(name)
        if i.shape != expected {
            throw SafetensorsError.shapeMismatch(path: path, tensor: name, expected: expected, found: i.shape)
        }
    }

    /// The tensor converted to Float32 (F32, F16, BF16, F64 and integer types).
    public func floats(_ name: String) throws -> [Float] {
        let i = try requireInfo(name)
        return try [Float](unsafeUninitializedCapacity: i.elementCount) { buf, initialized in
            try copyFloats(name, into: buf)
            initialized = i.elementCount
        }
    }

    /// Converts the tensor to Float32 straight into `destination` (which must
    /// hold exactly its element count) — e.g. a slot of a flat parameter buffer.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireInfo(name)
        let n = info.elementCount
        guard destination.count == n else {
            throw SafetensorsError(path: path, problem: "tensor '\(name)' has \(n) elements but the destination holds \(destination.count)")
        }
        guard info.dtype.convertsToFloat else {
            throw SafetensorsError(path: path, problem: "tensor '\(name)' has dtype \(info.dtype.rawValue), which cannot be converted to F32")
        }
        guard n > 0, let dst = destination.baseAddress else { return }
        data.withUnsafeBytes { raw in
            let src = raw.baseAddress! + dataStart + info.dataOffsets.lowerBound
            Self.convert(info.dtype, from: src, to: dst, count: n)
        }
        mapping?.release((dataStart + info.dataOffsets.lowerBound)..<(dataStart + info.dataOffsets.upperBound))
    }

    /// The tensor as Int64 (integer and BOOL types only).
    public func int64s(_ name: String) throws -> [Int64] {
        let info = try requireInfo(name)
        let n = info.elementCount
        return try data.withUnsafeBytes { raw -> [Int64] in
            let src = raw.baseAddress! + dataStart + info.dataOffsets.lowerBound
            func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
                (0..<n).map { Int64(truncatingIfNeeded: T(littleEndian: src.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))) }
            }
            switch info.dtype {
            case .i64: return load(Int64.self)
            case .u64: return load(UInt64.self)
            case .i32: return load(Int32.self)
            case .u32: return load(UInt32.self)
            case .i16: return load(Int16.self)
            case .u16: return load(UInt16.self)
            case .i8: return load(Int8.self)
            case .u8, .bool: return load(UInt8.self)
            default:
                throw SafetensorsError(path: path, problem: "tensor '\(name)' has dtype \(info.dtype.rawValue), not an integer type")
            }
        }
    }

    /// Float32 value of an IEEE half.
    @inline(always)
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1F
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            // Zero or subnormal: mant · 2^-24, exact in Float.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
    }

    private static func convert(_ dtype: SafetensorsDType, from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count n: Int) {
        switch dtype {
        case .f32:
            // memcpy tolerates any alignment of the source; x86 and ARM are little-endian.
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: n * 4)
        case .f16:
            for i in 0..<n { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16:
            for i in 0..<n {
                dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .f64:
            for i in 0..<n { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .i64: for i in 0..<n { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .u64: for i in 0..<n { dst[i] = Float(UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .i32: for i in 0..<n { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .u32: for i in 0..<n { dst[i] = Float(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .i16: for i in 0..<n { dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .u16: for i in 0..<n { dst[i] = Float(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .i8: for i in 0..<n { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .u8, .bool: for i in 0..<n { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .f8e5m2, .f8e4m3: preconditionFailure("checked by convertsToFloat")
        }
    }
}
