import Foundation
import Runtime

/// `ftx run`'s output when standard output is not a terminal (a file, a pipe, a
/// SLURM log) or is `TERM=dumb`: one line when a task starts and one when it ends, with
/// a trial's last-epoch metrics (`TaskLines`); a line for each pause, warning and wait.
/// Per-epoch lines only with `--verbose`; step samples never (a log is read afterwards,
/// and a 600-epoch sweep must not print thousands of lines). A cached task prints
/// nothing: the summary counts it.
public final class PlainLog {
    private let verbose: Bool
    private let write: (String) -> Void
    private var lines = TaskLines()

    public init(verbose: Bool, write: @escaping (String) -> Void) {
        self.verbose = verbose
        self.write = write
    }

    public func handle(_ event: ExecutionEvent) {
        lines.note(event)
        switch event {
        case .cached, .step: return
        case .epoch: if verbose { write(event.line + "\n") }
        case .finished(let key, _, _, _, _, _), .pruned(let key, _, _), .failed(let key, _, _, _):
            write(lines.endLine(event, key: key) + "\n")
        case .started, .paused, .waiting, .warning: write(event.line + "\n")
        }
    }
}
