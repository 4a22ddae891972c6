/// `ftx bench [gemm] [--json] [--shape MxNxK[:OPS],…] [--threads N]`: the kernels' measured
/// speed (BenchCommand.swift does the work).
enum BenchSubcommand {
    static let subcommand = Subcommand(
        name: "bench",
        summary: "measure this machine's kernels (calibrates plan's cost estimates)",
        usage: "ftx bench [gemm] [--json] [--shape MxNxK[:OPS],…] [--threads N]",
        signature: CommandSignature(flags: ["--json"], options: ["--shape", "--threads"], minPositionals: 0, maxPositionals: 1),
        run: { args, console in
            var forwarded = args.positionals + (args.has("--json") ? ["--json"] : [])
            for option in ["--shape", "--threads"] {
                if let value = args.option(option) { forwarded += [option, value] }
            }
            return runBench(arguments: forwarded)
        })
}
