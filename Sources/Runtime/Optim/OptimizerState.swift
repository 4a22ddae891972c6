import Foundation
import Kernels
import Plan
import Support

/// An optimizer's complete state as named flat buffers plus per-slot step
/// counts: what a checkpoint stores to resume a trial bit-exactly.
///
/// Buffers cover the trainable slots only, packed in `slotNames` order (the
/// same packing the optimizer uses). `tensors(prefix:)`/`metadata(prefix:)`
/// and `init(file:prefix:)` map it to and from a safetensors file: one F32
/// tensor `<prefix><buffer>.<slot>` per buffer and slot, with kind, slot order
/// and step counts in the metadata.
public struct OptimizerState: Sendable, Equatable {
    /// The optimizer kind (`adamw`, …).
    public var kind: String
    /// Trainable slots in packing order.
    public var slotNames: [String]
    /// Element count of each slot.
    public var slotCounts: [Int]
    /// Completed steps of each slot.
    public var steps: [Int]
    /// State buffers by name (`exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
    /// `momentum_buffer`, `square_avg`, `grad_avg`, `sum`), each the sum of
    /// `slotCounts` long.
    public var buffers: [String: [Float]]

    public init(kind: String, slotNames: [String], slotCounts: [Int], steps: [Int], buffers: [String: [Float]]) {
        self.kind = kind
        self.slotNames = slotNames
        self.slotCounts = slotCounts
        self.steps = steps
        self.buffers = buffers
    }

    /// One F32 tensor per buffer and slot, named `<prefix><buffer>.<slot>`, in
    /// a deterministic order (buffers sorted, slots in packing order).
    public func tensors(prefix: String = "optimizer.") -> [SafetensorsTensor] {
        var out = [SafetensorsTensor]()
        for name in buffers.keys.sorted() {
            let values = buffers[name]!
            var offset = 0
            for (slot, count) in zip(slotNames, slotCounts) {
                out.append(SafetensorsTensor(name: "\(prefix)\(name).\(slot)", shape: [count],
                                             values: Array(values[offset..<(offset + count)])))
                offset += count
            }
        }
        return out
    }

    /// Metadata entries describing kind, slots and steps (JSON-valued).
    public func metadata(prefix: String = "optimizer.") -> [String: String] {
        [
            "\(prefix)kind": kind,
            "\(prefix)slots": JSONWriter.encode(.array(zip(slotNames, zip(slotCounts, steps)).map {
                ["name": .string($0.0), "count": .int($0.1.0), "step": .int($0.1.1)]
            })),
            "\(prefix)buffers": JSONWriter.encode(.array(buffers.keys.sorted().map { .string($0) })),
        ]
    }

    /// Reads state written with `tensors(prefix:)` and `metadata(prefix:)`.
    public init(file: SafetensorsFile, prefix: String = "optimizer.") throws {
        func fail(_ problem: String) -> SafetensorsError { SafetensorsError(path: file.path, problem: problem) }
        guard let kind = file.metadata["\(prefix)kind"] else { throw fail("no optimizer state ('\(prefix)kind' metadata missing)") }
        guard let slotsText = file.metadata["\(prefix)slots"], let slots = (try? JSONParser.parse(slotsText))?.arrayValue,
              let bufText = file.metadata["\(prefix)buffers"], let bufNames = (try? JSONParser.parse(bufText))?.arrayValue
        else { throw fail("optimizer state metadata '\(prefix)slots'/'\(prefix)buffers' is missing or not JSON") }
        var names = [String](), counts = [Int](), steps = [Int]()
        for s in slots {
            guard let n = s["name"]?.stringValue, let c = s["count"]?.intValue, let st = s["step"]?.intValue, c >= 0, st >= 0 else {
                throw fail("optimizer slot entry \(s) needs name, count and step")
            }
            names.append(n); counts.append(c); steps.append(st)
        }
        var buffers = [String: [Float]]()
        for b in bufNames {
            guard let name = b.stringValue else { throw fail("optimizer buffer name \(b) is not a string") }
            var values = [Float]()
            values.reserveCapacity(counts.reduce(0, +))
            for (slot, count) in zip(names, counts) {
                let tensor = "\(prefix)\(name).\(slot)"
                try file.checkShape(tensor, expected: [count])
                values += try file.floats(tensor)
            }
            buffers[name] = values
        }
        self.init(kind: kind, slotNames: names, slotCounts: counts, steps: steps, buffers: buffers)
    }
}
