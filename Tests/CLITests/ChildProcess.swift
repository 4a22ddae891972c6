import Foundation
import XCTest

/// `ftx` as a child process, for what only a separate process shows: signals, kills,
/// several runs sharing one store. (Everything else calls `ftx(_:)` in-process.)
enum FTXProcess {
    /// Starts `ftx ARGS` with its standard output to `output` (created empty), else discarded;
    /// standard error is discarded and standard input is empty.
    static func launch(_ arguments: [String], output: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = try XCTUnwrap(Paths.ftxExecutable, "`swift test` builds the ftx executable beside the tests")
        process.arguments = arguments
        if let output {
            XCTAssertTrue(FileManager.default.createFile(atPath: output.path, contents: nil), "cannot create \(output.path)")
            process.standardOutput = try FileHandle(forWritingTo: output)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts `ftx ARGS` (with `--verbose`, so it prints a line per epoch) and reads its standard
    /// output until `epochs` epoch lines (`: epoch `) have appeared or it ended: the moment to
    /// signal or kill it mid-run. Standard error is piped when `keepStandardError`, else discarded.
    static func launchAndWait(forEpochs epochs: Int, _ arguments: [String], keepStandardError: Bool = false) throws -> (process: Process, out: Pipe, err: Pipe?) {
        let process = Process()
        process.executableURL = try XCTUnwrap(Paths.ftxExecutable, "`swift test` builds the ftx executable beside the tests")
        process.arguments = arguments
        let out = Pipe(), err = keepStandardError ? Pipe() : nil
        process.standardOutput = out
        process.standardError = err ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = 0, buffer = Data()
        while seen < epochs {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the run ended
            buffer.append(chunk)
            seen = String(decoding: buffer, as: UTF8.self).components(separatedBy: ": epoch ").count - 1
        }
        return (process, out, err)
    }

    /// Runs `ftx ARGS` to its end; its exit status.
    static func runToEnd(_ arguments: [String], output: URL? = nil) throws -> Int32 {
        let process = try launch(arguments, output: output)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `ftx results --json` of a finished experiment, every trial `done`, with the store-specific
/// checkpoint paths removed: two stores that trained the same trials compare equal as text
/// exactly when their results are bit-identical.
func finishedResults(_ file: String, store: String, file callerFile: StaticString = #filePath, line: UInt = #line) throws -> String {
    let r = ftx(["results", "--json", "--store", store, file])
    XCTAssertEqual(r.status, 0, r.err, file: callerFile, line: line)
    var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], file: callerFile, line: line)
    var trials = try XCTUnwrap(json["trials"] as? [[String: Any]], file: callerFile, line: line)
    for i in trials.indices {
        XCTAssertEqual(trials[i]["status"] as? String, "done", file: callerFile, line: line)
        trials[i]["checkpoint"] = nil
    }
    json["trials"] = trials
    return String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
}
