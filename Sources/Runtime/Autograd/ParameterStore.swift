import Kernels
import Plan
import Support
/// One parameter tensor's place in the flat buffers (with its shape and role;
/// `ParameterStore.group` gives the optimizer's `ParameterSlot` view).
public struct ParameterEntry: Sendable, Equatable {
    /// Model-path name.
    public let name: String
    /// Shape of the tensor.
    public let shape: [Int]
    /// What the tensor is.
    public let role: ParameterRole
    /// First element in `ParameterStore.values` / `.gradients`.
    public let offset: Int
    /// Number of elements.
    public let count: Int
    /// False when frozen: no gradient is computed, and optimizers must skip it.
    public var trainable: Bool
}

/// All parameters of a model in ONE flat value buffer and ONE flat gradient
/// buffer, with named per-tensor views, so an optimizer step, a gradient norm
/// or a zeroing is a single loop (llm.c's layout).
///
/// Slots are laid out in declaration order, each starting on a 16-float
/// boundary so per-tensor SIMD loops stay aligned. Frozen slots keep a gradient
/// region that stays zero; backward never writes it.
public final class ParameterStore {
    /// Every slot in declaration order.
    public private(set) var slots: [ParameterEntry]
    /// Flat parameter values (length `totalCount`; padding between slots is zero).
    public let values: TensorStorage
    /// Flat gradients, same layout as `values`.
    public let gradients: TensorStorage
    /// Length of the flat buffers, padding included.
    public let totalCount: Int
    private let indexByName: [String: Int]
    /// Per slot: its gradient region holds stale values that count as zero (see
    /// `discardGradients()` in ParameterStore+StaleGradients.swift).
    var staleGradients: [Bool]

    /// Allocates zeroed buffers for `specs` (names must be unique).
    public init(_ specs: [ParameterSpec]) {
        var slots: [ParameterEntry] = []
        var index: [String: Int] = [:]
        var offset = 0
        for spec in specs {
            precondition(index[spec.name] == nil, "duplicate parameter name \(spec.name)")
            let n = spec.shape.reduce(1, *)
            index[spec.name] = slots.count
            slots.append(ParameterEntry(name: spec.name, shape: spec.shape, role: spec.role,
                                       offset: offset, count: n, trainable: true))
            offset += (n + 15) / 16 * 16
        }
        self.slots = slots
        self.indexByName = index
        self.totalCount = offset
        self.values = TensorStorage(capacity: offset)
        self.gradients = TensorStorage(capacity: offset)
        self.staleGradients = Array(repeating: false, count: slots.count)
    }

    /// The slot index of `name`, if present.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The slot named `name` (precondition: it exists).
    public func slot(_ name: String) -> ParameterEntry {
        guard let i = indexByName[name] else { preconditionFailure("no parameter named \(name)") }
        return slots[i]
    }

    /// A view of slot `i`'s values.
    public func value(at i: Int) -> Tensor {
        Tensor(storage: values, offset: slots[i].offset, shape: slots[i].shape)
    }

    /// A view of slot `i`'s gradient.
    public func gradient(at i: Int) -> Tensor {
        Tensor(storage: gradients, offset: slots[i].offset, shape: slots[i].shape)
    }

    /// A view of the values of `name`.
    public func value(_ name: String) -> Tensor { value(at: index(of: name) ?? { preconditionFailure("no parameter named \(name)") }()) }

    /// A view of the gradient of `name`.
    public func gradient(_ name: String) -> Tensor { gradient(at: index(of: name) ?? { preconditionFailure("no parameter named \(name)") }()) }

    /// Marks slot `i` trainable or frozen; freezing zeroes its gradient region.
    public func setTrainable(_ trainable: Bool, at i: Int) {
        // A slot that was frozen already has a zero gradient. Trainer.group freezes every
        // frozen slot again each epoch: a probe's 22 M encoder gradients were cleared 20 times.
        if !trainable, slots[i].trainable { gradients.zero(offset: slots[i].offset, count: slots[i].count) }
        if !trainable { staleGradients[i] = false }
        slots[i].trainable = trainable
    }

    /// Freezes every parameter `pattern` selects (`ParameterPattern`, LANGUAGE.md's
    /// `freeze`). Returns how many matched.
    @discardableResult
    public func freeze(matching pattern: String) -> Int {
        var n = 0
        for i in slots.indices where ParameterPattern.matches(pattern, slots[i].name) {
            setTrainable(false, at: i); n += 1
        }
        return n
    }

    /// Sets every gradient to zero: the trainable slots' regions by writing them (the next
    /// backward writes them again), the frozen ones' through `TensorStorage.zero` (they are
    /// zero already unless something wrote them, and their untouched pages stay untouched).
    public func zeroGradients() {
        var start = 0  // the first float not yet cleared (padding between slots is zero)
        for (i, slot) in slots.enumerated() {
            staleGradients[i] = false
            guard !slot.trainable else { continue }
            gradients.pointer.advanced(by: start).update(repeating: 0, count: slot.offset - start)
            gradients.zero(offset: slot.offset, count: slot.count)
            start = slot.offset + slot.count
        }
        gradients.pointer.advanced(by: start).update(repeating: 0, count: totalCount - start)
    }

    /// Copies values of equally named, equally shaped parameters from `other`;
    /// returns the names copied (e.g. initialising from a checkpoint or an earlier stage).
    @discardableResult
    public func copyValues(from other: ParameterStore) -> [String] {
        var copied: [String] = []
        for (i, s) in slots.enumerated() {
            guard let j = other.index(of: s.name), other.slots[j].shape == s.shape else { continue }
            value(at: i).assign(other.value(at: j))
            copied.append(s.name)
        }
        return copied
    }

    /// The layout as the optimizers' `ParameterGroup` (name, offset, count, trainable),
    /// built fresh so it reflects the current frozen set.
    public var group: ParameterGroup {
        try! ParameterGroup(slots: slots.map { ParameterSlot(name: $0.name, offset: $0.offset, count: $0.count, trainable: $0.trainable) },
                            count: totalCount)
    }

    /// Number of trainable scalars.
    public var trainableCount: Int { slots.filter(\.trainable).reduce(0) { $0 + $1.count } }

    /// Whether every trainable value is finite. Frozen slots cannot change, so they are not
    /// read: a linear probe over a frozen 22 M-parameter encoder checks only its head.
    public var trainableValuesAreFinite: Bool {
        slots.allSatisfy { !$0.trainable || vectorIsFinite(values.pointer + $0.offset, count: $0.count) }
    }
}
