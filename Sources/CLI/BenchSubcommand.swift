/// `ftx bench [gemm] [--json]`: the kernels' measured speed (BenchCommand.swift does the work).
enum BenchSubcommand {
    static let subcommand = Subcommand(
        name: "bench",
        summary: "measure this machine's kernels (calibrates plan's cost estimates)",
        usage: "ftx bench [gemm] [--json]",
        signature: CommandSignature(flags: ["--json"], options: [], minPositionals: 0, maxPositionals: 1),
        run: { args, console in
            runBench(arguments: args.positionals + (args.has("--json") ? ["--json"] : []))
        })
}
