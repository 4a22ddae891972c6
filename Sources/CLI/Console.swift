import Foundation

/// Where a command writes, and whether it may use colour. Commands write
/// through this so tests can capture output in memory.
public final class Console: @unchecked Sendable {
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void
    /// Colour on stdout/stderr: only on a terminal, never with NO_COLOR, TERM=dumb or --json.
    public let colorOut: Bool
    public let colorErr: Bool
    /// Whether stdout is a terminal (live progress lines use it).
    public let isTerminal: Bool

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void,
                colorOut: Bool = false, colorErr: Bool = false, isTerminal: Bool = false) {
        self.writeOut = out
        self.writeErr = err
        self.colorOut = colorOut
        self.colorErr = colorErr
        self.isTerminal = isTerminal
    }

    public func out(_ text: String) { writeOut(text) }
    public func err(_ text: String) { writeErr(text) }

    /// The process's standard streams, with colour decided as CLI.md says.
    public static func standard() -> Console {
        let env = ProcessInfo.processInfo.environment
        let colorAllowed = env["NO_COLOR"] == nil && env["TERM"] != "dumb"
        return Console(
            out: { FileHandle.standardOutput.writeAll($0) },
            err: { FileHandle.standardError.writeAll($0) },
            colorOut: colorAllowed && isatty(1) == 1,
            colorErr: colorAllowed && isatty(2) == 1,
            isTerminal: isatty(1) == 1)
    }

    /// A console that collects everything written, for tests.
    public static func capturing() -> (Console, () -> (out: String, err: String)) {
        final class Box: @unchecked Sendable { var out = ""; var err = "" }
        let box = Box()
        let console = Console(out: { box.out += $0 }, err: { box.err += $0 })
        return (console, { (box.out, box.err) })
    }
}

extension FileHandle {
    /// Writes all of `text`; a closed pipe (`ftx results x.ftx | head -1`) ends the process quietly.
    func writeAll(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        let fd = fileDescriptor
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Foundation.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                return
            }
            offset += n
        }
    }
}
