/// One plot of a report: the curves of one kind for one (image or all images, sweep), one line per model.
public struct ReportPlotFigure: Sendable, Equatable {
    /// The image's id; nil for curves pooled over images.
    public var image: String?
    /// The sweep's id.
    public var sweep: String
    /// What the plot shows.
    public var kind: ReportCurve.Kind
    /// The plot.
    public var plot: LinePlot

    /// The SVG document.
    public var svg: String { LinePlotSVG.render(plot) }
}

/// Builds the report's plots from its curves: similarity to the clean image with the collapse
/// threshold and its interval, the rotation profile with 90° marks, the anti-diagonal profile
/// over the mirror axes.
public enum ReportPlots {
    /// Line colours, by the model's position in the document (matplotlib's tab10).
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The colour of the model at `index` in the document's model list.
    public static func color(ofModelAt index: Int) -> String { palette[((index % palette.count) + palette.count) % palette.count] }

    /// Every plot of the document, grouped by (image, sweep, kind) in the order curves first appear.
    public static func figures(for document: ReportDocument) -> [ReportPlotFigure] {
        struct Key: Hashable { var image: String?, sweep: String, kind: ReportCurve.Kind }
        var order: [Key] = []
        var groups: [Key: [ReportCurve]] = [:]
        for curve in document.curves {
            let key = Key(image: curve.image, sweep: curve.sweep, kind: curve.kind)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(curve)
        }
        return order.map { key in
            ReportPlotFigure(image: key.image, sweep: key.sweep, kind: key.kind,
                             plot: plot(kind: key.kind, curves: groups[key] ?? [], document: document, image: key.image,
                                        sweep: key.sweep))
        }
    }

    /// The plot of one group of curves.
    static func plot(kind: ReportCurve.Kind, curves: [ReportCurve], document: ReportDocument, image: String?,
                     sweep sweepID: String) -> LinePlot {
        let sweep = document.sweeps.first { $0.id == sweepID }
        let sweepName = sweep?.name ?? sweepID
        let imageName = image.map { id in document.images.first { $0.id == id }?.file ?? id } ?? "all images"
        var series: [LinePlot.Series] = []
        var marks: [LinePlot.Mark] = []
        var bands: [LinePlot.Band] = []
        for curve in curves {
            let modelIndex = document.models.firstIndex { $0.id == curve.model } ?? 0
            let name = document.models.first { $0.id == curve.model }?.name ?? curve.model
            let color = color(ofModelAt: modelIndex)
            series.append(LinePlot.Series(name: name, x: curve.x, y: curve.y, color: color))
            if let threshold = curve.threshold {
                marks.append(LinePlot.Mark(x: threshold, label: "", color: color, dashed: true))
                if let interval = curve.thresholdInterval, interval.count == 2 {
                    bands.append(LinePlot.Band(low: interval[0], high: interval[1], color: color))
                }
            }
        }
        switch kind {
        case .similarityToClean:
            return LinePlot(title: "Similarity to the clean image: \(sweepName), \(imageName)",
                            subtitle: "0 = as similar as an unrelated image, 1 = identical; dashed: collapse threshold, band: its 95% interval",
                            xTitle: sweep?.axis.title ?? "level",
                            yTitle: "similarity to clean (normalised)",
                            series: series, marks: marks, bands: bands, yReference: 0)
        case .rotationProfile:
            let quarterMarks = [90.0, 180, 270].map { LinePlot.Mark(x: $0, label: "\(Int($0))°") }
            return LinePlot(title: "Rotation profile: \(sweepName), \(imageName)",
                            subtitle: "mean similarity of all pairs whose angles differ by the same amount; dashed: multiples of 90°",
                            xTitle: "angular difference θj − θi (degrees)",
                            yTitle: "mean cosine similarity (raw)",
                            series: series, marks: quarterMarks, xTicks: [0, 45, 90, 135, 180, 225, 270, 315, 360],
                            xRange: 0...360)
        case .antidiagonalProfile:
            let axisMarks = [LinePlot.Mark(x: 0, label: "≡ 0° (±θ)"), LinePlot.Mark(x: 180, label: "≡ 180°")]
            return LinePlot(title: "Anti-diagonal profile over mirror axes: \(sweepName), \(imageName)",
                            subtitle: "similarity of pairs on each axis θi + θj ≡ const above what their angle difference gives",
                            xTitle: "mirror axis: angle sum θi + θj (degrees)",
                            yTitle: "median excess cosine on the axis (raw)",
                            series: series, marks: axisMarks, xTicks: [0, 45, 90, 135, 180, 225, 270, 315, 360],
                            xRange: 0...360, yReference: 0)
        }
    }
}
