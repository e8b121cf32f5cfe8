import Imaging
import Tensors

/// Plain colour-mapped pictures of matrices: one cell = `cellSize × cellSize` pixels.
///
/// This is what `auglab run` writes to `DIR/heatmaps/*.png` and what the labelled SVG heatmaps
/// embed. Row 0 of the matrix is the top row of the image, column 0 the left column.
public enum HeatmapImage {
    /// The largest picture rendered (pixels), so a huge matrix or cell size cannot exhaust memory.
    public static let maximumPixels = 1 << 26

    /// The matrix as an RGB image, each cell coloured by `colormap` on `scale`.
    ///
    /// - Parameters:
    ///   - cellSize: pixels per cell side (nearest-neighbour upscaling), ≥ 1.
    /// - Throws: `ReportError.invalidInput` for an empty matrix, `.invalidArgument` for a cell
    ///   size below 1 or a picture over `maximumPixels`.
    public static func render(_ matrix: Matrix, colormap: Colormap = .viridis, scale: ColorScale,
                              cellSize: Int = 1) throws(ReportError) -> RGBImage {
        guard matrix.rows > 0, matrix.columns > 0 else {
            throw ReportError(.invalidInput, "cannot draw a heatmap of an empty \(matrix.rows)×\(matrix.columns) matrix",
                              location: "heatmap")
        }
        guard cellSize >= 1 else {
            throw ReportError(.invalidArgument, "heatmap cell size must be at least 1 pixel (got \(cellSize))", location: "cellSize")
        }
        let (width, widthOverflow) = matrix.columns.multipliedReportingOverflow(by: cellSize)
        let (height, heightOverflow) = matrix.rows.multipliedReportingOverflow(by: cellSize)
        guard !widthOverflow, !heightOverflow, width <= maximumPixels / height else {
            throw ReportError(.invalidArgument,
                              "a \(matrix.rows)×\(matrix.columns) heatmap at \(cellSize) px per cell exceeds \(maximumPixels) pixels",
                              location: "cellSize")
        }
        // Colour each cell once, then replicate it across its block.
        var rowBytes = [UInt8](repeating: 0, count: width * 3)
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns {
                let color = colormap.color(for: Double(matrix[r, c]), scale: scale)
                for k in 0..<cellSize {
                    let offset = (c * cellSize + k) * 3
                    rowBytes[offset] = color.red
                    rowBytes[offset + 1] = color.green
                    rowBytes[offset + 2] = color.blue
                }
            }
            for _ in 0..<cellSize { pixels.append(contentsOf: rowBytes) }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// `render` encoded as PNG bytes (lossless).
    ///
    /// - Throws: as `render`; `.invalidInput` if the PNG encoder fails.
    public static func png(_ matrix: Matrix, colormap: Colormap = .viridis, scale: ColorScale,
                           cellSize: Int = 1) throws(ReportError) -> [UInt8] {
        try encodePNG(render(matrix, colormap: colormap, scale: scale, cellSize: cellSize))
    }

    /// A colour bar: the colormap's entries from low to high, bottom to top (vertical) or
    /// left to right (horizontal), `thickness` pixels across, one pixel per entry.
    public static func colorBar(_ colormap: Colormap, vertical: Bool = true, thickness: Int = 1) -> RGBImage {
        let across = max(1, thickness)
        let count = colormap.count
        var pixels = [UInt8]()
        pixels.reserveCapacity(count * across * 3)
        if vertical {
            for entry in colormap.entries.reversed() {
                for _ in 0..<across { pixels += [entry.red, entry.green, entry.blue] }
            }
            return RGBImage(width: across, height: count, pixels: pixels)
        }
        for _ in 0..<across {
            for entry in colormap.entries { pixels += [entry.red, entry.green, entry.blue] }
        }
        return RGBImage(width: count, height: across, pixels: pixels)
    }

    /// PNG bytes of an image, with codec errors turned into report errors.
    static func encodePNG(_ image: RGBImage) throws(ReportError) -> [UInt8] {
        do {
            return try PNGCodec.encode(image)
        } catch {
            throw ReportError(.invalidInput, "cannot encode a heatmap as PNG: \(error)", location: "heatmap")
        }
    }
}
