import Foundation

/// Exit codes of CLI.md.
public enum ExitCode {
    public static let success: Int32 = 0
    /// A negative answer: `check` found errors, `fmt --check` would change a file, `diff --exit-code` differs.
    public static let negative: Int32 = 1
    /// A failure while working: unreadable file, corrupt store, a crashed trial.
    public static let failure: Int32 = 2
    public static let usage: Int32 = 64
    /// `task run`: another live worker holds the task's lease; it is left to it (sysexits' EX_TEMPFAIL).
    public static let busy: Int32 = 75
}

/// One `ftx` subcommand.
struct Subcommand: Sendable {
    var name: String
    var summary: String
    var usage: String
    var signature: CommandSignature
    var run: @Sendable (ParsedArguments, Console) throws -> Int32
}

/// Every subcommand, in the order `ftx --help` lists them.
let subcommands: [Subcommand] = [
    CheckCommand.subcommand,
    FmtCommand.subcommand,
    PlanCommand.subcommand,
    RunCommand.subcommand,
    TaskCommand.subcommand,
    StatusCommand.subcommand,
    CancelCommand.subcommand,
    VerifyCommand.subcommand,
    ResultsCommand.subcommand,
    ReportCommand.subcommand,
    DiffCommand.subcommand,
    ExplainCommand.subcommand,
    PredictCommand.subcommand,
    ExportCommand.subcommand,
    EmbedCommand.subcommand,
    AugmentCommand.subcommand,
    BenchSubcommand.subcommand,
    LspCommand.subcommand,
]

/// Runs the `ftx` command line with `arguments` (without the program name) and returns the exit code.
public func runFTX(_ arguments: [String], console: Console = .standard()) -> Int32 {
    signal(SIGPIPE, SIG_IGN)  // a closed pipe becomes EPIPE, which Console turns into a quiet exit
    guard let first = arguments.first else {
        console.err(helpText())
        return ExitCode.usage
    }
    if first == "--help" || first == "-h" || first == "help" {
        console.out(helpText())
        return ExitCode.success
    }
    if first == "--version" {
        console.out("ftx \(ftxVersion)\n")
        return ExitCode.success
    }
    guard let command = subcommands.first(where: { $0.name == first }) else {
        var message = "ftx: unknown command `\(first)`"
        if let guess = closestName(to: first, among: subcommands.map(\.name)) { message += "; did you mean `\(guess)`?" }
        console.err(message + "\nRun `ftx --help` for the list of commands.\n")
        return ExitCode.usage
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        console.out("usage: \(command.usage)\n\n\(command.summary)\n")
        return ExitCode.success
    }
    do {
        let parsed = try ParsedArguments(rest, signature: command.signature, command: command.name)
        return try command.run(parsed, console)
    } catch let error as UsageError {
        console.err("ftx \(command.name): \(error.description)\nusage: \(command.usage)\n")
        return ExitCode.usage
    } catch {
        console.err("ftx \(command.name): error: \(error)\n")
        return ExitCode.failure
    }
}

let ftxVersion = "0.1.0"

func helpText() -> String {
    var text = "ftx — a declarative language and compiler for fine-tuning neural networks\n\nusage: ftx <command> [options] [FILE...]\n\ncommands:\n"
    let width = subcommands.map(\.name.count).max() ?? 0
    for c in subcommands {
        text += "  \(c.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.summary)\n"
    }
    text += "\nRun `ftx <command> --help` for a command's options.\n"
    return text
}
