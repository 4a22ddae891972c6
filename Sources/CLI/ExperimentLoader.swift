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

/// The machine's measured GEMM speed, if `ftx bench gemm` has recorded it; else the planner's default.
func calibratedGFLOPS() -> Double {
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: BenchCalibration.path)),
          let value = try? JSONParser.parse(data), let g = value["gflops"]?.doubleValue, g > 0
    else { return PlanReport.defaultGFLOPS }
    return g
}

/// Where `ftx bench` records its calibration: `$FTX_CACHE` or `$XDG_CACHE_HOME/ftx` or `~/.cache/ftx`.
enum BenchCalibration {
    static var path: String {
        let env = ProcessInfo.processInfo.environment
        let cache = env["FTX_CACHE"] ?? ((env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ftx")
        return cache + "/calibration.json"
    }

    /// Writes `{"gflops": …, "measured": …}` atomically (creating the folder).
    static func record(gflops: Double, measured: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let json: JSONValue = .object([("gflops", .double(gflops)), ("measured", .string(measured))])
        try AtomicFile.write(JSONWriter.encode(json) + "\n", to: path)
    }
}
