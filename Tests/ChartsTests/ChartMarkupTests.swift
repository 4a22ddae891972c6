import Charts
import XCTest

/// What the charts put in their SVG: one mark per item, the highlighted one last, values
/// placed by their scales, text escaped.
final class ChartMarkupTests: XCTestCase {
    func testLineChartDrawsOneLinePerSeriesWithTheHighlightedOneOnTop() {
        let series = (0..<3).map { i in
            LineChart.Series(points: [(1, Double(i)), (2, Double(i) + 1)], hover: "trial <\(i)>", colour: i, highlighted: i == 0,
                             attributes: [("data-trial", "t\(i)")])
        }
        let svg = LineChart(title: "loss", xLabel: "epoch", yLabel: "loss", series: series).svg()
        let order = svg.components(separatedBy: "data-trial=\"").dropFirst().map { String($0.prefix(2)) }
        XCTAssertEqual(order, ["t1", "t2", "t0"], "the highlighted series is drawn last")
        XCTAssertTrue(svg.contains("<title>trial &lt;0&gt;</title>"))
        XCTAssertTrue(svg.contains("class=\"curve c0 sel\""))
    }

    func testHeatmapShadesEachCellByItsShareOfTheRow() {
        let svg = Heatmap(title: "m", rowTitle: "true", columnTitle: "predicted", rowLabels: ["a", "b"], columnLabels: ["a", "b"],
                          values: [[3, 1], [0, 4]]).svg()
        // Shares 0.75, 0.25, 0, 1 → opacity 0.08 + 0.92 · share.
        XCTAssertEqual(svg.components(separatedBy: "fill-opacity=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) },
                       ["0.77", "0.31", "0.08", "1"])
        XCTAssertEqual(svg.components(separatedBy: "class=\"count").count - 1, 4)
    }

    func testLayeredGraphPutsEachNodeBelowItsDeepestInput() {
        let nodes = [
            LayeredGraph.Node(id: "a", label: "data", detail: "", state: "done", hover: "", inputs: []),
            LayeredGraph.Node(id: "b", label: "train", detail: "", state: "done", hover: "", inputs: ["a"]),
            LayeredGraph.Node(id: "c", label: "eval", detail: "", state: "pending", hover: "", inputs: ["a", "b"]),
        ]
        let svg = LayeredGraph(title: "g", nodes: nodes).svg()
        func y(_ id: String) -> Double? {
            let group = svg.components(separatedBy: "data-task=\"\(id)\"").dropFirst().first ?? ""
            return group.components(separatedBy: " y=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
        }
        XCTAssertEqual(y("a"), 10)
        XCTAssertEqual(y("b"), 74)  // one row of 34 + 30 below
        XCTAssertEqual(y("c"), 138)  // below b, its deepest input
        XCTAssertEqual(svg.components(separatedBy: "class=\"arrow\"").count - 1, 3, "one arrow per edge")
    }

    func testTickLabelsUseAsFewDigitsAsTellTicksApart() {
        XCTAssertEqual(TickFormat.label(0.25, step: 0.05), "0.25")
        XCTAssertEqual(TickFormat.label(1.5, step: 0.5), "1.5")
        XCTAssertEqual(TickFormat.label(200, step: 100), "200")
        XCTAssertEqual(TickFormat.label(0.0003, step: 0.0001), "3e-4")
        XCTAssertEqual(TickFormat.value(0.97346), "0.9735")
        XCTAssertEqual(TickFormat.value(2.5e-5), "2.5e-5")
        XCTAssertEqual(TickFormat.value(.nan), "–")
    }
}
