import Foundation

/// What the cost model knows of a data file before it is parsed: its rows, bytes and
/// fields, and how long its rows are (from `FileDigests`, which reads every file anyway
/// to hash it).
public struct DataFileFacts: Sendable, Hashable {
    /// Rows (records), header excluded.
    public var records: Int
    public var bytes: Int
    /// Fields over all rows (CSV cells; JSON Lines members, about).
    public var fields: Int
    /// `rowLengths[n]`: rows of `n` bytes, the last entry counting every longer one
    /// (`LineProfile`); empty when unknown, and then every row is `bytes / records` long.
    public var rowLengths: [Int]

    public init(records: Int, bytes: Int, fields: Int? = nil, rowLengths: [Int] = []) {
        self.records = records
        self.bytes = bytes
        self.fields = fields ?? records
        self.rowLengths = rowLengths
    }

    /// The facts of a hashed file; `hasHeader` for CSV (its first line names the columns).
    public init(_ digest: FileDigests.FileDigest, hasHeader: Bool) {
        let records = digest.records(hasHeader: hasHeader)
        // A row of c commas has c + 1 fields (the header's are a rounding error).
        self.init(records: records, bytes: digest.size, fields: digest.lines.commas + records,
                  rowLengths: digest.lines.rows(hasHeader: hasHeader))
    }

    /// Mean bytes per row.
    public var bytesPerRow: Double { records > 0 ? Double(bytes) / Double(records) : 0 }
}

/// How many tokens a text model's sequences hold, estimated from the rows' byte lengths:
/// a row of `n` bytes is about n / `bytesPerToken` WordPiece tokens plus `[CLS]` and
/// `[SEP]`, cut at the tokenizer's `max_length`. The row's other columns are counted as
/// text, which the ratio absorbs for files whose text is most of the row.
public struct SequenceLengths {
    /// Bytes of a row per WordPiece token: the WordNet glosses file has 5.7 bytes of row
    /// (4.96 of text) per token with all-MiniLM-L6-v2's vocabulary; English prose is about 4–5.
    public static let bytesPerToken = 5.0

    /// `share[t]`: the fraction of rows of `t` tokens, t ≤ `maxLength`.
    private var share: [Double]

    public init(_ file: DataFileFacts, maxLength: Int) {
        let cap = max(maxLength, 1)
        share = [Double](repeating: 0, count: cap + 1)
        let tokens = { (bytes: Double) in min(cap, Int((bytes / Self.bytesPerToken).rounded(.up)) + 2) }
        let rows = file.rowLengths.reduce(0, +)
        if rows > 0 {
            for (n, count) in file.rowLengths.enumerated() where count > 0 {
                share[tokens(Double(n))] += Double(count) / Double(rows)
            }
        } else {
            share[tokens(file.bytesPerRow)] = 1
        }
    }

    /// The mean tokens of a sequence: what batches sorted by length pad to, about.
    public var mean: Double { share.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }

    /// The expected longest sequence of `batch` rows drawn at random: what a training batch
    /// (rows in shuffled order) pads to. E[max] = Σₜ P(max ≥ t) = Σₜ 1 − F(t − 1)^batch.
    public func expectedLongest(of batch: Double) -> Double {
        var below = 0.0  // F(t - 1): the share of rows shorter than t
        var sum = 0.0
        for t in 1..<share.count {
            below += share[t - 1]
            sum += 1 - pow(min(below, 1), max(batch, 1))
        }
        return sum
    }
}
