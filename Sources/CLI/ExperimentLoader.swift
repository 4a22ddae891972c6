import Compiler
import DSL
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// Why a command stopped before doing its work, with the exit code it implies.
struct CommandFailure: Error {
    var status: Int32
}

/// The steps `plan`, `run` and `results` share: check the file (printing its
/// diagnostics; errors stop here with exit 1), plan it, open its store.
struct LoadedExperiment {
    var check: FileCheck
    var plan: Plan
    var store: TaskStore

    /// The store folder: `--store DIR`, else `.ftx/` beside the experiment file.
    static func storePath(for file: String, option: String?) -> String {
        if let option { return option }
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().path
        return (dir as NSString).appendingPathComponent(".ftx")
    }

    /// Checks and plans `path`; warnings are printed, errors end the command.
    static func load(_ path: String, storeOption: String?, createStore: Bool, console: Console, json: Bool) throws -> LoadedExperiment {
        let (check, plan) = try checkAndPlan(path, console: console)
        let storeDir = storePath(for: path, option: storeOption)
        let store: TaskStore
        do {
            store = try TaskStore(root: storeDir, create: createStore, warn: { console.err("warning: \($0)\n") })
        } catch {
            console.err("ftx: error: cannot open the store `\(storeDir)`: \(error)\n")
            throw CommandFailure(status: ExitCode.failure)
        }
        return LoadedExperiment(check: check, plan: plan, store: store)
    }

    /// Checks and plans `path` without opening a store (`ftx explain`); warnings are
    /// printed to standard error, errors end the command (exit 1, or 2 for an unreadable file).
    static func checkAndPlan(_ path: String, console: Console) throws -> (FileCheck, Plan) {
        let check: FileCheck
        switch checkFile(path: path) {
        case .success(let c): check = c
        case .failure(let error):
            console.err("ftx: error: \(error.description)\n")
            throw CommandFailure(status: ExitCode.failure)
        }
        let plan: Plan
        if check.hasErrors {
            printDiagnostics(check.diagnostics, file: check.file, console: console)
            throw CommandFailure(status: ExitCode.negative)
        }
        do {
            plan = try Planner().makePlan(check.experiment, file: check.file)
        } catch {
            console.err("ftx: error: cannot plan `\(path)`: \(error)\n")
            throw CommandFailure(status: ExitCode.failure)
        }
        // Warnings go to stderr so `--json` output stays one clean object.
        printDiagnostics(check.diagnostics + check.suppression.filter(plan.warnings, in: check.file), file: check.file, console: console)
        return (check, plan)
    }

    static func printDiagnostics(_ diagnostics: [Diagnostic], file: SourceFile, console: Console) {
        for d in diagnostics.sortedAndUnique() {
            console.err(DiagnosticRenderer.render(d, in: file, color: console.colorErr) + "\n")
        }
    }
}

/// Where `ftx bench` records its calibration: `$FTX_CACHE` or `$XDG_CACHE_HOME/ftx` or `~/.cache/ftx`.
/// The file is one JSON object: `gflops` and `measured` (all `ftx bench gemm` writes), and the other
/// prices of `CostCalibration` that `ftx bench calibrate` adds. An unreadable file, or a member
/// missing or not a positive number, means that price's default.
enum BenchCalibration {
    static var path: String {
        let env = ProcessInfo.processInfo.environment
        let cache = env["FTX_CACHE"] ?? ((env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ftx")
        return cache + "/calibration.json"
    }

    /// The recorded prices, each missing one (or all, with no file) at its default.
    static func load() -> CostCalibration {
        guard let value = stored() else { return .defaults }
        return CostCalibration(json: value)
    }

    private static func stored() -> JSONValue? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)), let value = try? JSONParser.parse(data),
              case .object = value else { return nil }
        return value
    }

    /// Records `ftx bench gemm`'s rate: `gflops` replaced, the file's other prices kept (a
    /// new file is `{"gflops": …, "measured": …}`, as before `calibrate` existed).
    static func record(gflops: Double, measured: String) throws {
        var members: [(key: String, value: JSONValue)] = []
        if case .object(let old)? = stored() { members = old.filter { $0.key != "gflops" && $0.key != "measured" } }
        try write(.object([("gflops", .double(gflops)), ("measured", .string(measured))] + members))
    }

    /// Records every price of `calibration`.
    static func record(_ calibration: CostCalibration) throws { try write(calibration.json) }

    /// Writes atomically, creating the folder.
    private static func write(_ json: JSONValue) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(JSONWriter.encode(json) + "\n", to: path)
    }
}
