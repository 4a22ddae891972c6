import Foundation
import XCTest

/// The report in a real browser (issue 17): Debian's chromium, headless, loads the report of
/// a finished experiment from disk. It must log nothing to the console (no script error, no
/// blocked fetch), request nothing over the network, run its script to the end, draw one
/// curve per trial, and paint a page that is not blank. Without chromium the test is skipped
/// with a message, unless CI=true (`.ci/run` installs chromium), where it fails.
///
/// Why chromium's command line and not the DevTools protocol: `--dump-dom` gives the DOM after
/// load and scripts, `--screenshot` the pixels, `--enable-logging=stderr` every console message
/// (CSP violations included) and `--log-net-log` every request, each from one process run with
/// no WebSocket or pipe protocol to speak. The PNG is decoded here (`PNGImage`, `Inflate`):
/// Foundation on Linux has no zlib.
final class ReportBrowserTests: XCTestCase {
    func testReportRendersInHeadlessChromiumWithoutErrorsOrRequests() throws {
        let chromium = try HeadlessChromium.locate()
        let workspace = try Workspace()
        let r = try ReportFixture.run(workspace)
        let artefacts = ReportFixture.artefacts
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let page = artefacts.appendingPathComponent("report.html").path
        let screenshot = artefacts.appendingPathComponent("report.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        let report = ftx(["report", "--out", page, "--store", r.store, r.file])
        XCTAssertEqual(report.status, 0, report.err)

        // The DOM after load: the script ran to its end without an error.
        let dom = try chromium.load(page, ["--dump-dom"])
        XCTAssertEqual(dom.consoleLines, [], "the page logged to the console")
        XCTAssertEqual(dom.networkRequests, [], "the page made network requests")
        let root = try XCTUnwrap(dom.stdout.components(separatedBy: "<html").dropFirst().first?.prefix { $0 != ">" }, dom.stdout)
        XCTAssertTrue(root.contains("data-ready=\"1\""), "the report's script did not finish: \(root)")
        XCTAssertFalse(root.contains("data-errors"), String(root))
        // One curve per trial in every learning-curve chart, as the browser parsed it.
        for stage in ["train", "tune"] {
            let ids = (r.trials[stage] ?? []).compactMap { $0.json["id"] as? String }
            let charts = ReportFixture.charts(dom.stdout, with: "data-stage=\"\(stage)\" data-metric=")
            XCTAssertEqual(charts.count, 3, stage)
            for chart in charts { XCTAssertEqual(ReportFixture.values(of: "data-trial", in: chart), ids, stage) }
        }

        // The pixels: the size asked for, a white page (light mode) with a good deal drawn on it.
        let shot = try chromium.load(page, ["--screenshot=" + screenshot, "--window-size=1000,1600"])
        XCTAssertEqual(shot.consoleLines, [])
        XCTAssertEqual(shot.networkRequests, [])
        let png = try PNGImage(try Data(contentsOf: URL(fileURLWithPath: screenshot)))
        print("report screenshot: \(screenshot) (\(png.width)×\(png.height)); page: \(page)")
        XCTAssertEqual(png.width, 1000)
        XCTAssertEqual(png.height, 1600)
        XCTAssertEqual(Array(png.pixels[0..<3]), [255, 255, 255], "the page's background is not white")
        XCTAssertGreaterThan(png.shareOfNonBackgroundPixels, 0.03, "the page is (nearly) blank")
        XCTAssertGreaterThan(png.colourCount, 32, "the page has too few colours to hold text and charts")
    }
}
