import Foundation

/// A directed acyclic graph drawn top to bottom: nodes in rows by depth (a node
/// sits one row below its deepest input), edges as curves ending in arrowheads,
/// each node a labelled box whose CSS class says its state.
public struct LayeredGraph: Sendable {
    /// One box.
    public struct Node: Sendable {
        /// Unique among the nodes; also the `data-task` attribute.
        public var id: String
        public var label: String
        /// A second, smaller line (a count, a state).
        public var detail: String
        /// CSS classes for the box (`done`, `pending`, …).
        public var state: String
        /// The hover text (`<title>`).
        public var hover: String
        /// Ids of the nodes it reads from (arrows point from them to it).
        public var inputs: [String]

        /// A node and its inputs.
        public init(id: String, label: String, detail: String, state: String, hover: String, inputs: [String]) {
            self.id = id
            self.label = label
            self.detail = detail
            self.state = state
            self.hover = hover
            self.inputs = inputs
        }
    }

    /// The accessible title (`<title>`).
    public var title: String
    /// In an order where every node comes after its inputs.
    public var nodes: [Node]
    /// Extra attributes on the `<svg>`.
    public var attributes: [(String, String?)] = []

    /// A graph of `nodes`, each after its inputs.
    public init(title: String, nodes: [Node]) {
        self.title = title
        self.nodes = nodes
    }

    /// The `<svg>` element.
    public func svg() -> String {
        var depth: [String: Int] = [:]
        for node in nodes { depth[node.id] = (node.inputs.compactMap { depth[$0] }.max() ?? -1) + 1 }
        let layers = (depth.values.max() ?? 0) + 1
        var members = [[String]](repeating: [], count: layers)
        for node in nodes { members[depth[node.id] ?? 0].append(node.id) }
        // Boxes as wide as the longest label (about 6.6 px a character at 11 px bold).
        let longest = nodes.map { max($0.label.count, $0.detail.count) }.max() ?? 10
        let boxW = max(110, Double(longest) * 6.6 + 14), boxH = 34.0, gapX = 16.0, gapY = 30.0
        let widest = Double(members.map(\.count).max() ?? 1)
        let width = 20 + widest * (boxW + gapX) - gapX
        let height = 20 + Double(layers) * (boxH + gapY) - gapY
        // Top to bottom, one row per depth, each row centred: a plan is deeper than it is wide
        // once a stage's many tasks of one kind are drawn as one box.
        var place: [String: (x: Double, y: Double)] = [:]
        for (row, ids) in members.enumerated() {
            let rowWidth = Double(ids.count) * (boxW + gapX) - gapX
            for (i, id) in ids.enumerated() {
                place[id] = ((width - rowWidth) / 2 + Double(i) * (boxW + gapX), 10 + Double(row) * (boxH + gapY))
            }
        }
        var edges = "", boxes = ""
        for node in nodes {
            guard let to = place[node.id] else { continue }
            let sources = Set(node.inputs).sorted()
            for (k, input) in sources.enumerated() {
                guard let from = place[input] else { continue }
                // Several inputs land side by side on the box's top edge.
                let x1 = from.x + boxW / 2, y1 = from.y + boxH
                let x2 = to.x + boxW * Double(k + 1) / Double(sources.count + 1), y2 = to.y
                let bend = max(gapY / 2, (y2 - y1) / 2)
                let d = "M\(Markup.number(x1)) \(Markup.number(y1))C\(Markup.number(x1)) \(Markup.number(y1 + bend)) "
                    + "\(Markup.number(x2)) \(Markup.number(y2 - bend)) \(Markup.number(x2)) \(Markup.number(y2 - 1))"
                edges += Markup.element("path", [("class", "edge"), ("d", d)])
                edges += Markup.element("path", [("class", "arrow"),
                                                 ("d", "M\(Markup.number(x2 - 4)) \(Markup.number(y2 - 7))L\(Markup.number(x2 + 4)) \(Markup.number(y2 - 7))L\(Markup.number(x2)) \(Markup.number(y2))Z")])
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
