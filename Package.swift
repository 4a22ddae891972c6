// swift-tools-version:6.0
import PackageDescription

// Release builds compile the numeric runtime for this machine's CPU: without a
// target CPU, Swift lowers SIMD16<Float> FMAs to scalar calls (0.7 GFLOP/s
// measured) instead of AVX-512 (111 GFLOP/s per core). `-Ounchecked` only on
// the runtime's kernels; the front end keeps its bounds checks.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native", "-Xcc", "-fno-math-errno"], .when(configuration: .release)),
]

let package = Package(
    name: "ftx",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ftx", targets: ["ftx"]),
    ],
    targets: [
        .target(name: "DSL", path: "Sources/DSL"),
        .target(name: "Runtime", path: "Sources/Runtime", swiftSettings: kernelFlags),
        .target(name: "Compiler", dependencies: ["DSL", "Runtime"], path: "Sources/Compiler"),
        .target(name: "CLI", dependencies: ["DSL", "Compiler", "Runtime"], path: "Sources/CLI"),
        .executableTarget(name: "ftx", dependencies: ["CLI"], path: "Sources/ftx"),
        .testTarget(name: "DSLTests", dependencies: ["DSL"], path: "Tests/DSLTests"),
        .testTarget(name: "CompilerTests", dependencies: ["DSL", "Compiler", "Runtime"], path: "Tests/CompilerTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"], path: "Tests/RuntimeTests"),
        .testTarget(name: "CLITests", dependencies: ["CLI", "DSL", "Compiler", "Runtime"], path: "Tests/CLITests"),
    ]
)
