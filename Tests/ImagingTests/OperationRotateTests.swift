import Testing
@testable import Imaging

/// Rotation against Pillow's `Image.rotate` (8-bit and per-channel float "F" mode) and, for the
/// edge/reflect fills Pillow lacks, against scipy.ndimage.map_coordinates (order 1).
@Suite struct OperationRotateTests {
    static let cases = (try? References.load().cases("rotate").map(\.name)) ?? []

    func rotation(_ reference: References.Case) throws -> Rotation {
        Rotation(degrees: try reference.number("degrees"),
                 interpolation: try Interpolation(reference: reference.string("interpolation")),
                 fill: try Fill(reference: reference))
    }

    /// Nearest is bit-identical to Pillow everywhere (same 16.16 fixed-point stepping);
    /// bilinear and bicubic are within 1 level of Pillow's 8-bit output (Pillow truncates where
    /// AugLab rounds) on every pixel whose source point is ≥ 1 px inside the image.
    @Test(arguments: cases)
    func matchesPillow(name: String) throws {
        let refs = try References.load()
        let reference = try #require(refs.index.cases.first { $0.name == name })
        let output = try rotation(reference).apply(to: refs.floatInput(of: reference))
        let quantized = output.quantized().pixels
        if let pillow = reference.outputs["pillow"] {
            let expected = try refs.uint8(pillow)
            if try reference.string("interpolation") == "nearest" {
                let worst = Compare.maxDifference(quantized, expected)
                #expect(worst.value == 0, "\(name): nearest differs from Pillow by \(worst.value) at sample \(worst.index)")
            } else {
                let interior = try refs.uint8(refs.output(reference, "interior"))
                #expect(interior.contains(1), "\(name): empty interior")
                let inside = Compare.maxDifference(quantized, expected) { interior[$0] == 1 }
                #expect(inside.value <= 1, "\(name): interior differs from Pillow by \(inside.value) levels at sample \(inside.index)")
                let everywhere = Compare.maxDifference(quantized, expected)
                #expect(everywhere.value <= 1, "\(name): differs from Pillow by \(everywhere.value) levels at sample \(everywhere.index)")
            }
        }
        // Against Pillow's float ("F") mode, which interpolates in double without 8-bit truncation:
        // AugLab interpolates in float32, so a few ulps of 1 (measured ≤ 2.4e-7); bound 1e-6.
        if let float = reference.outputs["pillow_float"] {
            let expected = try refs.float32(float)
            let worst = Compare.maxDifference(output.pixels, expected)
            #expect(worst.value <= 1e-6, "\(name): differs from Pillow float by \(worst.value) at \(worst.index)")
        }
        if let scipy = reference.outputs["scipy"] {
            let expected = try refs.float32(scipy)
            let worst = Compare.maxDifference(output.pixels, expected)
            #expect(worst.value <= 1e-6, "\(name): differs from scipy by \(worst.value) at \(worst.index)")
        }
    }

    /// The square pre-crop (floor offsets) followed by rotation matches Pillow on the cropped
    /// square; at 90° the result is an exact permutation of the crop's samples.
    @Test func squareCropThenRotateMatchesPillow() throws {
        let refs = try References.load()
        for reference in refs.cases("rotate-square") {
            let degrees = try reference.number("degrees")
            let rotation = Rotation(degrees: degrees, interpolation: .bilinear, cropToSquareFirst: true)
            let output = try rotation.apply(to: refs.floatInput(of: reference))
            let expected = try refs.uint8(refs.output(reference, "pillow"))
            #expect(output.width == output.height)
            let worst = Compare.maxDifference(output.quantized().pixels, expected)
            if degrees.truncatingRemainder(dividingBy: 90) == 0 {
                #expect(worst.value == 0, "\(reference.name): \(worst)")
            } else {
                #expect(worst.value <= 1, "\(reference.name): \(worst)")
            }
        }
    }

    /// Multiples of 90° on a square canvas move pixel centres onto pixel centres: every
    /// interpolation returns exactly the source samples, rearranged, with no fill.
    @Test(arguments: [Interpolation.nearest, .bilinear, .bicubic])
    func quarterTurnsAreExactPermutations(interpolation: Interpolation) throws {
        let source = FloatImage(try References.load().input("40x40"))
        for degrees in [0.0, 90, 180, 270, 360, -90] {
            let output = try Rotation(degrees: degrees, interpolation: interpolation).apply(to: source)
            let permutation = output.pixels.sorted() == source.pixels.sorted()
            #expect(permutation, "\(degrees)° \(interpolation)")
            let corner = Array(output.pixels[0..<3])
            let expectedCorner: [Float]
            switch ((Int(degrees) % 360) + 360) % 360 {
            case 0: expectedCorner = Array(source.pixels[0..<3])  // top-left stays
            case 90: let i = 39 * 3; expectedCorner = Array(source.pixels[i..<(i + 3)])  // CCW: top-right comes to top-left
            case 180: let i = (40 * 40 - 1) * 3; expectedCorner = Array(source.pixels[i..<(i + 3)])
            default: let i = 39 * 40 * 3; expectedCorner = Array(source.pixels[i..<(i + 3)])  // 270: bottom-left
            }
            #expect(corner == expectedCorner, "\(degrees)° \(interpolation)")
        }
    }

    @Test func invalidParametersThrow() {
        let image = FloatImage(width: 4, height: 3, filledWith: (0.5, 0.5, 0.5))
        #expect(throws: ImagingError.self) { try Rotation(degrees: .nan).apply(to: image) }
        #expect(throws: ImagingError.self) { try Rotation(degrees: .infinity).apply(to: image) }
        #expect(throws: ImagingError.self) {
            try Rotation(degrees: 10, fill: .constant(FloatColor(red: 2, green: 0, blue: 0))).apply(to: image)
        }
    }

    /// One-pixel and one-row images rotate without trapping (every tap clamps or reflects).
    @Test(arguments: [Fill.black, .edge, .reflect])
    func degenerateSizesDoNotTrap(fill: Fill) throws {
        for (w, h) in [(1, 1), (1, 5), (7, 1), (2, 2)] {
            let image = FloatImage(width: w, height: h, filledWith: (0.25, 0.5, 0.75))
            for interpolation in Interpolation.allCases {
                let out = try Rotation(degrees: 33, interpolation: interpolation, fill: fill).apply(to: image)
                #expect(out.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
        }
    }
}

/// The circular mask and the square pre-crop.
@Suite struct OperationMaskTests {
    /// The inside test matches the script's (numpy) definition: the pixel centre within the inscribed circle.
    @Test func maskMatchesReference() throws {
        let refs = try References.load()
        for reference in refs.cases("circular-mask") {
            let image = try refs.floatInput(of: reference)
            let inside = try refs.uint8(refs.output(reference, "inside"))
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let ours = CircularMask.contains(x: x, y: y, width: image.width, height: image.height)
                    #expect(ours == (inside[y * image.width + x] == 1), "\(reference.name) (\(x), \(y))")
                }
            }
        }
    }

    /// Outside the circle every pixel is the fill colour, inside the rotation is untouched, and the
    /// set of masked pixels is the same at every angle (0° included).
    @Test func maskedRotationKeepsInsideAndPaintsOutside() throws {
        let refs = try References.load()
        let source = FloatImage(try refs.input("33x25"))
        let color = FloatColor(red8: 10, green8: 200, blue8: 77)
        let inside = try refs.uint8(refs.output(#require(refs.cases("circular-mask").first { $0.input == "33x25" }), "inside"))
        for degrees in [0.0, 37, 90, 180, 333.3] {
            let plain = try Rotation(degrees: degrees, fill: .constant(color)).apply(to: source)
            let masked = try Rotation(degrees: degrees, fill: .constant(color), crop: .circularMask).apply(to: source)
            for pixel in 0..<(source.width * source.height) {
                let got = Array(masked.pixels[(pixel * 3)..<(pixel * 3 + 3)])
                if inside[pixel] == 1 {
                    #expect(got == Array(plain.pixels[(pixel * 3)..<(pixel * 3 + 3)]), "\(degrees)° pixel \(pixel)")
                } else {
                    #expect(got == [color.red, color.green, color.blue], "\(degrees)° pixel \(pixel)")
                }
            }
        }
    }

    /// The per-row spans used to paint the mask agree with the per-pixel definition.
    @Test func insideColumnsAgreeWithContains() {
        for (w, h) in [(1, 1), (2, 1), (1, 3), (33, 25), (40, 40), (64, 48), (7, 100), (101, 9), (255, 256)] {
            for y in 0..<h {
                let span = CircularMask.insideColumns(y: y, width: w, height: h)
                for x in 0..<w {
                    let inSpan = span.map { $0.contains(x) } ?? false
                    #expect(inSpan == CircularMask.contains(x: x, y: y, width: w, height: h), "\(w)×\(h) (\(x), \(y))")
                }
            }
        }
    }

    @Test func centreSquareCropUsesFloorOffsets() throws {
        let source = FloatImage(try References.load().input("33x25"))
        let (left, top, side) = CentreSquareCrop.square(width: 33, height: 25)
        #expect(side == 25 && top == 0 && left == (33 - 25) / 2)
        let cropped = try CentreSquareCrop().apply(to: source)
        #expect(cropped.width == side && cropped.height == side)
        for y in 0..<side {
            for x in 0..<side {
                for c in 0..<3 { #expect(cropped[x, y, c] == source[x + left, y + top, c]) }
            }
        }
    }
}

/// The tiled traversal used for images wider than 2048 px gives exactly the row-order result,
/// and the C interior loop exactly the Swift one.
@Suite struct OperationWarpTilingTests {
    static func warp(_ image: FloatImage, _ map: AffineMap, _ interpolation: Interpolation, _ fill: Fill,
                     tiledAboveWidth: Int, vectorKernels: Bool = WarpGeometry.vectorKernels) -> FloatImage {
        let geometry = WarpGeometry(width: image.width, height: image.height, map: map, fill: fill,
                                    tiledAboveWidth: tiledAboveWidth, useVectorKernels: vectorKernels)
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: image.width, height: image.height) { output in
                switch interpolation {
                case .nearest: geometry.nearest(source.baseAddress!, output.baseAddress!)
                case .bilinear: geometry.bilinear(source.baseAddress!, output.baseAddress!)
                case .bicubic: geometry.bicubic(source.baseAddress!, output.baseAddress!)
                }
            }
        }
    }

    @Test(arguments: Interpolation.allCases)
    func tilesMatchRows(interpolation: Interpolation) throws {
        // 600×150: 19 tile columns of 32 px and 19 bands of 8 rows, the last of each partial.
        let small = FloatImage(try References.load().input("64x48"))
        var pixels = [Float](repeating: 0, count: 600 * 150 * 3)
        for y in 0..<150 {
            for x in 0..<600 {
                for c in 0..<3 { pixels[(y * 600 + x) * 3 + c] = small[(x * 7 + y) % 64, (y * 3 + x) % 48, c] }
            }
        }
        let image = FloatImage(width: 600, height: 150, pixels: pixels)
        for fill in [Fill.black, .edge, .reflect] {
            for degrees in [37.0, 90, 200.5] {
                let map = Rotation.inverseMap(degrees: degrees, width: 600, height: 150)
                let rows = Self.warp(image, map, interpolation, fill, tiledAboveWidth: .max)
                let tiles = Self.warp(image, map, interpolation, fill, tiledAboveWidth: 0)
                let same = rows == tiles  // a Bool, so a failure does not print 270,000 samples
                #expect(same, "\(interpolation) \(fill.name) \(degrees)°")
            }
        }
    }

    @Test func vectorKernelMatchesSwiftLoop() throws {
        try #require(WarpGeometry.vectorKernels, "no C kernels on this platform: the Swift loop is the only one")
        let small = FloatImage(try References.load().input("64x48"))
        for fill in [Fill.black, .edge, .reflect] {
            for degrees in [0.0, 5, 37, 90, 141.3, 270, 333] {
                let map = Rotation.inverseMap(degrees: degrees, width: 64, height: 48)
                let vector = Self.warp(small, map, .bilinear, fill, tiledAboveWidth: .max, vectorKernels: true)
                let scalar = Self.warp(small, map, .bilinear, fill, tiledAboveWidth: .max, vectorKernels: false)
                let same = vector == scalar
                #expect(same, "\(fill.name) \(degrees)°")
            }
        }
    }
}
