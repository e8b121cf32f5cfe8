import Foundation
import Imaging
import Testing
import AugLabTestSupport
@testable import Sweeps

/// Small inputs for the generator tests.
enum SweepFixtures {
    /// A deterministic 24×16 test pattern (not square, so square crops and D4 sizes show).
    static func pattern(width: Int = 24, height: Int = 16) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8((x * 255) / max(1, width - 1))
                pixels[i + 1] = UInt8((y * 255) / max(1, height - 1))
                pixels[i + 2] = UInt8(((x * 7 + y * 13) % 32) * 8)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func source(_ image: RGBImage = pattern()) -> SourceImage {
        SourceImage(image: image, provenance: SourceProvenance(
            path: "memory/pattern.png", sha256: SHA256.hex(of: image.pixels), format: "png",
            width: image.width, height: image.height, exifOrientation: nil, exifOrientationApplied: false))
    }

    static func preset(_ body: String, name: String = "test") throws -> Preset {
        try Preset(yaml: "description: test preset\n" + body, name: name, path: "Presets/\(name).yaml")
    }
}

@Suite struct VariantGeneratorTests {
    @Test func twoDimensionalSweepsAreRowMajorCompositions() throws {
        let preset = try SweepFixtures.preset("""
            sweep:
              operation: rotate
              values: [0, 30, 200]
            second_sweep:
              operation: gaussian_noise
              values: [0, 0.1]
            """)
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 7)
        #expect(generator.count == 6)
        let start = FloatImage(SweepFixtures.pattern())
        for index in 0..<6 {
            let (row, column) = (index / 2, index % 2)
            #expect(preset.definition.coordinates(of: index) == [row, column])
            let variant = try generator.variant(at: index)
            let provenance = variant.provenance
            let angle = try #require(preset.definition.axes[0].values[row].number)
            let sigma = try #require(preset.definition.axes[1].values[column].number)
            #expect(provenance.value == .number(angle) && provenance.operation == "rotate")
            let axes = try #require(provenance.axes)
            #expect(axes.map(\.index) == [row, column])
            #expect(axes.map(\.value) == [.number(angle), .number(sigma)])
            #expect(axes.map(\.operation) == ["rotate", "gaussian_noise"])
            #expect(axes.map(\.kind) == [.rotationAngle, .orderedLevel])
            // Second axis after the first, in float, quantised once.
            let variantSeed = RandomSeed.variant(sweepSeed: 7, index: index)
            let noiseSeed = RandomSeed.variant(sweepSeed: variantSeed, index: 0)
            #expect(axes.map(\.seed) == [variantSeed, noiseSeed])
            let rotated = try Rotation(degrees: angle).apply(to: start)
            let expected = try GaussianNoise(sigma: Float(sigma), seed: noiseSeed).apply(to: rotated).quantized()
            #expect(variant.image == expected, "variant \(index)")
        }
    }

    @Test func eachVariantUsesItsOwnDerivedSeed() throws {
        let preset = try SweepFixtures.preset("sweep:\n  operation: gaussian_noise\n  values: [0.2, 0.2, 0.2]\n")
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 42)
        let start = FloatImage(SweepFixtures.pattern())
        var images: [RGBImage] = []
        for index in 0..<3 {
            let variant = try generator.variant(at: index)
            let seed = RandomSeed.variant(sweepSeed: 42, index: index)
            #expect(variant.provenance.seed == seed && variant.provenance.sweepSeed == 42)
            #expect(variant.image == (try GaussianNoise(sigma: 0.2, seed: seed).apply(to: start).quantized()))
            images.append(variant.image)
        }
        #expect(Set(images).count == 3, "the same σ at different indices must draw different noise")
        // The same seed regenerates the same pixels; another sweep seed changes them.
        #expect(try generator.variant(at: 1).image == images[1])
        let other = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 43)
        #expect(try other.variant(at: 1).image != images[1])
    }

    @Test func variantsAreQuantisedOnceFromFloat() throws {
        let preset = try SweepFixtures.preset("""
            sweep:
              operation: blur
              values: [0.7]
              sigma_unit: source_px
            second_sweep:
              operation: brightness
              values: [1.3]
            """)
        let variant = try VariantGenerator(preset: preset, source: SweepFixtures.source()).variant(at: 0)
        let blurred = try GaussianBlur(sigma: .sourcePixels(0.7)).apply(to: FloatImage(SweepFixtures.pattern()))
        let once = try Brightness(factor: 1.3).apply(to: blurred).quantized()
        let twice = try Brightness(factor: 1.3).apply(to: FloatImage(blurred.quantized())).quantized()
        #expect(variant.image == once)
        #expect(once != twice, "the fixture must tell single from double quantisation")
    }

    @Test func squareCropMaskControlAndD4Sizes() throws {
        let source = SweepFixtures.source()
        let d4 = try PresetLibrary.bundled(named: "d4")
        let generator = VariantGenerator(preset: d4, source: source)
        let square = CentreSquareCrop().crop(FloatImage(source.image)).quantized()
        #expect(square.width == 16 && square.height == 16)
        for index in 0..<generator.count {
            let variant = try generator.variant(at: index)
            let element = try #require(variant.provenance.value.name.flatMap(DihedralName.init(rawValue:)))
            #expect(variant.image == square.transformed(by: element.transform))
            #expect(variant.provenance.squareCrop && variant.provenance.width == 16)
        }
        // Without the square crop, the axis-swapping elements turn 24×16 into 16×24.
        let flips = try SweepFixtures.preset("sweep:\n  operation: dihedral\n  values: [identity, rotate_90]\n")
        let plain = VariantGenerator(preset: flips, source: source)
        let turned = try plain.variant(at: 1)
        #expect(turned.image.width == 16 && turned.image.height == 24)
        #expect(turned.provenance.width == 16 && turned.provenance.height == 24)
        #expect(turned.image == source.image.transformed(by: .rotate90))
        // The mask control: the same sweep on flat mid-grey of the cropped size.
        let control = VariantGenerator(preset: try PresetLibrary.bundled(named: "mask-control"), source: source)
        #expect(control.sourceKind == .midGrey && control.count == 100)
        let grey = try control.variant(at: 0).image
        #expect(grey == RGBImage(width: 16, height: 16, filledWith: (128, 128, 128)))
        let rotated = try control.variant(at: 10).image  // 36°: black corners on grey
        #expect(rotated[0, 0, 0] == 0 && rotated[8, 8, 0] == 128)
        #expect(try control.variant(at: 10).provenance.sourceKind == .midGrey)
        // Asking for the mask control overrides the preset's source.
        let forced = VariantGenerator(preset: d4, source: source, maskControl: true)
        #expect(try forced.variant(at: 3).image == RGBImage(width: 16, height: 16, filledWith: (128, 128, 128)))
    }

    @Test func circularCropPaintsCornersAtEveryAngle() throws {
        let preset = try PresetLibrary.bundled(named: "rotation-circular")
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(RGBImage(width: 20, height: 20, filledWith: (200, 100, 50))))
        let start = FloatImage(RGBImage(width: 20, height: 20, filledWith: (200, 100, 50)))
        for index in [0, 25, 37] {
            let angle = try #require(preset.definition.axes[0].values[index].number)
            let expected = try Rotation(degrees: angle, interpolation: .bilinear, fill: .black, crop: .circularMask).apply(to: start)
            let image = try generator.variant(at: index).image
            #expect(image == expected.quantized())
            #expect(image[0, 0, 0] == 0 && image[10, 10, 0] == 200)
        }
    }

    @Test func provenanceIsCompleteWithStableKeys() throws {
        let preset = try PresetLibrary.bundled(named: "rotation-100")
        let url = Fixtures.package("Images/synthetic_glyph_F.png")
        let source = try SourceImage.load(path: url.path)
        let bytes = try Data(contentsOf: url)
        #expect(source.provenance.sha256 == SHA256.hex(of: bytes))
        #expect(source.provenance.format == "png" && source.provenance.width == 256 && source.provenance.height == 256)
        let generator = VariantGenerator(preset: preset, source: source, seed: 5)
        let provenance = generator.provenance(at: 3)
        #expect(provenance == (try generator.variant(at: 3).provenance))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(provenance)) as? [String: Any])
        #expect(Set(object.keys) == ["index", "operation", "value", "unit", "axis_kind", "seed", "sweep_seed", "interpolation", "fill",
                                     "crop", "direction", "model_input_size", "square_crop", "axes", "source_kind",
                                     "source", "width", "height", "preset", "preset_path", "preset_sha256",
                                     "preprocessing", "file"])
        #expect(object["index"] as? Int == 3)
        #expect(object["operation"] as? String == "rotate" && object["unit"] as? String == "degrees")
        #expect(object["axis_kind"] as? String == "rotation_angle")
        #expect(object["value"] as? Double == 10.8)
        #expect((object["seed"] as? NSNumber)?.uint64Value == RandomSeed.variant(sweepSeed: 5, index: 3))
        #expect(object["interpolation"] as? String == "bilinear" && object["fill"] as? String == "black")
        #expect(object["crop"] as? String == "none" && object["square_crop"] as? Bool == true)
        #expect(object["axes"] is NSNull && object["preprocessing"] is NSNull && object["file"] is NSNull)
        #expect(object["preset"] as? String == "rotation-100" && object["preset_sha256"] as? String == preset.sha256)
        let sourceObject = try #require(object["source"] as? [String: Any])
        #expect(Set(sourceObject.keys) == ["path", "sha256", "format", "width", "height", "exif_orientation",
                                           "exif_orientation_applied"])
        #expect(sourceObject["path"] as? String == url.path)
        // Round trip.
        let decoded = try JSONDecoder().decode(VariantProvenance.self, from: JSONEncoder().encode(provenance))
        #expect(decoded == provenance)
    }

    @Test func exifOrientationIsRecordedAppliedOrNot() throws {
        let path = Fixtures.package("Tests/ImagingTests/Resources/codecs/exif_le_6.jpg").path
        let upright = try SourceImage.load(path: path)
        #expect(upright.provenance.exifOrientation == 6 && upright.provenance.exifOrientationApplied)
        let stored = try SourceImage.load(path: path, options: DecodeOptions(applyEXIFOrientation: false))
        #expect(stored.provenance.exifOrientation == 6 && !stored.provenance.exifOrientationApplied)
        #expect(stored.provenance.format == "jpeg")
        #expect(upright.image == stored.image.transformed(by: .rotate270))
        #expect(upright.provenance.width == stored.provenance.height)
    }

    @Test func badSourcesFailWithTheFileNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let empty = directory.path("empty.png")
        let text = directory.path("text.png")
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data("hello, not an image\n".utf8).write(to: URL(fileURLWithPath: text))
        for path in [empty, text, directory.path("missing.png"), directory.url.path] {
            #expect {
                try SourceImage.load(path: path)
            } throws: { error in
                guard let error = error as? SweepError else { return false }
                return error.code == .image && error.description.hasPrefix("\(path): ")
            }
        }
        // The pixel limit is checked from the header.
        let big = Fixtures.package("Images/synthetic_c4.png").path
        #expect(throws: SweepError.self) { try SourceImage.load(path: big, options: DecodeOptions(maxPixels: 1000)) }
    }

    /// Checks that a one-axis sweep of `operation` over `values` gives `expected(start, value, seed)`.
    func check(_ operation: String, _ values: [Double], _ options: String = "",
               _ expected: (FloatImage, Double, UInt64) throws -> FloatImage,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let source = SweepFixtures.source()
        let start = FloatImage(source.image)
        let list = "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        let preset = try SweepFixtures.preset("sweep:\n  operation: \(operation)\n  values: \(list)\n" + options)
        let generator = VariantGenerator(preset: preset, source: source, seed: 3)
        for (index, value) in values.enumerated() {
            let variant = try generator.variant(at: index)
            let seed = RandomSeed.variant(sweepSeed: 3, index: index)
            #expect(variant.image == (try expected(start, value, seed)).quantized(), "\(operation) \(value)",
                    sourceLocation: sourceLocation)
            #expect(variant.provenance.operation == operation && variant.provenance.value == .number(value),
                    sourceLocation: sourceLocation)
        }
    }

    @Test func everyOperationMapsToItsImagingOperation() throws {
        try check("rotate", [0, 45], "  interpolation: bicubic\n  fill: reflect\n") { image, value, _ in
            try Rotation(degrees: value, interpolation: .bicubic, fill: .reflect).apply(to: image)
        }
        try check("uniform_noise", [0, 0.5]) { image, value, seed in
            try UniformNoiseBlend(alpha: Float(value), seed: seed).apply(to: image)
        }
        try check("blur", [0, 2], "  sigma_unit: model_input_px\n  model_input_size: 8\n") { image, value, _ in
            try GaussianBlur(sigma: .sourcePixels(value * 16 / 8)).apply(to: image)  // σ × shorter side / 8
        }
        try check("shift", [-0.25, 0.5], "  direction: diagonal\n  fill: edge\n") { image, value, _ in
            try Shift(x: value, y: value, interpolation: .bilinear, fill: .edge).apply(to: image)
        }
        try check("shift", [0.25], "  direction: vertical\n") { image, value, _ in
            try Shift(x: 0, y: value).apply(to: image)
        }
        try check("jpeg", [90, 5]) { image, value, _ in
            FloatImage(try JPEGCodec.reencode(image.quantized(), quality: Int(value)))
        }
        try check("brightness", [0.5]) { image, value, _ in try Brightness(factor: Float(value)).apply(to: image) }
        try check("contrast", [0, 1.5]) { image, value, _ in try Contrast(factor: Float(value)).apply(to: image) }
        try check("zoom", [0.5, 2], "  interpolation: nearest\n  fill: white\n") { image, value, _ in
            try Zoom(factor: value, interpolation: .nearest, fill: .constant(FloatColor(grey: 1))).apply(to: image)
        }
        let blur = try SweepFixtures.preset("sweep:\n  operation: blur\n  values: [2]\n  sigma_unit: model_input_px\n  model_input_size: 8\n")
        let provenance = VariantGenerator(preset: blur, source: SweepFixtures.source()).provenance(at: 0)
        #expect(provenance.modelInputSize == 8 && provenance.unit == "model_input_px")
    }

    @Test func outOfRangeIndexThrows() throws {
        let generator = VariantGenerator(preset: try PresetLibrary.bundled(named: "flip"), source: SweepFixtures.source())
        #expect(throws: SweepError.self) { try generator.variant(at: 4) }
        #expect(throws: SweepError.self) { try generator.variant(at: -1) }
    }
}
