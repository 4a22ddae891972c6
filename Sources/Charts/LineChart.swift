import Foundation

/// Lines over a shared x axis (learning curves, learning-rate schedules): one
/// `LineSeries` per trial, the highlighted one drawn last, thicker and labelled
/// at its end; `Band`s (mean ± std) under the lines.
public struct LineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        /// In x order; non-finite values are skipped.
        public var points: [(x: Double, y: Double)]
        /// The hover text (`<title>`): which trial, with which settings.
        public var hover: String
        /// An index into `ChartStyle`'s palette.
        public var colour: Int
        /// Drawn last, thicker and fully opaque (the selected trial).
        public var highlighted: Bool
        /// Extra attributes on the `<path>` (e.g. `data-trial`).
        public var attributes: [(String, String)]
        /// Drawn dashed (a trial that did not finish normally).
        public var dashed: Bool
        /// A direct label at the line's end (used for the highlighted series).
        public var endLabel: String?

        /// A line and how it is drawn.
        public init(points: [(x: Double, y: Double)], hover: String, colour: Int, highlighted: Bool = false,
                    attributes: [(String, String)] = [], dashed: Bool = false, endLabel: String? = nil) {
            self.points = points
            self.hover = hover
            self.colour = colour
            self.highlighted = highlighted
            self.attributes = attributes
            self.dashed = dashed
            self.endLabel = endLabel
        }
    }

    /// A filled region between `lower` and `upper` at the same x values.
    public struct Band: Sendable {
        /// The x values, and the band's lower and upper y at each.
        public var x: [Double]
        public var lower: [Double]
        public var upper: [Double]
        /// An index into `ChartStyle`'s palette.
        public var colour: Int
        /// The hover text (`<title>`).
        public var hover: String
        /// Extra attributes on the band's `<path>`.
        public var attributes: [(String, String)]

        /// A band between `lower` and `upper`.
        public init(x: [Double], lower: [Double], upper: [Double], colour: Int, hover: String, attributes: [(String, String)] = []) {
            self.x = x
            self.lower = lower
            self.upper = upper
            self.colour = colour
            self.hover = hover
            self.attributes = attributes
        }
    }

    /// The accessible title and the axis titles (with units).
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// The lines and the bands under them.
    public var series: [Series]
    public var bands: [Band] = []
    /// Linear or logarithmic x.
    public var xKind: Scale.Kind = .linear
    /// Log when nil and the values span decades and are positive (a loss falling from 2 to 0.001).
    public var yKind: Scale.Kind? = nil
    /// Size and margins.
    public var frame = PlotFrame()
    /// Extra attributes on the `<svg>`.
    public var attributes: [(String, String?)] = []
    /// Whether x counts whole things (epochs, steps): no tick between two integers.
    public var xIntegers = false

    /// A chart of `series` with titled axes.
    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The `<svg>` element.
    public func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.x) } + bands.flatMap(\.x)
        let ys = series.flatMap { $0.points.map(\.y) } + bands.flatMap { $0.lower + $0.upper }
        let yk = yKind ?? Self.automaticKind(ys)
        // The x extent is the data's (epoch 1 to the last, step 0 to the last), not widened to a round number.
        let x = Scale.fitting(xs, kind: xKind, range: frame.xRange, nice: false)
        // Padded data extent, not a round one: accuracy stays below 1.1, a loss is not squeezed.
        let y = Scale.fitting(ys, kind: yk, range: frame.yRange, nice: false, padding: 0.04)
        var xTicks: [PlotFrame.Tick]? = nil
        if xIntegers {
            let (values, step) = x.ticks(count: max(3, Int((frame.width - frame.left - frame.right) / 80)))
            xTicks = step >= 1 ? values.map { ($0, x.label($0, step: step)) }
                : Array(Int(x.lower.rounded(.up))...max(Int(x.lower.rounded(.up)), Int(x.upper.rounded(.down)))).map { (Double($0), String($0)) }
        }
        var body = frame.axes(x: x, y: y, xLabel: xLabel, yLabel: yLabel + (yk == .log ? " (log scale)" : ""), xTicks: xTicks)
        for band in bands {
            var pts: [(x: Double, y: Double)] = []
            for i in band.x.indices where band.lower[i].isFinite && band.upper[i].isFinite { pts.append((x.map(band.x[i]), y.map(band.upper[i]))) }
            for i in band.x.indices.reversed() where band.lower[i].isFinite && band.upper[i].isFinite { pts.append((x.map(band.x[i]), y.map(band.lower[i]))) }
            guard pts.count >= 2 else { continue }
            body += Markup.element("path", [("class", "band f\(band.colour % ChartStyle.paletteSize)"), ("d", Markup.path(pts) + "Z")]
                                   + band.attributes.map { ($0.0, $0.1) }, Markup.element("title", [], Markup.escape(band.hover)))
        }
        // The highlighted series last, so it is on top.
        let ordered = series.filter { !$0.highlighted } + series.filter(\.highlighted)
        for s in ordered {
            let pixels = Self.decimated(s.points.filter { $0.x.isFinite && $0.y.isFinite && (yk == .linear || $0.y > 0) }
                .map { (x.map($0.x), y.map($0.y)) }, width: frame.width)
            guard !pixels.isEmpty else { continue }
            var cls = "curve c\(s.colour % ChartStyle.paletteSize)" + (s.highlighted ? " sel" : "") + (s.dashed ? " dashed" : "")
            if pixels.count == 1 { cls += " dot" }
            let d = pixels.count == 1 ? Markup.path([pixels[0], (pixels[0].x + 0.01, pixels[0].y)]) : Markup.path(pixels)
            body += Markup.element("path", [("class", cls), ("d", d)] + s.attributes.map { ($0.0, $0.1) },
                                   Markup.element("title", [], Markup.escape(s.hover)))
            if let label = s.endLabel, let last = pixels.last {
                let anchor = last.x > frame.width - 120 ? "end" : "start"
                body += Markup.element("text", [("class", "endlabel t\(s.colour % ChartStyle.paletteSize)"),
                                                ("x", Markup.number(anchor == "end" ? last.x - 4 : last.x + 4)),
                                                ("y", Markup.number(max(frame.top + 10, last.y - 6))), ("text-anchor", anchor)],
                                       Markup.escape(label))
            }
        }
        return frame.svg(title: title, attributes: attributes, body: body)
    }

    /// Log for positive values spanning two decades or more (a loss falling from 2 to 0.01), else linear.
    public static func automaticKind(_ values: [Double]) -> Scale.Kind {
        let v = values.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max(), lo > 0 else { return .linear }
        return hi / lo >= 100 ? .log : .linear
    }

    /// At most four points per pixel column (its first, lowest, highest and last), in order:
    /// a 6,000-step schedule keeps its jumps and corners but not 6,000 path commands.
    public static func decimated(_ points: [(x: Double, y: Double)], width: Double) -> [(x: Double, y: Double)] {
        guard points.count > Int(width) * 2 else { return points }
        var out: [(x: Double, y: Double)] = []
        var i = 0
        while i < points.count {
            let column = points[i].x.rounded(.down)
            var j = i
            var lowest = i, highest = i
            while j < points.count && points[j].x.rounded(.down) == column {
                if points[j].y < points[lowest].y { lowest = j }
                if points[j].y > points[highest].y { highest = j }
                j += 1
            }
            for k in Set([i, lowest, highest, j - 1]).sorted() { out.append(points[k]) }
            i = j
        }
        return out
    }
}
