import Kernels
import Plan
import Support
/// A dense, row-major, contiguous Float32 tensor: a view into a `TensorStorage`.
///
/// `Tensor` is a value type holding a reference to shared storage; copying a
/// tensor shares its elements (views are cheap). Mutating through `pointer`
/// is visible to every view of the same storage. Use `copy()` for an
/// independent tensor.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    /// The shared element storage.
    public let storage: TensorStorage
    /// Index of this view's first element in `storage`.
    public let offset: Int
    /// Dimensions, outermost first. A scalar has shape `[]`.
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int

    /// A view of `storage` starting at `offset` with `shape`.
    public init(storage: TensorStorage, offset: Int = 0, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(offset >= 0 && offset + n <= storage.capacity,
                     "view [\(offset), \(offset + n)) exceeds storage of \(storage.capacity)")
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.count = n
    }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        self.init(storage: TensorStorage(capacity: shape.reduce(1, *)), shape: shape)
    }

    /// A tensor filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(zeros: shape)
        pointer.update(repeating: value, count: count)
    }

    /// A tensor holding `data` (row-major) with `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.init(zeros: shape)
        data.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: data.count) }
    }

    /// A scalar tensor (shape `[]`).
    public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

    /// Pointer to the first element of this view.
    @inline(always) public var pointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Element `i` of the flattened view.
    @inline(always) public subscript(flat i: Int) -> Float {
        get { precondition(i >= 0 && i < count); return pointer[i] }
        nonmutating set { precondition(i >= 0 && i < count); pointer[i] = newValue }
    }

    /// Element at a multi-index.
    public subscript(_ index: Int...) -> Float {
        get { pointer[flatIndex(index)] }
        nonmutating set { pointer[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) for shape \(shape)")
        var f = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of bounds for \(shape)")
            f = f * d + i
        }
        return f
    }

    /// The only element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return pointer[0]
    }

    /// The elements in row-major order.
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The same elements under a new shape (no copy). One dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let hole = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            dims[hole] = count / known
        }
        precondition(dims.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(storage: storage, offset: offset, shape: dims)
    }

    /// Rows `range` of the outermost dimension (no copy).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(storage: storage, offset: offset + range.lowerBound * inner,
                      shape: [range.count] + shape.dropFirst())
    }

    /// An independent copy with its own storage.
    public func copy() -> Tensor {
        let t = Tensor(zeros: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Overwrites this view's elements with `other`'s (same element count).
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign \(other.shape) to \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// Product of the leading dimensions when the last one is treated as the row
    /// length: `(rows, cols)` for row-wise ops (softmax, layer norm, linear).
    public var rowsAndColumns: (rows: Int, cols: Int) {
        let cols = shape.last ?? 1
        return (cols == 0 ? 0 : count / cols, cols)
    }

    public var description: String {
        let head = toArray().prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}
