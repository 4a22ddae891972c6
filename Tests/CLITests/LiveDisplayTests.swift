import CLI
import Foundation
import Plan
import Runtime
import XCTest

/// The live display of `ftx run` (issue 17), drawn on a fake terminal at fake times:
/// frames are compared as strings, the throttle by counting redraws.
final class LiveDisplayTests: XCTestCase {
    static let key = "0123456789" + String(repeating: "a", count: 54)
    static let other = "fedcba9876" + String(repeating: "b", count: 54)

    static func terminal(width: Int = 200, color: Bool = false, unicode: Bool = true) -> TerminalCapabilities {
        TerminalCapabilities(cursorMovement: true, color: color, unicode: unicode, width: { width })
    }

    /// A plan of five tasks, one already in the store, and two trials of stage `probe`
    /// the cost model puts at 100 s for 200 steps each.
    static let outline = RunOutline(taskCount: 5, complete: ["cached-task"],
                                    trains: [.init(key: key, stage: "probe", steps: 200, seconds: 100),
                                             .init(key: other, stage: "probe", steps: 200, seconds: 100)], jobs: 1)

    static func sample(step: Int, inEpoch: Int, epoch: Int = 0, rate: Double, loss: Double = 0.5, key: String = key) -> ExecutionEvent {
        .step(stage: "probe", sample: StepSample(key: key, position: StepProgress(step: step, epoch: epoch, stepInEpoch: inEpoch,
                                                                                  stepsPerEpoch: 100, totalEpochs: 2, loss: 0.7),
                                                 smoothedLoss: loss, stepsPerSecond: rate))
    }

    func display(_ outline: RunOutline = LiveDisplayTests.outline, terminal: TerminalCapabilities = LiveDisplayTests.terminal(),
                 verbose: Bool = false) -> (LiveDisplay, () -> String) {
        final class Screen: @unchecked Sendable { var text = "" }
        let screen = Screen()
        return (LiveDisplay(outline: outline, terminal: terminal, verbose: verbose, start: 0, write: { screen.text += $0 }),
                { screen.text })
    }

    /// Halfway through its first epoch: the bar is half full, the step counter, rate and
    /// smoothed loss are shown, and the ETAs follow from the measured rate. The trial made
    /// 40 steps in 10 s: 150 steps left take 37.5 s. The cost model said 0.5 s a step,
    /// measured 0.25: the other trial's 100 s become 50 s, so the plan needs 87.5 s.
    func testAHalfDoneEpochShowsAHalfBarTheStepsAndTheETAs() {
        let (live, _) = display()
        live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0.5)
        live.handle(Self.sample(step: 10, inEpoch: 10, rate: .nan), at: 1)
        live.handle(Self.sample(step: 50, inEpoch: 50, rate: 4), at: 11)
        XCTAssertEqual(live.frame(at: 11, width: 200), [
            "probe train 0123456789  epoch 1/2 |██████████          | 50/100  4.00 steps/s  loss 0.5  ETA 38s",
            "1/5 tasks done, 1 running · 11s elapsed · ETA ~1m28s",
        ])
        // Five seconds on without news, the trial's ETA counts down.
        XCTAssertEqual(live.frame(at: 16, width: 200)[0].suffix(7), "ETA 33s")
    }

    func testTheASCIIBarAndTheUnicodeBarAtHalfAndAtAnEighth() {
        XCTAssertEqual(ProgressFormat.bar(0.5, width: 10, unicode: false), "#####     ")
        XCTAssertEqual(ProgressFormat.bar(0.5, width: 10, unicode: true), "█████     ")
        XCTAssertEqual(ProgressFormat.bar(0.25, width: 2, unicode: true), "▌ ")
        XCTAssertEqual(ProgressFormat.bar(0.0625, width: 2, unicode: true), "▏ ")
        XCTAssertEqual(ProgressFormat.bar(1, width: 4, unicode: true), "████")
        XCTAssertEqual(ProgressFormat.bar(.nan, width: 3, unicode: false), "   ")
        XCTAssertEqual(["42s", "3m05s", "2h07m", "--"], [42, 185, 7620, nil].map { ProgressFormat.duration($0) })
    }

    /// Lines never wrap (a wrapped line would break the cursor arithmetic).
    func testFramesFitTheTerminalWidth() {
        let (live, _) = display()
        live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
        live.handle(Self.sample(step: 50, inEpoch: 50, rate: 4), at: 1)
        let frame = live.frame(at: 1, width: 40)
        XCTAssertEqual(frame.map(\.count), [40, 40])
        XCTAssertEqual(frame[0], "probe train 0123456789  epoch 1/2 |█████")
    }

    /// 127 step samples in one second (a dozen trials' worth) are drawn ten times (at 0 and then
    /// every 13/128 s, the first multiple of 1/128 s that is ≥ 0.1 s); with nothing new the block
    /// is left alone, and once a second it is redrawn to move the clocks.
    func testRedrawsAreThrottledToTenASecond() {
        let (live, _) = display()
        live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
        // Binary-exact times, so no comparison with 0.1 can round either way.
        for i in 1...127 { live.handle(Self.sample(step: i, inEpoch: min(i, 100), rate: 100), at: Double(i) / 128) }
        XCTAssertEqual(live.redraws, 10)
        let drawn = live.redraws
        live.tick(at: 1.05)  // the last samples are not on screen yet
        XCTAssertEqual(live.redraws, drawn + 1)
        live.tick(at: 1.5)
        live.tick(at: 2.0)
        XCTAssertEqual(live.redraws, drawn + 1, "nothing new and less than a second since the last redraw")
        live.tick(at: 2.06)
        XCTAssertEqual(live.redraws, drawn + 2, "a second passed: the clocks move")
    }

    /// The block is redrawn in place: the cursor goes back up over the lines drawn before; a
    /// task's end line is printed above the block, which is then drawn again without it.
    func testRedrawsMoveTheCursorBackAndEndLinesScrollAboveTheBlock() {
        let (live, screen) = display()
        live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
        XCTAssertEqual(screen(), "\r\u{1B}[2Kprobe train 0123456789  starting, 0s\n\u{1B}[2K1/5 tasks done, 1 running · 0s elapsed · ETA ~3m20s\n\u{1B}[J")
        let before = screen().count
        live.handle(.finished(key: Self.key, kind: .train, stage: "probe", status: .done, seconds: 3, throughput: nil), at: 0.05)
        XCTAssertEqual(String(screen().dropFirst(before)), "\r\u{1B}[2A\u{1B}[Jprobe train 0123456789: done in 3.000s\n",
                       "the block is cleared, the line printed; the redraw waits for the throttle")
        live.tick(at: 0.2)
        XCTAssertTrue(screen().hasSuffix("\u{1B}[2K2/5 tasks done, 0 running · 0s elapsed · ETA ~1m40s\n\u{1B}[J"), screen())
        live.finish()
        XCTAssertTrue(screen().hasSuffix("\r\u{1B}[1A\u{1B}[J"), "finish removes the block")
    }

    /// A follower of a cluster run knows only what the store says: starts, epochs, ends.
    /// The bar then counts epochs, and the trial's ETA is its last epoch's.
    func testTasksThatOnlyReportStartsEpochsAndEndsAreShown() {
        let (live, _) = display(.unknown)
        live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
        live.handle(.started(key: Self.other, kind: .eval, stage: "probe", resumedAt: 0), at: 1)
        XCTAssertEqual(live.frame(at: 3, width: 200), [
            "probe train 0123456789  starting, 3s",
            "probe eval fedcba9876  running, 2s",
            "0 tasks done, 2 running · 3s elapsed",
        ])
        let record = EpochRecord(epoch: 1, step: 100, lr: 0.1, trainLoss: 0.25, metrics: [("valid.accuracy", 0.9)])
        live.handle(.epoch(stage: "probe", progress: TrialProgress(key: Self.key, record: record, totalEpochs: 4, elapsed: 4, eta: 12)), at: 4)
        live.handle(.finished(key: Self.other, kind: .eval, stage: "probe", status: .done, seconds: 3, throughput: nil), at: 4)
        XCTAssertEqual(live.frame(at: 6, width: 200), [
            "probe train 0123456789  epoch 1/4 |█████               |  loss 0.25  ETA 10s",
            "1 tasks done, 1 running · 6s elapsed",
        ])
    }

    /// Epoch lines scroll above the block only with `--verbose`; a trial's end line carries
    /// its last epoch's metrics after the event's own text.
    func testEpochLinesOnlyWithVerboseAndEndLinesCarryMetrics() {
        let record = EpochRecord(epoch: 2, step: 200, lr: 0.1, trainLoss: 0.25, metrics: [("valid.accuracy", 0.875)])
        let epoch = ExecutionEvent.epoch(stage: "probe", progress: TrialProgress(key: Self.key, record: record, totalEpochs: 2, elapsed: 4, eta: 0))
        let finished = ExecutionEvent.finished(key: Self.key, kind: .train, stage: "probe", status: .done, seconds: 5,
                                               throughput: Trainer.Throughput(steps: 200, seconds: 4))
        for verbose in [false, true] {
            let (live, screen) = display(verbose: verbose)
            live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
            live.handle(epoch, at: 4)
            live.handle(finished, at: 5)
            XCTAssertEqual(screen().contains("epoch 2/2 loss 0.2500"), verbose)
            XCTAssertTrue(screen().contains("probe train 0123456789: done in 5.000s (200 steps in 4.000s, 50.0 steps/s); "
                                            + "epoch 2: train.loss 0.2500 valid.accuracy 0.8750\n"), screen())
        }
    }

    func testColourOnlyWhenAllowed() {
        for color in [false, true] {
            let (live, screen) = display(terminal: Self.terminal(color: color))
            live.handle(.started(key: Self.key, kind: .train, stage: "probe", resumedAt: 0), at: 0)
            live.handle(Self.sample(step: 50, inEpoch: 50, rate: 4), at: 1)
            XCTAssertEqual(screen().contains("\u{1B}[32m"), color)
        }
    }

    /// `TERM=dumb` or a pipe: no cursor movement, so plain lines; JSON whatever the terminal.
    func testDumbTerminalsAndPipesGetPlainLines() {
        let tty = Console(out: { _ in }, err: { _ in }, isTerminal: true)
        XCTAssertTrue(TerminalCapabilities.standard(console: tty, environment: ["TERM": "xterm-256color"]).cursorMovement)
        XCTAssertFalse(TerminalCapabilities.standard(console: tty, environment: ["TERM": "dumb"]).cursorMovement)
        XCTAssertFalse(TerminalCapabilities.standard(console: Console(out: { _ in }, err: { _ in }), environment: [:]).cursorMovement)
        XCTAssertTrue(TerminalCapabilities.standard(console: tty, environment: ["LANG": "en_US.UTF-8"]).unicode)
        XCTAssertFalse(TerminalCapabilities.standard(console: tty, environment: ["LANG": "C"]).unicode)
        let dumb = TerminalCapabilities.standard(console: tty, environment: ["TERM": "dumb"])
        XCTAssertFalse(ProgressPrinter(console: tty, terminal: dumb, timer: false).isLive)
        XCTAssertTrue(ProgressPrinter(console: tty, terminal: Self.terminal(), timer: false).isLive)
        XCTAssertFalse(ProgressPrinter(console: tty, format: .json, terminal: Self.terminal(), timer: false).isLive)
    }
}
