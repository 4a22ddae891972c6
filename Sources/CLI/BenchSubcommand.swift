/// `ftx bench [gemm] [--json] [--shape MxNxK[:OPS],…] [--threads N]`: the kernels' measured
/// speed; `ftx bench calibrate [--json]`: the cost model's prices; `ftx bench encoder|finetune --model DIR [--batch N] [--length N] [--reps N] [--json]`:
/// BENCHMARKS.md's W3 (BenchCommand.swift and EncoderBench.swift do the work).
enum BenchSubcommand {
    static let subcommand = Subcommand(
        name: "bench",
        summary: "measure this machine's kernels (calibrates plan's cost estimates)",
        usage: "ftx bench [gemm] [--json] [--shape MxNxK[:OPS],…] [--threads N]\n"
            + "       ftx bench calibrate [--json]\n"
            + "       ftx bench encoder|finetune --model DIR [--batch N] [--length N] [--reps N] [--json]",
        signature: CommandSignature(flags: ["--json"], options: ["--shape", "--threads", "--model", "--batch", "--length", "--reps"],
                                    minPositionals: 0, maxPositionals: 1),
        run: { args, console in
            var forwarded = args.positionals + (args.has("--json") ? ["--json"] : [])
            for option in ["--shape", "--threads", "--model", "--batch", "--length", "--reps"] {
                if let value = args.option(option) { forwarded += [option, value] }
            }
            return runBench(arguments: forwarded, console: console)
        })
}
