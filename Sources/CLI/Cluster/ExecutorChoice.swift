/// `--executor local|slurm` and the options only the SLURM executor takes, read once for
/// `ftx run` and `ftx plan`.
struct ExecutorChoice {
    var isSlurm: Bool
    /// `--slurm-args`, split as `sh` splits words.
    var slurmOptions: [String]

    /// Reads `--executor` and `--slurm-args`; `slurmOnly` (e.g. `--detach`) are usage errors
    /// unless the executor is `slurm`.
    init(_ args: ParsedArguments, command: String, slurmOnly: [String]) throws {
        let name = args.option("--executor") ?? "local"
        guard name == "local" || name == "slurm" else {
            throw UsageError("`--executor` is `local` or `slurm`, got `\(name)`")
        }
        isSlurm = name == "slurm"
        if !isSlurm {
            for option in slurmOnly + ["--slurm-args"] where args.has(option) || args.option(option) != nil {
                throw UsageError("`\(option)` applies to `ftx \(command) --executor slurm` only")
            }
        }
        slurmOptions = []
        if let line = args.option("--slurm-args") {
            do { slurmOptions = try ShellWords.split(line) } catch { throw UsageError("`--slurm-args`: \(error)") }
        }
    }
}
