import Compiler
import DSL
import Foundation

/// `ftx check FILE...`: parse and validate, printing every diagnostic.
enum CheckCommand {
    static let subcommand = Subcommand(
        name: "check",
        summary: "parse and validate experiments; every problem with file:line:col and a fix",
        usage: "ftx check [--json] [--deny-warnings] FILE...",
        signature: CommandSignature(flags: ["--json", "--deny-warnings"], options: [], minPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let json = args.has("--json")
        var errors = 0, warnings = 0, unreadable = 0
        for path in args.positionals {
            let checked: FileCheck
            switch checkFile(path: path) {
            case .success(let c): checked = c
            case .failure(let error):
                unreadable += 1
                console.err("ftx check: error: \(error.description)\n")
                continue
            }
            for d in checked.diagnostics {
                if d.severity == .error { errors += 1 } else if d.severity == .warning { warnings += 1 }
                if json {
                    console.out(DiagnosticRenderer.json(d, in: checked.file) + "\n")
                } else {
                    console.err(DiagnosticRenderer.render(d, in: checked.file, color: console.colorErr) + "\n")
                }
            }
        }
        if json {
            console.out(DiagnosticRenderer.summaryJSON(files: args.positionals.count, errors: errors, warnings: warnings) + "\n")
        } else if errors + warnings > 0 {
            console.err(DiagnosticRenderer.summary(files: args.positionals.count, errors: errors, warnings: warnings, color: console.colorErr) + "\n")
        }
        if unreadable > 0 { return ExitCode.failure }
        // `--deny-warnings` (CI): a warning the file does not allow fails the check as an error does.
        let denied = args.has("--deny-warnings") && warnings > 0
        if denied, !json { console.err("ftx check: failed: --deny-warnings and \(warnings) warning\(warnings == 1 ? "" : "s")\n") }
        return errors > 0 || denied ? ExitCode.negative : ExitCode.success
    }
}

/// A Foundation error as a short phrase ("No such file or directory").
func describe(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
       let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
        return String(cString: strerror(code.rawValue))
    }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "permission denied"
        default: break
        }
    }
    return ns.localizedDescription
}
