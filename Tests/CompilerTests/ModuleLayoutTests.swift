import Foundation
import Support
import XCTest

/// The module boundaries of docs/ARCHITECTURE.md, read from `swift package dump-package`:
/// the front end never links the runtime, and only the kernels are built without checks.
final class ModuleLayoutTests: XCTestCase {
    private struct Target { let name: String; let dependencies: [String]; let unsafeFlags: [String] }

    private func targets() throws -> [String: Target] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Its own scratch folder: `swift test` holds the lock on .build while this runs.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ftx-dump-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        process.arguments = ["swift", "package", "--package-path", TestPaths.root, "--scratch-path", scratch, "dump-package"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "swift package dump-package failed")
        guard case .array(let list)? = try JSONParser.parse(data)["targets"] else {
            XCTFail("swift package dump-package printed no targets")
            return [:]
        }
        var out: [String: Target] = [:]
        for t in list {
            guard case .string(let name)? = t["name"] else { continue }
            var deps: [String] = []
            if case .array(let ds)? = t["dependencies"] {
                for d in ds { if case .array(let by)? = d["byName"], case .string(let n)? = by.first { deps.append(n) } }
            }
            var flags: [String] = []
            if case .array(let settings)? = t["settings"] {
                for s in settings {
                    if case .array(let fs)? = s["kind"]?["unsafeFlags"]?["_0"] { flags += fs.compactMap { if case .string(let f) = $0 { f } else { nil } } }
                }
            }
            out[name] = Target(name: name, dependencies: deps, unsafeFlags: flags)
        }
        return out
    }

    private func closure(_ name: String, in targets: [String: Target]) -> Set<String> {
        var seen = Set<String>(), stack = [name]
        while let n = stack.popLast() {
            for d in targets[n]?.dependencies ?? [] where seen.insert(d).inserted { stack.append(d) }
        }
        return seen
    }

    func testTheCompilerNeverReachesTheRuntime() throws {
        let all = try targets()
        XCTAssertEqual(closure("Compiler", in: all), ["DSL", "Plan", "Support"])
        XCTAssertEqual(closure("Plan", in: all), ["Support"])
        XCTAssertEqual(closure("Kernels", in: all), [])
        // And no source says otherwise (an import of an undeclared module would not build, but say why here).
        let compiler = TestPaths.root + "/Sources/Compiler"
        let files = FileManager.default.enumerator(atPath: compiler)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: compiler + "/" + file, encoding: .utf8)
            XCTAssertFalse(text.contains("import Runtime") || text.contains("import Kernels"), file)
        }
    }

    /// Issue 19: `ftx lsp` is the compiler kept warm — the front end, never the runtime.
    func testTheLanguageServerNeverReachesTheRuntime() throws {
        XCTAssertEqual(closure("LanguageServer", in: try targets()), ["Compiler", "DSL", "Plan", "Support"])
    }

    func testOnlyTheKernelsAreBuiltUnchecked() throws {
        let unchecked = try targets().values.filter { $0.unsafeFlags.contains("-Ounchecked") }.map(\.name)
        XCTAssertEqual(unchecked, ["Kernels"])
    }
}
