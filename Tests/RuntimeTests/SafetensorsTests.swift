import Foundation
import Kernels
import Plan
import Runtime
import Support
import XCTest

/// Reading, writing and refusing broken safetensors files.
final class SafetensorsTests: XCTestCase {
    /// A raw file image: 8-byte length, `header` verbatim, then `payload` bytes.
    private func image(header: String, payload: Int = 0, lengthOverride: UInt64? = nil) -> Data {
        var d = Data()
        let h = Array(header.utf8)
        withUnsafeBytes(of: (lengthOverride ?? UInt64(h.count)).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: h)
        d.append(contentsOf: [UInt8](repeating: 0, count: payload))
        return d
    }

    private func assertRejects(_ data: Data, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsFile(data: data, path: "bad.safetensors"), file: file, line: line) { error in
            guard let e = error as? SafetensorsError else { return XCTFail("not a SafetensorsError: \(error)", file: file, line: line) }
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix("bad.safetensors: "), text, file: file, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "\(text) should mention \(w)", file: file, line: line) }
        }
    }

    // MARK: hostile files (each must throw a described error, never crash)

    func testFileShorterThanEightBytes() {
        assertRejects(Data(), mentioning: ["0 bytes", "shorter"])
        assertRejects(Data([1, 2, 3]), mentioning: ["3 bytes"])
    }

    func testHeaderLengthBeyondFile() {
        assertRejects(image(header: "{}", lengthOverride: 1000), mentioning: ["header length 1000", "past the end"])
        assertRejects(image(header: "{}", lengthOverride: UInt64.max), mentioning: ["header length"])
    }

    func testHeaderNotJSONOrNotObject() {
        assertRejects(image(header: "{\"a\": "), mentioning: ["not valid JSON"])
        assertRejects(image(header: "\u{FF}\u{FE}garbage"), mentioning: ["not valid JSON"])
        assertRejects(image(header: "[1, 2, 3]"), mentioning: ["not a JSON object"])
        assertRejects(image(header: "{\"t\": 5}"), mentioning: ["'t'", "not an object"])
        assertRejects(image(header: "{\"__metadata__\": {\"k\": 1}}"), mentioning: ["__metadata__", "not a string"])
    }

    func testUnknownDtype() {
        assertRejects(image(header: #"{"w": {"dtype": "F128", "shape": [1], "data_offsets": [0, 16]}}"#, payload: 16),
                      mentioning: ["'w'", "unknown dtype 'F128'"])
        assertRejects(image(header: #"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, payload: 4), mentioning: ["'w'", "dtype"])
    }

    func testOffsetsOutOfBounds() {
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, payload: 8),
                      mentioning: ["'w'", "[0, 16]", "past the data section"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, payload: 8),
                      mentioning: ["'w'", "negative"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#, payload: 8),
                      mentioning: ["'w'", "data_offsets"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999]}}"#, payload: 8),
                      mentioning: ["'w'", "data_offsets"])
    }

    func testOverlappingOffsets() {
        let h = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
        assertRejects(image(header: h, payload: 12), mentioning: ["'a'", "'b'", "overlapping"])
    }

    func testBeginAfterEnd() {
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}}"#, payload: 8),
                      mentioning: ["'w'", "begin 8 > end 4"])
    }

    func testShapeTimesDtypeSizeMismatch() {
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, payload: 8),
                      mentioning: ["'w'", "[3]", "12 bytes", "span 8 bytes"])
        assertRejects(image(header: #"{"w": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 4]}}"#, payload: 4),
                      mentioning: ["'w'", "8 bytes", "span 4 bytes"])
    }

    func testNegativeAndAbsurdShapes() {
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 16]}}"#, payload: 16),
                      mentioning: ["'w'", "negative dimension -1"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 16]}}"#, payload: 16),
                      mentioning: ["'w'", "absurd shape"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 16]}}"#, payload: 16),
                      mentioning: ["'w'", "non-integer"])
        assertRejects(image(header: #"{"w": {"dtype": "F32", "shape": "4", "data_offsets": [0, 16]}}"#, payload: 16),
                      mentioning: ["'w'", "shape"])
    }

    func testDuplicateNames() {
        let h = #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#
        assertRejects(image(header: h, payload: 8), mentioning: ["duplicate tensor name 'w'"])
    }

    func testMissingFileAndMissingTensor() throws {
        XCTAssertThrowsError(try SafetensorsFile(contentsOf: "/nonexistent/x.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.safetensors"), "\(error)")
        }
        let f = try SafetensorsFile(data: try SafetensorsWriter.encode([SafetensorsTensor(name: "a", shape: [1], values: [1])]), path: "m.safetensors")
        XCTAssertThrowsError(try f.floats("b")) { error in
            XCTAssertEqual("\(error)", "m.safetensors: no tensor named 'b'")
        }
    }

    /// Random byte corruption of a valid file never crashes the reader.
    func testFuzzedHeadersNeverCrash() throws {
        let valid = try SafetensorsWriter.encode([
            SafetensorsTensor(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
            SafetensorsTensor(name: "b", shape: [4], values: [7, 8, 9, 10]),
        ], metadata: ["k": "v"])
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<3000 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + rng.nextInt(below: 4)) {
                let i = rng.nextInt(below: bytes.count)
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.nextInt(below: 4) == 0 { bytes.removeLast(rng.nextInt(below: bytes.count)) }
            if let f = try? SafetensorsFile(data: Data(bytes)) {
                for name in f.names { _ = try? f.floats(name) }
            }
        }
    }

    // MARK: valid files

    func testRoundTripWithMetadataAndAlignment() throws {
        let tensors = [
            SafetensorsTensor(name: "layers.0.weight", shape: [2, 3], values: [1, -2, 3.5, .pi, -0.0, 1e-30]),
            SafetensorsTensor(name: "layers.0.bias", shape: [3], values: [0.1, 0.2, 0.3]),
            SafetensorsTensor(name: "scalar", shape: [], values: [42]),
            SafetensorsTensor(name: "empty", shape: [0, 5], values: []),
        ]
        let data = try SafetensorsWriter.encode(tensors, metadata: ["format": "pt", "note": "ünï \"q\""])
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        XCTAssertEqual((8 + Int(n)) % 8, 0, "data section must start 8-byte aligned")
        XCTAssertEqual(data.count, 8 + Int(n) + 4 * (6 + 3 + 1))
        let f = try SafetensorsFile(data: data)
        XCTAssertEqual(f.names, tensors.map(\.name))
        XCTAssertEqual(f.metadata, ["format": "pt", "note": "ünï \"q\""])
        for t in tensors {
            XCTAssertEqual(f.info(t.name)?.shape, t.shape)
            XCTAssertEqual(f.info(t.name)?.dtype, .f32)
            XCTAssertEqual(try f.floats(t.name).map(\.bitPattern), t.values.map(\.bitPattern))
        }
        // Deterministic bytes.
        XCTAssertEqual(try SafetensorsWriter.encode(tensors, metadata: ["note": "ünï \"q\"", "format": "pt"]), data)
        // Header is plain JSON Foundation can read.
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(n)))) as? [String: Any]
        XCTAssertEqual((header?["layers.0.bias"] as? [String: Any])?["data_offsets"] as? [Int], [24, 36])
    }

    func testWriterRejectsBadInput() {
        XCTAssertThrowsError(try SafetensorsWriter.encode([SafetensorsTensor(name: "a", shape: [2, 2], values: [1, 2, 3])])) {
            XCTAssertTrue("\($0)".contains("'a'"), "\($0)")
        }
        XCTAssertThrowsError(try SafetensorsWriter.encode([
            SafetensorsTensor(name: "a", shape: [1], values: [1]), SafetensorsTensor(name: "a", shape: [1], values: [2]),
        ]))
        XCTAssertThrowsError(try SafetensorsWriter.encode([SafetensorsTensor(name: "__metadata__", shape: [1], values: [1])]))
    }

    func testAtomicWriteAndReadBackFromDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.safetensors").path
        try SafetensorsWriter.write([SafetensorsTensor(name: "x", shape: [2], values: [1, 2])], to: path)
        try SafetensorsWriter.write([SafetensorsTensor(name: "x", shape: [3], values: [4, 5, 6])], to: path)
        XCTAssertEqual(try SafetensorsFile(contentsOf: path).floats("x"), [4, 5, 6])
        // No temporary files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w.safetensors"])
        try AtomicFile.write("hello", to: dir.appendingPathComponent("t.txt").path)
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("t.txt").path, encoding: .utf8), "hello")
        XCTAssertThrowsError(try AtomicFile.write(Data(), to: "/nonexistent-dir/x")) {
            XCTAssertTrue("\($0)".contains("/nonexistent-dir/x"), "\($0)")
        }
    }

    /// Writing from memory views gives the same bytes as `encode`, and a
    /// failing stream leaves no file behind.
    func testStreamingWriteFromViews() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-stv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let flat: [Float] = (0..<23).map { Float($0) * 0.5 - 3 }
        let path = dir.appendingPathComponent("v.safetensors").path
        try flat.withUnsafeBufferPointer { buf in
            try SafetensorsWriter.write(views: [
                (name: "w", shape: [4, 5], values: UnsafeBufferPointer(rebasing: buf[0..<20])),
                (name: "e", shape: [0], values: UnsafeBufferPointer(rebasing: buf[20..<20])),
                (name: "b", shape: [3], values: UnsafeBufferPointer(rebasing: buf[20..<23])),
            ], metadata: ["step": "7"], to: path)
        }
        let expected = try SafetensorsWriter.encode([
            SafetensorsTensor(name: "w", shape: [4, 5], values: Array(flat[0..<20])),
            SafetensorsTensor(name: "e", shape: [0], values: []),
            SafetensorsTensor(name: "b", shape: [3], values: Array(flat[20..<23])),
        ], metadata: ["step": "7"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), expected)
        XCTAssertThrowsError(try flat.withUnsafeBufferPointer { buf in
            try SafetensorsWriter.write(views: [(name: "w", shape: [4], values: UnsafeBufferPointer(rebasing: buf[0..<5]))],
                                        to: dir.appendingPathComponent("bad.safetensors").path)
        })
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: dir.appendingPathComponent("partial").path) { sink in
            try [UInt8]([1, 2, 3]).withUnsafeBytes { try sink($0) }
            throw Boom()
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["v.safetensors"])
    }

    func testHalfAndBFloat16Conversion() throws {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001, inf 0x7C00.
        // BF16: 1.0 = 0x3F80, -3.0 = 0xC040, 0.15625 = 0x3E20.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x8000]
        let bf16: [UInt16] = [0x3F80, 0xC040, 0x3E20]
        let i64: [Int64] = [0, 511, -3]
        let header = #"{"h": {"dtype": "F16", "shape": [6], "data_offsets": [0, 12]}, "b": {"dtype": "BF16", "shape": [3], "data_offsets": [12, 18]}, "i": {"dtype": "I64", "shape": [3], "data_offsets": [18, 42]}}"#
        var d = image(header: header)
        for v in f16 { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        for v in bf16 { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        for v in i64 { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let f = try SafetensorsFile(data: d)
        let h = try f.floats("h")
        XCTAssertEqual(Array(h[0..<3]), [1, -2, 65504])
        XCTAssertEqual(h[3], Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(h[4], .infinity)
        XCTAssertEqual(h[5].bitPattern, (-Float(0)).bitPattern)
        XCTAssertEqual(try f.floats("b"), [1, -3, 0.15625])
        XCTAssertEqual(try f.int64s("i"), i64)
        XCTAssertEqual(try f.floats("i"), [0, 511, -3])
        XCTAssertThrowsError(try f.int64s("h"))
    }

    func testShapeMismatchHelperNamesTensorAndShapes() throws {
        let f = try SafetensorsFile(data: try SafetensorsWriter.encode([SafetensorsTensor(name: "fc1.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])]), path: "init.safetensors")
        XCTAssertNoThrow(try f.checkShape("fc1.weight", expected: [2, 3]))
        XCTAssertThrowsError(try f.checkShape("fc1.weight", expected: [3, 2])) { error in
            XCTAssertEqual("\(error)", "init.safetensors: tensor 'fc1.weight' has shape [2, 3] in the file but the model expects [3, 2]")
        }
        var small = [Float](repeating: 0, count: 5)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try f.copyFloats("fc1.weight", into: $0) })
        var exact = [Float](repeating: 0, count: 6)
        try exact.withUnsafeMutableBufferPointer { try f.copyFloats("fc1.weight", into: $0) }
        XCTAssertEqual(exact, [1, 2, 3, 4, 5, 6])
    }

    // MARK: real files

    func testReadsMiniLMCheckpoint() throws {
        let path = try Golden.miniLM() + "/model.safetensors"
        let weightsPath = Golden.path("minilm/weights.json")
        let f = try SafetensorsFile(contentsOf: path)
        let golden = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: weightsPath)))
        let expected = try XCTUnwrap(golden["tensors"]?.arrayValue)
        XCTAssertEqual(f.tensors.count, golden["num_tensors"]?.intValue)
        XCTAssertEqual(f.tensors.count, expected.count)
        for e in expected {
            let name = try XCTUnwrap(e["name"]?.stringValue)
            let info = try XCTUnwrap(f.info(name), name)
            XCTAssertEqual(info.shape, e["shape"]?.arrayValue?.compactMap(\.intValue), name)
            XCTAssertEqual(info.dtype.rawValue, e["dtype"]?.stringValue, name)
        }
        let f32Count = f.tensors.filter { $0.dtype == .f32 }.reduce(0) { $0 + $1.elementCount }
        XCTAssertEqual(f32Count, golden["num_float32_parameters"]?.intValue)
        XCTAssertEqual(f.info("embeddings.word_embeddings.weight")?.shape, [30522, 384])
        XCTAssertEqual(f.metadata["format"], "pt")
        XCTAssertEqual(try f.int64s("embeddings.position_ids"), (0..<512).map { Int64($0) })
        let ln = try f.floats("embeddings.LayerNorm.weight")
        XCTAssertEqual(ln.count, 384)
        XCTAssertTrue(ln.allSatisfy { $0.isFinite && $0 != 0 })
    }

    func testReadsMLPTrajectoryFiles() throws {
        let dir = Golden.path("mlp_trajectory")
        let shapes: [String: [Int]] = ["fc1.weight": [32, 64], "fc1.bias": [32], "fc2.weight": [10, 32], "fc2.bias": [10]]
        for file in ["init", "final", "sgd_final"] {
            let f = try SafetensorsFile(contentsOf: "\(dir)/\(file).safetensors")
            XCTAssertEqual(Set(f.names), Set(shapes.keys), file)
            for (name, shape) in shapes {
                try f.checkShape(name, expected: shape)
                XCTAssertTrue(try f.floats(name).allSatisfy(\.isFinite))
            }
        }
        let ck = try SafetensorsFile(contentsOf: "\(dir)/checkpoints.safetensors")
        XCTAssertEqual(ck.tensors.count, 16)
        XCTAssertEqual(ck.info("grad_step1.fc1.weight")?.shape, [32, 64])
        XCTAssertNotNil(ck.metadata["description"])
        let data = try SafetensorsFile(contentsOf: "\(dir)/data.safetensors")
        XCTAssertEqual(data.info("x")?.shape, [256, 64])
        let x = try data.floats("x")
        XCTAssertTrue(x.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(try data.int64s("rows"), (0..<256).map { Int64($0) })
        XCTAssertTrue(try data.int64s("y").allSatisfy { (0...9).contains($0) })
        // Re-encoding what we read reproduces every float bit.
        let init0 = try SafetensorsFile(contentsOf: "\(dir)/init.safetensors")
        let again = try SafetensorsFile(data: try SafetensorsWriter.encode(init0.tensors.map {
            SafetensorsTensor(name: $0.name, shape: $0.shape, values: try init0.floats($0.name))
        }))
        for name in init0.names { XCTAssertEqual(try again.floats(name), try init0.floats(name)) }
    }
}
