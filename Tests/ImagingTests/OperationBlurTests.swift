import Testing
@testable import Imaging

/// Gaussian blur against `scipy.ndimage.gaussian_filter(x, sigma=(σ, σ, 0), mode="reflect", truncate=4)`.
@Suite struct OperationBlurTests {
    static let cases = (try? References.load().cases("blur").map(\.name)) ?? []

    /// Within 1e-5 in float everywhere (the issue asks for 1e-3; the measured gap is float32
    /// rounding, ~4e-7), for σ from 0 to beyond the image size (reflect of reflect).
    @Test(arguments: cases)
    func matchesScipy(name: String) throws {
        let refs = try References.load()
        let reference = try #require(refs.index.cases.first { $0.name == name })
        let sigma = try reference.number("sigma")
        let output = try GaussianBlur(sigma: .sourcePixels(sigma)).apply(to: refs.floatInput(of: reference))
        let expected = try refs.float32(refs.output(reference, "scipy"))
        let worst = Compare.maxDifference(output.pixels, expected)
        #expect(worst.value <= 1e-5, "\(name): differs from scipy by \(worst.value) at sample \(worst.index)")
    }

    /// σ in model-input pixels converts to source pixels as σ × shorter side / model input size.
    @Test func modelInputSigmaConversion() throws {
        for conversion in try References.load().index.blur_sigma_conversions {
            let sigma = BlurSigma.modelInputPixels(conversion.sigma_model, modelInputSize: conversion.model_input_size)
            let source = sigma.inSourcePixels(width: conversion.width, height: conversion.height)
            #expect(abs(source - conversion.sigma_source) <= 1e-12 * conversion.sigma_source)
        }
        #expect(BlurSigma.sourcePixels(2.5).inSourcePixels(width: 10, height: 1000) == 2.5)
    }

    /// A blur in model-input pixels is the same operation as the converted source-pixel blur.
    @Test func modelInputBlurEqualsConvertedSourceBlur() throws {
        let image = FloatImage(try References.load().input("33x25"))
        let model = BlurSigma.modelInputPixels(30, modelInputSize: 224)
        let converted = BlurSigma.sourcePixels(model.inSourcePixels(width: image.width, height: image.height))
        #expect(try GaussianBlur(sigma: model).apply(to: image) == GaussianBlur(sigma: converted).apply(to: image))
    }

    @Test func invalidSigmasThrow() {
        let image = FloatImage(width: 3, height: 2, filledWith: (0.1, 0.2, 0.3))
        for sigma in [-1.0, .nan, .infinity, 1e12, 1e300, 4.2e6] {
            #expect(throws: ImagingError.self) { try GaussianBlur(sigma: .sourcePixels(sigma)).apply(to: image) }
        }
        #expect(throws: ImagingError.self) {
            try GaussianBlur(sigma: .modelInputPixels(1, modelInputSize: 0)).apply(to: image)
        }
    }

    /// A flat image stays flat (weights sum to 1), also on 1-pixel-wide images with huge kernels.
    @Test func flatImagesStayFlat() throws {
        for (w, h) in [(1, 1), (1, 9), (9, 1), (5, 4)] {
            let image = FloatImage(width: w, height: h, filledWith: (0.25, 0.5, 1))
            for sigma in [0.5, 3.0, 100.0] {
                let out = try GaussianBlur(sigma: .sourcePixels(sigma)).apply(to: image)
                let worst = Compare.maxDifference(out.pixels, image.pixels)
                #expect(worst.value <= 1e-6, "\(w)×\(h) σ \(sigma): \(worst)")
            }
        }
    }
}
