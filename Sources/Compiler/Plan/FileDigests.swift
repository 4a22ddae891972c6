import Foundation
import Plan
import Support

/// Content identities of the files a plan reads, each file hashed once.
///
/// Task keys name data by the SHA-256 of its bytes, never by path, so a
/// moved experiment keeps its keys and an edited CSV changes them. Hashing a
/// 90 MB checkpoint costs ~0.3 s, so digests are cached in memory by
/// (path, size, modification time): one instance may serve several plans.
public final class FileDigests: @unchecked Sendable {
    /// What hashing one file found out.
    public struct FileDigest: Sendable, Hashable {
        /// SHA-256 of the contents, lower-case hex.
        public var sha256: String
        /// Size in bytes.
        public var size: Int
        /// Whether the last byte is a line break.
        public var endsWithLineBreak: Bool
        /// Line breaks, line lengths and commas (what the cost model estimates parsing and text lengths from).
        public var lines: LineProfile
        /// Line breaks (`\n`) in the file; a data file's row count is about this minus its header.
        public var lineBreaks: Int { lines.lineBreaks }

        /// Records of a CSV/JSONL file with a header line (CSV) or without (JSONL), approximately:
        /// quoted line breaks inside CSV fields count as extra records.
        public func records(hasHeader: Bool) -> Int {
            let lines = lineBreaks + (endsWithLineBreak || size == 0 ? 0 : 1)
            return max(0, lines - (hasHeader ? 1 : 0))
        }
    }

    private struct CacheKey: Hashable {
        var path: String
        var size: Int
        var mtime: Double
    }

    private let lock = NSLock()
    private var cache: [CacheKey: FileDigest] = [:]
    private var hashedCount = 0

    public init() {}

    /// How many files were actually read (not served from the cache); for tests.
    public var filesHashed: Int {
        lock.lock()
        defer { lock.unlock() }
        return hashedCount
    }

    /// The digest of the file at the absolute `path`.
    public func digest(ofFile path: String) throws -> FileDigest {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw PlanError("cannot read \(path): the file does not exist or is not accessible")
        }
        if (attributes[.type] as? FileAttributeType) == .typeDirectory {
            throw PlanError("cannot read \(path): it is a folder, not a file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSinceReferenceDate ?? 0
        let key = CacheKey(path: path, size: size, mtime: mtime)
        lock.lock()
        if let cached = cache[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let digest = try Self.hash(path: path)
        lock.lock()
        cache[key] = digest
        hashedCount += 1
        lock.unlock()
        return digest
    }

    /// The identity of a pretrained model folder: the names and contents of
    /// the files the runtime reads from it (`config.json`, `model.safetensors`,
    /// `vocab.txt`), in that order.
    public func digest(ofModelFolder folder: String) throws -> String {
        var hasher = SHA256()
        var found = 0
        for name in Self.modelFiles {
            let path = (folder as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let d = try digest(ofFile: path)
            hasher.update("\(name)\u{0}\(d.sha256)\n")
            found += 1
        }
        if found == 0 { throw PlanError("pretrained model folder \(folder) holds none of \(Self.modelFiles.joined(separator: ", "))") }
        return hasher.finalize().hex
    }

    /// The files of a Hugging Face folder that determine a pretrained model.
    public static let modelFiles = ["config.json", "model.safetensors", "vocab.txt"]

    private static func hash(path: String) throws -> FileDigest {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PlanError("cannot read \(path): permission denied")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        var last: UInt8 = 0
        var scanner = LineProfileScanner()
        while true {
            let chunk: Data
            do {
                guard let c = try handle.read(upToCount: 1 << 20), !c.isEmpty else { break }
                chunk = c
            } catch {
                throw PlanError("cannot read \(path): \(error.localizedDescription)")
            }
            hasher.update(chunk)
            size += chunk.count
            chunk.withUnsafeBytes { raw in
                scanner.scan(raw)
                last = raw[raw.count - 1]
            }
        }
        let lines = scanner.finish()
        return FileDigest(sha256: hasher.finalize().hex, size: size, endsWithLineBreak: last == 0x0A, lines: lines)
    }
}

/// Task keys name files through these digests (`CanonicalEncoder`).
extension FileDigests: ContentDigests {
    public func sha256(ofFile path: String) throws -> String { try digest(ofFile: path).sha256 }
    public func sha256(ofModelFolder path: String) throws -> String { try digest(ofModelFolder: path) }
}
