/// A line plot: several series over a shared x axis, vertical marks and shaded x intervals.
public struct LinePlot: Sendable, Equatable {
    /// One line.
    public struct Series: Sendable, Equatable {
        /// The legend entry (e.g. the model name).
        public var name: String
        /// Positions.
        public var x: [Double]
        /// Values; non-finite values break the line.
        public var y: [Double]
        /// Stroke colour (`#rrggbb`).
        public var color: String

        /// A series; points beyond the shorter of `x` and `y` are ignored.
        public init(name: String, x: [Double], y: [Double], color: String) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }
    }

    /// A vertical line at `x` with a label at its top.
    public struct Mark: Sendable, Equatable {
        /// Position in x units.
        public var x: Double
        /// Label (may be empty).
        public var label: String
        /// Stroke colour.
        public var color: String
        /// Dashed rather than solid.
        public var dashed: Bool

        /// A mark.
        public init(x: Double, label: String, color: String = "#666666", dashed: Bool = true) {
            self.x = x
            self.label = label
            self.color = color
            self.dashed = dashed
        }
    }

    /// A shaded interval [low, high] of x (e.g. a confidence interval).
    public struct Band: Sendable, Equatable {
        /// Lower end in x units.
        public var low: Double
        /// Upper end in x units.
        public var high: Double
        /// Fill colour (drawn translucent).
        public var color: String

        /// A band.
        public init(low: Double, high: Double, color: String) {
            self.low = low
            self.high = high
            self.color = color
        }
    }

    /// Title above the plot.
    public var title: String
    /// A line under the title explaining units and marks (may be empty).
    public var subtitle: String
    /// x axis title with unit.
    public var xTitle: String
    /// y axis title with unit.
    public var yTitle: String
    /// The lines.
    public var series: [Series]
    /// Vertical marks.
    public var marks: [Mark]
    /// Shaded intervals.
    public var bands: [Band]
    /// Fixed x ticks (nil: chosen automatically).
    public var xTicks: [Double]?
    /// Fixed x range (nil: the data's).
    public var xRange: ClosedRange<Double>?
    /// A horizontal reference line (e.g. y = 0), if any.
    public var yReference: Double?

    /// A plot.
    public init(title: String, subtitle: String = "", xTitle: String, yTitle: String, series: [Series], marks: [Mark] = [],
                bands: [Band] = [], xTicks: [Double]? = nil, xRange: ClosedRange<Double>? = nil, yReference: Double? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
        self.marks = marks
        self.bands = bands
        self.xTicks = xTicks
        self.xRange = xRange
        self.yReference = yReference
    }
}

/// Hand-written SVG line plots (no script): axes with units, legend, marks and bands.
public enum LinePlotSVG {
    /// The SVG document of `plot` (standalone; also valid inline in HTML). Empty or non-finite
    /// data give an empty frame with the titles.
    public static func render(_ plot: LinePlot, width: Double = 600, height: Double = 320) -> String {
        let left = 64.0, right = 150.0, top = plot.subtitle.isEmpty ? 34.0 : 48.0, bottom = 46.0
        let plotWidth = max(50, width - left - right), plotHeight = max(50, height - top - bottom)
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(plot.title, x: left, y: 20, size: 13, weight: "bold")
        if !plot.subtitle.isEmpty { canvas.text(plot.subtitle, x: left, y: 36, size: 10, fill: "#555555") }

        let (xLow, xHigh) = xRange(plot)
        let (yLow, yHigh) = yRange(plot)
        func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight }

        for band in plot.bands where band.low.isFinite && band.high.isFinite {
            let a = px(max(xLow, min(band.low, band.high))), b = px(min(xHigh, max(band.low, band.high)))
            canvas.rect(a, top, b - a, plotHeight, fill: band.color, opacity: 0.15)
        }
        let xTicks = (plot.xTicks ?? Ticks.nice(low: xLow, high: xHigh)).filter { $0 >= xLow - 1e-9 && $0 <= xHigh + 1e-9 }
        for tick in xTicks {
            canvas.line(px(tick), top, px(tick), top + plotHeight, stroke: "#eeeeee")
            canvas.line(px(tick), top + plotHeight, px(tick), top + plotHeight + 4, stroke: "#444444")
            canvas.text(SVGFormat.label(tick), x: px(tick), y: top + plotHeight + 16, anchor: "middle")
        }
        for tick in Ticks.nice(low: yLow, high: yHigh, target: 5) {
            canvas.line(left, py(tick), left + plotWidth, py(tick), stroke: "#eeeeee")
            canvas.line(left - 4, py(tick), left, py(tick), stroke: "#444444")
            canvas.text(SVGFormat.label(tick), x: left - 6, y: py(tick) + 4, anchor: "end")
        }
        if let reference = plot.yReference, reference > yLow, reference < yHigh {
            canvas.line(left, py(reference), left + plotWidth, py(reference), stroke: "#999999")
        }
        for mark in plot.marks where mark.x.isFinite && mark.x >= xLow && mark.x <= xHigh {
            canvas.line(px(mark.x), top, px(mark.x), top + plotHeight, stroke: mark.color, width: 1.2,
                        dash: mark.dashed ? "4 3" : nil)
            if !mark.label.isEmpty { canvas.text(mark.label, x: px(mark.x) + 3, y: top + 10, size: 10, fill: mark.color) }
        }
        for series in plot.series {
            let count = min(series.x.count, series.y.count)
            let points: [(Double, Double)?] = (0..<count).map { i in
                let x = series.x[i], y = series.y[i]
                return x.isFinite && y.isFinite ? (px(x), py(y)) : nil
            }
            canvas.polyline(points, stroke: series.color, dataName: series.name)
        }
        canvas.rect(left, top, plotWidth, plotHeight, fill: "none", stroke: "#444444")
        canvas.text(plot.xTitle, x: left + plotWidth / 2, y: height - 8, anchor: "middle", size: 12)
        canvas.text(plot.yTitle, x: 14, y: top + plotHeight / 2, anchor: "middle", size: 12, rotate: -90)
        for (index, series) in plot.series.enumerated() {
            let y = top + 8 + Double(index) * 16
            canvas.line(left + plotWidth + 12, y, left + plotWidth + 30, y, stroke: series.color, width: 2)
            canvas.text(HeatmapSVG.shortened(series.name), x: left + plotWidth + 34, y: y + 4)
        }
        return canvas.document(title: plot.title)
    }

    static func xRange(_ plot: LinePlot) -> (Double, Double) {
        if let range = plot.xRange, range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound {
            return (range.lowerBound, range.upperBound)
        }
        var values = plot.series.flatMap { Array($0.x.prefix(min($0.x.count, $0.y.count))) }
        values += plot.marks.map(\.x) + plot.bands.flatMap { [$0.low, $0.high] }
        return padded(values.filter(\.isFinite), fraction: 0)
    }

    static func yRange(_ plot: LinePlot) -> (Double, Double) {
        var values = plot.series.flatMap { Array($0.y.prefix(min($0.x.count, $0.y.count))) }
        if let reference = plot.yReference { values.append(reference) }
        return padded(values.filter(\.isFinite), fraction: 0.05)
    }

    /// [min, max] widened by `fraction` of the span; a single value or none gets a unit span.
    static func padded(_ values: [Double], fraction: Double) -> (Double, Double) {
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        if high - low <= 1e-12 * max(1, abs(low)) { return (low - 0.5, high + 0.5) }
        let pad = (high - low) * fraction
        return (low - pad, high + pad)
    }
}
