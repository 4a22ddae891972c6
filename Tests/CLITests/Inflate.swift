import Foundation

/// DEFLATE (RFC 1951) inside a zlib stream (RFC 1950), decoded with Foundation only:
/// Foundation on Linux exposes no zlib, and the browser test must read the PNG a
/// headless browser wrote. Canonical Huffman decoding one bit at a time, as Mark
/// Adler's `puff.c` does: slow, short and easy to check.
enum Inflate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The bytes a zlib stream holds (its 2-byte header checked, its Adler-32 not).
    static func zlib(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count >= 2, bytes[0] & 0x0F == 8, (Int(bytes[0]) << 8 | Int(bytes[1])) % 31 == 0, bytes[1] & 0x20 == 0 else {
            throw Failure(description: "not a zlib stream")
        }
        var reader = BitReader(bytes: bytes, position: 2)
        var out: [UInt8] = []
        var last = false
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0: try stored(&reader, &out)
            case 1: try codes(&reader, &out, Huffman.fixedLiterals, Huffman.fixedDistances)
            case 2:
                let (literals, distances) = try dynamicTables(&reader)
                try codes(&reader, &out, literals, distances)
            default: throw Failure(description: "invalid block type")
            }
        }
        return out
    }

    struct BitReader {
        let bytes: [UInt8]
        var position: Int
        var bitBuffer = 0
        var bitCount = 0

        init(bytes: [UInt8], position: Int) {
            self.bytes = bytes
            self.position = position
        }

        /// `n` bits, least significant first.
        mutating func bits(_ n: Int) throws -> Int {
            while bitCount < n {
                guard position < bytes.count else { throw Failure(description: "unexpected end of data") }
                bitBuffer |= Int(bytes[position]) << bitCount
                position += 1
                bitCount += 8
            }
            let value = bitBuffer & ((1 << n) - 1)
            bitBuffer >>= n
            bitCount -= n
            return value
        }

        mutating func alignToByte() {
            bitBuffer = 0
            bitCount = 0
        }
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            var next = offsets
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[next[l]] = symbol
                next[l] += 1
            }
        }

        func decode(_ reader: inout BitReader) throws -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try reader.bits(1)
                let count = counts[length]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw Failure(description: "invalid Huffman code")
        }

        static let fixedLiterals = try! Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : ($0 < 256 ? 9 : ($0 < 280 ? 7 : 8)) })
        static let fixedDistances = try! Huffman(lengths: [Int](repeating: 5, count: 30))
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static func stored(_ reader: inout BitReader, _ out: inout [UInt8]) throws {
        reader.alignToByte()
        let p = reader.position
        guard p + 4 <= reader.bytes.count else { throw Failure(description: "truncated stored block") }
        let length = Int(reader.bytes[p]) | Int(reader.bytes[p + 1]) << 8
        let complement = Int(reader.bytes[p + 2]) | Int(reader.bytes[p + 3]) << 8
        guard length == ~complement & 0xFFFF, p + 4 + length <= reader.bytes.count else { throw Failure(description: "invalid stored block") }
        out.append(contentsOf: reader.bytes[(p + 4)..<(p + 4 + length)])
        reader.position = p + 4 + length
    }

    private static func codes(_ reader: inout BitReader, _ out: inout [UInt8], _ literals: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let l = symbol - 257
                guard l < lengthBase.count else { throw Failure(description: "invalid length symbol") }
                let length = lengthBase[l] + (try reader.bits(lengthExtra[l]))
                let d = try distances.decode(&reader)
                guard d < distanceBase.count else { throw Failure(description: "invalid distance symbol") }
                let distance = distanceBase[d] + (try reader.bits(distanceExtra[d]))
                guard distance <= out.count else { throw Failure(description: "distance too far back") }
                let start = out.count - distance
                for i in 0..<length { out.append(out[start + i]) }
            }
        }
    }

    private static func dynamicTables(_ reader: inout BitReader) throws -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257, distanceCount = try reader.bits(5) + 1, codeCount = try reader.bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeCount { codeLengths[order[i]] = try reader.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try lengthCode.decode(&reader)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Failure(description: "repeat with no previous length") }
                lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw Failure(description: "code lengths overrun") }
        return (try Huffman(lengths: Array(lengths[0..<literalCount])), try Huffman(lengths: Array(lengths[literalCount...])))
    }
}
