import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// `ftx diff [REV_A [REV_B]] FILE`: the semantic difference between two
/// revisions of an experiment and what it does to the plan.
///
/// Revisions are read through git from the repository holding FILE; an
/// omitted revision is the working tree (`ftx diff x.ftx` is HEAD against the
/// working tree). `--git-external` is the form git calls as an external diff
/// driver (`diff.ftx.command` or `GIT_EXTERNAL_DIFF`); see docs/GIT.md.
enum DiffCommand {
    static let subcommand = Subcommand(
        name: "diff",
        summary: "what an edit changed, semantically: settings, sweep values, trials reused and invalidated",
        usage: "ftx diff [--json] [--exit-code] [REV_A [REV_B]] FILE",
        signature: CommandSignature(flags: ["--json", "--exit-code", "--git-external"], options: [], minPositionals: 1, maxPositionals: 9),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        if args.has("--git-external") { return try runExternal(args, console) }
        guard args.positionals.count <= 3 else {
            throw UsageError("`ftx diff` takes at most 2 revisions and a file, got \(args.positionals.count) arguments")
        }
        let file = args.positionals[args.positionals.count - 1]
        let revisions = Array(args.positionals.dropLast())
        do {
            let (repository, path) = try GitRepository.locate(file: file)
            let old = try DiffSide.revision(revisions.first ?? "HEAD", of: repository, path: path)
            let new = revisions.count == 2
                ? try DiffSide.revision(revisions[1], of: repository, path: path)
                : try DiffSide.workingTree(path: file)
            let diff = try ExperimentDiff.compare(old: old, new: new, calibration: BenchCalibration.load())
            if args.has("--json") {
                console.out(diff.json() + "\n")
            } else {
                console.out("\(path): \(old.label) → \(new.label)\n" + colored(diff.text(), console))
            }
            return args.has("--exit-code") && diff.hasSemanticDifference ? ExitCode.negative : ExitCode.success
        } catch let error as DiffError {
            console.err("ftx diff: error: \(error.message)\n" + (error.details.map { $0 + "\n" } ?? ""))
            return ExitCode.failure
        }
    }

    // MARK: git's external diff

    /// git calls `ftx diff --git-external PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE [NEW-PATH INFO]`
    /// (one argument, PATH, for an unmerged file). Output goes into git's diff;
    /// the exit status is 0 unless ftx itself is misused, since git stops at an
    /// external diff that fails. A file that is not an experiment, or one that
    /// does not check, is shown as a plain diff.
    static func runExternal(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let a = args.positionals
        guard [1, 7, 9].contains(a.count) else {
            throw UsageError("`--git-external` takes the 7 (or 9) arguments git passes to an external diff, got \(a.count)")
        }
        let path = a[0]
        if a.count == 1 {
            console.out("* Unmerged path \(path)\n")
            return ExitCode.success
        }
        let (oldFile, oldHex, newFile, newHex) = (a[1], a[2], a[4], a[5])
        let newPath = a.count == 9 ? a[7] : path
        guard path.hasSuffix(".ftx") || newPath.hasSuffix(".ftx") else {
            console.out(plainDiff(oldFile, newFile))
            return ExitCode.success
        }
        let header = "ftx diff \(path == newPath ? path : "\(path) → \(newPath)")"
        if oldFile == "/dev/null" || newFile == "/dev/null" {
            console.out("\(header): \(oldFile == "/dev/null" ? "new" : "deleted") experiment\n")
            return ExitCode.success
        }
        let oldLabel = short(oldHex), newLabel = short(newHex)
        do {
            let old = try DiffSide.source(try bytes(oldFile), at: path, label: oldLabel)
            let new = newFile == newPath && newLabel == "working tree"
                ? try DiffSide.workingTree(path: newPath)
                : try DiffSide.source(try bytes(newFile), at: newPath, label: newLabel)
            let diff = try ExperimentDiff.compare(old: old, new: new, calibration: BenchCalibration.load())
            if args.has("--json") {
                console.out(diff.json() + "\n")
            } else {
                console.out("\(header) (\(oldLabel) → \(newLabel))\n" + colored(diff.text(), console))
            }
        } catch let error as DiffError {
            console.out("\(header): cannot compare semantically: \(error.message)\n" + (error.details.map { $0 + "\n" } ?? "") + plainDiff(oldFile, newFile))
        }
        return ExitCode.success
    }

    private static func short(_ hex: String) -> String {
        hex.allSatisfy { $0 == "0" } || hex == "." ? "working tree" : String(hex.prefix(7))
    }

    private static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DiffError("cannot read \(path)") }
        return [UInt8](data)
    }

    /// `git diff --no-index` of two files, for what ftx cannot compare by meaning.
    private static func plainDiff(_ a: String, _ b: String) -> String {
        guard let result = try? GitRepository.run(["diff", "--no-index", "--no-ext-diff", "--no-color", "--", a, b]) else { return "" }
        return result.text
    }

    // MARK: Colour

    /// `+` green, `-` red, `~` yellow, renames cyan — on a terminal only.
    private static func colored(_ text: String, _ console: Console) -> String {
        guard console.colorOut else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let code: String
            if line.hasPrefix("+ ") { code = "32" } else if line.hasPrefix("- ") { code = "31" } else if line.hasPrefix("~ ") { code = "33" } else if line.hasPrefix("renamed ") { code = "36" } else { return String(line) }
            return "\u{1B}[\(code)m\(line)\u{1B}[0m"
        }.joined(separator: "\n")
    }
}
