import Foundation

/// SIGINT and SIGTERM during a local run (`ftx run`, `ftx task run`), caught while this
/// object lives. The first asks the run to stop: no task starts after it, each running trial
/// stops at its next optimizer step (checkpointing first if an epoch just ended), leases
/// are released, and the command exits 128 + the signal (130 / 143) — resumable by the next
/// run. A second signal ends the process at once with that code (the checkpoints on disk
/// are whole: every write is an atomic rename).
/// (`ftx run --executor slurm` catches SIGINT itself while it follows jobs: `Interruption`.)
final class StopSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let console: Console

    /// Catches SIGINT and SIGTERM from now until `release()`.
    init(console: Console) {
        self.console = console
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ number: Int32) {
        lock.lock()
        let again = first != nil
        if !again { first = number }
        lock.unlock()
        if again { _exit(128 + number) }
        console.err("\n\(Self.name(number)): stopping at the next step (checkpointing a trial whose epoch just ended); "
            + "a second signal quits at once\n")
    }

    /// The first signal received, if any.
    var received: Int32? { lock.lock(); defer { lock.unlock() }; return first }

    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }

    /// The signals end the process again.
    func release() {
        for s in sources { s.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    deinit { release() }
}
