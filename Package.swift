// swift-tools-version:6.0
import PackageDescription

// The modules, each with one job (docs/ARCHITECTURE.md):
//   DSL       text → AST, diagnostics, formatter
//   Plan      the IR the compiler writes and the runtime reads: typed trial specs,
//             the task graph, parameter patterns, the model catalog
//   Compiler  checker, sweeps, planner, diff — never the runtime
//   LanguageServer  `ftx lsp`: LSP over stdio on top of DSL and Compiler — never the runtime
//   Kernels   GEMM, SIMD pointwise/row kernels, the worker pool
//   Runtime   tensors, autograd, layers, models, optimizers, data, trainer, executor, store
//   Support   JSON, CSV, SHA-256, seeded randomness, atomic writes
//   Charts    SVG charts for `ftx report` (Foundation only; no ftx types)
//
// Release builds compile the numeric code for this machine's CPU: without a
// target CPU, Swift lowers SIMD16<Float> FMAs to scalar calls (0.7 GFLOP/s
// measured) instead of AVX-512 (111 GFLOP/s per core). Only Kernels drops its
// bounds checks (`-Ounchecked`): every parser of untrusted input (safetensors,
// config.json, vocab.txt, CSV, .ftx) lives elsewhere and keeps them.
// FTX_TARGET_CPU names another CPU (an LLVM name such as `haswell`): bench/cross-isa.sh
// builds for `haswell` beside `native` and checks both train to bit-identical checkpoints.
let targetCPU = Context.environment["FTX_TARGET_CPU"] ?? "native"
let nativeCPU: [String] = ["-target-cpu", targetCPU, "-Xcc", "-fno-math-errno"]
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"] + nativeCPU, .when(configuration: .release))]
let runtimeFlags: [SwiftSetting] = [.unsafeFlags(nativeCPU, .when(configuration: .release))]

let package = Package(
    name: "ftx",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ftx", targets: ["ftx"]),
    ],
    targets: [
        .target(name: "Support", path: "Sources/Support"),
        // SVG charts (scales, ticks, lines, bands, heatmaps, graphs) for `ftx report`; knows nothing of ftx.
        .target(name: "Charts", path: "Sources/Charts"),
        .target(name: "DSL", dependencies: ["Support"], path: "Sources/DSL"),
        .target(name: "Plan", dependencies: ["Support"], path: "Sources/Plan"),
        .target(name: "Kernels", path: "Sources/Kernels", swiftSettings: kernelFlags),
        .target(name: "Compiler", dependencies: ["DSL", "Plan", "Support"], path: "Sources/Compiler"),
        .target(name: "LanguageServer", dependencies: ["DSL", "Plan", "Compiler", "Support"], path: "Sources/LanguageServer"),
        .target(name: "Runtime", dependencies: ["Plan", "Kernels", "Support"], path: "Sources/Runtime",
                exclude: ["Text/Augment/WORDNET-LICENSE"], swiftSettings: runtimeFlags),
        .target(name: "CLI", dependencies: ["DSL", "Plan", "Compiler", "LanguageServer", "Runtime", "Kernels", "Support", "Charts"], path: "Sources/CLI"),
        .executableTarget(name: "ftx", dependencies: ["CLI"], path: "Sources/ftx"),
        .testTarget(name: "DSLTests", dependencies: ["DSL", "Support"], path: "Tests/DSLTests"),
        .testTarget(name: "PlanTests", dependencies: ["Plan", "Support"], path: "Tests/PlanTests"),
        .testTarget(name: "SupportTests", dependencies: ["Support"], path: "Tests/SupportTests"),
        .testTarget(name: "CompilerTests", dependencies: ["DSL", "Plan", "Compiler", "Support"], path: "Tests/CompilerTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"], path: "Tests/ChartsTests"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"], path: "Tests/KernelsTests"),
        // Fixtures more than one test target writes (a tiny random BERT and its texts).
        .target(name: "TestFixtures", dependencies: ["Plan", "Runtime", "Support"], path: "Tests/TestFixtures"),
        .testTarget(name: "RuntimeTests", dependencies: ["Plan", "Kernels", "Runtime", "Support", "TestFixtures"], path: "Tests/RuntimeTests"),
        .testTarget(name: "CLITests", dependencies: ["CLI", "DSL", "Plan", "Compiler", "Runtime", "Kernels", "Support", "Charts", "TestFixtures"], path: "Tests/CLITests"),
    ]
)
