import Foundation
import Runtime

/// The form of `ftx run`'s log (`--log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// Human text: the live display on a terminal, plain lines otherwise.
    case text
    /// JSON Lines, one object per event (`JSONLinesLog`).
    case json
}

/// Renders executor events for `ftx run` and `ftx task run` (and for anything else that
/// produces `ExecutionEvent`s, such as a follower of a cluster run reading the store):
/// `--log-format json` writes `JSONLinesLog`; text on a terminal that can move its cursor is
/// the `LiveDisplay`, redrawn by a timer thread ten times a second at most; otherwise
/// `PlainLog`. `handle` may be called from any thread; events are rendered one at a time.
public final class ProgressPrinter: @unchecked Sendable {
    private enum Renderer {
        case live(LiveDisplay), plain(PlainLog), json(JSONLinesLog)
    }

    private let renderer: Renderer
    private let console: Console
    private let clock: @Sendable () -> Double
    private let lock = NSLock()
    private var finished = false

    /// - Parameters:
    ///   - outline: what the live display knows of the plan beforehand (task count, cost estimates).
    ///   - terminal: standard output's capabilities; by default read from the process (`TerminalCapabilities.standard`).
    ///   - clock: seconds, monotonic (the live display's throttle and ETAs, JSON's `elapsed`).
    ///   - timer: run the live display's redraw timer thread (tests drive `LiveDisplay` themselves).
    public init(console: Console, format: LogFormat = .text, verbose: Bool = false, outline: RunOutline = .unknown,
                terminal: TerminalCapabilities? = nil,
                clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }, timer: Bool = true) {
        self.console = console
        self.clock = clock
        let write: (String) -> Void = { console.out($0) }
        let start = clock()
        let terminal = terminal ?? .standard(console: console)
        switch format {
        case .json: renderer = .json(JSONLinesLog(verbose: verbose, start: start, write: write))
        case .text where terminal.cursorMovement:
            renderer = .live(LiveDisplay(outline: outline, terminal: terminal, verbose: verbose, start: start, write: write))
            if timer { startTimer() }
        case .text: renderer = .plain(PlainLog(verbose: verbose, write: write))
        }
    }

    /// Whether this printer draws the live display.
    public var isLive: Bool {
        if case .live = renderer { return true }
        return false
    }

    /// Renders one event.
    public func handle(_ event: ExecutionEvent) {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        switch renderer {
        case .live(let display): display.handle(event, at: clock())
        case .plain(let log): log.handle(event)
        case .json(let log): log.handle(event, at: clock())
        }
    }

    /// Ends the display (the live block is removed); later events are ignored.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if case .live(let display) = renderer { display.finish() }
    }

    /// The run's last line: `N tasks run, M already in the store`, or JSON's `summary` event.
    public func summarize(run: Int, cached: Int, failed: Int) {
        finish()
        lock.lock(); defer { lock.unlock() }
        if case .json(let log) = renderer {
            log.summary(run: run, cached: cached, failed: failed, at: clock())
        } else {
            console.out("\(run) task\(run == 1 ? "" : "s") run, \(cached) already in the store\n")
        }
    }

    /// Ticks the live display every `minimumRedrawInterval` until `finish`: the block's
    /// clocks move even while no event comes (a long evaluation, a features task).
    private func startTimer() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: LiveDisplay.minimumRedrawInterval)
                lock.lock()
                if finished { lock.unlock(); return }
                if case .live(let display) = renderer { display.tick(at: clock()) }
                lock.unlock()
            }
        }
        thread.start()
    }
}
