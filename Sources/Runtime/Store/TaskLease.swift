import Foundation
import Kernels
import Plan
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ownership of one task by one worker, valid across processes and machines
/// sharing a store on a network file system, so they share the work and each
/// task is computed once.
///
/// The lease is the file `tasks/KEY/lease.json` of the task's entry:
/// `{"host", "pid", "started", "token", "heartbeat"}` — the owner's host name,
/// pid, process start (wall-clock seconds), a random token naming this one
/// acquisition, and the wall-clock time the owner last renewed it. A holder
/// renews the heartbeat every `renewal` seconds on a background thread while
/// the task runs.
///
/// Protocol (no `flock`, which NFS does not honour reliably):
/// - **Acquire**: write the record to a new file `lease.json.TOKEN.new`
///   in the entry, then `link(2)` it to `lease.json`. `link` fails if the lease
///   exists, so at most one creator wins (this is the classic NFS-safe lock file;
///   `O_EXCL` is not safe on old NFS). Because a retransmitted `link` on NFS can
///   report the wrong result, the winner is decided by **re-reading** the lease
///   and comparing the token, whatever `link` returned.
/// - **Stale**: a lease is stale if its heartbeat is older than `timeout`
///   seconds, or if it was written on this host by a pid that no longer exists
///   (taken over at once: a killed worker's task is picked up immediately on
///   its own machine), or by this pid in an earlier process (pid reuse).
/// - **Take over**: `rename(2)` the stale lease aside to `lease.json.TOKEN.stale`
///   (atomic: of several takers only one moves a given file), check that the
///   moved file is the record judged stale (if a fresh lease slipped in between,
///   link it back and stay out), delete it, then acquire as above.
/// - **Renew**: if the lease still holds our token, rewrite it atomically
///   (`lease.json.TOKEN.new` + rename) with a new heartbeat; if not, it was taken over
///   (we stalled longer than `timeout`): stop renewing (`lost`).
/// - **Release**: delete the lease if it still holds our token.
///
/// Assumptions: the hosts' clocks agree to well within `timeout` (NTP); a
/// holder renews far more often than `timeout` (`renewal` ≪ `timeout`); host
/// names are unique among the machines sharing a store. If a holder does stall
/// past `timeout` and its task is taken over, both compute the same task: every
/// store write is an atomic rename of deterministic, content-addressed bytes,
/// so the result is the same whichever write lands last; only work is wasted.
/// The entry's checkpoint (`last*.safetensors`, `last-state.json`) is left by a
/// dead owner, so the next owner resumes the trial from it.
public final class TaskLease: @unchecked Sendable {
    /// Who holds (or held) a lease, as recorded in the file.
    public struct Owner: Equatable, Sendable, CustomStringConvertible {
        public var host: String
        public var pid: Int32
        public var started: Double
        public var token: String
        public var heartbeat: Double

        public init(host: String, pid: Int32, started: Double, token: String, heartbeat: Double) {
            self.host = host; self.pid = pid; self.started = started; self.token = token; self.heartbeat = heartbeat
        }

        public var json: JSONValue {
            ["host": .string(host), "pid": .int(Int(pid)), "started": .double(started), "token": .string(token),
             "heartbeat": .double(heartbeat)]
        }

        public init?(json: JSONValue) {
            guard let host = json["host"]?.stringValue, let pid = json["pid"]?.intValue,
                  let started = json["started"]?.doubleValue, let token = json["token"]?.stringValue,
                  let heartbeat = json["heartbeat"]?.doubleValue else { return nil }
            self.init(host: host, pid: Int32(clamping: pid), started: started, token: token, heartbeat: heartbeat)
        }

        public var description: String { "pid \(pid) on \(host)" }
    }

    /// Seconds without a heartbeat after which a lease is stale (default).
    public static let defaultTimeout = 60.0
    /// Seconds between heartbeats (default).
    public static let defaultRenewal = 5.0
    /// This machine's name, as leases record it.
    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
    /// When this process started (wall clock), recorded to tell a reused pid from its earlier owner.
    public static let processStart = Date().timeIntervalSince1970

    /// The lease file.
    public let path: String
    public let timeout: Double
    public let renewal: Double

    private let mutex = NSCondition()
    /// Serialises a heartbeat's read-and-rewrite with release, so a renewal never recreates a released lease.
    private let fileLock = NSLock()
    private var token: String?
    private var lostLease = false
    private var renewer: Thread?

    /// A lease on `path` (not yet acquired).
    public init(path: String, timeout: Double = TaskLease.defaultTimeout, renewal: Double = TaskLease.defaultRenewal) {
        self.path = path
        self.timeout = timeout
        self.renewal = renewal
    }

    deinit { release() }

    /// Whether this object holds the lease.
    public var isHeld: Bool { mutex.lock(); defer { mutex.unlock() }; return token != nil }
    /// Whether the lease was taken over while held (this holder stalled past `timeout`).
    public var lost: Bool { mutex.lock(); defer { mutex.unlock() }; return lostLease }

    /// The owner recorded in the lease file, if there is one (an unreadable file
    /// counts as an anonymous owner whose heartbeat is the file's modification time).
    public func owner() -> Owner? { Self.read(path) }

    /// Whether `owner`'s lease may be taken over now (see the type's comment).
    public func isStale(_ owner: Owner, now: Double = Date().timeIntervalSince1970) -> Bool {
        if now - owner.heartbeat > timeout { return true }
        guard owner.host == Self.host else { return false }
        if owner.pid == getpid() { return owner.started != Self.processStart }
        return kill(owner.pid, 0) != 0 && errno == ESRCH
    }

    /// The live owner holding the lease, if another worker holds it now.
    public func liveOwner() -> Owner? {
        guard let o = owner(), !isStale(o), o.token != currentToken else { return nil }
        return o
    }

    private var currentToken: String? { mutex.lock(); defer { mutex.unlock() }; return token }

    /// Takes the lease if nobody holds it or its holder's lease is stale; false if a live owner holds it.
    public func tryAcquire() throws -> Bool {
        if isHeld { return true }
        let dir = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw StoreError("cannot create '\(dir)' for a task lease: \(error)")
        }
        let mine = UUID().uuidString
        if let current = owner() {
            guard isStale(current) else { return false }
            let aside = path + "." + mine + ".stale"
            if rename(path, aside) != 0 {
                if errno == ENOENT { return false }  // another worker took it over first; look again later
                throw StoreError("cannot take over the stale lease '\(path)': \(String(cString: strerror(errno)))")
            }
            if Self.read(aside) != current {
                // A fresh lease replaced the stale one between our read and the rename: give it back.
                _ = link(aside, path)
                unlink(aside)
                return false
            }
            unlink(aside)
        }
        let now = Date().timeIntervalSince1970
        let record = Owner(host: Self.host, pid: getpid(), started: Self.processStart, token: mine, heartbeat: now)
        let temporary = path + "." + mine + ".new"
        let written = Self.writeRecord(record, to: temporary)
        if written == ENOENT { return false }  // the entry was just removed (a corrupt entry discarded): look again later
        guard written == 0 else {
            throw StoreError("cannot write the task lease '\(temporary)': \(String(cString: strerror(written)))")
        }
        let linked = link(temporary, path) == 0
        let linkError = errno
        unlink(temporary)
        // The re-read decides (an NFS `link` may report either result wrongly).
        guard Self.read(path)?.token == mine else {
            if !linked && linkError != EEXIST {
                throw StoreError("cannot create the task lease '\(path)': \(String(cString: strerror(linkError)))")
            }
            return false
        }
        mutex.lock()
        token = mine
        lostLease = false
        let thread = Thread { [weak self] in self?.renewLoop(token: mine, started: record.started) }
        renewer = thread
        mutex.unlock()
        thread.start()
        return true
    }

    /// Renews the heartbeat every `renewal` seconds until released or lost.
    private func renewLoop(token mine: String, started: Double) {
        while true {
            mutex.lock()
            let deadline = Date(timeIntervalSinceNow: renewal)
            while token == mine && Date() < deadline { _ = mutex.wait(until: deadline) }
            let held = token == mine
            mutex.unlock()
            guard held else { return }
            fileLock.lock()
            defer { fileLock.unlock() }
            guard isHeld, currentToken == mine else { return }
            guard Self.read(path)?.token == mine else {
                mutex.lock(); if token == mine { lostLease = true }; mutex.unlock()
                return
            }
            let record = Owner(host: Self.host, pid: getpid(), started: started, token: mine,
                               heartbeat: Date().timeIntervalSince1970)
            let temporary = path + "." + mine + ".new"
            if Self.writeRecord(record, to: temporary) == 0, rename(temporary, path) != 0 { unlink(temporary) }
        }
    }

    /// Releases the lease (no-op if not held): deletes the file if it is still ours.
    public func release() {
        mutex.lock()
        let mine = token
        token = nil
        renewer = nil
        mutex.broadcast()
        mutex.unlock()
        guard let mine else { return }
        fileLock.lock(); defer { fileLock.unlock() }
        if Self.read(path)?.token == mine { unlink(path) }
    }

    /// Writes `owner` to the new file `path` (flushed); 0 or the errno. Not through
    /// `AtomicFile`: its `.NAME.tmp-*` files are what `TaskStore.removeStrayTemporaryFiles`
    /// deletes, and another worker may call that on this entry at any moment.
    static func writeRecord(_ owner: Owner, to path: String) -> Int32 {
        let bytes = Array((JSONWriter.encode(owner.json) + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return errno }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let e = n == bytes.count ? (fsync(fd) == 0 ? 0 : errno) : (n < 0 ? errno : EIO)
        close(fd)
        if e != 0 { unlink(path) }
        return e
    }

    static func read(_ path: String) -> Owner? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if let json = try? JSONParser.parse(data), let o = Owner(json: json) { return o }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)?
            .timeIntervalSince1970 ?? 0
        return Owner(host: "", pid: 0, started: 0, token: "", heartbeat: modified)
    }
}
