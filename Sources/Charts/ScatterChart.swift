import Foundation

/// Points of one measure against one setting (a sweep): a numeric x axis (log
/// when asked) or a categorical one (an optimizer's name, a list), the
/// highlighted point ringed and labelled.
public struct ScatterChart: Sendable {
    /// A point's mark: filled (finished), hollow (stopped before its last epoch), a cross (diverged).
    public enum Mark: String, Sendable { case filled, hollow, cross }

    /// One mark.
    public struct Point: Sendable {
        /// Numeric x, or nil on a categorical axis (then `category` is set).
        public var x: Double?
        /// The category on a categorical axis.
        public var category: String?
        /// The measured value.
        public var y: Double
        /// The hover text (`<title>`).
        public var hover: String
        /// How it is drawn.
        public var mark: Mark
        /// Ringed, drawn last and labelled `selected`.
        public var highlighted: Bool
        /// Extra attributes on the mark.
        public var attributes: [(String, String)]

        /// A point and how it is drawn.
        public init(x: Double?, category: String? = nil, y: Double, hover: String, mark: Mark = .filled,
                    highlighted: Bool = false, attributes: [(String, String)] = []) {
            self.x = x
            self.category = category
            self.y = y
            self.hover = hover
            self.mark = mark
            self.highlighted = highlighted
            self.attributes = attributes
        }
    }

    /// The accessible title and the axis titles (with units).
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// The marks.
    public var points: [Point]
    /// Linear or logarithmic x (numeric axes).
    public var xKind: Scale.Kind = .linear
    /// Size and margins.
    public var frame = PlotFrame(width: 420, height: 260)
    /// Extra attributes on the `<svg>`.
    public var attributes: [(String, String?)] = []

    /// A chart of `points` with titled axes.
    public init(title: String, xLabel: String, yLabel: String, points: [Point]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
    }

    /// The `<svg>` element.
    public func svg() -> String {
        let categories: [String] = {
            var seen: [String] = []
            for p in points where p.x == nil { if let c = p.category, !seen.contains(c) { seen.append(c) } }
            return seen
        }()
        let categorical = !categories.isEmpty
        let ys = points.map(\.y)
        let y = Scale.fitting(ys, kind: .linear, range: frame.yRange)
        let x: Scale
        var ticks: [PlotFrame.Tick]? = nil
        if categorical {
            x = Scale(kind: .linear, lower: -0.5, upper: Double(categories.count) - 0.5, rangeStart: frame.xRange.0, rangeEnd: frame.xRange.1)
            ticks = categories.enumerated().map { (Double($0.offset), $0.element) }
        } else {
            let xs = points.compactMap(\.x).filter { $0.isFinite && (xKind == .linear || $0 > 0) }
            x = Scale.fitting(xs, kind: xKind, range: frame.xRange, nice: false, padding: 0.08)
            // A grid's few values are the ticks themselves (batch sizes 16 and 32, not 20, 25, 30).
            let distinct = Array(Set(xs)).sorted()
            if distinct.count <= 6 { ticks = distinct.map { ($0, TickFormat.value($0)) } }
        }
        var body = frame.axes(x: x, y: y, xLabel: xLabel + (xKind == .log && !categorical ? " (log scale)" : ""), yLabel: yLabel, xTicks: ticks)
        // Categorical points spread a little sideways so repeated values stay visible.
        var perCategory: [String: Int] = [:]
        let ordered = points.filter { !$0.highlighted } + points.filter(\.highlighted)
        for p in ordered where p.y.isFinite {
            var px: Double
            if let v = p.x {
                guard v.isFinite, xKind == .linear || v > 0 else { continue }
                px = x.map(v)
            } else {
                let c = p.category ?? ""
                let n = perCategory[c, default: 0]
                perCategory[c] = n + 1
                px = x.map(Double(categories.firstIndex(of: c) ?? 0)) + Double((n % 7) - 3) * 3
            }
            let py = y.map(p.y)
            let title = Markup.element("title", [], Markup.escape(p.hover))
            let cls = "mark " + p.mark.rawValue + (p.highlighted ? " sel" : "")
            let attrs = p.attributes.map { ($0.0, Optional($0.1)) }
            if p.mark == .cross {
                let d = "M\(Markup.number(px - 4)) \(Markup.number(py - 4))L\(Markup.number(px + 4)) \(Markup.number(py + 4))"
                    + "M\(Markup.number(px - 4)) \(Markup.number(py + 4))L\(Markup.number(px + 4)) \(Markup.number(py - 4))"
                body += Markup.element("path", [("class", cls), ("d", d)] + attrs, title)
            } else {
                body += Markup.element("circle", [("class", cls), ("cx", Markup.number(px)), ("cy", Markup.number(py)),
                                                  ("r", p.highlighted ? "6" : "4")] + attrs, title)
            }
            if p.highlighted {
                body += Markup.element("text", [("class", "endlabel"), ("x", Markup.number(px + 9)), ("y", Markup.number(py - 8))], "selected")
            }
        }
        return frame.svg(title: title, attributes: attributes, body: body)
    }
}
