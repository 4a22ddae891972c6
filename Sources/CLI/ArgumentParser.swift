import Compiler

/// A usage error: exit code 64 with a message and a pointer to `--help`.
public struct UsageError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What a subcommand accepts: boolean flags, options taking one value, and
/// how many positional arguments.
struct CommandSignature: Sendable {
    var flags: Set<String> = []
    /// Options with a value, e.g. `--store DIR`; also accepted as `--store=DIR`.
    var options: Set<String> = []
    var minPositionals = 0
    var maxPositionals = Int.max
}

/// The arguments of one command invocation, validated against its signature.
struct ParsedArguments: Sendable {
    var flags: Set<String> = []
    var options: [String: String] = [:]
    var positionals: [String] = []

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func option(_ name: String) -> String? { options[name] }

    /// Parses `arguments` strictly: an unknown option, a missing option value or
    /// a wrong number of positionals is a usage error, never silently ignored.
    init(_ arguments: [String], signature: CommandSignature, command: String) throws {
        var onlyPositionals = false
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("-") || arg == "-" {
                positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name = arg
            var inlineValue: String?
            if let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inlineValue = String(arg[arg.index(after: eq)...])
            }
            if signature.flags.contains(name) {
                if inlineValue != nil { throw UsageError("`\(name)` takes no value") }
                flags.insert(name)
            } else if signature.options.contains(name) {
                if let v = inlineValue {
                    options[name] = v
                } else {
                    guard i < arguments.count else { throw UsageError("`\(name)` needs a value") }
                    options[name] = arguments[i]
                    i += 1
                }
            } else {
                let known = (signature.flags.union(signature.options)).sorted()
                var message = "unknown option `\(name)` for `ftx \(command)`"
                if let guess = closestName(to: name, among: known) { message += "; did you mean `\(guess)`?" }
                throw UsageError(message)
            }
        }
        if positionals.count < signature.minPositionals {
            throw UsageError("`ftx \(command)` needs \(signature.minPositionals == 1 ? "a file" : "\(signature.minPositionals) arguments")")
        }
        if positionals.count > signature.maxPositionals {
            throw UsageError("`ftx \(command)` takes at most \(signature.maxPositionals) argument\(signature.maxPositionals == 1 ? "" : "s"), got \(positionals.count)")
        }
    }

    /// An integer option, or a usage error naming it.
    func intOption(_ name: String, default value: Int) throws -> Int {
        guard let text = options[name] else { return value }
        guard let n = Int(text), n > 0 else { throw UsageError("`\(name)` needs a positive integer, got `\(text)`") }
        return n
    }

    /// A number of seconds (≥ 0, finite), or a usage error naming the option.
    func secondsOption(_ name: String, default value: Double) throws -> Double {
        guard let text = options[name] else { return value }
        guard let x = Double(text), x.isFinite, x >= 0 else { throw UsageError("`\(name)` needs a number of seconds (0 or more), got `\(text)`") }
        return x
    }
}

/// The closest candidate, if it is a plausible typo (the checker's rule, `Suggestions.closest`).
func closestName(to word: String, among candidates: [String]) -> String? {
    Suggestions.closest(to: word, in: candidates)
}
