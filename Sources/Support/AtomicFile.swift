import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file writes that readers never see half done.
///
/// The bytes go to a temporary file in the destination's directory (same file
/// system, so the final `rename(2)` is atomic), are flushed to disk, and the
/// temporary file is then renamed over the destination. A crash leaves either
/// the old file or the new one, plus at worst a stray `.*.tmp-*` file.
public enum AtomicFile {
    /// Why an atomic write failed, naming the destination.
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "cannot write '\(path)': \(problem)" }
    }

    /// Writes `data` to `path` atomically, replacing any existing file.
    ///
    /// `durable: false` skips the flush to disk: the rename is still atomic for
    /// every reader and survives the process being killed, but after a power
    /// loss the file may be empty or old. Only for files whose readers verify
    /// them anyway (a trial's per-epoch resume state carries checksums).
    public static func write(_ data: Data, to path: String, durable: Bool = true) throws {
        try write(to: path, durable: durable) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Streams a file: `body` hands chunks of bytes to its sink, which appends them to a
    /// temporary file in the destination's directory; the file is flushed (if `durable`)
    /// and renamed over `path` only if `body` returns normally (otherwise it is removed).
    public static func write(to path: String, durable: Bool = true,
                             _ body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let tmp = temporaryPath(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WriteError(path: path, problem: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        func fail(_ problem: String) -> WriteError {
            close(fd)
            unlink(tmp)
            return WriteError(path: path, problem: problem)
        }
        do {
            try body { bytes in
                var done = 0
                while done < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { throw WriteError(path: path, problem: "write failed: \(String(cString: strerror(errno)))") }
                    done += n
                }
            }
        } catch let error as WriteError {
            throw fail(error.problem)
        } catch {
            throw fail("\(error)")
        }
        if durable && fsync(fd) != 0 { throw fail("fsync failed: \(String(cString: strerror(errno)))") }
        if close(fd) != 0 {
            unlink(tmp)
            throw WriteError(path: path, problem: "close failed: \(String(cString: strerror(errno)))")
        }
        try replace(path, with: tmp)
    }

    /// A fresh temporary name beside `path` (same directory, so the same file system).
    private static func temporaryPath(for path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        var rng = SystemRandomNumberGenerator()
        let name = ".\(base).tmp-\(getpid())-\(String(rng.next() & 0xFFFF_FFFF, radix: 16))"
        return dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
    }

    /// Renames the finished temporary file over `path` (atomic), or removes it and throws.
    private static func replace(_ path: String, with tmp: String) throws {
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw WriteError(path: path, problem: "rename failed: \(reason)")
        }
    }

    /// Writes the UTF-8 bytes of `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
