import Foundation

/// A fast 64-bit checksum that ties a trial's resume files together.
///
/// `last-state.json` records one for `last.safetensors` and one for
/// `last-state.safetensors`: each file is replaced atomically, but a kill
/// between two renames could pair files of different epochs. That is a
/// torn-write check, not a defence against tampering, so it need not be
/// SHA-256 — which cost ~15% of a W2 run when hashing every epoch's 22 MB.
/// Sealed results keep their SHA-256 manifest.
enum ResumeChecksum {
    /// Eight bytes at a time, multiply-xorshift mixed; the length is mixed in last.
    static func hex(_ data: Data) -> String {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        data.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                let w = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 29
            }
            for i in (words * 8)..<raw.count {
                h = (h ^ UInt64(raw[i])) &* 0xC4CE_B9FE_1A85_EC53
            }
        }
        h ^= UInt64(data.count)
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return String(h, radix: 16)
    }
}
