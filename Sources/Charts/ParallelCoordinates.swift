import Foundation

/// One polyline per item across several vertical axes (three or more swept
/// settings and the metric they produced): each axis has its own scale, numeric
/// (log when asked) or categorical; lines are shaded by the last axis's value.
public struct ParallelCoordinates: Sendable {
    /// One vertical axis.
    public struct Axis: Sendable {
        /// Its title.
        public var name: String
        /// Numeric values by item (nil: the item has none), or categories when `categorical`.
        public var numbers: [Double?]
        /// Categories by item, when `categorical`.
        public var categories: [String?]
        /// Whether the axis lists categories (sorted) instead of a numeric scale.
        public var categorical: Bool
        /// Linear or logarithmic, for a numeric axis.
        public var kind: Scale.Kind

        /// A numeric axis of one value per item (nil: the item has none).
        public static func numeric(_ name: String, _ values: [Double?], kind: Scale.Kind = .linear) -> Axis {
            Axis(name: name, numbers: values, categories: values.map { _ in nil }, categorical: false, kind: kind)
        }
        /// A categorical axis of one category per item (nil: the item has none).
        public static func categorical(_ name: String, _ values: [String?]) -> Axis {
            Axis(name: name, numbers: values.map { _ in nil }, categories: values, categorical: true, kind: .linear)
        }
    }

    /// The accessible title (`<title>`).
    public var title: String
    /// Left to right; the last one shades the lines.
    public var axes: [Axis]
    /// Per item: hover text, whether highlighted, extra attributes.
    public var hovers: [String]
    /// Per item, whether it is drawn on top and dark (the selected trial).
    public var highlighted: [Bool]
    /// Extra attributes on the `<svg>`.
    public var attributes: [(String, String?)] = []
    /// Whether a larger value of the last axis is better (darker shading goes to the better end).
    public var largerIsBetter = true

    /// One line per item through `axes`.
    public init(title: String, axes: [Axis], hovers: [String], highlighted: [Bool]) {
        self.title = title
        self.axes = axes
        self.hovers = hovers
        self.highlighted = highlighted
    }

    /// The `<svg>` element.
    public func svg() -> String {
        // At least 120 px between axes, so their names and ticks stay apart.
        var frame = PlotFrame(width: max(640, 120 * Double(axes.count) + 80), height: 320)
        frame.top = 44
        frame.bottom = 24
        frame.right = 56
        let n = axes.count
        guard n >= 2 else { return frame.svg(title: title, body: "") }
        let xs = (0..<n).map { frame.left + (frame.width - frame.left - frame.right) * Double($0) / Double(n - 1) }
        // Each axis maps its values to a pixel height.
        var positions: [[Double?]] = []
        var body = ""
        for (i, axis) in axes.enumerated() {
            var pos: [Double?] = []
            var tickMarks: [(Double, String)] = []
            if axis.categorical {
                var seen: [String] = []
                for c in axis.categories { if let c, !seen.contains(c) { seen.append(c) } }
                seen.sort()
                let scale = Scale(kind: .linear, lower: -0.5, upper: Double(max(seen.count, 1)) - 0.5, rangeStart: frame.yRange.0, rangeEnd: frame.yRange.1)
                pos = axis.categories.map { c in c.flatMap { seen.firstIndex(of: $0) }.map { scale.map(Double($0)) } }
                tickMarks = seen.enumerated().map { (scale.map(Double($0.offset)), $0.element) }
            } else {
                let values = axis.numbers.compactMap { $0 }.filter { $0.isFinite && (axis.kind == .linear || $0 > 0) }
                let scale = Scale.fitting(values, kind: axis.kind, range: frame.yRange, tickCount: 4, nice: false, padding: 0.08)
                pos = axis.numbers.map { v in v.flatMap { $0.isFinite && (axis.kind == .linear || $0 > 0) ? scale.map($0) : nil } }
                let distinct = Array(Set(values)).sorted()
                if distinct.count <= 6 {
                    tickMarks = distinct.map { (scale.map($0), TickFormat.value($0)) }
                } else {
                    let (t, step) = scale.ticks(count: 4)
                    tickMarks = t.map { (scale.map($0), scale.label($0, step: step)) }
                }
            }
            positions.append(pos)
            let x = xs[i]
            body += Markup.element("line", [("class", "axis"), ("x1", Markup.number(x)), ("x2", Markup.number(x)),
                                            ("y1", Markup.number(frame.top)), ("y2", Markup.number(frame.height - frame.bottom))])
            // The last axis's labels go to its right, clear of the lines arriving from the left.
            let right = i == n - 1
            for (py, label) in tickMarks {
                body += Markup.element("text", [("class", "tick axislabel"), ("x", Markup.number(right ? x + 5 : x - 4)), ("y", Markup.number(py + 4)),
                                                ("text-anchor", right ? "start" : "end")], Markup.escape(label))
            }
            let anchor = i == 0 ? "start" : (i == n - 1 ? "end" : "middle")
            // Names alternate between two lines: long setting paths would otherwise run into each other.
            body += Markup.element("text", [("class", "label"), ("x", Markup.number(x)), ("y", i % 2 == 0 ? "14" : "30"), ("text-anchor", anchor)],
                                   Markup.escape(axis.name))
        }
        let last = axes[n - 1].numbers
        let finite = last.compactMap { $0 }.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let items = hovers.indices
        let order = items.filter { !highlighted[$0] } + items.filter { highlighted[$0] }
        for item in order {
            var pts: [(x: Double, y: Double)] = []
            for i in 0..<n { if let p = positions[i][item] { pts.append((xs[i], p)) } }
            guard pts.count >= 2 else { continue }
            var shade = 3
            if let v = last[item], v.isFinite, hi > lo {
                let t = (v - lo) / (hi - lo)
                shade = min(4, Int((largerIsBetter ? t : 1 - t) * 5))
            }
            body += Markup.element("path", [("class", "pcline q\(shade)" + (highlighted[item] ? " sel" : "")), ("d", Markup.path(pts))],
                                   Markup.element("title", [], Markup.escape(hovers[item])))
        }
        return frame.svg(title: title, attributes: attributes, body: body)
    }
}
