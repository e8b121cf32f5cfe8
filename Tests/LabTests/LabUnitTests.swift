@testable import Lab
import Analysis
import AugLabTestSupport
import Foundation
import Imaging
import Sweeps
import Testing

/// The pieces of a run that need no encoder: mirrors within D4 sweeps, derived control presets,
/// CSV quoting, input checks.
@Suite struct LabUnitTests {
    static func sweep(preset: String) throws -> LabSweep {
        let source = SourceImage(image: RGBImage(width: 3, height: 2, filledWith: (1, 2, 3)),
                                 provenance: SourceProvenance(path: "x.png", sha256: "0", format: "png", width: 3, height: 2,
                                                              exifOrientation: nil, exifOrientationApplied: false))
        let generator = VariantGenerator(preset: try PresetLibrary.resolve(preset), source: source)
        return LabSweep(imageID: "x", preset: preset, role: .main, replicate: 0,
                        variants: (0..<generator.count).map { generator.provenance(at: $0) })
    }

    @Test func everyD4ElementFindsItsMirrorsInTheSweep() throws {
        let d4 = try Self.sweep(preset: "d4")
        #expect(d4.kind == .dihedral)
        let names = d4.variants.map { $0.value.name ?? "" }
        let horizontal = LabAnalysis.mirrorIndices(of: d4, axis: .flipHorizontal)
        let vertical = LabAnalysis.mirrorIndices(of: d4, axis: .flipVertical)
        // Check against the transforms applied to an asymmetric image.
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        for (index, name) in names.enumerated() {
            let transform = try #require(DihedralName(rawValue: name)).transform
            let h = try #require(horizontal[index]), v = try #require(vertical[index])
            let hTransform = try #require(DihedralName(rawValue: names[h])).transform
            let vTransform = try #require(DihedralName(rawValue: names[v])).transform
            #expect(image.transformed(by: transform).transformed(by: .flipHorizontal) == image.transformed(by: hTransform), "\(name)")
            #expect(image.transformed(by: transform).transformed(by: .flipVertical) == image.transformed(by: vTransform), "\(name)")
        }
        let flip = try Self.sweep(preset: "flip")
        #expect(LabAnalysis.mirrorIndices(of: flip, axis: .flipHorizontal) == [1, 0, 3, 2])
        #expect(LabAnalysis.mirrorIndices(of: flip, axis: .flipVertical) == [2, 3, 0, 1])
    }

    @Test func theCircularControlOfRotation100IsRotationCircular() throws {
        let rotation = try PresetLibrary.resolve("rotation-100")
        let circular = try #require(LabPlan.circularControl(of: rotation))
        let bundled = try PresetLibrary.resolve("rotation-circular")
        #expect(circular.definition.axes[0].operation == bundled.definition.axes[0].operation)
        #expect(circular.definition.axes[0].values == bundled.definition.axes[0].values)
        #expect(circular.definition.squareCrop == bundled.definition.squareCrop)
        #expect(LabPlan.circularControl(of: bundled) == nil)
        #expect(LabPlan.circularControl(of: try PresetLibrary.resolve("noise-100")) == nil)
    }

    @Test func csvFieldsAreQuotedAsRFC4180Says() {
        #expect(LabCSV.field("plain") == "plain")
        #expect(LabCSV.field("a,b") == "\"a,b\"")
        #expect(LabCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(LabCSV.field("two\nlines") == "\"two\nlines\"")
    }

    @Test func badInputsAreRefusedBeforeAnyWork() {
        func message(_ options: LabRunOptions) -> String? {
            do { _ = try LabPlan.make(options); return nil } catch { return error.description }
        }
        let image = Fixtures.package("Images/synthetic_glyph_F.png").path
        #expect(message(LabRunOptions(images: ["/nonexistent/x.png"]))?.contains("/nonexistent/x.png") == true)
        #expect(message(LabRunOptions(images: [image], presets: ["no-such-preset"]))?.contains("no-such-preset") == true)
        #expect(message(LabRunOptions(images: [image], models: ["pixelz"]))?.contains("pixelz") == true)
        #expect(message(LabRunOptions(images: [image], models: ["pixels", "pixels"]))?.contains("both called") == true)
        #expect(message(LabRunOptions(images: [image], seeds: 0))?.contains("--seeds") == true)
        #expect(message(LabRunOptions(images: [image], models: ["pixels"])) == nil)
    }
}

@Suite struct LabChunkTests {
    @Test func chunksShrinkWithTheSourceSizeButNeverBelowOne() {
        #expect(LabRun.chunkSize(width: 512, height: 512) == LabRun.maximumChunkSize)
        let large = LabRun.chunkSize(width: 4000, height: 3000)
        #expect(large >= 1 && large < LabRun.maximumChunkSize)
        #expect(large * 4000 * 3000 * 3 <= LabRun.chunkPixelBudgetBytes)
        #expect(LabRun.chunkSize(width: 10_000, height: 10_000) == 1)
    }
}
