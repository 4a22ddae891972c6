import Charts
import XCTest

/// Scales and ticks against hand-computed expectations (Heckbert's nice numbers, decades).
final class ScaleTests: XCTestCase {
    func testLinearScaleWidensToNiceTicks() {
        // 0.13…0.87 in 5 ticks: raw step 0.148 → nice step 0.2, domain 0…1.
        let s = Scale.fitting([0.13, 0.5, 0.87], kind: .linear, range: (0, 100))
        XCTAssertEqual(s.lower, 0, accuracy: 1e-12)
        XCTAssertEqual(s.upper, 1, accuracy: 1e-12)
        let (ticks, step) = s.ticks()
        XCTAssertEqual(step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(ticks.count, 6)
        XCTAssertEqual(ticks.map { s.label($0, step: step) }, ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        XCTAssertEqual(s.map(0.5), 50, accuracy: 1e-9)
    }

    func testNiceStepIsOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(Scale.niceStep(0.148), 0.2, accuracy: 1e-12)
        XCTAssertEqual(Scale.niceStep(3), 5, accuracy: 1e-12)
        XCTAssertEqual(Scale.niceStep(7), 10, accuracy: 1e-12)
        XCTAssertEqual(Scale.niceStep(1), 1, accuracy: 1e-12)
        XCTAssertEqual(Scale.niceStep(0.00031), 0.0005, accuracy: 1e-15)
    }

    func testLogScaleSnapsToDecadesWithTwoAndFiveBetween() {
        // 3e-4 … 3e-3 (a learning-rate grid): domain 1e-4 … 1e-2, ticks 1, 2, 5 per decade.
        let s = Scale.fitting([3e-4, 1e-3, 3e-3], kind: .log, range: (0, 200))
        XCTAssertEqual(s.lower, 1e-4, accuracy: 1e-18)
        XCTAssertEqual(s.upper, 1e-2, accuracy: 1e-16)
        XCTAssertEqual(s.map(1e-3), 100, accuracy: 1e-9)  // the middle decade boundary
        let labels = s.ticks().values.map { s.label($0, step: 0) }
        XCTAssertEqual(labels, ["1e-4", "2e-4", "5e-4", "0.001", "0.002", "0.005", "0.01"])
    }

    func testDecadesDecideLogAxes() {
        XCTAssertTrue(Scale.spansDecades([3e-4, 3e-3]))
        XCTAssertFalse(Scale.spansDecades([8, 16, 32, 64]))
        XCTAssertFalse(Scale.spansDecades([0, 1, 100]))
    }

    func testMarkupEscapesAndRoundsCoordinates() {
        XCTAssertEqual(Markup.escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
        XCTAssertEqual(Markup.number(12.5049), "12.5")
        XCTAssertEqual(Markup.number(3), "3")
        XCTAssertEqual(Markup.number(-0.256), "-0.26")
        XCTAssertEqual(Markup.element("text", [("x", "1"), ("skip", nil)], "a&b"), "<text x=\"1\">a&b</text>")
    }

    func testDecimationKeepsAJumpAndBoundsThePointCount() {
        // 10,000 points over 100 pixels with a step at x = 50: at most 4 per pixel column, the jump kept.
        let points = (0..<10_000).map { i -> (x: Double, y: Double) in (Double(i) / 100, i < 5_000 ? 1 : 0.5) }
        let kept = LineChart.decimated(points, width: 20)
        XCTAssertLessThanOrEqual(kept.count, 400)
        XCTAssertTrue(kept.contains { $0.x == 49.99 && $0.y == 1 })
        XCTAssertTrue(kept.contains { $0.x == 50 && $0.y == 0.5 })
    }
}
