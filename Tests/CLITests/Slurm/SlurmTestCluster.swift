import Foundation
import Support
import XCTest

/// The SLURM cluster the integration tests submit to: one that already answers
/// (`.ci/run` starts the single-node test cluster before the suite), or the test
/// cluster started here with `scripts/slurm-local-up` when the machine allows it
/// (root on Debian) — and then stopped by `stopIfStartedHere()`, so no daemon
/// outlives the tests. Otherwise the tests are skipped with a message, except
/// with `CI=true`, where SLURM tests must run and fail instead.
enum SlurmTestCluster {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var state: Result<Bool, SkipReason>?

    struct SkipReason: Error, CustomStringConvertible {
        var description: String
    }

    static var isUp: Bool {
        guard Subprocess.isOnPath("scontrol"),
              let r = try? Subprocess.run("scontrol", ["ping"]), r.status == 0 else { return false }
        return r.text.contains("is UP")
    }

    /// Makes sure a cluster answers; throws XCTSkip (or fails under CI=true) when none can.
    static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        lock.lock()
        if state == nil { state = start() }
        let current = state!
        lock.unlock()
        if case .failure(let reason) = current {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI=true: the SLURM tests must run, but \(reason)", file: file, line: line)
                throw reason
            }
            throw XCTSkip("SLURM tests skipped: \(reason). `.ci/run` (or root on Debian) starts the test cluster; see docs/CLUSTER.md")
        }
    }

    /// Stops the cluster if this process started it.
    static func stopIfStartedHere() {
        lock.lock(); defer { lock.unlock() }
        guard case .success(true) = state else { return }
        let down = Paths.root.appendingPathComponent("scripts/slurm-local-down").path
        _ = try? Subprocess.run(down, [])
        state = nil
    }

    /// `.success(startedHere)` or why no cluster can be had.
    private static func start() -> Result<Bool, SkipReason> {
        if isUp { return .success(false) }
        guard getuid() == 0 else { return .failure(SkipReason(description: "no SLURM cluster answers and only root can start the test cluster")) }
        guard FileManager.default.fileExists(atPath: "/etc/debian_version") else {
            return .failure(SkipReason(description: "no SLURM cluster answers and the test cluster script needs Debian"))
        }
        let up = Paths.root.appendingPathComponent("scripts/slurm-local-up").path
        guard let r = try? Subprocess.run(up, []), r.status == 0, isUp else {
            return .failure(SkipReason(description: "scripts/slurm-local-up could not start the test cluster"))
        }
        return .success(true)
    }
}
