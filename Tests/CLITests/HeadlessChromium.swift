import Foundation
import XCTest

/// Debian's `chromium` run headless on a local file, as the report's browser test needs it:
/// the DOM after load (`--dump-dom`), a screenshot (`--screenshot`), the page's console
/// messages (chromium logs them to stderr as `CONSOLE` lines with `--enable-logging=stderr`)
/// and its network requests (chromium's NetLog, `--log-net-log`). A fresh profile each
/// time, so nothing from another run is cached.
struct HeadlessChromium {
    /// What one page load gave.
    struct Load {
        var stdout: String
        /// The page's console messages (errors, CSP violations, logs).
        var consoleLines: [String]
        /// Requests the page made that were not for local files or inline data.
        var networkRequests: [String]
    }

    let executable: String

    /// `$FTX_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on PATH. Without
    /// one the test is skipped with a message, except with `CI=true`, where it fails: CI
    /// (`.ci/run`) installs chromium, so a missing browser there is a broken setup.
    static func locate() throws -> HeadlessChromium {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = env["FTX_CHROMIUM"], !explicit.isEmpty { candidates.append(explicit) }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] { candidates.append("\(dir)/\(name)") }
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return HeadlessChromium(executable: found)
        }
        let message = "no chromium found (looked for $FTX_CHROMIUM, chromium, chromium-browser, google-chrome on PATH): "
            + "install Debian's chromium (apt-get install chromium) to run the browser test"
        if env["CI"] == "true" {
            XCTFail(message + "; CI=true requires it (.ci/run installs it)")
            throw XCTSkip("failed: " + message)
        }
        throw XCTSkip(message)
    }

    /// Loads `file` with `arguments` added (`--dump-dom`, `--screenshot=…`).
    func load(_ file: String, _ arguments: [String]) throws -> Load {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let netLog = scratch.appendingPathComponent("netlog.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--user-data-dir=" + scratch.appendingPathComponent("profile").path,
            "--enable-logging=stderr", "--v=0", "--log-net-log=" + netLog, "--force-color-profile=srgb",
        ] + arguments + [URL(fileURLWithPath: file).absoluteString]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs (a full pipe would block it); a hung browser is killed after 3 minutes.
        final class Collected: @unchecked Sendable { var out = Data(); var err = Data() }
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { collected.out = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { collected.err = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + 180) == .timedOut {
            process.terminate()
            throw XCTSkip("chromium did not finish loading \(file) within 3 minutes")
        }
        process.waitUntilExit()
        let stderr = String(decoding: collected.err, as: UTF8.self)
        return Load(stdout: String(decoding: collected.out, as: UTF8.self),
                    consoleLines: stderr.split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init),
                    networkRequests: try Self.pageRequests(netLogPath: netLog))
    }

    /// URLs the page (a `file://` origin) requested over the network, from a NetLog. The browser's
    /// own background traffic (update checks, accounts) has another network isolation key and is
    /// not the page's doing.
    static func pageRequests(netLogPath: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: netLogPath) else { return [] }
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "the NetLog is not JSON")
        let events = log["events"] as? [[String: Any]] ?? []
        var urls: [String] = []
        for event in events {
            guard let params = event["params"] as? [String: Any], let url = params["url"] as? String,
                  let key = params["network_isolation_key"] as? String, key.contains("file://") else { continue }
            if !url.hasPrefix("file:") && !url.hasPrefix("data:") && !urls.contains(url) { urls.append(url) }
        }
        return urls
    }
}
