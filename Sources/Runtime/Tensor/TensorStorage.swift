import Foundation
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

    /// Storages of at least this many bytes are mapped from the kernel (anonymous pages,
    /// zero until written) instead of allocated and zeroed: a page costs memory only once
    /// something writes it. A frozen encoder's gradient buffer (BERT-base: 438 MB) is then
    /// never resident; allocated and zero-filled, it was a third of extraction's peak memory.
    static let mappedBytes = 8 << 20

    /// Whether `pointer` came from `mmap` (else from `allocate`).
    private let mapped: Bool

    /// Allocates `capacity` zeroed floats (at least one, so `pointer` is always valid).
    public init(capacity: Int) {
        let n = max(capacity, 1)
        let bytes = n * MemoryLayout<Float>.stride
        if bytes >= Self.mappedBytes,
           let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED {
            pointer = raw.bindMemory(to: Float.self, capacity: n)  // page-aligned, zero-filled
            mapped = true
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pointer = raw.bindMemory(to: Float.self, capacity: n)
            pointer.initialize(repeating: 0, count: n)
            mapped = false
        }
        self.capacity = capacity
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(pointer), max(capacity, 1) * MemoryLayout<Float>.stride)
        } else {
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }
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
