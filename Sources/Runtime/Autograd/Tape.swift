import Kernels
import Plan
import Support
/// A handle to a value recorded on a `Tape`.
public struct Variable: Hashable, Sendable {
    /// Position on the tape (nodes are appended in topological order).
    public let id: Int
}

/// Reverse-mode automatic differentiation by a tape (micrograd/tinygrad style).
///
/// Every op computes its value eagerly and appends a node; since inputs exist
/// before outputs, tape order is a topological order and `backward` walks it in
/// reverse, accumulating gradients. A node requires a gradient iff one of its
/// inputs does, so frozen parameters and data inputs cost no backward work.
///
/// Memory: values and gradients come from two `TensorArena`s that `reset()`
/// rewinds; a training loop that calls `reset()` each step reuses the same
/// buffers and allocates nothing after the first step. Consequently every tensor
/// read from the tape is valid only until the next `reset()` — copy what must
/// outlive the step. Parameter nodes view the `ParameterStore` directly and
/// accumulate straight into its flat gradient buffer.
public final class Tape {
    struct Node {
        var value: Tensor
        var grad: Tensor?
        var requiresGrad: Bool
        var op: Operation
        /// A trainable parameter's store and slot: its gradient is the store's, taken through
        /// `gradientTarget`/`accumulationTarget` (the slot may hold discarded values).
        var parameter: (store: ParameterStore, slot: Int)? = nil
    }

    var nodes: [Node] = []
    let valueArena = TensorArena()
    let gradArena = TensorArena()

    /// When false (evaluation), nothing is recorded for backward.
    public var gradientsEnabled: Bool = true

    /// An empty tape.
    public init() { nodes.reserveCapacity(256) }

    /// Clears the tape and rewinds its arenas for the next step.
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        valueArena.rewind()
        gradArena.rewind()
    }

    /// Number of recorded nodes.
    public var count: Int { nodes.count }

    /// Floats held by the tape's arenas (values, gradients).
    public var floatsHeld: (values: Int, gradients: Int) { (valueArena.floatsHeld, gradArena.floatsHeld) }

    /// The value of `v` (valid until the next `reset()`).
    public func value(_ v: Variable) -> Tensor { nodes[v.id].value }

    /// The shape of `v`.
    public func shape(_ v: Variable) -> [Int] { nodes[v.id].value.shape }

    /// The gradient of the last `backward` with respect to `v`; zeros if `v`
    /// requires a gradient but was not reached, nil if it requires none.
    public func gradient(_ v: Variable) -> Tensor? {
        guard nodes[v.id].requiresGrad else { return nil }
        if let p = nodes[v.id].parameter { _ = p.store.accumulationTarget(p.slot) }  // discarded and unwritten: zeros
        return nodes[v.id].grad ?? Tensor(zeros: nodes[v.id].value.shape)
    }

    /// Whether `v` requires a gradient.
    public func requiresGradient(_ v: Variable) -> Bool { nodes[v.id].requiresGrad }

    /// Records a constant input (its tensor is referenced, not copied).
    public func input(_ t: Tensor, requiresGradient: Bool = false) -> Variable {
        nodes.append(Node(value: t, grad: nil, requiresGrad: requiresGradient && gradientsEnabled, op: .leaf))
        return Variable(id: nodes.count - 1)
    }

    /// Records parameter slot `index` of `store`: the value is a view of the
    /// store, and if the slot is trainable its gradient accumulates into the
    /// store's flat gradient buffer (zero it with `store.zeroGradients()`, or discard it
    /// with `store.discardGradients()` and settle it after backward).
    public func parameter(_ store: ParameterStore, _ index: Int) -> Variable {
        let trainable = store.slots[index].trainable && gradientsEnabled
        nodes.append(Node(value: store.value(at: index), grad: trainable ? store.gradient(at: index) : nil,
                          requiresGrad: trainable, op: .leaf, parameter: trainable ? (store, index) : nil))
        return Variable(id: nodes.count - 1)
    }

    /// Records parameter `name` of `store`.
    public func parameter(_ store: ParameterStore, _ name: String) -> Variable {
        guard let i = store.index(of: name) else { preconditionFailure("no parameter named \(name)") }
        return parameter(store, i)
    }

    /// A fresh arena tensor for an op's output or saved state (contents unspecified).
    func scratch(_ shape: [Int]) -> Tensor { valueArena.tensor(shape) }

    /// Appends an op's node; it requires a gradient iff any input does.
    func record(_ value: Tensor, _ op: @autoclosure () -> Operation, inputs: Int...) -> Variable {
        var needs = false
        if gradientsEnabled { for i in inputs where nodes[i].requiresGrad { needs = true; break } }
        nodes.append(Node(value: value, grad: nil, requiresGrad: needs, op: needs ? op() : .leaf))
        return Variable(id: nodes.count - 1)
    }

    /// Back-propagates from scalar `loss` (seed 1).
    public func backward(_ loss: Variable) {
        precondition(nodes[loss.id].value.count == 1, "backward(_:) needs a scalar; pass seed: for \(nodes[loss.id].value.shape)")
        backward(loss, seed: nil)
    }

    /// Back-propagates from `root` with upstream gradient `seed` (root's shape;
    /// nil means 1 for a scalar).
    public func backward(_ root: Variable, seed: Tensor?) {
        let r = root.id
        guard nodes[r].requiresGrad else { return }
        let g = gradArena.tensor(nodes[r].value.shape)
        if let seed {
            precondition(seed.count == g.count, "seed \(seed.shape) for \(g.shape)")
            g.assign(seed)
        } else {
            g.fill(1)
        }
        if let p = nodes[r].parameter {  // a parameter as root: accumulate
            vectorAxpy(alpha: 1, g.pointer, p.store.accumulationTarget(p.slot), count: g.count)
        } else {
            nodes[r].grad = g
        }
        var i = r
        while i >= 0 {
            if nodes[i].requiresGrad, let grad = nodes[i].grad { propagate(i, grad) }
            i -= 1
        }
    }

    /// The gradient buffer of node `id`, zero-filled on first use; nil if `id`
    /// needs no gradient. For rules that accumulate (`+=`).
    func accumulator(_ id: Int) -> UnsafeMutablePointer<Float>? {
        guard nodes[id].requiresGrad else { return nil }
        if let p = nodes[id].parameter { return p.store.accumulationTarget(p.slot) }
        if let g = nodes[id].grad { return g.pointer }
        let g = gradArena.tensor(nodes[id].value.shape)
        g.fill(0)
        nodes[id].grad = g
        return g.pointer
    }

    /// The gradient buffer of node `id` and the GEMM `beta` to write it with:
    /// 0 on first use (no zero-fill needed), 1 afterwards. Nil if not needed.
    func gemmTarget(_ id: Int) -> (UnsafeMutablePointer<Float>, Float)? {
        guard nodes[id].requiresGrad else { return nil }
        if let p = nodes[id].parameter { return p.store.gradientTarget(p.slot) }
        if let g = nodes[id].grad { return (g.pointer, 1) }
        let g = gradArena.tensor(nodes[id].value.shape)
        nodes[id].grad = g
        return (g.pointer, 0)
    }
}
