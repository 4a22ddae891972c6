import Foundation
import Kernels
import Plan
import Support

/// Why an optimizer cannot be built or its state loaded.
public struct OptimizerError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// Throws "KIND needs a, b and c ≥ 0" unless every named hyperparameter is ≥ 0 (NaN is not).
    static func requireNonNegative(_ kind: String, _ values: KeyValuePairs<String, Double>) throws {
        guard values.allSatisfy({ $0.value >= 0 }) else {
            let names = values.map(\.key)
            throw OptimizerError("\(kind) needs \(names.dropLast().joined(separator: ", ")) and \(names.last!) ≥ 0")
        }
    }
}

/// Base class of the flat-buffer optimizers (`SGDOptimizer`, `AdamOptimizer`,
/// `RMSpropOptimizer`, `AdagradOptimizer`).
///
/// Parameters and gradients are two flat Float32 buffers laid out by a
/// `ParameterGroup`. State buffers (`exp_avg`, …) are flat too but cover only
/// the trainable slots, packed in slot order: a frozen slot has no state at
/// all. A step is one pass over the trainable slots, each one of the Kernels'
/// optimizer kernels (`adamStep`, …: a SIMD loop with a scalar tail), using the per-slot lr multiplier, decay flag and step count
/// (PyTorch keeps `step` per parameter, which matters when a slot is unfrozen
/// later). Nothing is allocated per step.
///
/// Arithmetic mirrors PyTorch's single-tensor CPU kernels operation by
/// operation in float32 (scalars computed in float64 as Python does, then
/// rounded once to float32), so trajectories match to a few ulps.
public class Optimizer: @unchecked Sendable {
    /// `sgd`, `adam`, `adamw`, `rmsprop` or `adagrad`.
    public let kind: String
    /// The layout this optimizer updates.
    public private(set) var group: ParameterGroup
    /// The configured learning rate (the schedule's base lr).
    public var learningRate: Double
    /// Use the SIMD kernels; `false` runs their plain scalar twins (for tests).
    public var vectorized = true

    /// Names of the state buffers, in a fixed order.
    public let stateBufferNames: [String]
    private let stateInitialValues: [Float]

    /// Trainable slots with where their state lives.
    struct Run {
        var slotIndex: Int
        var offset: Int
        var stateOffset: Int
        var count: Int
        var lrScale: Double
        /// The slot's weight decay given the optimizer's (`ParameterSlot.weightDecay(optimizerDecay:)`).
        var slot: ParameterSlot
        func weightDecay(_ optimizerDecay: Double) -> Double { slot.weightDecay(optimizerDecay: optimizerDecay) }
    }

    private(set) var runs: [Run] = []
    /// Completed steps per run (PyTorch's per-parameter `state['step']`).
    var steps: [Int] = []
    /// One buffer per state name, `group.trainableCount` floats each.
    private(set) var buffers: [OptimizerBuffer] = []

    init(kind: String, group: ParameterGroup, learningRate: Double, stateBuffers: [(name: String, initialValue: Float)]) {
        self.kind = kind
        self.group = group
        self.learningRate = learningRate
        self.stateBufferNames = stateBuffers.map(\.name)
        self.stateInitialValues = stateBuffers.map(\.initialValue)
        layout(previous: nil)
    }

    /// Rebuilds runs and state for `group`, carrying over the state of slots
    /// that were trainable before (matched by name).
    private func layout(previous: (runs: [Run], steps: [Int], buffers: [OptimizerBuffer], group: ParameterGroup)?) {
        var runs = [Run]()
        var offset = 0
        for (i, s) in group.slots.enumerated() where s.trainable {
            runs.append(Run(slotIndex: i, offset: s.offset, stateOffset: offset, count: s.count, lrScale: s.lrScale, slot: s))
            offset += s.count
        }
        let buffers = stateInitialValues.map { OptimizerBuffer(count: offset, value: $0) }
        var steps = [Int](repeating: 0, count: runs.count)
        if let previous {
            var old = [String: (run: Run, step: Int)]()
            for (r, step) in zip(previous.runs, previous.steps) {
                old[previous.group.slots[r.slotIndex].name] = (r, step)
            }
            for (j, r) in runs.enumerated() {
                guard let o = old[group.slots[r.slotIndex].name], o.run.count == r.count else { continue }
                steps[j] = o.step
                for (b, nb) in zip(previous.buffers, buffers) {
                    (nb.pointer + r.stateOffset).update(from: b.pointer + o.run.stateOffset, count: r.count)
                }
            }
        }
        self.runs = runs
        self.steps = steps
        self.buffers = buffers
        self.shares = OptimizerShares.split(runs, workers: ParallelChunks.workers)
    }

    /// Switches to a new layout (e.g. gradual unfreezing): slots still
    /// trainable keep their state and step count, newly trainable slots start
    /// fresh, newly frozen slots lose their state.
    public func regroup(_ newGroup: ParameterGroup) {
        let previous = (runs, steps, buffers, group)
        group = newGroup
        layout(previous: previous)
    }

    /// One optimizer step at learning rate `lr` (the scheduled lr; each slot
    /// uses `lr · lrScale`). `parameters` and `gradients` hold `group.count`
    /// floats; gradients of frozen slots are not read.
    ///
    /// Large groups are updated on all cores: each worker takes a fixed share of the
    /// trainable elements (see `OptimizerShares`), and every element gets the same
    /// arithmetic as on one thread, so results do not depend on the thread count.
    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, learningRate lr: Double) {
        for r in runs.indices { steps[r] += 1 }
        let shares = self.shares
        WorkerPool.shared.run(shares.count) { worker in
            for piece in shares[worker] {
                let run = piece.run
                update(run: run, step: steps[piece.runIndex], lr: lr * run.lrScale,
                       parameters: parameters + run.offset, gradients: gradients + run.offset)
            }
        }
    }

    /// Each worker's pieces of the runs, rebuilt with the layout.
    private var shares: [[OptimizerShares.Piece]] = []

    /// One step on arrays; `lr` defaults to the configured learning rate.
    public func step(parameters: inout [Float], gradients: [Float], learningRate lr: Double? = nil) {
        precondition(parameters.count >= group.count && gradients.count >= group.count, "buffers smaller than the parameter group")
        let lr = lr ?? learningRate
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                step(parameters: p.baseAddress!, gradients: g.baseAddress!, learningRate: lr)
            }
        }
    }

    /// Overridden by each optimizer: update `run.count` elements. `step` is the
    /// 1-based step number of this slot; `state(i, run)` points at its state.
    func update(run: Run, step: Int, lr: Double, parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>) {
        fatalError("subclass responsibility")
    }

    /// Start of state buffer `index` for `run`.
    @inline(always)
    final func state(_ index: Int, _ run: Run) -> UnsafeMutablePointer<Float> {
        buffers[index].pointer + run.stateOffset
    }

    /// The momentum a one-cycle schedule cycles (SGD/RMSprop `momentum`, Adam
    /// `beta1`); nil if this optimizer has none.
    public var cycledMomentum: Double? {
        get { nil }
        set {}
    }

    /// A copy of the complete state, enough to resume bit-exactly.
    public func exportState() -> OptimizerState {
        let trainable = runs.map { group.slots[$0.slotIndex] }
        var named = [String: [Float]]()
        for (name, b) in zip(stateBufferNames, buffers) {
            named[name] = Array(UnsafeBufferPointer(start: b.pointer, count: b.count))
        }
        return OptimizerState(kind: kind, slotNames: trainable.map(\.name), slotCounts: trainable.map(\.count),
                              steps: steps, buffers: named)
    }

    /// The state as safetensors views plus metadata: the same names, order and bytes as
    /// `exportState().tensors(prefix:)` with `.metadata(prefix:)`, without copying the
    /// buffers (a per-epoch checkpoint of a large model would copy them twice). The views
    /// are valid inside `body` only.
    public func withStateViews<R>(prefix: String = "optimizer.",
                                  _ body: (_ views: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                                           _ metadata: [String: String]) throws -> R) rethrows -> R {
        let trainable = runs.map { group.slots[$0.slotIndex] }
        let described = OptimizerState(kind: kind, slotNames: trainable.map(\.name), slotCounts: trainable.map(\.count),
                                       steps: steps, buffers: Dictionary(uniqueKeysWithValues: stateBufferNames.map { ($0, []) }))
        var views = [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]()
        for name in stateBufferNames.sorted() {
            let buffer = buffers[stateBufferNames.firstIndex(of: name)!]
            for (run, slot) in zip(runs, trainable) {
                views.append(("\(prefix)\(name).\(slot.name)", [run.count],
                              UnsafeBufferPointer(start: buffer.pointer + run.stateOffset, count: run.count)))
            }
        }
        return try body(views, described.metadata(prefix: prefix))
    }

    /// Restores state exported from an optimizer of the same kind over the
    /// same trainable slots.
    public func importState(_ state: OptimizerState) throws {
        guard state.kind == kind else {
            throw OptimizerError("optimizer state is for '\(state.kind)', not '\(kind)'")
        }
        let trainable = runs.map { group.slots[$0.slotIndex] }
        guard state.slotNames == trainable.map(\.name), state.slotCounts == trainable.map(\.count),
              state.steps.count == runs.count
        else {
            throw OptimizerError("optimizer state covers trainable parameters \(state.slotNames) but this model trains \(trainable.map(\.name))")
        }
        guard Set(state.buffers.keys) == Set(stateBufferNames) else {
            throw OptimizerError("optimizer state has buffers \(state.buffers.keys.sorted()) but '\(kind)' uses \(stateBufferNames)")
        }
        for (name, b) in zip(stateBufferNames, buffers) where state.buffers[name]!.count != b.count {
            throw OptimizerError("optimizer state buffer '\(name)' has \(state.buffers[name]!.count) floats, expected \(b.count)")
        }
        guard state.steps.allSatisfy({ $0 >= 0 }) else { throw OptimizerError("optimizer state has a negative step count") }
        for (name, b) in zip(stateBufferNames, buffers) where b.count > 0 {
            state.buffers[name]!.withUnsafeBufferPointer { b.pointer.update(from: $0.baseAddress!, count: b.count) }
        }
        steps = state.steps
    }

    /// Step count of the slot named `name` (0 when frozen or never stepped).
    public func stepCount(slot name: String) -> Int {
        for (r, run) in runs.enumerated() where group.slots[run.slotIndex].name == name { return steps[r] }
        return 0
    }

    /// The state buffer `buffer` restricted to slot `slot`; nil when the slot is
    /// frozen (it has no state) or the buffer does not exist.
    public func stateValues(_ buffer: String, slot: String) -> [Float]? {
        guard let b = stateBufferNames.firstIndex(of: buffer) else { return nil }
        for run in runs where group.slots[run.slotIndex].name == slot {
            return Array(UnsafeBufferPointer(start: buffers[b].pointer + run.stateOffset, count: run.count))
        }
        return nil
    }

    /// Total floats of optimizer state held (0 when everything is frozen).
    public var stateFloatCount: Int { buffers.reduce(0) { $0 + $1.count } }
}

/// An owned, fixed-size float allocation (no copy-on-write, no exclusivity
/// checks in the hot loop).
final class OptimizerBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, value: Float) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
    }

    deinit { pointer.deallocate() }
}
