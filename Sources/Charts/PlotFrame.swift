import Foundation

/// A chart's canvas: its size, the margins that hold the axes, and the axes
/// themselves (ticks, faint grid lines, a label with its unit on each axis).
/// Colours are CSS classes (`ChartStyle`), so one SVG reads on paper, on a
/// light screen and in a dark-mode browser.
public struct PlotFrame: Sendable {
    /// The canvas in px (the SVG's viewBox; it scales down to fit its container).
    public var width: Double
    public var height: Double
    /// Margins in px: room for tick labels and axis titles.
    public var top: Double = 14
    public var right: Double = 18
    public var bottom: Double = 46
    public var left: Double = 64

    /// A canvas of `width` × `height` px with the default margins.
    public init(width: Double = 640, height: Double = 300) {
        self.width = width
        self.height = height
    }

    /// The plot area's x range (left to right) and y range (bottom to top: larger values higher).
    public var xRange: (Double, Double) { (left, width - right) }
    public var yRange: (Double, Double) { (height - bottom, top) }

    /// One tick: its position in data units and its label.
    public typealias Tick = (value: Double, label: String)

    /// The axes of `x` and `y`: grid lines, tick marks and labels, axis titles.
    /// `xTicks` replaces the x scale's own ticks (a categorical axis).
    public func axes(x: Scale, y: Scale, xLabel: String, yLabel: String, xTicks: [Tick]? = nil) -> String {
        var s = ""
        let (yt, ystep) = y.ticks()
        for v in yt {
            let py = y.map(v)
            s += Markup.element("line", [("class", "grid"), ("x1", Markup.number(left)), ("x2", Markup.number(width - right)),
                                         ("y1", Markup.number(py)), ("y2", Markup.number(py))])
            s += Markup.element("text", [("class", "tick"), ("x", Markup.number(left - 6)), ("y", Markup.number(py + 4)),
                                         ("text-anchor", "end")], Markup.escape(y.label(v, step: ystep)))
        }
        let ticks: [Tick] = xTicks ?? {
            let (xt, xstep) = x.ticks(count: max(3, Int((width - left - right) / 80)))
            return xt.map { ($0, x.label($0, step: xstep)) }
        }()
        for t in ticks {
            let px = x.map(t.value)
            s += Markup.element("line", [("class", "tickmark"), ("x1", Markup.number(px)), ("x2", Markup.number(px)),
                                         ("y1", Markup.number(height - bottom)), ("y2", Markup.number(height - bottom + 4))])
            s += Markup.element("text", [("class", "tick"), ("x", Markup.number(px)), ("y", Markup.number(height - bottom + 16)),
                                         ("text-anchor", "middle")], Markup.escape(t.label))
        }
        s += Markup.element("line", [("class", "axis"), ("x1", Markup.number(left)), ("x2", Markup.number(width - right)),
                                     ("y1", Markup.number(height - bottom)), ("y2", Markup.number(height - bottom))])
        s += Markup.element("line", [("class", "axis"), ("x1", Markup.number(left)), ("x2", Markup.number(left)),
                                     ("y1", Markup.number(top)), ("y2", Markup.number(height - bottom))])
        s += Markup.element("text", [("class", "label"), ("x", Markup.number((left + width - right) / 2)),
                                     ("y", Markup.number(height - 8)), ("text-anchor", "middle")], Markup.escape(xLabel))
        let cy = (top + height - bottom) / 2
        s += Markup.element("text", [("class", "label"), ("x", "14"), ("y", Markup.number(cy)), ("text-anchor", "middle"),
                                     ("transform", "rotate(-90 14 \(Markup.number(cy)))")], Markup.escape(yLabel))
        return s
    }

    /// The `<svg>` element around `body`, scaling to its container's width, with an
    /// accessible title; `attributes` are added (e.g. `data-chart`).
    public func svg(title: String, attributes: [(String, String?)] = [], body: String) -> String {
        Markup.element("svg", [("class", "chart"),
                               ("viewBox", "0 0 \(Markup.number(width)) \(Markup.number(height))"),
                               ("width", Markup.number(width)), ("height", Markup.number(height)),
                               ("role", "img"), ("aria-label", title)] + attributes,
                       Markup.element("title", [], Markup.escape(title)) + body)
    }
}
