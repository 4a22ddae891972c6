import Foundation
import Plan
import Runtime

/// `ftx run`'s live display on a terminal: a block at the bottom of the screen with one
/// line per running task and a footer, redrawn in place with ANSI cursor movement;
/// lines that are kept (a task's end, a failure, a warning; epochs with `--verbose`)
/// scroll above it.
///
/// ```
/// finetune train d3b69df014  epoch 1/2 |██████████          | 105/210  4.12 steps/s  loss 0.4123  ETA 1m12s
/// 14/15 tasks done, 1 running · 2m31s elapsed · ETA ~2m05s
/// ```
///
/// Redraws are throttled: at most one per `minimumRedrawInterval` however fast events
/// come (W1 reports ~20 samples a second per trial, a sweep with `--jobs` many more), and
/// one every `refreshInterval` while none come, so elapsed times and ETAs keep moving. The
/// printer calls `tick` from a timer thread; tests call it with a fake clock.
public final class LiveDisplay {
    /// At most this many redraws a second (10).
    public static let minimumRedrawInterval = 0.1
    /// With no event, a redraw this often keeps the clocks moving.
    public static let refreshInterval = 1.0
    /// Running tasks shown at most; the rest are counted on one line.
    public static let maximumRows = 20
    /// Cells of the bar.
    public static let barWidth = 20

    private var board: RunBoard
    private var lines = TaskLines()
    private let terminal: TerminalCapabilities
    private let verbose: Bool
    private let start: Double
    private let write: (String) -> Void
    /// Lines of the block now on screen (the cursor is on the line below them).
    private var drawnLines = 0
    private var lastDraw = -Double.infinity
    private var dirty = true
    /// Redraws so far (tests check the throttle with it).
    public private(set) var redraws = 0

    /// A display that writes through `write`; `start` is when the run began (display clock).
    public init(outline: RunOutline, terminal: TerminalCapabilities, verbose: Bool, start: Double, write: @escaping (String) -> Void) {
        self.board = RunBoard(outline: outline)
        self.terminal = terminal
        self.verbose = verbose
        self.start = start
        self.write = write
    }

    /// Folds `event` (at `now`) into the display: a kept line is printed at once, the
    /// block is redrawn when a redraw is due.
    public func handle(_ event: ExecutionEvent, at now: Double) {
        lines.note(event)
        var kept: String?
        switch event {
        case .finished(let key, _, _, _, _, _), .pruned(let key, _, _), .failed(let key, _, _, _):
            kept = lines.endLine(event, key: key)
        case .paused, .waiting, .warning: kept = event.line
        case .epoch: kept = verbose ? event.line : nil
        case .cached, .started, .step: kept = nil
        }
        board.apply(event, at: now)
        dirty = true
        if let kept { write(erase() + kept + "\n") }
        tick(at: now)
    }

    /// Redraws the block if a redraw is due at `now`.
    public func tick(at now: Double) {
        guard now - lastDraw >= Self.minimumRedrawInterval, dirty || now - lastDraw >= Self.refreshInterval else { return }
        let width = max(20, terminal.width() - 1)  // not the last column: some terminals wrap there
        let block = frame(at: now, width: width)
        var text = cursorToBlockStart()
        for line in block { text += "\u{1B}[2K" + colored(line) + "\n" }
        text += "\u{1B}[J"
        write(text)
        drawnLines = block.count
        lastDraw = now
        dirty = false
        redraws += 1
    }

    /// Removes the block (the run's summary follows it).
    public func finish() {
        let text = erase()
        if !text.isEmpty { write(text) }
    }

    /// The block at `now`: one line per running task (up to `maximumRows`) and the footer,
    /// each at most `width` characters, without escapes.
    public func frame(at now: Double, width: Int) -> [String] {
        let shown = board.running.prefix(Self.maximumRows)
        let stageWidth = shown.map(\.stage.count).max() ?? 0
        var block = shown.map { row(for: $0, stageWidth: stageWidth, now: now) }
        if board.running.count > shown.count { block.append("+\(board.running.count - shown.count) more running") }
        block.append(footer(now: now))
        return block.map { ProgressFormat.fit($0, width: width) }
    }

    func row(for task: RunBoard.Running, stageWidth: Int, now: Double) -> String {
        let name = task.stage.padding(toLength: stageWidth, withPad: " ", startingAt: 0)
            + " \(task.kind.rawValue) \(PlannedTask.shortKey(task.key))"
        let eta = "ETA \(ProgressFormat.duration(board.trialETA(task, now: now)))"
        if let s = task.sample {
            let p = s.position
            let bar = ProgressFormat.bar(Double(p.stepInEpoch) / Double(max(1, p.stepsPerEpoch)), width: Self.barWidth, unicode: terminal.unicode)
            return "\(name)  epoch \(p.epoch + 1)/\(p.totalEpochs) |\(bar)| \(p.stepInEpoch)/\(p.stepsPerEpoch)"
                + "  \(ProgressFormat.rate(s.stepsPerSecond)) steps/s  loss \(ProgressFormat.loss(s.smoothedLoss))  \(eta)"
        }
        if let e = task.epoch {
            // Epochs only (a follower reading the store): the bar counts epochs.
            let bar = ProgressFormat.bar(Double(e.record.epoch) / Double(max(1, e.totalEpochs)), width: Self.barWidth, unicode: terminal.unicode)
            return "\(name)  epoch \(e.record.epoch)/\(e.totalEpochs) |\(bar)|  loss \(ProgressFormat.loss(e.record.trainLoss))  \(eta)"
        }
        let elapsed = ProgressFormat.duration(now - task.started)
        if task.kind == .train {
            let what = task.resumedAt > 0 ? "resuming after epoch \(task.resumedAt)" : "starting"
            return "\(name)  \(what), \(elapsed)"
        }
        return "\(name)  running, \(elapsed)"
    }

    func footer(now: Double) -> String {
        var text = board.outline.taskCount.map { "\(board.doneCount)/\($0) tasks done" } ?? "\(board.doneCount) tasks done"
        text += ", \(board.running.count) running · \(ProgressFormat.duration(now - start)) elapsed"
        if let eta = board.planETA(now: now) { text += " · ETA ~\(ProgressFormat.duration(eta))" }
        return text
    }

    /// Moves the cursor to the first line of the block (column 1).
    private func cursorToBlockStart() -> String {
        drawnLines > 0 ? "\r\u{1B}[\(drawnLines)A" : "\r"
    }

    /// Clears the block, leaving the cursor where it began.
    private func erase() -> String {
        guard drawnLines > 0 else { return "" }
        let text = cursorToBlockStart() + "\u{1B}[J"
        drawnLines = 0
        return text
    }

    /// The bar in green, when colour is allowed (after fitting, so widths count characters only).
    private func colored(_ line: String) -> String {
        guard terminal.color, let open = line.firstIndex(of: "|"),
              let close = line[line.index(after: open)...].firstIndex(of: "|") else { return line }
        return String(line[...open]) + "\u{1B}[32m" + String(line[line.index(after: open)..<close]) + "\u{1B}[0m" + String(line[close...])
    }
}
