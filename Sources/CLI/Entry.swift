import Foundation

/// Runs the `ftx` command line with `arguments` (without the program name) and returns the exit code.
public func runFTX(_ arguments: [String]) -> Int32 {
    FileHandle.standardError.write("ftx: not yet implemented\n".data(using: .utf8)!)
    return 64
}
