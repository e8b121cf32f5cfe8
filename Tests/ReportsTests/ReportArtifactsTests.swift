import AugLabTestSupport
import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// The files of a report folder: names, contents, and that they stay inside the folder.
@Suite struct ReportArtifactsTests {
    @Test func writesHTMLHeatmapsAndPlotsIntoTheFolder() throws {
        let document = try SyntheticReport.document(.init(images: 1, models: 2, variants: 12, presets: ["rotation-12", "noise-12"], texts: 2))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let written = try ReportArtifacts.write(document, toFolder: folder.url.path)
        #expect(written.first == "report.html")
        #expect(written.filter { $0.hasPrefix("heatmaps/") && $0.hasSuffix(".png") }.count == 4)
        #expect(written.filter { $0.hasPrefix("heatmaps/") && $0.hasSuffix(".svg") }.count == 4)
        #expect(written.contains("heatmaps/image-0__rotation-12__model-0.png"))
        #expect(written.contains("plots/image-0__noise-12__similarity_to_clean.svg"))
        for path in written {
            #expect(FileManager.default.fileExists(atPath: folder.path(path)), "\(path)")
            if path.hasSuffix(".svg") {
                let xml = XMLCheck.parse(try String(contentsOfFile: folder.path(path), encoding: .utf8))
                #expect(xml.error == nil, "\(path)")
            }
        }
        // The plain PNG: one pixel per cell, viridis on the model's baseline-to-identical range.
        let set = document.matrices[0]
        let png = try PNGCodec.decode([UInt8](try Data(contentsOf: folder.url.appendingPathComponent("heatmaps/image-0__rotation-12__model-0.png")))).image
        #expect(png.width == 12 && png.height == 12)
        let scale = try ColorScale(minimum: try #require(document.models[0].baseline), maximum: 1)
        for (r, c) in [(0, 0), (3, 7), (11, 2)] {
            let expected = Colormap.viridis.color(for: Double(set.imageImage.values[r * 12 + c]), scale: scale)
            #expect(RGBColor(red: png[c, r, 0], green: png[c, r, 1], blue: png[c, r, 2]) == expected)
        }
        // The labelled SVG shows images and texts together, split by the quadrant separators.
        let svg = XMLCheck.parse(try String(contentsOfFile: folder.path("heatmaps/image-0__rotation-12__model-0.svg"), encoding: .utf8))
        #expect(svg.attributes.filter { $0["stroke"] == "#ffffff" }.count == 2)
        #expect(svg.texts.contains("rotation angle θ (degrees), then texts"))
    }

    @Test func hostileIDsStayInsideTheFolderAndClashesAreNumbered() throws {
        var document = try SyntheticReport.document(.init(images: 2, models: 1, variants: 8, presets: ["rotation-8"]))
        // Two ids that map to the same safe name, one of them trying to climb out.
        let renames = ["../escape", "/escape"]
        for (index, name) in renames.enumerated() {
            let old = document.images[index].id
            document.images[index].id = name
            for k in document.variantSets.indices where document.variantSets[k].image == old { document.variantSets[k].image = name }
            for k in document.matrices.indices where document.matrices[k].image == old { document.matrices[k].image = name }
            for k in document.curves.indices where document.curves[k].image == old { document.curves[k].image = name }
        }
        let paths = try ReportArtifacts.files(for: document).map(\.path)
        #expect(paths.allSatisfy { !$0.contains("..") && !$0.hasPrefix("/") })
        #expect(Set(paths).count == paths.count)
        #expect(paths.contains("heatmaps/_escape__rotation-8__model-0.png"))
        #expect(paths.contains("heatmaps/_escape__rotation-8__model-0-2.png"))
        #expect(paths.contains("heatmaps/_escape__rotation-8__model-0-2.svg"))
    }

    @Test func unwritableFolderIsAnIOError() throws {
        let document = try SyntheticReport.document(.init(images: 1, models: 1, variants: 8, presets: ["rotation-8"]))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data().write(to: folder.url.appendingPathComponent("file"))
        let error = #expect(throws: ReportError.self) { try ReportArtifacts.write(document, toFolder: folder.path("file")) }
        #expect(error?.code == .io)
    }
}
