import Foundation

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
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { try $0.write(contentsOf: data) }
    }

    /// Streams a file: `body` writes to a handle on a temporary file in the
    /// destination's directory, which is flushed and renamed over `path` only
    /// if `body` returns normally (otherwise it is removed).
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        var rng = SystemRandomNumberGenerator()
        let tmp = (dir as NSString).appendingPathComponent(
            ".\(base).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(String(rng.next() & 0xFFFF_FFFF, radix: 16))")
        guard FileManager.default.createFile(atPath: tmp, contents: nil, attributes: [.posixPermissions: 0o644]),
              let handle = FileHandle(forWritingAtPath: tmp)
        else {
            throw WriteError(path: path, problem: "cannot create a temporary file in '\(dir)'")
        }
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: tmp)
            if let e = error as? WriteError { throw e }
            throw WriteError(path: path, problem: "\(error)")
        }
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            throw WriteError(path: path, problem: "rename failed: \(reason)")
        }
    }

    /// Writes the UTF-8 bytes of `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
