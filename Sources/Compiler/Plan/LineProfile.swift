import Foundation

/// How long a data file's lines are, and how many field separators it holds: what the cost
/// model needs to price parsing (per field and per byte) and to estimate how long a text
/// model's sequences are before anything is tokenized. Collected while `FileDigests`
/// hashes the file, so it costs no extra read.
public struct LineProfile: Sendable, Hashable {
    /// Lines longer than this many bytes share the last bucket: a text that long is cut
    /// at any tokenizer's `max_length` anyway.
    public static let longestCounted = 4096

    /// `counts[n]`: lines of `n` bytes (line break included), n < `longestCounted`;
    /// `counts[longestCounted]`: all longer lines. Empty for an empty file.
    public private(set) var counts: [Int] = []
    /// Bytes of the first line (a CSV header), line break included.
    public private(set) var firstLine = 0
    /// Commas in the file: a CSV file's separators (fields per row are about commas / rows + 1).
    public var commas = 0
    /// Line breaks (`\n`) in the file.
    public fileprivate(set) var lineBreaks = 0

    public init() {}

    /// Records a line of `length` bytes.
    public mutating func add(line length: Int) {
        if counts.isEmpty {
            counts = [Int](repeating: 0, count: Self.longestCounted + 1)
            firstLine = length
        }
        counts[min(length, Self.longestCounted)] += 1
    }

    /// The lengths of the data lines: every line but the first when it is a header.
    public func rows(hasHeader: Bool) -> [Int] {
        var c = counts
        if hasHeader, !c.isEmpty { c[min(firstLine, Self.longestCounted)] -= 1 }
        return c
    }
}

/// Finds line breaks and commas in a file's bytes, chunk by chunk.
public struct LineProfileScanner {
    public private(set) var profile = LineProfile()
    private var pending = 0  // bytes of the current line seen so far

    public init() {}

    public mutating func scan(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var commas = 0
        for b in raw where b == 0x2C { commas += 1 }
        profile.commas += commas
        var start = 0
        while start < raw.count, let hit = memchr(base + start, 0x0A, raw.count - start) {
            let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            profile.add(line: pending + end - start)
            profile.lineBreaks += 1
            pending = 0
            start = end
        }
        pending += raw.count - start
    }

    /// The profile, with an unterminated last line counted.
    public mutating func finish() -> LineProfile {
        if pending > 0 { profile.add(line: pending) }
        pending = 0
        return profile
    }
}
