import Foundation
import Kernels
import Plan
import Support

/// A fast 64-bit checksum that ties a trial's resume files together, computed over a
/// file image at once (`hex(_:)`) or over the chunks as they are written (`update`).
///
/// `last-state.json` records one for `last.safetensors` and one for
/// `last-state.safetensors`: each file is replaced atomically, but a kill
/// between two renames could pair files of different epochs. That is a
/// torn-write check, not a defence against tampering, so it need not be
/// SHA-256 — which cost ~15% of a W2 run when hashing every epoch's 22 MB.
/// Sealed results keep their SHA-256 manifest.
struct ResumeChecksum {
    private var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var length = 0
    /// Bytes of an unfinished 8-byte word (chunks need not be multiples of 8).
    private var pending: UInt64 = 0
    private var pendingCount = 0

    /// The checksum of a whole file image.
    static func hex(_ data: Data) -> String {
        var sum = ResumeChecksum()
        data.withUnsafeBytes { sum.update($0) }
        return sum.hex
    }

    /// Adds the next bytes: eight at a time, multiply-xorshift mixed.
    mutating func update(_ raw: UnsafeRawBufferPointer) {
        length += raw.count
        var i = 0
        while pendingCount > 0 && pendingCount < 8 && i < raw.count {
            pending |= UInt64(raw[i]) << (8 * UInt64(pendingCount))
            pendingCount += 1
            i += 1
        }
        if pendingCount == 8 {
            mix(pending)
            pending = 0
            pendingCount = 0
        }
        while i + 8 <= raw.count {
            mix(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        while i < raw.count {
            pending |= UInt64(raw[i]) << (8 * UInt64(pendingCount))
            pendingCount += 1
            i += 1
        }
    }

    @inline(always) private mutating func mix(_ word: UInt64) {
        h = (h ^ UInt64(littleEndian: word)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
    }

    /// The final value: trailing bytes one at a time, then the length, as hex.
    var hex: String {
        var h = self.h
        for b in 0..<pendingCount {
            h = (h ^ ((pending >> (8 * UInt64(b))) & 0xFF)) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= UInt64(length)
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return String(h, radix: 16)
    }
}
