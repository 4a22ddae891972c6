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

    /// Sets `count` floats from `offset` to zero. In a mapped storage the whole pages of a
    /// large range are handed back to the kernel instead of written (`MADV_DONTNEED` makes
    /// private anonymous pages read as zero again): a frozen encoder's gradient region,
    /// never touched, then costs no page faults and no memory to clear. A range written
    /// again soon is cheaper to `memset`; callers that know so fill it themselves.
    public func zero(offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= max(capacity, 1), "zero: range outside the storage")
        let start = UnsafeMutableRawPointer(pointer + offset), bytes = count * MemoryLayout<Float>.stride
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let last = (Int(bitPattern: start) + bytes) / page * page
        guard mapped, page > 0, last - first >= 16 * page else {
            start.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            return
        }
        let head = first - Int(bitPattern: start), tail = Int(bitPattern: start) + bytes - last
        start.initializeMemory(as: UInt8.self, repeating: 0, count: head)
        UnsafeMutableRawPointer(bitPattern: last)!.initializeMemory(as: UInt8.self, repeating: 0, count: tail)
        if madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, MADV_DONTNEED) != 0 {
            UnsafeMutableRawPointer(bitPattern: first)!.initializeMemory(as: UInt8.self, repeating: 0, count: last - first)
        }
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
