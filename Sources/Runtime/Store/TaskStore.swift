import Foundation
import Kernels
import Plan
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The content-addressed store of task results (Nix's store, DVC's run cache).
///
/// Layout under `root` (default `.ftx/` beside the experiment):
/// ```
/// store.json                 {"format":"ftx-store","version":1}
/// tasks/KEY/lease.json       who computes the task now, while it runs (see TaskLease)
/// tasks/KEY/spec.json        the resolved payload, human-readable
/// tasks/KEY/status.json      status + versions
/// tasks/KEY/history.jsonl    one line per epoch (train tasks)
/// tasks/KEY/final.safetensors    trained weights (PyTorch names)
/// tasks/KEY/last.safetensors     last completed epoch's weights  ┐ resume state,
/// tasks/KEY/last-state.safetensors  optimizer buffers            │ replaced each
/// tasks/KEY/last-state.json      counters, schedule, history     ┘ epoch
/// tasks/KEY/metrics.json     eval / select / ensemble results
/// tasks/KEY/manifest.json    SHA-256 of every result file; written LAST
/// ```
/// Every file is written atomically (temp file in the same directory + rename).
/// An entry is complete iff its manifest exists and every file it lists has
/// the recorded hash; anything else is recomputed (a corrupt entry is reported
/// through `warn` naming the entry and file, then discarded).
public final class TaskStore: @unchecked Sendable {
    /// The on-disk format this build reads and writes.
    public static let formatVersion = 1

    /// The store directory.
    public let root: String
    /// Receives warnings (a corrupt entry found and discarded, …).
    public var warn: @Sendable (String) -> Void

    private let mutex = NSLock()
    private var verified: [String: TaskStatus] = [:]

    /// Opens (and with `create`, initialises) the store at `root`. Throws a
    /// `StoreError` for a newer or unknown format version or an unreadable version
    /// file; upgrades an older store in place (`StoreMigration`), reporting it
    /// through `warn`. `migrations` replaces the known upgrade steps (tests).
    public convenience init(root: String, create: Bool = true, warn: @escaping @Sendable (String) -> Void = { _ in }) throws {
        try self.init(root: root, create: create, warn: warn, migrations: StoreMigration.known)
    }

    public init(root: String, create: Bool, warn: @escaping @Sendable (String) -> Void, migrations: [StoreMigration]) throws {
        self.root = (root as NSString).standardizingPath
        self.warn = warn
        let fm = FileManager.default
        let versionPath = (self.root as NSString).appendingPathComponent("store.json")
        let writeVersion = { (version: Int) throws in
            let json: JSONValue = ["format": "ftx-store", "version": .int(version)]
            try AtomicFile.write(JSONWriter.encode(json) + "\n", to: versionPath)
        }
        if fm.fileExists(atPath: versionPath) {
            // A migration that died after its commit point is finished before anything is read.
            try StoreMigration.finishInterrupted(root: self.root, target: Self.formatVersion, writeVersion: writeVersion)
            guard let data = fm.contents(atPath: versionPath), let json = try? JSONParser.parse(data),
                  json["format"]?.stringValue == "ftx-store", let v = json["version"]
            else {
                throw StoreError("'\(versionPath)' is not an ftx store version file; pass another --store or delete the directory")
            }
            guard let found = v.intValue, found >= 0 else { throw StoreError.unsupportedVersion(root: self.root, found: v.description) }
            if found > Self.formatVersion { throw StoreError.newerVersion(root: self.root, found: found) }
            if found < Self.formatVersion {
                let done = try StoreMigration.migrate(root: self.root, from: found, to: Self.formatVersion, steps: migrations,
                                                      writeVersion: writeVersion)
                warn("upgraded the store at '\(self.root)' from format version \(found) to \(Self.formatVersion) ("
                    + done.joined(separator: "; ") + ")")
            }
        } else if create {
            do {
                try fm.createDirectory(atPath: (self.root as NSString).appendingPathComponent("tasks"), withIntermediateDirectories: true)
                try writeVersion(Self.formatVersion)
            } catch {
                throw StoreError("cannot create the store at '\(self.root)': \(error)")
            }
        }
    }

    // MARK: Paths

    /// Whether `key` is safe as a directory name (hex digits, letters, `-`, `_`, `.`; not `.`/`..`).
    public static func isValidKey(_ key: String) -> Bool {
        // Bytes, not CharacterSet: every store path goes through here, and Foundation's
        // character sets cost 2.7% of a run of small trials (cancer-ensemble.ftx).
        !key.isEmpty && key != "." && key != ".." && key.utf8.count <= 200
            && key.utf8.allSatisfy { b in
                (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
                    || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
                    || b == UInt8(ascii: ".")
            }
    }

    /// The entry directory of `key`.
    public func directory(for key: String) -> String {
        precondition(Self.isValidKey(key), "invalid task key '\(key)'")
        return ((root as NSString).appendingPathComponent("tasks") as NSString).appendingPathComponent(key)
    }

    /// The path of `file` in `key`'s entry.
    public func path(_ file: String, for key: String) -> String {
        (directory(for: key) as NSString).appendingPathComponent(file)
    }

    /// Seconds without a heartbeat after which a task's lease is stale (`TaskLease`).
    public var leaseTimeout = TaskLease.defaultTimeout
    /// Seconds between a lease holder's heartbeats.
    public var leaseRenewal = TaskLease.defaultRenewal

    /// The lease of `key` (not acquired).
    public func lease(for key: String) -> TaskLease {
        TaskLease(path: path("lease.json", for: key), timeout: leaseTimeout, renewal: leaseRenewal)
    }

    // MARK: Reading

    /// The bytes of `file` in `key`'s entry, if present.
    public func read(_ file: String, for key: String) -> Data? {
        FileManager.default.contents(atPath: path(file, for: key))
    }

    /// `file` parsed as JSON, if present and valid.
    public func readJSON(_ file: String, for key: String) -> JSONValue? {
        read(file, for: key).flatMap { try? JSONParser.parse($0) }
    }

    /// Whether `file` exists in `key`'s entry.
    public func exists(_ file: String, for key: String) -> Bool {
        FileManager.default.fileExists(atPath: path(file, for: key))
    }

    /// Checks `key`'s entry against its manifest (hashes every listed file).
    public func verify(_ key: String) -> EntryState {
        mutex.lock()
        if let s = verified[key] { mutex.unlock(); return .complete(s) }
        mutex.unlock()
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory(for: key)) else { return .missing }
        // ftx writes only regular files into an entry: a link there was put by someone
        // else; the entry is corrupt (discarding removes the link, never its target).
        if let link = ["manifest.json"].first(where: { isLink(path($0, for: key)) }) {
            return .corrupt("\(link) is a symbolic link, which ftx never writes")
        }
        let manifestData: Data
        switch readEntryFile("manifest.json", for: key) {
        case .success(let data?): manifestData = data
        case .success(nil): return .incomplete
        case .failure(let error): return .unreadable(error.message)
        }
        guard let manifest = try? JSONParser.parse(manifestData), let files = manifest["files"]?.arrayValue,
              let statusText = manifest["status"]?.stringValue, let status = TaskStatus(rawValue: statusText)
        else { return .corrupt("manifest.json is not a valid manifest") }
        for f in files {
            guard let name = f["name"]?.stringValue, let hash = f["sha256"]?.stringValue else {
                return .corrupt("manifest.json is not a valid manifest")
            }
            if isLink(path(name, for: key)) { return .corrupt("\(name) is a symbolic link, which ftx never writes") }
            let data: Data
            switch readEntryFile(name, for: key) {
            case .success(let d?): data = d
            case .success(nil): return .corrupt("\(name) is missing")
            case .failure(let error): return .unreadable(error.message)
            }
            if SHA256.hash(data).hex != hash { return .corrupt("\(name) does not match its recorded SHA-256") }
        }
        mutex.lock(); verified[key] = status; mutex.unlock()
        return .complete(status)
    }

    /// Whether `p` itself is a symbolic link (not followed).
    private func isLink(_ p: String) -> Bool {
        var info = stat()
        return lstat(p, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    /// The bytes of `file` of `key`'s entry; nil if there is no such file; a `StoreError`
    /// naming the path and the system's reason if it exists but cannot be read (verify
    /// must not take a permission problem for a missing file and discard the entry).
    func readEntryFile(_ file: String, for key: String) -> Result<Data?, StoreError> {
        let p = path(file, for: key)
        var info = stat()
        if lstat(p, &info) != 0 {
            return errno == ENOENT ? .success(nil) : .failure(Self.unreadable(p, errno))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(StoreError("cannot read the store file '\(p)': it is not a regular file"))
        }
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Self.unreadable(p, errno)) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return .failure(Self.unreadable(p, errno)) }
            if n == 0 { return .success(data) }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    private static func unreadable(_ path: String, _ code: Int32) -> StoreError {
        StoreError("cannot read the store file '\(path)': \(String(cString: strerror(code)))")
    }

    /// The task's status: a verified sealed status, `failed` for an unsealed entry
    /// whose last attempt failed, `running` for an entry with resume state,
    /// `pending` otherwise (a corrupt entry counts as pending).
    public func status(of key: String) -> TaskStatus {
        switch verify(key) {
        case .complete(let s): return s
        case .incomplete:
            if readJSON("status.json", for: key)?["status"]?.stringValue == TaskStatus.failed.rawValue { return .failed }
            return exists("last-state.json", for: key) ? .running : .pending
        case .missing, .corrupt, .unreadable: return .pending
        }
    }

    /// The sealed result of `key` if complete; a corrupt entry is reported
    /// (warning naming entry and file), discarded, and nil returned.
    public func completedStatus(_ key: String) -> TaskStatus? {
        switch verify(key) {
        case .complete(let s): return s
        case .corrupt(let why):
            warn("store entry \(key) is corrupt (\(why)); recomputing it")
            try? discard(key)
            return nil
        case .unreadable(let why):
            warn("store entry \(key) cannot be checked (\(why)); it is left as it is")
            return nil
        case .missing, .incomplete: return nil
        }
    }

    /// `completedStatus` for the executor: an entry with a file that cannot be read is an
    /// error naming the file (the task fails), never recomputed over.
    public func sealedStatus(_ key: String) throws -> TaskStatus? {
        if case .unreadable(let why) = verify(key) {
            throw StoreError("\(why); make it readable (or remove the entry '\(directory(for: key))' to recompute it)")
        }
        return completedStatus(key)
    }

    /// Per-epoch history lines of a train task (empty if none).
    public func history(for key: String) -> [JSONValue] {
        guard let data = read("history.jsonl", for: key) else { return [] }
        return (try? JSONLines.decode(String(decoding: data, as: UTF8.self))) ?? []
    }

    /// `metrics.json` of an eval, select or ensemble task.
    public func metrics(for key: String) -> JSONValue? { readJSON("metrics.json", for: key) }

    // MARK: Writing

    /// Creates `key`'s entry directory if needed. Throws if `tasks/` or the entry is a
    /// symbolic link: ftx writes only inside its store, never through a link (which may
    /// point anywhere); files are safe on their own, `AtomicFile`'s rename replaces a link.
    public func prepareEntry(_ key: String) throws {
        try refuseLinkedEntry(key)
        do {
            try FileManager.default.createDirectory(atPath: directory(for: key), withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create store entry '\(directory(for: key))': \(error)")
        }
    }

    /// Writes `data` as `file` of `key` atomically (`durable: false`: see `AtomicFile.write`).
    public func write(_ data: Data, _ file: String, for key: String, durable: Bool = true) throws {
        try prepareEntry(key)
        try AtomicFile.write(data, to: path(file, for: key), durable: durable)
    }

    /// Streams tensors as the safetensors file `file` of `key` (`SafetensorsWriter.write(views:)`:
    /// no copies; `observe` sees every chunk written).
    public func writeTensors(_ views: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String] = [:], _ file: String, for key: String, durable: Bool = true,
                             observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws {
        try prepareEntry(key)
        try SafetensorsWriter.write(views: views, metadata: metadata, to: path(file, for: key), durable: durable, observe: observe)
    }

    /// Writes `value` as pretty JSON (declared key order) atomically.
    public func writeJSON(_ value: JSONValue, _ file: String, for key: String, durable: Bool = true) throws {
        try write(Data((JSONWriter.encode(value, options: .init(pretty: true)) + "\n").utf8), file, for: key, durable: durable)
    }

    /// Removes `file` of `key` if present.
    public func remove(_ file: String, for key: String) {
        try? FileManager.default.removeItem(atPath: path(file, for: key))
    }

    /// Writes `status.json` for an unfinished task (running / failed).
    public func markStatus(_ status: TaskStatus, for key: String, extra: [(key: String, value: JSONValue)] = [],
                           durable: Bool = true) throws {
        try writeJSON(statusJSON(status, extra: extra), "status.json", for: key, durable: durable)
    }

    private func statusJSON(_ status: TaskStatus, extra: [(key: String, value: JSONValue)]) -> JSONValue {
        .object([("status", .string(status.rawValue)), ("store_format", .int(Self.formatVersion)),
                 ("runtime", .string(RuntimeVersion.current))] + extra)
    }

    /// Seals `key`: writes `status.json`, then `manifest.json` (last) listing the
    /// SHA-256 of `files` and `status.json`. The entry counts as complete from
    /// the manifest's rename on.
    public func seal(_ key: String, status: TaskStatus, files: [String], extra: [(key: String, value: JSONValue)] = []) throws {
        try markStatus(status, for: key, extra: extra)
        var entries: [JSONValue] = []
        for name in files + ["status.json"] {
            guard let data = read(name, for: key) else { throw StoreError("cannot seal store entry \(key): \(name) was not written") }
            entries.append(["name": .string(name), "sha256": .string(SHA256.hash(data).hex), "bytes": .int(data.count)])
        }
        let manifest: JSONValue = ["key": .string(key), "status": .string(status.rawValue),
                                   "store_format": .int(Self.formatVersion), "files": .array(entries)]
        try writeJSON(manifest, "manifest.json", for: key)
        mutex.lock(); verified[key] = status; mutex.unlock()
    }

    /// Removes the manifest so the entry is recomputed (resume state is kept).
    public func unseal(_ key: String) {
        remove("manifest.json", for: key)
        mutex.lock(); verified[key] = nil; mutex.unlock()
    }

    /// Removes temporary files a killed writer left in `key`'s entry (call under the task's lock).
    public func removeStrayTemporaryFiles(_ key: String) {
        guard (try? refuseLinkedEntry(key)) != nil else { return }
        let dir = directory(for: key)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
        }
    }

    /// Deletes `key`'s whole entry but its lease (the caller holds it).
    public func discard(_ key: String) throws {
        mutex.lock(); verified[key] = nil; mutex.unlock()
        try refuseLinkedEntry(key)  // listing a linked entry would delete the files it points at
        let dir = directory(for: key)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix("lease.json") {
            do { try FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name)) } catch {
                throw StoreError("cannot remove corrupt store entry '\(dir)': \(error)")
            }
        }
        rmdir(dir)  // only if empty: nobody holds its lease
    }

    /// Creates the folder `relative` (e.g. `experiments`, `slurm/logs`) inside the store at
    /// `root` and returns its path; throws if it or a folder between it and `root` is a
    /// symbolic link, as `prepareEntry` does: ftx never writes through links in its store.
    public static func prepareFolder(_ relative: String, in root: String) throws -> String {
        var path = (root as NSString).standardizingPath
        for component in relative.split(separator: "/") where component != "." {
            precondition(component != "..", "a store folder stays inside the store")
            path = (path as NSString).appendingPathComponent(String(component))
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { throw Self.linkRefused(path) }
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw StoreError("cannot create '\(path)' in the store: \(error)")
        }
        return path
    }

    private static func linkRefused(_ path: String) -> StoreError {
        StoreError("'\(path)' is a symbolic link; ftx never writes through links in its store "
            + "(it could point outside it). Remove the link (`rm '\(path)'`) and run again")
    }

    /// Throws if `tasks/` or `key`'s entry folder is a symbolic link (`lstat`: the link itself).
    private func refuseLinkedEntry(_ key: String) throws {
        let tasks = (root as NSString).appendingPathComponent("tasks")
        for path in [tasks, directory(for: key)] {
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { throw Self.linkRefused(path) }
        }
    }

    /// The SHA-256 the manifest of `key` records for `file`, if sealed.
    public func recordedHash(_ file: String, for key: String) -> String? {
        readJSON("manifest.json", for: key)?["files"]?.arrayValue?.first { $0["name"]?.stringValue == file }?["sha256"]?.stringValue
    }

    /// Forgets every cached verification result (start of a run).
    public func forgetAllVerification() {
        mutex.lock(); verified.removeAll(); mutex.unlock()
    }

    /// Forgets cached verification results (after another process may have written).
    public func forgetVerification(_ key: String) {
        mutex.lock(); verified[key] = nil; mutex.unlock()
    }
}

/// `read(2)` (`TaskStore.read(_:for:)` hides its name inside the type).
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
