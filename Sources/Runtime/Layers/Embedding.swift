import Kernels
import Plan
import Support
extension Tape {
    /// Rows of `table` (V, D) picked by `indices` → (indexShape…, D).
    public func embedding(_ table: Variable, indices: [Int], shape indexShape: [Int]? = nil) -> Variable {
        let tv = value(table)
        precondition(tv.rank == 2, "embedding: table must be (vocab, dim), got \(tv.shape)")
        let vocab = tv.shape[0], d = tv.shape[1]
        let ishape = indexShape ?? [indices.count]
        precondition(ishape.reduce(1, *) == indices.count, "embedding: index shape \(ishape) for \(indices.count) indices")
        let y = scratch(ishape + [d])
        for (r, i) in indices.enumerated() {
            precondition(i >= 0 && i < vocab, "embedding: index \(i) outside vocabulary of \(vocab)")
            (y.pointer + r * d).update(from: tv.pointer + i * d, count: d)
        }
        return record(y, .embedding(table: table.id, indices: indices), inputs: table.id)
    }
}

/// Embedding backward: rows of dy scatter-added into the rows of dTable named by indices.
/// dy: (N, D)  dTable: (V, D)
public enum EmbeddingKernel {
    /// dTable[indices[r]] += dy[r]
    public static func backward(indices: [Int], dim d: Int, dy: UnsafePointer<Float>, dTable: UnsafeMutablePointer<Float>) {
        for (r, i) in indices.enumerated() { vectorAxpy(alpha: 1, dy + r * d, dTable + i * d, count: d) }
    }
}

/// An embedding table bound to `{name}` (V, D) in a store.
public struct Embedding {
    /// The store holding the table.
    public let store: ParameterStore
    /// Slot of the table.
    public let table: Int

    /// Binds the table named `name` (e.g. `embeddings.word_embeddings.weight`).
    public init(store: ParameterStore, name: String) {
        guard let t = store.index(of: name) else { preconditionFailure("no parameter \(name)") }
        self.store = store; self.table = t
    }

    /// Looks up `indices` (shape `indexShape`, default flat).
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil, on tape: Tape) -> Variable {
        tape.embedding(tape.parameter(store, table), indices: indices, shape: shape)
    }
}
