import Kernels
import Plan
import Support
/// A reference-counted, 64-byte aligned block of `Float`s that tensors view.
///
/// Storage is never resized: a view holds `storage` plus an offset, so a
/// reshape or a row slice costs no copy. The contents start zeroed.
public final class TensorStorage: @unchecked Sendable {
    /// First element; valid for `capacity` floats for the lifetime of this object.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats allocated.
    public let capacity: Int

    /// Allocates `capacity` zeroed floats (at least one, so `pointer` is always valid).
    public init(capacity: Int) {
        let n = max(capacity, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: n)
        pointer.initialize(repeating: 0, count: n)
        self.capacity = capacity
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// A pool of storages handed out in request order and reused after `rewind()`.
///
/// A training step requests the same sizes in the same order every time, so from
/// the second step on every request is served by the block used last step: the
/// hot path allocates nothing. Blocks handed out before a rewind must not be
/// used after the next request that reuses them.
public final class TensorArena {
    private var blocks: [TensorStorage] = []
    private var cursor = 0

    /// An empty arena.
    public init() {}

    /// Forgets all hand-outs; their blocks will be reused in the same order.
    public func rewind() { cursor = 0 }

    /// Total floats held by the arena.
    public var floatsHeld: Int { blocks.reduce(0) { $0 + $1.capacity } }

    /// A block of at least `count` floats with unspecified contents.
    public func take(_ count: Int) -> TensorStorage {
        defer { cursor += 1 }
        if cursor < blocks.count {
            if blocks[cursor].capacity >= count { return blocks[cursor] }
            let fresh = TensorStorage(capacity: count)
            blocks[cursor] = fresh
            return fresh
        }
        let fresh = TensorStorage(capacity: count)
        blocks.append(fresh)
        return fresh
    }

    /// A tensor of `shape` backed by an arena block (unspecified contents).
    public func tensor(_ shape: [Int]) -> Tensor {
        Tensor(storage: take(shape.reduce(1, *)), offset: 0, shape: shape)
    }
}
