import Foundation

/// Ctrl-C, caught instead of ending the process while this object lives: a run
/// that submitted cluster jobs must get the chance to cancel them (or leave
/// them running) rather than die and leave them behind unmentioned.
final class Interruption: @unchecked Sendable {
    private let condition = NSCondition()
    private var interrupted = false
    private var source: (any DispatchSourceSignal)?

    /// Catches SIGINT from now until `release()`.
    init() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.set() }
        source.resume()
        self.source = source
    }

    func set() {
        condition.lock()
        interrupted = true
        condition.broadcast()
        condition.unlock()
    }

    var isSet: Bool {
        condition.lock(); defer { condition.unlock() }
        return interrupted
    }

    /// Waits up to `seconds`; whether Ctrl-C was pressed (before or during the wait).
    func wait(seconds: Double) -> Bool {
        condition.lock(); defer { condition.unlock() }
        if !interrupted { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return interrupted
    }

    /// Ctrl-C ends the process again.
    func release() {
        source?.cancel()
        source = nil
        signal(SIGINT, SIG_DFL)
    }

    deinit { release() }
}
