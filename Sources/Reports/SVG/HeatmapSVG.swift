import Imaging
import Tensors

/// What a labelled heatmap shows: the matrix, its colours, and the labels of its rows and columns.
public struct HeatmapFigure: Sendable {
    /// The title above the heatmap.
    public var title: String
    /// The values (row 0 at the top).
    public var matrix: Matrix
    /// The colours.
    public var colormap: Colormap
    /// The value range of the colours.
    public var scale: ColorScale
    /// One label per row (e.g. "37.5°"); only a few are drawn as ticks.
    public var rowLabels: [String]
    /// One label per column.
    public var columnLabels: [String]
    /// What the rows are, with unit (e.g. "rotation angle θ (degrees)").
    public var rowTitle: String
    /// What the columns are, with unit.
    public var columnTitle: String
    /// Where the texts start in a joint image+text matrix (separator drawn before that row and
    /// column); nil for a single quadrant.
    public var quadrantSplit: Int?

    /// A figure; label lists shorter than the matrix leave the remaining ticks unlabelled.
    public init(title: String, matrix: Matrix, colormap: Colormap = .viridis, scale: ColorScale, rowLabels: [String],
                columnLabels: [String], rowTitle: String, columnTitle: String, quadrantSplit: Int? = nil) {
        self.title = title
        self.matrix = matrix
        self.colormap = colormap
        self.scale = scale
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.quadrantSplit = quadrantSplit
    }
}

/// Labelled heatmaps as SVG: the colour-mapped PNG embedded as a data URI, axes labelled with
/// the parameter values, quadrant separators, a colour bar with its range, and a title.
public enum HeatmapSVG {
    /// The side the matrix is drawn at (pixels), approximately: cells are whole pixels.
    public static let targetSide = 480

    /// Space left of the matrix for row labels and the row title (pixels).
    static let leftMargin = 112.0

    /// The SVG document of `figure` (standalone; also valid inline in HTML).
    ///
    /// - Throws: `ReportError` from `HeatmapImage` for an empty or oversized matrix.
    public static func render(_ figure: HeatmapFigure) throws(ReportError) -> String {
        let matrix = figure.matrix
        let cell = max(1, targetSide / max(1, max(matrix.rows, matrix.columns)))
        let png = try HeatmapImage.png(matrix, colormap: figure.colormap, scale: figure.scale, cellSize: cell)
        let bar = try HeatmapImage.encodePNG(HeatmapImage.colorBar(figure.colormap))
        let plotWidth = Double(matrix.columns * cell), plotHeight = Double(matrix.rows * cell)
        let left = leftMargin, top = 40.0, bottom = 110.0, barGap = 18.0, barWidth = 14.0, right = 70.0
        var canvas = SVGCanvas(width: left + plotWidth + barGap + barWidth + right, height: top + plotHeight + bottom)

        canvas.text(figure.title, x: left, y: 22, size: 14, weight: "bold")
        canvas.image(dataURI: Markup.dataURI(mimeType: "image/png", bytes: png), x: left, y: top,
                     width: plotWidth, height: plotHeight)
        canvas.rect(left, top, plotWidth, plotHeight, fill: "none", stroke: "#444444")

        if let split = figure.quadrantSplit, split > 0 {
            if split < matrix.columns {
                let x = left + Double(split * cell)
                canvas.line(x, top, x, top + plotHeight, stroke: "#ffffff", width: 2)
            }
            if split < matrix.rows {
                let y = top + Double(split * cell)
                canvas.line(left, y, left + plotWidth, y, stroke: "#ffffff", width: 2)
            }
        }

        for index in Ticks.indices(count: matrix.columns) {
            let x = left + (Double(index) + 0.5) * Double(cell)
            canvas.line(x, top + plotHeight, x, top + plotHeight + 4, stroke: "#444444")
            let label = index < figure.columnLabels.count ? figure.columnLabels[index] : String(index)
            canvas.text(shortened(label, to: 16), x: x, y: top + plotHeight + 14, anchor: "end", rotate: -40)
        }
        for index in Ticks.indices(count: matrix.rows) {
            let y = top + (Double(index) + 0.5) * Double(cell)
            canvas.line(left - 4, y, left, y, stroke: "#444444")
            let label = index < figure.rowLabels.count ? figure.rowLabels[index] : String(index)
            canvas.text(shortened(label, to: 16), x: left - 6, y: y + 4, anchor: "end")
        }
        canvas.text(figure.columnTitle, x: left + plotWidth / 2, y: top + plotHeight + 80, anchor: "middle", size: 12)
        canvas.text(figure.rowTitle, x: 16, y: top + plotHeight / 2, anchor: "middle", size: 12, rotate: -90)

        let barX = left + plotWidth + barGap
        canvas.image(dataURI: Markup.dataURI(mimeType: "image/png", bytes: bar), x: barX, y: top,
                     width: barWidth, height: plotHeight, stretch: true)
        canvas.rect(barX, top, barWidth, plotHeight, fill: "none", stroke: "#444444")
        let scale = figure.scale
        for (fraction, value) in [(0.0, scale.minimum), (0.5, (scale.minimum + scale.maximum) / 2), (1.0, scale.maximum)] {
            let y = top + plotHeight * (1 - fraction)
            canvas.line(barX + barWidth, y, barX + barWidth + 4, y, stroke: "#444444")
            canvas.text(SVGFormat.label(value), x: barX + barWidth + 6, y: y + 4)
        }
        canvas.text("colour: " + scale.label, x: left, y: top + plotHeight + 98, size: 10, fill: "#555555")
        return canvas.document(title: figure.title)
    }

    /// A label cut to `limit` characters (with an ellipsis), so tick labels stay inside the figure.
    static func shortened(_ label: String, to limit: Int = 24) -> String {
        label.count <= limit ? label : String(label.prefix(max(1, limit - 1))) + "…"
    }
}
