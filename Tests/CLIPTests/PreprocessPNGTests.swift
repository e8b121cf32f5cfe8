import Foundation
import Testing
import AugLabTestSupport
import Imaging
@testable import CLIP

/// The fixture PNGs from the file on disk through AugLab's decoder and open_clip's transform:
/// decoded pixels equal `*.rgb_u8`, the 8-bit crops equal `*.cropped_u8` bit for bit at 64 and
/// 224 px, and the 64-px tensors equal `*.s64.tensor` within 1e-5 (preprocess.safetensors).
@Suite struct PreprocessPNGTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var testDescription: String { name }
    }

    static let cases = [Case(name: "png_a", file: "png_a_97x61.png"), Case(name: "png_b", file: "png_b_200x300.png")]

    static func reference() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/preprocess.safetensors").path)
    }

    static func decoded(_ testCase: Case) throws -> RGBImage {
        try ImageDecoder.decodeFile(atPath: Fixtures.shared("fixtures/clip/" + testCase.file).path).image
    }

    static func differingSamples(_ a: RGBImage, _ b: RGBImage) -> Int {
        guard a.width == b.width, a.height == b.height else { return max(a.pixels.count, b.pixels.count) }
        return zip(a.pixels, b.pixels).filter { $0 != $1 }.count
    }

    @Test(arguments: cases)
    func decodedPixelsEqualPillow(_ testCase: Case) throws {
        let image = try Self.decoded(testCase)
        let expected = try PreprocessFixtureTests.image(Self.reference(), "\(testCase.name).rgb_u8")
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image == expected, "\(Self.differingSamples(image, expected)) samples differ")
    }

    @Test(arguments: cases, [64, 224])
    func croppedStageIsBitExact(_ testCase: Case, size: Int) throws {
        let image = try Self.decoded(testCase)
        let expected = try PreprocessFixtureTests.image(Self.reference(), "\(testCase.name).s\(size).cropped_u8")
        let (input, record) = try CLIPPreprocessor(PreprocessConfig(imageSize: size)).inputImage(image)
        #expect(record.sourceWidth == image.width && record.sourceHeight == image.height)
        #expect(input == expected, "\(Self.differingSamples(input, expected)) samples differ")
    }

    @Test(arguments: cases)
    func tensorAt64MatchesWithin1e5(_ testCase: Case) throws {
        let image = try Self.decoded(testCase)
        let expected = try Self.reference().floats("\(testCase.name).s64.tensor")
        let output = try CLIPPreprocessor(PreprocessConfig(imageSize: 64))(image)
        try #require(output.tensor.count == expected.count)
        let maxError = zip(output.tensor, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxError <= 1e-5, "max |error| \(maxError)")
    }
}
