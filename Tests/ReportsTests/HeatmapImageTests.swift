import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// Colour-mapped PNG heatmaps: decoded pixels against matplotlib's colours.
@Suite struct HeatmapImageTests {
    func referenceMatrix() throws -> (Matrix, ColormapReferences.MatrixReference) {
        let reference = try ColormapReferences.load().matrix
        let values = try reference.values.map { Float(try ColormapReferences.number($0)) }
        return (Matrix(rows: reference.rows, columns: reference.columns, values: values), reference)
    }

    @Test func pngPixelsMatchMatplotlibForKnownValues() throws {
        let (matrix, reference) = try referenceMatrix()
        for mapCase in reference.colormaps {
            let map = try ColormapReferences.colormap(mapCase.colormap)
            let scale = try ColorScale(minimum: mapCase.vmin, maximum: mapCase.vmax)
            let png = try HeatmapImage.png(matrix, colormap: map, scale: scale)
            let image = try PNGCodec.decode(png).image
            #expect(image.width == matrix.columns && image.height == matrix.rows)
            for r in 0..<matrix.rows {
                for c in 0..<matrix.columns {
                    let expected = mapCase.rgb[r * matrix.columns + c]
                    #expect([Int(image[c, r, 0]), Int(image[c, r, 1]), Int(image[c, r, 2])] == expected,
                            "\(map.name) cell (\(r), \(c)) value \(matrix[r, c])")
                }
            }
        }
    }

    @Test func cellsAreUpscaledByNearestBlocks() throws {
        let (matrix, _) = try referenceMatrix()
        let scale = try ColorScale(minimum: 0, maximum: 1)
        let small = try HeatmapImage.render(matrix, scale: scale)
        let large = try HeatmapImage.render(matrix, scale: scale, cellSize: 3)
        #expect(large.width == 3 * matrix.columns && large.height == 3 * matrix.rows)
        for y in 0..<large.height {
            for x in 0..<large.width {
                for channel in 0..<3 { #expect(large[x, y, channel] == small[x / 3, y / 3, channel]) }
            }
        }
    }

    @Test func nanCellsGetTheNaNColour() throws {
        let matrix = Matrix(rows: 1, columns: 2, values: [.nan, 0.5])
        let image = try HeatmapImage.render(matrix, colormap: .magma, scale: ColorScale(minimum: 0, maximum: 1))
        #expect((image[0, 0, 0], image[0, 0, 1], image[0, 0, 2]) == (128, 128, 128))
    }

    @Test func refusesEmptyMatricesAndOversizedPictures() throws {
        let scale = try ColorScale(minimum: 0, maximum: 1)
        #expect(throws: ReportError.self) { try HeatmapImage.render(Matrix(rows: 0, columns: 3), scale: scale) }
        #expect(throws: ReportError.self) { try HeatmapImage.render(Matrix(rows: 2, columns: 2), scale: scale, cellSize: 0) }
        #expect(throws: ReportError.self) {
            try HeatmapImage.render(Matrix(rows: 2, columns: 2), scale: scale, cellSize: 1 << 13)
        }
        #expect(throws: ReportError.self) {
            try HeatmapImage.render(Matrix(rows: 2, columns: 2), scale: scale, cellSize: Int.max / 2)
        }
    }

    @Test func colorBarRunsFromLowAtTheBottomToHighAtTheTop() {
        let bar = HeatmapImage.colorBar(.viridis, thickness: 2)
        #expect(bar.width == 2 && bar.height == 256)
        let top = Colormap.viridis.entries[255], bottom = Colormap.viridis.entries[0]
        #expect((bar[1, 0, 0], bar[1, 0, 1], bar[1, 0, 2]) == (top.red, top.green, top.blue))
        #expect((bar[0, 255, 0], bar[0, 255, 1], bar[0, 255, 2]) == (bottom.red, bottom.green, bottom.blue))
        let horizontal = HeatmapImage.colorBar(.plasma, vertical: false)
        #expect(horizontal.width == 256 && horizontal.height == 1)
    }
}
