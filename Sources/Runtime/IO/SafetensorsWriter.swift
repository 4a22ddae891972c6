import Foundation
import Kernels
import Plan
import Support

/// A Float32 tensor to be written to a safetensors file.
public struct SafetensorsTensor: Sendable {
    /// Tensor name (model path).
    public var name: String
    /// Dimensions, outermost first; `[]` for a scalar.
    public var shape: [Int]
    /// Row-major values; `shape`'s product of them.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Writes F32 safetensors files that PyTorch's `safetensors` reads.
///
/// Tensors are laid out in the order given; the header lists `__metadata__`
/// first (when present), then the tensors in that order, and is padded with
/// spaces so the data section starts on an 8-byte boundary. The same input
/// always produces the same bytes.
public enum SafetensorsWriter {
    /// The complete file image.
    public static func encode(_ tensors: [SafetensorsTensor], metadata: [String: String] = [:], path: String = "<memory>") throws -> Data {
        let prefix = try headerPrefix(tensors.map { ($0.name, $0.shape, $0.values.count) }, metadata: metadata, path: path)
        var out = Data(capacity: prefix.count + 4 * tensors.reduce(0) { $0 + $1.values.count })
        out.append(contentsOf: prefix)
        for t in tensors {
            t.values.withUnsafeBytes { out.append(contentsOf: $0) }  // little-endian hosts only
        }
        return out
    }

    /// Encodes and writes atomically to `path` (temp file + rename).
    public static func write(_ tensors: [SafetensorsTensor], metadata: [String: String] = [:], to path: String) throws {
        let data = try encode(tensors, metadata: metadata, path: path)
        try AtomicFile.write(data, to: path)
    }

    /// Writes tensors straight from existing memory (e.g. slices of a flat
    /// parameter buffer) to `path`, atomically and without copying them into
    /// arrays first: a 90 MB checkpoint costs no extra 90 MB. The same bytes
    /// as `encode` with the same names, shapes and values. `views` must stay
    /// valid for the duration of the call. `observe` sees every chunk of the
    /// file as it is written (to checksum it without reading it back);
    /// `durable` as `AtomicFile.write`.
    public static func write(views: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String] = [:], to path: String, durable: Bool = true,
                             observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws {
        let prefix = try headerPrefix(views.map { ($0.name, $0.shape, $0.values.count) }, metadata: metadata, path: path)
        try AtomicFile.write(to: path, durable: durable) { sink in
            try prefix.withUnsafeBytes { observe($0); try sink($0) }
            for v in views where v.values.count > 0 {
                let bytes = UnsafeRawBufferPointer(v.values)  // little-endian hosts only
                observe(bytes)
                try sink(bytes)
            }
        }
    }

    /// The 8-byte header length and the padded header, after validating names and shapes.
    private static func headerPrefix(_ tensors: [(name: String, shape: [Int], count: Int)], metadata: [String: String], path: String) throws -> [UInt8] {
        var seen = Set<String>()
        var members = [(key: String, value: JSONValue)]()
        if !metadata.isEmpty {
            let sorted = metadata.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            members.append((key: "__metadata__", value: .object(sorted.map { (key: $0, value: .string(metadata[$0]!)) })))
        }
        var offset = 0
        for t in tensors {
            guard t.name != "__metadata__" else {
                throw SafetensorsError(path: path, problem: "'__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(t.name).inserted else {
                throw SafetensorsError(path: path, problem: "duplicate tensor name '\(t.name)'")
            }
            guard t.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafetensorsError(path: path, problem: "tensor '\(t.name)' has a negative dimension in shape \(SafetensorsError.formatShape(t.shape))")
            }
            let count = t.shape.reduce(1, *)
            guard count == t.count else {
                throw SafetensorsError(path: path, problem: "tensor '\(t.name)' has shape \(SafetensorsError.formatShape(t.shape)) (\(count) elements) but \(t.count) values")
            }
            let end = offset + 4 * count
            members.append((key: t.name, value: [
                "dtype": "F32",
                "shape": .array(t.shape.map { .int($0) }),
                "data_offsets": [.int(offset), .int(end)],
            ]))
            offset = end
        }
        var header = Array(JSONWriter.encode(.object(members)).utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        return out
    }
}
