import Foundation

/// Runs another program to completion and captures what it wrote: git for
/// `ftx diff`, `sbatch`/`squeue`/`scancel` for the SLURM executor.
public enum Subprocess {
    /// What a finished program left behind.
    public struct Result: Sendable {
        public var status: Int32
        public var output: Data
        public var error: String

        public init(status: Int32, output: Data, error: String) {
            self.status = status
            self.output = output
            self.error = error
        }

        public var text: String { String(decoding: output, as: UTF8.self) }
        /// The first line the program wrote to stderr, or its exit status.
        public var errorLine: String {
            error.split(separator: "\n").first.map(String.init) ?? "exit status \(status)"
        }
    }

    /// The program could not be started at all (not installed, not on `PATH`).
    public struct LaunchError: Error, CustomStringConvertible {
        public var program: String
        public var reason: String
        public var description: String { "cannot run \(program): \(reason)" }
    }

    /// Runs `program ARGUMENTS`, found through `PATH`, with `environment`
    /// (nil: this process's) and standard input from `/dev/null`.
    public static func run(_ program: String, _ arguments: [String],
                           environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LaunchError(program: program, reason: error.localizedDescription)
        }
        // Drain stderr on another thread so a chatty program never blocks on a full pipe.
        let errorBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let message = String(decoding: errorBox.data, as: UTF8.self)
        // env(1) exits 127 when it cannot find the program.
        if process.terminationStatus == 127, message.contains(program) {
            throw LaunchError(program: program, reason: "it is not installed or not on PATH")
        }
        return Result(status: process.terminationStatus, output: output, error: message)
    }

    /// Whether `program` is an executable file in one of `PATH`'s folders.
    public static func isOnPath(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { dir in
            FileManager.default.isExecutableFile(atPath: (String(dir) as NSString).appendingPathComponent(program))
        }
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
