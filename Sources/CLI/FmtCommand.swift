import DSL
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx fmt FILE...`: rewrite experiments in canonical form.
enum FmtCommand {
    static let subcommand = Subcommand(
        name: "fmt",
        summary: "rewrite experiments in canonical form (--check: only report; --stdout: print)",
        usage: "ftx fmt [--check | --stdout] FILE...",
        signature: CommandSignature(flags: ["--check", "--stdout"], options: [], minPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        if args.has("--check") && args.has("--stdout") {
            throw UsageError("`--check` and `--stdout` cannot be combined")
        }
        var failed = false, wouldChange = false  // exit 2 / exit 1
        for path in args.positionals {
            let file: SourceFile
            do {
                file = try SourceFile.load(path: path)
            } catch {
                console.err("ftx fmt: error: cannot read `\(path)`: \(describe(error))\n")
                failed = true
                continue
            }
            guard let formatted = Formatter.format(file) else {
                // Never format broken input: show why and leave the file alone.
                let (_, syntax) = Parser.parse(file)
                for d in syntax.sortedAndUnique() where d.severity == .error {
                    console.err(DiagnosticRenderer.render(d, in: file, color: console.colorErr) + "\n")
                }
                console.err("ftx fmt: `\(path)` has syntax errors; not formatted\n")
                wouldChange = true  // a negative answer (exit 1), like `check`: the file is not canonical
                continue
            }
            if args.has("--stdout") {
                console.out(formatted)
            } else if formatted.utf8.elementsEqual(file.bytes) {
                continue
            } else if args.has("--check") {
                console.out("\(path): not in canonical form\n")
                wouldChange = true
            } else {
                do {
                    // Atomic: an interrupted `fmt` never leaves a half-written experiment.
                    try AtomicFile.write(Data(formatted.utf8), to: path)
                } catch {
                    console.err("ftx fmt: error: cannot write `\(path)`: \(describe(error))\n")
                    failed = true
                }
            }
        }
        if failed { return ExitCode.failure }
        return wouldChange ? ExitCode.negative : ExitCode.success
    }

}
