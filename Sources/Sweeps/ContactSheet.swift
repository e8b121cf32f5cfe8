import Foundation
import Imaging

/// A grid of labelled thumbnails, in sweep order: left to right, then top to bottom.
///
/// Each cell is a square box of `cellSide` pixels holding the thumbnail (aspect kept, centred)
/// with a one-line label under it (5×7 pixel font: index and value, cut to the box width).
/// A 2-D sweep puts one row of the grid per value of its first axis (so the columns are the
/// second axis); a 1-D sweep uses ⌈√n⌉ columns.
public struct ContactSheet: Sendable {
    /// Number of columns of the grid.
    public var columns: Int
    /// Side of each thumbnail box in pixels.
    public var cellSide: Int

    /// Margin around the grid and gap between cells, in pixels.
    public static let spacing = 6
    /// Height of the label strip under each thumbnail, in pixels.
    public static let labelHeight = BitmapFont.height + 4
    /// Background colour.
    public static let background: (UInt8, UInt8, UInt8) = (24, 24, 24)
    /// Label colour.
    public static let ink: (UInt8, UInt8, UInt8) = (235, 235, 235)

    /// A grid of `columns` columns of `cellSide`-pixel boxes.
    public init(columns: Int, cellSide: Int) {
        self.columns = max(1, columns)
        self.cellSide = max(8, cellSide)
    }

    /// The layout for a sweep with the given axis counts: for 2-D one row per first-axis value;
    /// boxes of 160 px up to 16 variants, 128 px up to 64, else 96 px.
    public init(axisCounts: [Int]) {
        let count = max(1, axisCounts.reduce(1, *))
        let columns = axisCounts.count == 2 ? axisCounts[1] : Int(Double(count).squareRoot().rounded(.up))
        self.init(columns: columns, cellSide: count <= 16 ? 160 : count <= 64 ? 128 : 96)
    }

    /// `image` shrunk (or enlarged) to fit a `cellSide` square, aspect kept (Pillow bicubic).
    public func thumbnail(of image: RGBImage) throws(SweepError) -> RGBImage {
        let scale = min(Double(cellSide) / Double(image.width), Double(cellSide) / Double(image.height))
        let width = min(cellSide, max(1, Int((Double(image.width) * scale).rounded())))
        let height = min(cellSide, max(1, Int((Double(image.height) * scale).rounded())))
        if width == image.width && height == image.height { return image }
        do {
            return try image.resized(width: width, height: height, filter: .bicubic)
        } catch {
            throw SweepError(.invalidArgument, "thumbnail: \(error.message)")
        }
    }

    /// The label of a variant: its index and its value(s), e.g. `12 43.2` or `5 30×0.05`.
    public static func label(index: Int, values: [ParameterValue]) -> String {
        "\(index) " + values.map(shortText).joined(separator: "×")
    }

    /// A number with at most 4 significant digits (`3.6`, `0.0101`, `100`), or the name.
    static func shortText(_ value: ParameterValue) -> String {
        guard let number = value.number else { return value.description }
        if number == number.rounded(), abs(number) < 1e6 { return String(Int(number)) }
        return String(format: "%.4g", number)
    }

    /// The sheet: thumbnails (at most `cellSide` a side) and labels, in order.
    public func render(thumbnails: [RGBImage], labels: [String]) -> RGBImage {
        let count = max(1, thumbnails.count)
        let rows = (count + columns - 1) / columns
        let usedColumns = min(columns, count)
        let spacing = Self.spacing, cellHeight = cellSide + Self.labelHeight
        let width = 2 * spacing + usedColumns * cellSide + (usedColumns - 1) * spacing
        let height = 2 * spacing + rows * cellHeight + (rows - 1) * spacing
        var sheet = RGBImage(width: width, height: height, filledWith: Self.background)
        for (index, thumbnail) in thumbnails.enumerated() {
            let left = spacing + (index % columns) * (cellSide + spacing)
            let top = spacing + (index / columns) * (cellHeight + spacing)
            paste(thumbnail, into: &sheet, x: left + (cellSide - thumbnail.width) / 2,
                  y: top + (cellSide - thumbnail.height) / 2)
            if index < labels.count {
                let fitting = fit(labels[index])
                BitmapFont.draw(fitting, at: left + (cellSide - BitmapFont.textWidth(fitting)) / 2,
                                top + cellSide + 2, color: Self.ink, on: &sheet)
            }
        }
        return sheet
    }

    /// The label cut to the box width.
    func fit(_ label: String) -> String {
        let characters = max(1, (cellSide + 1) / BitmapFont.advance)
        return label.count <= characters ? label : String(label.prefix(characters))
    }

    /// Copies `image` into `sheet` with its top-left corner at (x, y), clipped.
    func paste(_ image: RGBImage, into sheet: inout RGBImage, x: Int, y: Int) {
        let columns = max(0, min(image.width, sheet.width - x))
        guard columns > 0, x >= 0 else { return }
        image.pixels.withUnsafeBufferPointer { source in
            sheet.pixels.withUnsafeMutableBufferPointer { destination in
                for row in 0..<image.height where y + row >= 0 && y + row < sheet.height {
                    let from = row * image.width * 3
                    let to = ((y + row) * sheet.width + x) * 3
                    for k in 0..<(columns * 3) { destination[to + k] = source[from + k] }
                }
            }
        }
    }
}
