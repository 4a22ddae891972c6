import Foundation

/// SHA-256 (FIPS 180-4), streaming and one-shot.
///
/// Task keys, store entries and data-file identities are SHA-256 digests, so
/// this must be both exact and fast: full 64-byte blocks are compressed straight
/// from the caller's buffer (no copy), and only a partial tail is buffered.
///
/// ```swift
/// var h = SHA256()
/// h.update(Data("ab".utf8)); h.update(Data("c".utf8))
/// h.finalize().hex   // "ba7816bf…"
/// SHA256.hash(Data("abc".utf8)).hex
/// ```
public struct SHA256: Sendable {
    /// A finished 32-byte digest.
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        /// The 32 digest bytes, big-endian words as the standard specifies.
        public let bytes: [UInt8]

        /// Lower-case hexadecimal, 64 characters.
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(64)
            for b in bytes {
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// Same as `hex`.
        public var description: String { hex }
    }

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Pending bytes of an incomplete block (fewer than 64).
    private var tail: [UInt8] = []
    private var totalBytes: UInt64 = 0

    /// A fresh hasher.
    public init() {
        tail.reserveCapacity(64)
    }

    /// Feeds `data` into the hash.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update(bytes: $0) }
    }

    /// Feeds the UTF-8 bytes of `string` into the hash.
    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Feeds raw bytes into the hash.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        let count = bytes.count
        totalBytes &+= UInt64(count)
        if !tail.isEmpty {
            let take = min(64 - tail.count, count)
            tail.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            if tail.count == 64 {
                let block = tail
                block.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
                tail.removeAll(keepingCapacity: true)
            }
        }
        let fullBlocks = (count - offset) / 64
        if fullBlocks > 0 {
            compress(blocks: base + offset, count: fullBlocks)
            offset += fullBlocks * 64
        }
        if offset < count {
            tail.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: count - offset))
        }
    }

    /// Pads, compresses the last block(s) and returns the digest. The hasher
    /// should not be updated afterwards.
    public mutating func finalize() -> Digest {
        let bitLength = totalBytes &* 8
        var pad: [UInt8] = [0x80]
        let afterOne = (tail.count + 1) % 64
        let zeros = afterOne <= 56 ? 56 - afterOne : 120 - afterOne
        pad.append(contentsOf: repeatElement(0, count: zeros))
        for i in (0..<8).reversed() { pad.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        let saved = totalBytes
        pad.withUnsafeBytes { update(bytes: $0) }
        totalBytes = saved
        precondition(tail.isEmpty)
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in words {
            out.append(UInt8(w >> 24)); out.append(UInt8((w >> 16) & 0xff))
            out.append(UInt8((w >> 8) & 0xff)); out.append(UInt8(w & 0xff))
        }
        return Digest(bytes: out)
    }

    /// One-shot digest of `data`.
    public static func hash(_ data: Data) -> Digest {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    /// One-shot digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) -> Digest {
        var h = SHA256()
        h.update(string)
        return h.finalize()
    }

    /// Digest of a file's contents, read memory-mapped so large files cost no copy.
    public static func hash(fileAt path: String) throws -> Digest {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return hash(data)
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// Compresses `count` consecutive 64-byte blocks starting at `blocks`.
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        Self.k.withUnsafeBufferPointer { kp in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for blk in 0..<count {
                    let p = blocks + blk * 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let x = w[i - 15], y = w[i - 2]
                        let s0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x >> 3)
                        let s1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y >> 10)
                        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    for i in 0..<64 {
                        let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = h &+ s1 &+ ch &+ kp[i] &+ w[i]
                        let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        h = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}
