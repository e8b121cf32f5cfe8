import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// Colormaps and colour scales against matplotlib's own lookups.
@Suite struct ColormapTests {
    @Test func everyMapHas256Entries() {
        for map in Colormap.all { #expect(map.count == 256, "\(map.name)") }
        #expect(Colormap.named("RdBu_r") == .rdBuReversed)
        #expect(Colormap.named("jet") == nil)
    }

    @Test func lookupsMatchMatplotlib() throws {
        let references = try ColormapReferences.load()
        #expect(references.cases.count == 16)
        for reference in references.cases {
            let map = try ColormapReferences.colormap(reference.colormap)
            let scale = try ColorScale(minimum: reference.vmin, maximum: reference.vmax)
            for (text, rgb) in zip(reference.values, reference.rgb) {
                let value = try ColormapReferences.number(text)
                let color = map.color(for: value, scale: scale)
                #expect([Int(color.red), Int(color.green), Int(color.blue)] == rgb,
                        "\(map.name) [\(reference.vmin), \(reference.vmax)] at \(text)")
            }
        }
    }

    @Test func nanAndInfinitiesFollowMatplotlibsEnds() throws {
        let scale = try ColorScale(minimum: 0, maximum: 1)
        for map in Colormap.all {
            #expect(map.color(for: .nan, scale: scale) == Colormap.defaultNaNColor)
            #expect(map.color(for: .infinity, scale: scale) == map.entries[255])
            #expect(map.color(for: -.infinity, scale: scale) == map.entries[0])
            #expect(map.index(forNormalized: 1) == 255)
            #expect(map.index(forNormalized: 0.999_999) == 255)
            #expect(map.index(forNormalized: 0) == 0)
            #expect(!map.entries.contains(Colormap.defaultNaNColor), "NaN grey must not be a map colour (\(map.name))")
        }
    }

    @Test func scaleRejectsEmptyAndNonFiniteRanges() {
        #expect(throws: ReportError.self) { try ColorScale(minimum: 1, maximum: 1) }
        #expect(throws: ReportError.self) { try ColorScale(minimum: 2, maximum: 1) }
        #expect(throws: ReportError.self) { try ColorScale(minimum: 0, maximum: .nan) }
        #expect(throws: ReportError.self) { try ColorScale(minimum: -.infinity, maximum: 0) }
    }

    @Test func similarityDefaultUsesTheBaselineElseTheDataRange() {
        let values: [Float] = [0.8, 0.95, 1, 0.9]
        let withBaseline = ColorScale.similarity(values: values, baseline: 0.6)
        #expect(withBaseline.minimum == 0.6 && withBaseline.maximum == 1)
        // A baseline above the analysis' clamp is clamped as the analysis does.
        #expect(ColorScale.similarity(values: values, baseline: 0.999).minimum == 0.99)
        for missing in [nil, Double.nan, 1.0] {
            let scale = ColorScale.similarity(values: values, baseline: missing)
            #expect(scale.minimum == Double(Float(0.8)) && scale.maximum == 1)
            #expect(scale.label.contains("data range"))
        }
    }

    @Test func dataRangeIgnoresNonFiniteAndWidensConstants() {
        let scale = ColorScale.dataRange(of: [Float.nan, 0.25, -0.5, .infinity])
        #expect(scale.minimum == -0.5 && scale.maximum == 0.25)
        let constant = ColorScale.dataRange(of: [Float](repeating: 0.7, count: 4))
        #expect(constant.normalized(Double(Float(0.7))) == 0.5)
        let empty = ColorScale.dataRange(of: [Float.nan])
        #expect(empty.minimum == 0 && empty.maximum == 1)
    }

    @Test func symmetricScaleCentresZeroOnTheDivergingMap() {
        let scale = ColorScale.symmetric(of: [-0.1, 0.3, 0.05])
        #expect(scale.minimum == -Double(Float(0.3)) && scale.maximum == Double(Float(0.3)))
        #expect(scale.normalized(0) == 0.5)
        let zero = ColorScale.symmetric(of: [Float](repeating: 0, count: 3))
        #expect(zero.minimum == -1 && zero.maximum == 1)
        // 0 lands on the lighter of the two centre entries of RdBu_r, as in matplotlib (index 128).
        #expect(Colormap.rdBuReversed.index(forNormalized: scale.normalized(0)) == 128)
    }

    @Test func hexIsLowercaseSixDigits() {
        #expect(RGBColor(red: 255, green: 10, blue: 0).hex == "#ff0a00")
    }
}
