import Imaging
import Testing
@testable import Sweeps

@Suite struct ContactSheetTests {
    @Test func layoutFollowsTheSweepShape() {
        let hundred = ContactSheet(axisCounts: [100])
        #expect(hundred.columns == 10 && hundred.cellSide == 96)
        let eight = ContactSheet(axisCounts: [8])
        #expect(eight.columns == 3 && eight.cellSide == 160)
        let grid = ContactSheet(axisCounts: [12, 4])  // one row per first-axis value
        #expect(grid.columns == 4 && grid.cellSide == 128)
    }

    @Test func thumbnailsKeepTheAspectRatio() throws {
        let sheet = ContactSheet(columns: 2, cellSide: 96)
        let wide = try sheet.thumbnail(of: SweepFixtures.pattern(width: 24, height: 16))
        #expect(wide.width == 96 && wide.height == 64)
        let tall = try sheet.thumbnail(of: SweepFixtures.pattern(width: 30, height: 300))
        #expect(tall.width == 10 && tall.height == 96)
        let exact = SweepFixtures.pattern(width: 96, height: 40)
        #expect(try sheet.thumbnail(of: exact) == exact)
    }

    @Test func cellsAreInSweepOrderLeftToRightThenTopToBottom() {
        let sheet = ContactSheet(columns: 3, cellSide: 20)
        let colours: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255)]
        let thumbnails = colours.map { RGBImage(width: 20, height: 10, filledWith: $0) }
        let image = sheet.render(thumbnails: thumbnails, labels: colours.indices.map { "\($0)" })
        let spacing = ContactSheet.spacing, cellHeight = 20 + ContactSheet.labelHeight
        #expect(image.width == 2 * spacing + 3 * 20 + 2 * spacing)
        #expect(image.height == 2 * spacing + 2 * cellHeight + spacing)
        for (index, colour) in colours.enumerated() {
            let left = spacing + (index % 3) * (20 + spacing), top = spacing + (index / 3) * (cellHeight + spacing)
            let centre = (x: left + 10, y: top + 10)
            #expect(image[centre.x, centre.y, 0] == colour.0 && image[centre.x, centre.y, 1] == colour.1
                    && image[centre.x, centre.y, 2] == colour.2, "cell \(index)")
            // The thumbnail is centred vertically in its box: background above it.
            #expect(image[centre.x, top + 2, 0] == ContactSheet.background.0)
            // The label strip under the box holds ink.
            var ink = 0
            for y in (top + 20)..<(top + cellHeight) {
                for x in left..<(left + 20) where image[x, y, 0] == ContactSheet.ink.0 { ink += 1 }
            }
            #expect(ink > 0, "label of cell \(index)")
        }
        // The sixth cell is empty.
        let left = spacing + 2 * (20 + spacing), top = spacing + cellHeight + spacing
        #expect(image[left + 10, top + 10, 0] == ContactSheet.background.0)
    }

    @Test func labelsShowIndexAndValues() {
        #expect(ContactSheet.label(index: 12, values: [.number(43.2)]) == "12 43.2")
        #expect(ContactSheet.label(index: 5, values: [.number(30), .number(0.05)]) == "5 30×0.05")
        #expect(ContactSheet.label(index: 1, values: [.number(16.0 / 99)]) == "1 0.1616")
        #expect(ContactSheet.label(index: 0, values: [.name("flip_both")]) == "0 flip_both")
        let sheet = ContactSheet(columns: 1, cellSide: 40)
        let fitted = sheet.fit("0123456789")
        #expect("0123456789".hasPrefix(fitted))
        #expect(BitmapFont.textWidth(fitted) <= 40 && BitmapFont.textWidth(fitted + "x") > 40)
    }

    @Test func fontGlyphsAreFiveBySeven() {
        for (character, rows) in BitmapFont.glyphs {
            #expect(rows.count == BitmapFont.height, "\(character)")
            #expect(rows.allSatisfy { $0.count == BitmapFont.width && $0.allSatisfy { "#.".contains($0) } }, "\(character)")
        }
        // Lower case draws as upper case; unknown characters as '?'.
        #expect(BitmapFont.glyph(for: "a") == BitmapFont.glyph(for: "A"))
        #expect(BitmapFont.glyph(for: "@") == BitmapFont.glyph(for: "?"))
        // Distinct characters look distinct.
        let shapes = Set(BitmapFont.glyphs.values.map { $0.joined() })
        #expect(shapes.count == BitmapFont.glyphs.count)
    }
}
