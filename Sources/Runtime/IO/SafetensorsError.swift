import Foundation
import Kernels
import Plan
import Support

/// A safetensors file that cannot be read or written as asked: names the file
/// (or `<memory>`) and says exactly what is wrong with it.
public struct SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// The file concerned.
    public let path: String
    /// What is wrong, in one sentence.
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    /// A tensor whose stored shape is not the one the model declares; names the
    /// tensor and both shapes.
    public static func shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int]) -> SafetensorsError {
        SafetensorsError(
            path: path,
            problem: "tensor '\(tensor)' has shape \(formatShape(found)) in the file but the model expects \(formatShape(expected))")
    }

    /// A tensor the caller asked for that the file does not contain.
    public static func missingTensor(path: String, tensor: String) -> SafetensorsError {
        SafetensorsError(path: path, problem: "no tensor named '\(tensor)'")
    }

    /// `[32, 64]`; a scalar is `[]`.
    public static func formatShape(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

/// The element types of the safetensors format and their sizes in bytes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case f64 = "F64", i64 = "I64", u64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// Whether `SafetensorsFile.floats` converts this type to Float32
    /// (floating types except the 8-bit ones, and all integer types).
    public var convertsToFloat: Bool {
        switch self {
        case .f8e5m2, .f8e4m3: return false
        default: return true
        }
    }
}
