import Foundation
import Runtime

/// `model.safetensors` (and checkpoints): the header, then every tensor read back
/// as its dtype. Property: a tensor that reads has exactly `elementCount` values.
enum SafetensorsTarget {
    static func run(_ data: Data) {
        guard let file = try? SafetensorsFile(data: data) else { return }
        for info in file.tensors {
            FuzzCheck.require(file.info(info.name) == info, "info(\(info.name)) differs from the listed tensor")
            if let floats = try? file.floats(info.name) {
                FuzzCheck.require(floats.count == info.elementCount, "\(info.name): \(floats.count) floats for \(info.shape)")
            }
            if let ints = try? file.int64s(info.name) {
                FuzzCheck.require(ints.count == info.elementCount, "\(info.name): \(ints.count) int64s for \(info.shape)")
            }
            _ = try? file.checkShape(info.name, expected: info.shape)
        }
    }
}
