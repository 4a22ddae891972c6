import DSL
import Foundation
import Plan
import Support

/// What checking a file produced: every diagnostic (sorted, de-duplicated)
/// and the resolved experiment, complete when there are no errors.
public struct CheckResult: Sendable {
    public var diagnostics: [Diagnostic]
    public var experiment: CheckedExperiment

    /// Errors only (the CLI exits 1 when there are any).
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Gives a parsed `.ftx` file its meaning: names, types, units, ranges,
/// references, files on disk and model parameters, all against `LanguageSchema`.
public struct Checker: Sendable {
    /// Whether to look at the file system: data headers, model folders,
    /// checkpoints. Off, the checker validates the file alone (editors, docs).
    public var checkFiles: Bool
    /// Data-file reads to share with other checks (a language server's); nil reads each file once per check.
    public var dataCache: DataFileCache?
    /// Stage results to keep for, and reuse from, the previous check of the same document
    /// (a language server's); nil checks every stage.
    public var stageCache: StageCheckCache?

    public init(checkFiles: Bool = true, dataCache: DataFileCache? = nil, stageCache: StageCheckCache? = nil) {
        self.checkFiles = checkFiles
        self.dataCache = dataCache
        self.stageCache = stageCache
    }

    /// Checks a parsed file. Paths in the file are resolved against the directory of `file.path`.
    public func check(_ unit: SourceUnit, file: SourceFile) -> CheckResult {
        let run = CheckerRun(file: file, checkFiles: checkFiles, dataCache: dataCache, stageCache: stageCache)
        let experiment = run.run(unit)
        let lints = StageLinter(experiment: experiment, file: file, skipping: run.stagesWithErrors(in: experiment), cache: stageCache).lint()
        return CheckResult(diagnostics: (run.diagnostics + lints).sortedAndUnique(), experiment: experiment)
    }
}

/// A file that could not be read at all (the CLI reports it and exits 2).
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot read: \(reason)" }
}

/// The outcome of `checkFile`: the source (for rendering), parser and checker diagnostics, and the checked experiment.
public struct FileCheck: Sendable {
    public var file: SourceFile
    /// Parser and checker diagnostics, sorted and de-duplicated.
    public var diagnostics: [Diagnostic]
    public var experiment: CheckedExperiment
    /// The warnings the file allows (`allow` in `experiment`, `# ftx: allow(…)` comments), already
    /// left out of `diagnostics`; commands apply it to the planner's warnings too.
    public var suppression = LintSuppression()
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Codes of "missing" diagnostics, dropped when the parser already failed
/// (the missing setting is most likely on the line that did not parse).
let missingCodes: Set<DiagnosticCode> = [.missingArgument, .missingKey, .missingSection]

/// Parses and checks source text held in memory (`path` is used for messages and relative paths).
public func checkSource(_ file: SourceFile, checkFiles: Bool = true) -> FileCheck {
    checkSource(file, parsed: Parser.parse(file), checkFiles: checkFiles)
}

/// Checks source text already parsed (`parsed` is `Parser.parse(file)`; a language server keeps it),
/// sharing data-file reads through `dataCache` and reusing the unchanged stages' results of
/// the previous check of the same document through `stageCache`, when given.
public func checkSource(_ file: SourceFile, parsed: (SourceUnit, [Diagnostic]), checkFiles: Bool = true, dataCache: DataFileCache? = nil,
                        stageCache: StageCheckCache? = nil) -> FileCheck {
    let (unit, parseDiagnostics) = parsed
    let result = Checker(checkFiles: checkFiles, dataCache: dataCache, stageCache: stageCache).check(unit, file: file)
    let parserFailed = parseDiagnostics.contains { $0.severity == .error }
    let checkerDiagnostics = parserFailed ? result.diagnostics.filter { !missingCodes.contains($0.code) } : result.diagnostics
    var commentDiagnostics: [Diagnostic] = []
    let byLine = LintSuppression.comments(in: file) { commentDiagnostics.append($0) }
    let suppression = LintSuppression(fileWide: result.experiment.allowedWarnings, byLine: byLine)
    let all = suppression.filter(parseDiagnostics + checkerDiagnostics + commentDiagnostics, in: file)
    return FileCheck(file: file, diagnostics: all.sortedAndUnique(), experiment: result.experiment, suppression: suppression)
}

/// Reads, parses and checks the file at `path`. A file that cannot be read is a `FileReadError`.
public func checkFile(path: String) -> Result<FileCheck, FileReadError> {
    do {
        let file = try SourceFile.load(path: path)
        return .success(checkSource(file))
    } catch {
        let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
        return .failure(FileReadError(path: path, reason: reason))
    }
}
