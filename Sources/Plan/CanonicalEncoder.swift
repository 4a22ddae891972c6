import Foundation

/// How the canonical encoding names files: by the SHA-256 of their contents,
/// never by path, so a moved experiment keeps its keys. Plan never reads files;
/// the compiler's `FileDigests` hashes them (once per plan).
public protocol ContentDigests {
    /// SHA-256 of the file's bytes, lower-case hex.
    func sha256(ofFile path: String) throws -> String
    /// The identity (lower-case hex) of the files a pretrained model folder holds.
    func sha256(ofModelFolder path: String) throws -> String
}

/// A canonical, versioned byte encoding of resolved task payloads: the input
/// of a task key. It writes what the spec walk (`SpecWalk.swift`) emits.
///
/// Every value is written with a type tag and every field by name in a fixed
/// order, so the encoding is injective; numbers are written as the exact bits
/// of their `Double` (with `-0` as `0`), so `1e-3` and `0.001` encode alike.
/// Files are written as the SHA-256 of their contents, never their paths, so a
/// moved experiment keeps its keys. Bump `version` whenever the encoding of an
/// existing value changes.
public struct CanonicalEncoder: SpecWriter {
    /// The encoding's version; part of every key.
    public static let version = "ftx-canonical-1"

    /// The encoded text (ASCII tags, length-prefixed strings).
    public private(set) var bytes: [UInt8] = []
    private let digests: any ContentDigests

    /// An encoder that names files by their digests in `digests`.
    public init(digests: any ContentDigests) {
        self.digests = digests
        raw(Self.version)
    }

    private mutating func raw(_ s: String) { bytes.append(contentsOf: Array(s.utf8)) }

    /// `(tag` … `)`: records and variants alike.
    private mutating func node(_ tag: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows {
        raw("(" + tag)
        try body(&self)
        raw(")")
    }

    public mutating func record(_ tag: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows { try node(tag, body) }
    public mutating func variant(_ tag: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows { try node(tag, body) }

    /// ` :name` then the value written by `body`.
    public mutating func field(_ name: String, _ body: (inout CanonicalEncoder) throws -> Void) rethrows {
        raw(" :" + name)
        try body(&self)
    }

    public mutating func number(_ x: Double) {
        let canonical = x == 0 ? 0.0 : (x.isNaN ? Double.nan : x)
        raw(" d" + String(canonical.bitPattern, radix: 16))
    }

    public mutating func int(_ n: Int) { raw(" i" + String(n)) }
    public mutating func uint(_ n: UInt64) { raw(" u" + String(n)) }
    public mutating func bool(_ b: Bool) { raw(b ? " T" : " F") }
    public mutating func null() { raw(" N") }

    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        raw(" s\(utf8.count):")
        bytes.append(contentsOf: utf8)
    }

    public mutating func list<T>(_ items: [T], _ each: (inout CanonicalEncoder, T) throws -> Void) rethrows {
        raw(" [\(items.count)")
        for item in items { try each(&self, item) }
        raw("]")
    }

    /// A file as its content digest.
    public mutating func file(_ path: String) throws {
        string("sha256:" + (try digests.sha256(ofFile: path)))
    }

    /// A model folder as the digest of its files.
    public mutating func modelFolder(_ path: String) throws {
        string("sha256:" + (try digests.sha256(ofModelFolder: path)))
    }
}
