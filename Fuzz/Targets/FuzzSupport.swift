import Foundation

/// Helpers the targets share: property checks, splitting one input into several
/// files, and the one scratch directory targets may write in.
enum FuzzCheck {
    /// A broken property is a finding: print it and trap, so libFuzzer saves the input.
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() {
            FileHandle.standardError.write(Data("ftx-fuzz: property violated: \(message())\n".utf8))
            abort()
        }
    }
}

enum FuzzInput {
    /// Separates the parts of a multi-file input (a line of its own in the seeds).
    static let separator = Data("\n@@@@\n".utf8)

    /// Splits `data` at each separator into exactly `count` parts (missing parts are nil,
    /// extra separators stay in the last part), so one input can describe several files.
    static func parts(_ data: Data, count: Int) -> [Data?] {
        var result: [Data?] = []
        var rest = data[...]
        while result.count < count - 1, let r = rest.range(of: separator) {
            result.append(Data(rest[rest.startIndex..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        result.append(Data(rest))
        while result.count < count { result.append(nil) }
        return result
    }
}

enum FuzzScratch {
    /// The directory targets write in: `FTX_FUZZ_TMP` (scripts/fuzz makes and removes it)
    /// or a fresh temp dir. Nothing is written anywhere else.
    static let root: String = {
        let base = ProcessInfo.processInfo.environment["FTX_FUZZ_TMP"] ?? NSTemporaryDirectory()
        let dir = (base as NSString).appendingPathComponent("ftx-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// The directory `name` under the scratch root, made once; targets overwrite or
    /// remove each of its files on every input (cheaper than a fresh directory).
    static func directory(_ name: String) -> String {
        let dir = (root as NSString).appendingPathComponent(name)
        mkdir(dir, 0o755)
        return dir
    }

    /// Makes `name` in `dir` hold `data`; a missing part, or one that is just `-`, removes the file.
    static func write(_ data: Data?, _ name: String, in dir: String) {
        let path = (dir as NSString).appendingPathComponent(name)
        guard let data, data != Data("-".utf8) else { unlink(path); return }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        data.withUnsafeBytes { _ = Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
