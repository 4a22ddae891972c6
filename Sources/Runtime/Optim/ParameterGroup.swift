import Foundation
import Kernels
import Plan
import Support

/// One parameter tensor's view into the flat parameter (and gradient) buffer.
public struct ParameterSlot: Sendable, Equatable {
    /// Model path, e.g. `layers.0.weight`.
    public var name: String
    /// First element in the flat buffer.
    public var offset: Int
    /// Number of elements.
    public var count: Int
    /// Frozen slots (`false`) get no update, no decay and no optimizer state.
    public var trainable: Bool
    /// Whether optimizer weight decay applies (PyTorch decays every parameter
    /// of a group, biases included, so the default is `true`).
    public var decays: Bool
    /// Per-tensor learning-rate multiplier (layer-wise lr decay); the slot's
    /// lr is `lr · lrScale`, as a PyTorch param group with its own lr.
    public var lrScale: Double
    /// The slot's own weight decay (a `param_groups` entry's, or 0 under `no_decay`), in
    /// place of the optimizer's; nil = the optimizer's. `decays = false` still means none.
    public var weightDecay: Double?

    public init(name: String, offset: Int, count: Int, trainable: Bool = true, decays: Bool = true, lrScale: Double = 1,
                weightDecay: Double? = nil) {
        self.name = name
        self.offset = offset
        self.count = count
        self.trainable = trainable
        self.decays = decays
        self.lrScale = lrScale
        self.weightDecay = weightDecay
    }

    /// The weight decay this slot trains with when the optimizer's is `optimizerDecay`.
    public func weightDecay(optimizerDecay: Double) -> Double { decays ? weightDecay ?? optimizerDecay : 0 }

    /// `offset ..< offset + count`.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// The layout of all parameters of a model in one flat Float32 buffer.
///
/// Gradients use the same layout in a second buffer, so an optimizer step and
/// gradient clipping are single passes over contiguous memory.
public struct ParameterGroup: Sendable, Equatable {
    /// Why a layout is invalid.
    public struct LayoutError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Slots in declaration order.
    public private(set) var slots: [ParameterSlot]
    /// Length of the flat buffer (at least the end of the last slot).
    public let count: Int

    /// Validates that slots are in bounds, non-empty-named, uniquely named and
    /// do not overlap.
    public init(slots: [ParameterSlot], count: Int? = nil) throws {
        let end = slots.map { $0.offset + $0.count }.max() ?? 0
        let total = count ?? end
        var names = Set<String>()
        for s in slots {
            guard s.offset >= 0, s.count >= 0, s.offset + s.count <= total else {
                throw LayoutError(description: "parameter '\(s.name)' [\(s.offset), \(s.offset + s.count)) lies outside the flat buffer of \(total) floats")
            }
            guard names.insert(s.name).inserted else {
                throw LayoutError(description: "duplicate parameter name '\(s.name)'")
            }
            guard s.lrScale.isFinite, s.lrScale >= 0 else {
                throw LayoutError(description: "parameter '\(s.name)' has an invalid lr multiplier \(s.lrScale)")
            }
            if let d = s.weightDecay, !(d.isFinite && d >= 0) {
                throw LayoutError(description: "parameter '\(s.name)' has an invalid weight decay \(d)")
            }
        }
        let sorted = slots.filter { $0.count > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.offset < a.offset + a.count {
            throw LayoutError(description: "parameters '\(a.name)' and '\(b.name)' overlap in the flat buffer")
        }
        self.slots = slots
        self.count = total
    }

    /// Tensors packed back to back in the given order, all trainable.
    public static func packed(_ tensors: [(name: String, count: Int)]) -> ParameterGroup {
        var offset = 0
        var slots = [ParameterSlot]()
        for t in tensors {
            slots.append(ParameterSlot(name: t.name, offset: offset, count: t.count))
            offset += t.count
        }
        // Packed slots are in bounds and disjoint by construction; names are the caller's.
        return try! ParameterGroup(slots: slots, count: offset)
    }

    /// The slot named `name`.
    public func slot(named name: String) -> ParameterSlot? { slots.first { $0.name == name } }

    /// Trainable slots in declaration order.
    public var trainableSlots: [ParameterSlot] { slots.filter(\.trainable) }

    /// Number of trainable elements (the size of each optimizer state buffer).
    public var trainableCount: Int { slots.reduce(0) { $0 + ($1.trainable ? $1.count : 0) } }

    /// Sets `trainable` for every slot `predicate` selects.
    public mutating func setTrainable(_ trainable: Bool, where predicate: (ParameterSlot) -> Bool) {
        for i in slots.indices where predicate(slots[i]) { slots[i].trainable = trainable }
    }

    /// Sets `decays` for every slot `predicate` selects (e.g. exclude biases).
    public mutating func setDecays(_ decays: Bool, where predicate: (ParameterSlot) -> Bool) {
        for i in slots.indices where predicate(slots[i]) { slots[i].decays = decays }
    }

    /// Sets the lr multiplier of the slot named `name`.
    public mutating func setLRScale(_ scale: Double, forSlotNamed name: String) {
        for i in slots.indices where slots[i].name == name { slots[i].lrScale = scale }
    }
}
