import Foundation

/// A file mapped read-only into memory, whose pages can be handed back once read.
///
/// Why not `Data(contentsOf:options: .alwaysMapped)`: a mapped page that has been read stays
/// in the process's resident set until the whole mapping goes. Loading BERT-base's 438 MB of
/// weights into a parameter buffer then held both copies at once (the peak memory of a
/// frozen-encoder extraction); `release` lets the reader drop each tensor's pages after it
/// has copied them. The mapping is private and never written, so a released page that is
/// read again is simply read from the file again.
public final class MappedFile: @unchecked Sendable {
    /// The file's bytes (no copy; valid while this object lives).
    public let bytes: UnsafeRawBufferPointer
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps the file at `path`; throws a CocoaError-style error naming it when it cannot be read.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Self.error(path, errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(path, errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Self.error(path, EISDIR) }
        let count = Int(info.st_size)
        if count == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw Self.error(path, errno)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: count)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Drops the whole pages inside `range` (byte offsets) from the resident set; reading them
    /// again re-reads the file. Pages only partly inside the range are kept.
    public func release(_ range: Range<Int>) {
        guard let base = bytes.baseAddress else { return }
        let page = Self.pageSize
        let start = (range.lowerBound + page - 1) / page * page
        let end = min(range.upperBound, bytes.count) / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    private static func error(_ path: String, _ code: Int32) -> NSError {
        NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                userInfo: [NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(code)))"])
    }
}
