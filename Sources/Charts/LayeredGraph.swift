import Foundation

/// A directed acyclic graph drawn left to right: nodes in columns by depth (a
/// node sits one column right of its deepest input), edges as curves, each
/// node a labelled box whose CSS class says its state.
public struct LayeredGraph: Sendable {
    public struct Node: Sendable {
        public var id: String
        public var label: String
        /// A second, smaller line (a count, a state).
        public var detail: String
        /// CSS classes for the box (`done`, `pending`, …).
        public var state: String
        public var hover: String
        public var inputs: [String]

        public init(id: String, label: String, detail: String, state: String, hover: String, inputs: [String]) {
            self.id = id
            self.label = label
            self.detail = detail
            self.state = state
            self.hover = hover
            self.inputs = inputs
        }
    }

    public var title: String
    /// In an order where every node comes after its inputs.
    public var nodes: [Node]
    public var attributes: [(String, String?)] = []

    public init(title: String, nodes: [Node]) {
        self.title = title
        self.nodes = nodes
    }

    public func svg() -> String {
        var depth: [String: Int] = [:]
        for node in nodes { depth[node.id] = (node.inputs.compactMap { depth[$0] }.max() ?? -1) + 1 }
        let columns = (depth.values.max() ?? 0) + 1
        var rows = [Int](repeating: 0, count: columns)
        var place: [String: (x: Double, y: Double)] = [:]
        let boxW = 150.0, boxH = 34.0, gapX = 46.0, gapY = 10.0
        for node in nodes {
            let c = depth[node.id] ?? 0
            place[node.id] = (10 + Double(c) * (boxW + gapX), 10 + Double(rows[c]) * (boxH + gapY))
            rows[c] += 1
        }
        let width = 20 + Double(columns) * (boxW + gapX) - gapX
        let height = 20 + Double(rows.max() ?? 1) * (boxH + gapY) - gapY
        var edges = "", boxes = ""
        for node in nodes {
            guard let to = place[node.id] else { continue }
            for input in Set(node.inputs).sorted() {
                guard let from = place[input] else { continue }
                let x1 = from.x + boxW, y1 = from.y + boxH / 2, x2 = to.x, y2 = to.y + boxH / 2
                let d = "M\(Markup.number(x1)) \(Markup.number(y1))C\(Markup.number(x1 + gapX / 2)) \(Markup.number(y1)) "
                    + "\(Markup.number(x2 - gapX / 2)) \(Markup.number(y2)) \(Markup.number(x2)) \(Markup.number(y2))"
                edges += Markup.element("path", [("class", "edge"), ("d", d)])
            }
            var box = Markup.element("rect", [("class", "node " + node.state), ("x", Markup.number(to.x)), ("y", Markup.number(to.y)),
                                              ("width", Markup.number(boxW)), ("height", Markup.number(boxH)), ("rx", "4")])
            box += Markup.element("text", [("class", "nodelabel"), ("x", Markup.number(to.x + 6)), ("y", Markup.number(to.y + 14))], Markup.escape(node.label))
            box += Markup.element("text", [("class", "nodedetail"), ("x", Markup.number(to.x + 6)), ("y", Markup.number(to.y + 28))], Markup.escape(node.detail))
            boxes += Markup.element("g", [("data-task", node.id)], Markup.element("title", [], Markup.escape(node.hover)) + box)
        }
        var frame = PlotFrame(width: width, height: height)
        frame.left = 0
        return frame.svg(title: title, attributes: attributes, body: edges + boxes)
    }
}
