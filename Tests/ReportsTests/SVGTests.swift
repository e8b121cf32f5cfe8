import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// Labelled heatmaps and line plots: well-formed XML, escaped text, the parts a reader needs.
@Suite struct SVGTests {
    static let hostile = "<script>alert(1)</script> & \"quotes\" 'single' \u{1}bell"

    func figure(title: String = "rotation-100 · astronaut.png · pixels", split: Int? = nil) throws -> HeatmapFigure {
        let n = 12
        var matrix = Matrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { matrix[i, j] = Float(1 - 0.05 * Double(abs(i - j))) } }
        let labels = (0..<n).map { "\(30 * $0)°" }
        return HeatmapFigure(title: title, matrix: matrix, scale: ColorScale.similarity(values: matrix.values, baseline: 0.4),
                             rowLabels: labels, columnLabels: labels, rowTitle: "rotation angle θ (degrees)",
                             columnTitle: "rotation angle θ (degrees)", quadrantSplit: split)
    }

    @Test func heatmapParsesAndCarriesImageLabelsAndColourBar() throws {
        let svg = try HeatmapSVG.render(figure())
        let xml = XMLCheck.parse(svg)
        #expect(xml.error == nil, "\(String(describing: xml.error))")
        #expect(xml.elements.first == "svg")
        #expect(xml.elements.filter { $0 == "image" }.count == 2)  // matrix + colour bar
        #expect(xml.texts.contains("rotation angle θ (degrees)"))
        #expect(xml.texts.contains("60°") && !xml.texts.contains("30°"))  // every second of 12 labels
        #expect(xml.texts.contains("0.4") && xml.texts.contains("1"))  // colour bar ends: baseline to identical
        // The embedded PNG is the matrix, at whole pixels per cell.
        let href = try #require(xml.attributes.compactMap { $0["href"] }.first)
        let prefix = "data:image/png;base64,"
        #expect(href.hasPrefix(prefix))
        let png = try #require(Data(base64Encoded: String(href.dropFirst(prefix.count))))
        let image = try PNGCodec.decode([UInt8](png)).image
        #expect(image.width == 12 * (HeatmapSVG.targetSide / 12))
    }

    @Test func heatmapEscapesHostileTitlesAndLabels() throws {
        var hostileFigure = try figure(title: Self.hostile)
        hostileFigure.rowLabels[0] = Self.hostile
        hostileFigure.columnTitle = Self.hostile
        let svg = try HeatmapSVG.render(hostileFigure)
        let xml = XMLCheck.parse(svg)
        #expect(xml.error == nil, "\(String(describing: xml.error))")
        #expect(!svg.contains("<script"))
        let expected = Self.hostile.replacingOccurrences(of: "\u{1}", with: "\u{FFFD}")
        #expect(xml.texts.contains(expected))
        #expect(!xml.elements.contains("script"))
    }

    @Test func quadrantSeparatorsAreDrawnAtTheSplit() throws {
        let plain = XMLCheck.parse(try HeatmapSVG.render(figure()))
        let joint = XMLCheck.parse(try HeatmapSVG.render(figure(split: 6)))
        #expect(joint.error == nil)
        let whiteLines = joint.attributes.filter { $0["stroke"] == "#ffffff" }
        #expect(whiteLines.count == 2)
        #expect(plain.attributes.filter { $0["stroke"] == "#ffffff" }.isEmpty)
        let cell = Double(HeatmapSVG.targetSide / 12)
        let vertical = try #require(whiteLines.first { $0["x1"] == $0["x2"] })
        #expect(Double(vertical["x1"] ?? "") == HeatmapSVG.leftMargin + 6 * cell)
    }

    @Test func linePlotParsesWithSeriesMarksBandsAndUnits() {
        let plot = LinePlot(title: "Similarity to the clean image", xTitle: "noise level σ (intensity 0–1)",
                            yTitle: "similarity to clean (normalised)",
                            series: [LinePlot.Series(name: Self.hostile, x: [0, 0.1, 0.2, 0.3], y: [1, 0.8, .nan, 0.2], color: "#1f77b4"),
                                     LinePlot.Series(name: "b", x: [0, 0.1, 0.2, 0.3], y: [1, 0.9, 0.7, 0.5], color: "#ff7f0e")],
                            marks: [LinePlot.Mark(x: 0.15, label: "threshold")],
                            bands: [LinePlot.Band(low: 0.12, high: 0.18, color: "#1f77b4")], yReference: 0)
        let svg = LinePlotSVG.render(plot)
        let xml = XMLCheck.parse(svg)
        #expect(xml.error == nil, "\(String(describing: xml.error))")
        #expect(xml.texts.contains("noise level σ (intensity 0–1)"))
        #expect(xml.texts.contains("similarity to clean (normalised)"))
        #expect(xml.texts.contains("threshold"))
        // The NaN breaks the first series into two polylines; the second is one.
        #expect(xml.elements.filter { $0 == "polyline" }.count == 3)
        #expect(xml.attributes.contains { $0["fill-opacity"] == "0.15" })
        #expect(!svg.contains("<script"))
    }

    @Test func emptyOrDegeneratePlotsStillParse() {
        let empty = LinePlotSVG.render(LinePlot(title: "t", xTitle: "x (u)", yTitle: "y (u)", series: []))
        #expect(XMLCheck.parse(empty).error == nil)
        let flat = LinePlotSVG.render(LinePlot(title: "t", xTitle: "x", yTitle: "y",
                                               series: [LinePlot.Series(name: "s", x: [1, 1], y: [2, 2], color: "#000000")]))
        #expect(XMLCheck.parse(flat).error == nil)
        #expect(!flat.contains("nan") && !flat.contains("inf"))
    }

    @Test func niceTicksCoverTheRange() {
        let unit = Ticks.nice(low: 0, high: 1, target: 5)
        #expect(unit.count == 6 && unit.first == 0 && abs((unit.last ?? 0) - 1) < 1e-12)
        #expect(zip(unit, unit.dropFirst()).allSatisfy { abs($1 - $0 - 0.2) < 1e-12 })
        #expect(Ticks.nice(low: 0, high: 360, target: 6) == [0, 100, 200, 300])
        #expect(Ticks.nice(low: -0.013, high: 0.021, target: 4) == [-0.01, 0, 0.01, 0.02])
        #expect(Ticks.indices(count: 100, target: 8) == [0, 13, 26, 39, 52, 65, 78, 91])
        #expect(Ticks.indices(count: 3) == [0, 1, 2])
    }
}
