import Foundation
import Testing
import AugLabTestSupport
import Imaging
@testable import CLIP

/// Preprocessing against open_clip's transform on the fixture PNGs (preprocess.safetensors).
@Suite struct PreprocessFixtureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var image: String
        var size: Int
        var testDescription: String { "\(image).s\(size)" }
    }

    static let cases = [Case(image: "png_a", size: 64), Case(image: "png_a", size: 224),
                        Case(image: "png_b", size: 64), Case(image: "png_b", size: 224)]

    static func file() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/preprocess.safetensors").path)
    }

    /// An HWC uint8 tensor of the file as an image.
    static func image(_ file: SafeTensorsFile, _ name: String) throws -> RGBImage {
        let info = try #require(file.info(name))
        #expect(info.dtype == .uint8 && info.shape.count == 3 && info.shape[2] == 3, "\(name)")
        return RGBImage(width: info.shape[1], height: info.shape[0], pixels: try file.bytes(name))
    }

    @Test(arguments: cases)
    func uint8StagesAreBitExact(_ testCase: Case) throws {
        let file = try Self.file()
        let source = try Self.image(file, "\(testCase.image).rgb_u8")
        let expectedResized = try Self.image(file, "\(testCase.image).s\(testCase.size).resized_u8")
        let expectedCropped = try Self.image(file, "\(testCase.image).s\(testCase.size).cropped_u8")
        let preprocessor = try CLIPPreprocessor(PreprocessConfig(imageSize: testCase.size))

        let record = try preprocessor.plan(sourceWidth: source.width, sourceHeight: source.height)
        #expect(record.resizedWidth == expectedResized.width && record.resizedHeight == expectedResized.height)
        let resized = try source.resized(width: record.resizedWidth, height: record.resizedHeight, filter: .bicubic)
        #expect(resized == expectedResized, "\(zip(resized.pixels, expectedResized.pixels).filter { $0 != $1 }.count) samples differ")

        let (input, inputRecord) = try preprocessor.inputImage(source)
        #expect(inputRecord == record)
        #expect(input == expectedCropped, "\(zip(input.pixels, expectedCropped.pixels).filter { $0 != $1 }.count) samples differ")
        #expect(try resized.resized(width: resized.width, height: resized.height, croppedTo: record.window) == expectedCropped)
    }

    @Test(arguments: ["png_a", "png_b"])
    func tensorsAt64MatchWithin1e5(_ name: String) throws {
        let file = try Self.file()
        let source = try Self.image(file, "\(name).rgb_u8")
        let expected = try file.floats("\(name).s64.tensor")
        let output = try CLIPPreprocessor(PreprocessConfig(imageSize: 64))(source)
        #expect(output.size == 64 && output.tensor.count == expected.count)
        let maxError = zip(output.tensor, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxError <= 1e-5, "max |error| \(maxError)")
    }

    @Test func recordsTheResizeAndCrop() throws {
        // The README's table: png_a 97×61 → 101×64, crop left 18 (18.5 rounds to even); png_b 200×300 → 64×96, top 16.
        let file = try Self.file()
        let preprocessor = try CLIPPreprocessor(PreprocessConfig(imageSize: 64))
        for name in ["png_a", "png_b"] {
            let source = try Self.image(file, "\(name).rgb_u8")
            let resized = try Self.image(file, "\(name).s64.resized_u8")
            let record = try preprocessor.plan(sourceWidth: source.width, sourceHeight: source.height)
            let cropX = Double(resized.width - 64) / 2, cropY = Double(resized.height - 64) / 2
            #expect(record.window == PixelRect(x: Int(cropX.rounded(.toNearestOrEven)), y: Int(cropY.rounded(.toNearestOrEven)),
                                               width: 64, height: 64))
            #expect(record.resampled)
        }
        let a = try preprocessor.plan(sourceWidth: 97, sourceHeight: 61)
        #expect(a.window.x == 18, "(101 − 64) / 2 = 18.5 rounds half to even")
    }
}
