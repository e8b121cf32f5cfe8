import Foundation
import Testing
@testable import Reports

/// Scatter plots: well-formed XML, one marker per finite point, escaped tooltips, equal aspect.
@Suite struct ScatterPlotTests {
    static let hostile = "<script>alert(1)</script> & \"quotes\""

    func plot(equalAspect: Bool = true) -> ScatterPlot {
        ScatterPlot(title: "PCA · \(Self.hostile)", subtitle: "first line\nsecond line", xTitle: "PC1 (embedding units)", yTitle: "PC2 (embedding units)",
                    series: [ScatterPlot.Series(name: "images", x: [0, 1, 2, .nan], y: [0, 0.5, 1, 3], color: "#1f77b4", marker: .circle,
                                                labels: ["img 0", Self.hostile]),
                             ScatterPlot.Series(name: "captions", x: [0, 1, 2], y: [4, 4.5, 5], color: "#ff7f0e", marker: .square),
                             ScatterPlot.Series(name: "others", x: [1, 2], y: [2, 2], color: "#2ca02c", marker: .triangle),
                             ScatterPlot.Series(name: "more", x: [1], y: [3], color: "#9467bd", marker: .diamond)],
                    segments: [ScatterPlot.Segment(from: (0, 0), to: (0, 4)), ScatterPlot.Segment(from: (.infinity, 0), to: (0, 4))],
                    arrows: [ScatterPlot.Arrow(from: (1, 4.5), to: (1, 0.5), label: "Δ"), ScatterPlot.Arrow(from: (2, 2), to: (2, 2), label: "zero length")],
                    equalAspect: equalAspect)
    }

    @Test func scatterParsesWithOneMarkerPerFinitePoint() throws {
        let svg = ScatterPlotSVG.render(plot())
        let xml = XMLCheck.parse(svg)
        #expect(xml.error == nil, "\(String(describing: xml.error))")
        #expect(xml.elements.first == "svg")
        // Markers in the plot plus one per legend entry; the NaN point is left out.
        #expect(xml.elements.filter { $0 == "circle" }.count == 3 + 1)
        #expect(xml.elements.filter { $0 == "polygon" }.count == 2 + 1 + 1 + 1 + 1)  // triangles, diamond, legends, one arrow head
        #expect(xml.texts.contains("first line") && xml.texts.contains("second line"))
        #expect(xml.texts.contains("PC1 (embedding units)") && xml.texts.contains("Δ") && xml.texts.contains("zero length"))
        #expect(xml.texts.contains(Self.hostile), "tooltips and titles survive escaping as text")
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("NaN") && !svg.contains("inf"))
    }

    @Test func equalAspectKeepsUnitsEquallyLong() {
        // Data spans 2 × 5 units; the frame is 396 × 402 px; both axes must get the same px per unit.
        let (x, y) = ScatterPlotSVG.ranges(plot(), frameWidth: 396, frameHeight: 402)
        #expect(abs((x.1 - x.0) / 396 - (y.1 - y.0) / 402) < 1e-12)
        #expect(x.0 <= 0 && x.1 >= 2 && y.0 <= 0 && y.1 >= 5)
        let (fx, fy) = ScatterPlotSVG.ranges(plot(equalAspect: false), frameWidth: 396, frameHeight: 402)
        #expect(abs(fx.0 - (-0.1)) < 1e-12 && abs(fx.1 - 2.1) < 1e-12 && abs(fy.0 - (-0.25)) < 1e-12 && abs(fy.1 - 5.25) < 1e-12)
    }

    @Test func emptyPlotIsAFrameWithTitles() {
        let empty = ScatterPlot(title: "nothing", xTitle: "x", yTitle: "y", series: [ScatterPlot.Series(name: "none", x: [.nan], y: [1], color: "#000000")])
        let xml = XMLCheck.parse(ScatterPlotSVG.render(empty))
        #expect(xml.error == nil && xml.texts.contains("nothing"))
        #expect(xml.elements.filter { $0 == "circle" }.count == 1)  // the legend only
    }
}
