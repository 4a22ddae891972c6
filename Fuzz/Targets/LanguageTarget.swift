import DSL
import Compiler
import Foundation

/// The experiment language: parse, check (without the file system: a hostile file
/// must not make the fuzzer read data or model folders), render the diagnostics,
/// and format. Properties: a file that formats re-parses without errors to the same
/// tree (spans aside), and formatting is a fixed point — fmt(fmt(x)) == fmt(x).
enum LanguageTarget {
    static func run(_ data: Data) {
        let file = SourceFile(path: "fuzz.ftx", bytes: [UInt8](data))
        let check = checkSource(file, checkFiles: false)
        _ = DiagnosticRenderer.render(check.diagnostics, in: file)
        for d in check.diagnostics.prefix(5) { _ = DiagnosticRenderer.json(d, in: file) }
        guard let formatted = Formatter.format(file) else { return }
        let again = SourceFile(path: "fuzz.ftx", text: formatted)
        let (before, _) = Parser.parse(file)
        let (after, diagnostics) = Parser.parse(again)
        FuzzCheck.require(!diagnostics.contains { $0.severity == .error },
                          "fmt's output does not parse:\n\(formatted)\n\(DiagnosticRenderer.render(diagnostics, in: again))")
        FuzzCheck.require(before.dump() == after.dump(),
                          "fmt changed the tree:\n--- before\n\(before.dump())\n--- after\n\(after.dump())")
        let twice = Formatter.format(again)
        FuzzCheck.require(twice == formatted, "fmt is not a fixed point:\n--- fmt(x)\n\(formatted)\n--- fmt(fmt(x))\n\(twice ?? "nil")")
    }
}
