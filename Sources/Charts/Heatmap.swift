import Foundation

/// A matrix of counts (a confusion matrix): rows and columns labelled, each
/// cell shaded by its share of its row and showing its count, so the diagonal
/// reads at a glance in colour, in grey print and in dark mode alike.
public struct Heatmap: Sendable {
    /// The accessible title (`<title>`).
    public var title: String
    /// The axis titles: rows (`true class`) and columns (`predicted class`).
    public var rowTitle: String
    public var columnTitle: String
    /// One label per row and per column.
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[r][c]`.
    public var values: [[Double]]
    /// Extra attributes on the `<svg>` (e.g. `data-chart`).
    public var attributes: [(String, String?)] = []

    /// A matrix with its labels; `values[r][c]`.
    public init(title: String, rowTitle: String, columnTitle: String, rowLabels: [String], columnLabels: [String], values: [[Double]]) {
        self.title = title
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
    }

    /// The `<svg>` element.
    public func svg() -> String {
        let longest = Double((rowLabels + columnLabels).map(\.count).max() ?? 1)
        let cell = max(28.0, min(56.0, 420.0 / Double(max(columnLabels.count, 1))))
        let labelWidth = min(160, 12 + longest * 7)
        let left = 22 + labelWidth, top = 40.0
        let width = left + cell * Double(columnLabels.count) + 12
        let height = top + cell * Double(rowLabels.count) + 12
        var body = ""
        body += Markup.element("text", [("class", "label"), ("x", Markup.number(left + cell * Double(columnLabels.count) / 2)), ("y", "12"),
                                        ("text-anchor", "middle")], Markup.escape(columnTitle))
        let cy = top + cell * Double(rowLabels.count) / 2
        body += Markup.element("text", [("class", "label"), ("x", "12"), ("y", Markup.number(cy)), ("text-anchor", "middle"),
                                        ("transform", "rotate(-90 12 \(Markup.number(cy)))")], Markup.escape(rowTitle))
        for (c, label) in columnLabels.enumerated() {
            body += Markup.element("text", [("class", "tick"), ("x", Markup.number(left + cell * (Double(c) + 0.5))), ("y", Markup.number(top - 6)),
                                            ("text-anchor", "middle")], Markup.escape(Self.clipped(label, cell)))
        }
        for (r, label) in rowLabels.enumerated() {
            let rowValues = r < values.count ? values[r] : []
            let total = rowValues.reduce(0, +)
            body += Markup.element("text", [("class", "tick"), ("x", Markup.number(left - 6)), ("y", Markup.number(top + cell * (Double(r) + 0.5) + 4)),
                                            ("text-anchor", "end")], Markup.escape(label))
            for c in columnLabels.indices {
                let v = c < rowValues.count ? rowValues[c] : 0
                let share = total > 0 ? v / total : 0
                let x = left + cell * Double(c), y = top + cell * Double(r)
                let hover = "true \(label), predicted \(columnLabels[c]): \(TickFormat.value(v))" + (total > 0 ? String(format: " (%.1f%% of the row)", share * 100) : "")
                body += Markup.element("rect", [("class", "cell" + (r == c ? " diagonal" : "")), ("x", Markup.number(x)), ("y", Markup.number(y)),
                                                ("width", Markup.number(cell - 1)), ("height", Markup.number(cell - 1)),
                                                ("fill-opacity", Markup.number(0.08 + 0.92 * share))],
                                       Markup.element("title", [], Markup.escape(hover)))
                body += Markup.element("text", [("class", share > 0.55 ? "count strong" : "count"), ("x", Markup.number(x + cell / 2)),
                                                ("y", Markup.number(y + cell / 2 + 4)), ("text-anchor", "middle")], Markup.escape(TickFormat.value(v)))
            }
        }
        var frame = PlotFrame(width: width, height: height)
        frame.left = 0
        return frame.svg(title: title, attributes: attributes, body: body)
    }

    private static func clipped(_ label: String, _ cell: Double) -> String {
        let room = max(3, Int(cell / 7))
        return label.count <= room ? label : String(label.prefix(room - 1)) + "…"
    }
}
