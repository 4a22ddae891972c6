import Foundation

/// Stop signals caught instead of ending the process while this object lives: the one
/// signal handling of the CLI.
/// - A local run (`ftx run`, `ftx task run`) catches SIGINT and SIGTERM: the first asks the
///   run to stop — no task starts after it, each running trial stops at its next optimizer
///   step (checkpointing first if an epoch just ended), leases are released, and the command
///   exits 128 + the signal (130 / 143), resumable by the next run.
/// - `ftx run --executor slurm` catches SIGINT from submission on: the follower stops at once
///   (`wait(seconds:)` wakes) and asks whether to cancel the jobs it submitted.
/// A second signal ends the process at once with 128 + its number (the files on disk are
/// whole: every write is an atomic rename).
final class StopSignals: @unchecked Sendable {
    private let condition = NSCondition()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let console: Console
    private let announcement: String?

    static let stopAtNextStep = "stopping at the next step (checkpointing a trial whose epoch just ended); a second signal quits at once"

    /// Catches `signals` from now until `release()`; the first one prints `NAME: announcement` (if any).
    init(console: Console, signals: [Int32] = [SIGINT, SIGTERM], announcement: String? = StopSignals.stopAtNextStep) {
        self.console = console
        self.announcement = announcement
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ number: Int32) {
        condition.lock()
        let again = first != nil
        if !again { first = number }
        condition.broadcast()
        condition.unlock()
        if again { _exit(128 + number) }
        if let announcement { console.err("\n\(Self.name(number)): \(announcement)\n") }
    }

    /// The first signal received, if any.
    var received: Int32? { condition.lock(); defer { condition.unlock() }; return first }

    /// Waits up to `seconds`; whether a signal came (before or during the wait).
    func wait(seconds: Double) -> Bool {
        condition.lock(); defer { condition.unlock() }
        if first == nil { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return first != nil
    }

    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }

    /// The signals end the process again.
    func release() {
        for s in sources { s.cancel() }
        sources = []
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }

    deinit { release() }
}
