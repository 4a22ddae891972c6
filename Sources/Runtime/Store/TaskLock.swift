import Foundation
import Kernels
import Plan
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive per-task lock, so two `ftx run`s sharing a store train each task once.
///
/// The lock is `flock(2)` on `locks/KEY.lock` (created if needed), which also
/// records the holder's pid for messages. The kernel drops a `flock` when its
/// holder dies, so a lock left by a killed process is never stale: the next
/// `tryAcquire` simply succeeds. `flock` locks belong to an open file
/// description, so two executors in one process exclude each other as two
/// processes do. The file is never unlinked (unlinking a locked path races
/// with a waiter that already opened it).
public final class TaskLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    private var fd: Int32 = -1
    private let mutex = NSLock()

    /// A lock on `path` (not yet acquired).
    public init(path: String) { self.path = path }

    deinit { release() }

    /// Whether this object holds the lock.
    public var isHeld: Bool { mutex.lock(); defer { mutex.unlock() }; return fd >= 0 }

    /// Takes the lock if it is free; false if another holder has it.
    public func tryAcquire() throws -> Bool {
        mutex.lock(); defer { mutex.unlock() }
        if fd >= 0 { return true }
        let f = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard f >= 0 else {
            throw StoreError("cannot open lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        if flock(f, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(f)
            if e == EWOULDBLOCK || e == EAGAIN || e == EINTR { return false }
            throw StoreError("cannot lock '\(path)': \(String(cString: strerror(e)))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(f, 0)
        _ = text.withUnsafeBytes { pwrite(f, $0.baseAddress, $0.count, 0) }
        fd = f
        return true
    }

    /// The pid recorded by the current (or last) holder, if any.
    public func holderPID() -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (no-op if not held).
    public func release() {
        mutex.lock(); defer { mutex.unlock() }
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
