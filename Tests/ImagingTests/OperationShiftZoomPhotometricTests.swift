import Testing
@testable import Imaging

/// Shift and zoom against Pillow's `Image.transform(AFFINE)` and scipy (edge/reflect fills);
/// brightness and contrast against the PIL ImageEnhance formulas evaluated by the script.
@Suite struct OperationShiftZoomPhotometricTests {
    static let geometric = (try? References.load()).map { $0.cases("shift") + $0.cases("zoom") }?.map(\.name) ?? []

    /// Nearest bit-identical, bilinear and bicubic within 1 level of Pillow's 8-bit output
    /// everywhere, within 1e-6 of Pillow's float mode and of scipy.
    @Test(arguments: geometric)
    func matchesReference(name: String) throws {
        let refs = try References.load()
        let reference = try #require(refs.index.cases.first { $0.name == name })
        let interpolation = try Interpolation(reference: reference.string("interpolation"))
        let fill = try Fill(reference: reference)
        let operation: any ImageOperation = reference.op == "shift"
            ? Shift(x: try reference.number("x"), y: try reference.number("y"), interpolation: interpolation, fill: fill)
            : Zoom(factor: try reference.number("factor"), interpolation: interpolation, fill: fill)
        let output = try operation.apply(to: refs.floatInput(of: reference))
        if let pillow = reference.outputs["pillow"] {
            let worst = Compare.maxDifference(output.quantized().pixels, try refs.uint8(pillow))
            #expect(worst.value <= (interpolation == .nearest ? 0 : 1), "\(name): \(worst)")
        }
        for key in ["pillow_float", "scipy"] {
            if let array = reference.outputs[key] {
                let worst = Compare.maxDifference(output.pixels, try refs.float32(array))
                #expect(worst.value <= 1e-6, "\(name) vs \(key): \(worst)")
            }
        }
    }

    /// Whole-pixel shifts copy samples exactly, whatever the interpolation.
    @Test(arguments: Interpolation.allCases)
    func wholePixelShiftIsExact(interpolation: Interpolation) throws {
        let image = FloatImage(try References.load().input("64x48"))
        let out = try Shift(x: 3.0 / 64, y: -5.0 / 48, interpolation: interpolation).apply(to: image)
        for y in 0..<(48 - 5) {
            for x in 3..<64 {
                for c in 0..<3 { #expect(out[x, y, c] == image[x - 3, y + 5, c]) }
            }
        }
        #expect(out[0, 0, 0] == 0 && out[5, 47, 1] == 0)
    }

    @Test func extremeParametersThrow() {
        let image = FloatImage(width: 4, height: 4, filledWith: (0.5, 0.5, 0.5))
        #expect(throws: ImagingError.self) { try Zoom(factor: 0).apply(to: image) }
        #expect(throws: ImagingError.self) { try Zoom(factor: -2).apply(to: image) }
        #expect(throws: ImagingError.self) { try Zoom(factor: .nan).apply(to: image) }
        #expect(throws: ImagingError.self) { try Shift(x: .infinity, y: 0).apply(to: image) }
        #expect(throws: ImagingError.self) { try Shift(x: 0, y: 1e30).apply(to: image) }
        let map = AffineMap(a: 1e300, b: 0, c: 0, d: 0, e: 1, f: 0)
        #expect(throws: ImagingError.self) { try AffineWarp(map: map, fill: .reflect).apply(to: image) }
        let steep = AffineMap(a: 0, b: 3e6, c: 0, d: 0, e: 1, f: 0)  // within ±2^30 at the corners of a 1×4 image
        #expect(throws: ImagingError.self) { try AffineWarp(map: steep).apply(to: FloatImage(width: 1, height: 4, filledWith: (0, 0, 0))) }
    }

    /// clamp(f·x) and clamp(m + f·(x − m)) with the mean luma, to 1e-6 of the script's float64
    /// evaluation; brightness also within 1 level of PIL's 8-bit ImageEnhance (which truncates).
    @Test func photometricMatchesReference() throws {
        let refs = try References.load()
        for reference in refs.cases("brightness") + refs.cases("contrast") {
            let image = try refs.floatInput(of: reference)
            let factor = Float(try reference.number("factor"))
            let output = reference.op == "brightness"
                ? try Brightness(factor: factor).apply(to: image)
                : try Contrast(factor: factor).apply(to: image)
            let worst = Compare.maxDifference(output.pixels, try refs.float32(refs.output(reference, "formula")))
            #expect(worst.value <= 1e-6, "\(reference.name): \(worst)")
            if let pillow = reference.outputs["pillow"] {
                let levels = Compare.maxDifference(output.quantized().pixels, try refs.uint8(pillow))
                #expect(levels.value <= 1, "\(reference.name) vs PIL: \(levels)")
            }
            if reference.op == "contrast" {
                #expect(abs(Contrast.meanLuma(image) - (try reference.number("mean_luma"))) <= 1e-9)
            }
        }
    }

    @Test func photometricValidates() {
        let image = FloatImage(width: 2, height: 2, filledWith: (0.5, 0.5, 0.5))
        #expect(throws: ImagingError.self) { try Brightness(factor: -1).apply(to: image) }
        #expect(throws: ImagingError.self) { try Contrast(factor: .nan).apply(to: image) }
    }
}
