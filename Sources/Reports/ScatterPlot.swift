import Foundation

/// A 2-D scatter plot: point series with markers, line segments between points, and arrows.
public struct ScatterPlot: Sendable, Equatable {
    /// The shape drawn at each point of a series.
    public enum Marker: String, Sendable, Equatable {
        /// A disc of diameter `size`.
        case circle
        /// A square of side `size`.
        case square
        /// An upward triangle `size` wide.
        case triangle
        /// A diamond `size` wide, 1.25 × `size` tall.
        case diamond
    }

    /// One group of points (e.g. the image embeddings).
    public struct Series: Sendable, Equatable {
        /// The legend entry.
        public var name: String
        /// x positions, in the plot's x units.
        public var x: [Double]
        /// y positions; a point with a non-finite coordinate is not drawn.
        public var y: [Double]
        /// Fill colour (`#rrggbb`).
        public var color: String
        /// Marker shape.
        public var marker: Marker
        /// Marker size (pixels across).
        public var size: Double
        /// Per-point tooltip text (shown on hover in a browser); shorter lists leave the rest without.
        public var labels: [String]

        /// A series; points beyond the shorter of `x` and `y` are ignored.
        public init(name: String, x: [Double], y: [Double], color: String, marker: Marker = .circle, size: Double = 7,
                    labels: [String] = []) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.marker = marker
            self.size = size
            self.labels = labels
        }
    }

    /// A straight line between two points (e.g. joining an image to its caption), drawn under the markers.
    public struct Segment: Sendable, Equatable {
        /// Start (x, y) in data units.
        public var from: (x: Double, y: Double)
        /// End (x, y) in data units.
        public var to: (x: Double, y: Double)
        /// Stroke colour.
        public var color: String

        /// A segment.
        public init(from: (x: Double, y: Double), to: (x: Double, y: Double), color: String = "#c8c8c8") {
            self.from = from
            self.to = to
            self.color = color
        }

        /// Same end points and colour.
        public static func == (a: Segment, b: Segment) -> Bool {
            a.from == b.from && a.to == b.to && a.color == b.color
        }
    }

    /// An arrow from one point to another with a label at its head, drawn over the markers.
    public struct Arrow: Sendable, Equatable {
        /// Tail (x, y) in data units.
        public var from: (x: Double, y: Double)
        /// Head (x, y) in data units.
        public var to: (x: Double, y: Double)
        /// Text beside the head (may be empty).
        public var label: String
        /// Stroke colour.
        public var color: String

        /// An arrow.
        public init(from: (x: Double, y: Double), to: (x: Double, y: Double), label: String, color: String = "#222222") {
            self.from = from
            self.to = to
            self.label = label
            self.color = color
        }

        /// Same end points, label and colour.
        public static func == (a: Arrow, b: Arrow) -> Bool {
            a.from == b.from && a.to == b.to && a.label == b.label && a.color == b.color
        }
    }

    /// Title above the plot.
    public var title: String
    /// Lines under the title, separated by newlines (may be empty).
    public var subtitle: String
    /// x axis title with unit.
    public var xTitle: String
    /// y axis title with unit.
    public var yTitle: String
    /// The point groups, drawn in order (later ones on top).
    public var series: [Series]
    /// Lines under the markers.
    public var segments: [Segment]
    /// Arrows over the markers.
    public var arrows: [Arrow]
    /// One data unit is as long on both axes (for projections, where distances mean something).
    public var equalAspect: Bool

    /// A plot.
    public init(title: String, subtitle: String = "", xTitle: String, yTitle: String, series: [Series], segments: [Segment] = [],
                arrows: [Arrow] = [], equalAspect: Bool = true) {
        self.title = title
        self.subtitle = subtitle
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
        self.segments = segments
        self.arrows = arrows
        self.equalAspect = equalAspect
    }
}

/// Hand-written SVG scatter plots (no script): axes with units and ticks, legend, tooltips.
public enum ScatterPlotSVG {
    /// The SVG document of `plot` (standalone; also valid inline in HTML). Non-finite points,
    /// segments and arrows are left out; no data at all gives an empty frame with the titles.
    public static func render(_ plot: ScatterPlot, width: Double = 620, height: Double = 520) -> String {
        let subtitleLines = plot.subtitle.isEmpty ? [] : plot.subtitle.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let left = 64.0, right = 160.0, top = 34.0 + 14 * Double(subtitleLines.count), bottom = 46.0
        let frameWidth = max(50, width - left - right), frameHeight = max(50, height - top - bottom)
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(plot.title, x: left, y: 20, size: 13, weight: "bold")
        for (index, line) in subtitleLines.enumerated() {
            canvas.text(line, x: left, y: 36 + 14 * Double(index), size: 10, fill: "#555555")
        }

        let (xRange, yRange) = ranges(plot, frameWidth: frameWidth, frameHeight: frameHeight)
        func px(_ x: Double) -> Double { left + (x - xRange.0) / (xRange.1 - xRange.0) * frameWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yRange.0) / (yRange.1 - yRange.0)) * frameHeight }

        for tick in Ticks.nice(low: xRange.0, high: xRange.1) where tick >= xRange.0 && tick <= xRange.1 {
            canvas.line(px(tick), top, px(tick), top + frameHeight, stroke: "#eeeeee")
            canvas.line(px(tick), top + frameHeight, px(tick), top + frameHeight + 4, stroke: "#444444")
            canvas.text(SVGFormat.label(tick), x: px(tick), y: top + frameHeight + 16, anchor: "middle")
        }
        for tick in Ticks.nice(low: yRange.0, high: yRange.1, target: 5) where tick >= yRange.0 && tick <= yRange.1 {
            canvas.line(left, py(tick), left + frameWidth, py(tick), stroke: "#eeeeee")
            canvas.line(left - 4, py(tick), left, py(tick), stroke: "#444444")
            canvas.text(SVGFormat.label(tick), x: left - 6, y: py(tick) + 4, anchor: "end")
        }
        for segment in plot.segments where finite(segment.from) && finite(segment.to) {
            canvas.line(px(segment.from.x), py(segment.from.y), px(segment.to.x), py(segment.to.y), stroke: segment.color, width: 0.8)
        }
        for series in plot.series {
            for i in 0..<min(series.x.count, series.y.count) where series.x[i].isFinite && series.y[i].isFinite {
                let label = i < series.labels.count ? series.labels[i] : nil
                canvas.raw(marker(series.marker, x: px(series.x[i]), y: py(series.y[i]), size: series.size, fill: series.color,
                                  title: label))
            }
        }
        for arrow in plot.arrows where finite(arrow.from) && finite(arrow.to) {
            drawArrow(&canvas, from: (px(arrow.from.x), py(arrow.from.y)), to: (px(arrow.to.x), py(arrow.to.y)),
                      label: arrow.label, color: arrow.color)
        }
        canvas.rect(left, top, frameWidth, frameHeight, fill: "none", stroke: "#444444")
        canvas.text(plot.xTitle, x: left + frameWidth / 2, y: height - 8, anchor: "middle", size: 12)
        canvas.text(plot.yTitle, x: 14, y: top + frameHeight / 2, anchor: "middle", size: 12, rotate: -90)
        for (index, series) in plot.series.enumerated() {
            let y = top + 8 + Double(index) * 18
            canvas.raw(marker(series.marker, x: left + frameWidth + 20, y: y, size: series.size, fill: series.color, title: nil))
            canvas.text(HeatmapSVG.shortened(series.name), x: left + frameWidth + 32, y: y + 4)
        }
        return canvas.document(title: plot.title)
    }

    /// The x and y ranges shown: the data's (points, segments, arrows) padded by 5%, widened on one
    /// axis to keep one data unit equally long on both when `equalAspect`.
    static func ranges(_ plot: ScatterPlot, frameWidth: Double, frameHeight: Double) -> ((Double, Double), (Double, Double)) {
        var xs: [Double] = [], ys: [Double] = []
        for series in plot.series {
            for i in 0..<min(series.x.count, series.y.count) where series.x[i].isFinite && series.y[i].isFinite {
                xs.append(series.x[i])
                ys.append(series.y[i])
            }
        }
        for (a, b) in plot.segments.map({ ($0.from, $0.to) }) + plot.arrows.map({ ($0.from, $0.to) }) where finite(a) && finite(b) {
            xs += [a.x, b.x]
            ys += [a.y, b.y]
        }
        var x = LinePlotSVG.padded(xs, fraction: 0.05), y = LinePlotSVG.padded(ys, fraction: 0.05)
        guard plot.equalAspect else { return (x, y) }
        let unitsPerPixel = max((x.1 - x.0) / frameWidth, (y.1 - y.0) / frameHeight)
        let xMid = (x.0 + x.1) / 2, yMid = (y.0 + y.1) / 2
        x = (xMid - unitsPerPixel * frameWidth / 2, xMid + unitsPerPixel * frameWidth / 2)
        y = (yMid - unitsPerPixel * frameHeight / 2, yMid + unitsPerPixel * frameHeight / 2)
        return (x, y)
    }

    private static func finite(_ point: (x: Double, y: Double)) -> Bool { point.x.isFinite && point.y.isFinite }

    /// One marker element centred at (x, y), with an optional tooltip.
    static func marker(_ shape: ScatterPlot.Marker, x: Double, y: Double, size: Double, fill: String, title: String?) -> String {
        let r = max(1, size) / 2
        let c = SVGFormat.coordinate
        let paint = "fill=\"\(Markup.attribute(fill))\" fill-opacity=\"0.85\" stroke=\"#333333\" stroke-width=\"0.6\""
        let tooltip = title.map { "<title>\(Markup.text($0))</title>" } ?? ""
        let close = tooltip.isEmpty ? "/>" : ">\(tooltip)"
        switch shape {
        case .circle:
            return "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\" \(paint)" + close + (tooltip.isEmpty ? "" : "</circle>")
        case .square:
            return "<rect x=\"\(c(x - r))\" y=\"\(c(y - r))\" width=\"\(c(2 * r))\" height=\"\(c(2 * r))\" \(paint)" + close
                + (tooltip.isEmpty ? "" : "</rect>")
        case .triangle, .diamond:
            let points: [(Double, Double)] = shape == .triangle
                ? [(x, y - 1.15 * r), (x + r, y + 0.85 * r), (x - r, y + 0.85 * r)]
                : [(x, y - 1.25 * r), (x + r, y), (x, y + 1.25 * r), (x - r, y)]
            let list = points.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
            return "<polygon points=\"\(list)\" \(paint)" + close + (tooltip.isEmpty ? "" : "</polygon>")
        }
    }

    /// A shaft and a filled head at `to`, in pixels, with the label past the head.
    private static func drawArrow(_ canvas: inout SVGCanvas, from: (Double, Double), to: (Double, Double), label: String, color: String) {
        let dx = to.0 - from.0, dy = to.1 - from.1
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0.5 else {
            if !label.isEmpty { canvas.text(label, x: to.0 + 6, y: to.1 - 6, size: 11, fill: color) }
            return
        }
        let ux = dx / length, uy = dy / length
        let head = min(10, length * 0.4)
        let base = (to.0 - ux * head, to.1 - uy * head)
        canvas.line(from.0, from.1, base.0, base.1, stroke: color, width: 1.8)
        let c = SVGFormat.coordinate
        let wing = head * 0.45
        let points = [(to.0, to.1), (base.0 - uy * wing, base.1 + ux * wing), (base.0 + uy * wing, base.1 - ux * wing)]
        canvas.raw("<polygon points=\"\(points.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " "))\" fill=\"\(Markup.attribute(color))\"/>")
        if !label.isEmpty {
            // A white halo keeps the label legible over markers.
            let x = c(to.0 + ux * 8 + 4), y = c(to.1 + uy * 8 - 4)
            canvas.raw("<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"start\" fill=\"\(Markup.attribute(color))\" font-size=\"11\" font-weight=\"bold\" "
                       + "stroke=\"#ffffff\" stroke-width=\"3\" stroke-opacity=\"0.8\" paint-order=\"stroke\">\(Markup.text(label))</text>")
        }
    }
}
