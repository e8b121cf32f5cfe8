import Foundation
import Testing
import AugLabTestSupport
import Imaging
@testable import CLIP

/// Resize modes, interpolations, fill and normalisation against open_clip's transform
/// (references: scripts/reference/preprocess_cases.py).
@Suite struct PreprocessConfigurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var image: String
        var config: PreprocessConfig
        var resizedWidth: Int
        var resizedHeight: Int
        var input: [UInt8]
        var tensor: [Float]?
        var testDescription: String {
            "\(image) \(config.resizeMode.rawValue) \(config.interpolation.rawValue) s\(config.imageSize) fill \(config.fillLevel)"
        }
    }

    struct References: Sendable {
        var images: [String: RGBImage]
        var cases: [Case]
    }

    static let references: References = (try? load()) ?? References(images: [:], cases: [])

    static func load() throws -> References {
        let json = try TokenizerReferences.package("preprocess_cases.json")
        var images: [String: RGBImage] = [:]
        for (name, value) in json["images"] as? [String: [String: Any]] ?? [:] {
            guard let width = value["width"] as? Int, let height = value["height"] as? Int,
                  let data = (value["pixels"] as? String).flatMap({ Data(base64Encoded: $0) }) else { continue }
            images[name] = RGBImage(width: width, height: height, pixels: [UInt8](data))
        }
        var cases: [Case] = []
        for entry in json["cases"] as? [[String: Any]] ?? [] {
            guard let image = entry["image"] as? String, let configObject = entry["config"],
                  let resized = entry["resized"] as? [Int], resized.count == 2,
                  let input = (entry["input_u8"] as? String).flatMap({ Data(base64Encoded: $0) }) else { continue }
            // The reference configuration is open_clip's preprocess_cfg, decoded as AugLab reads it.
            let configData = try JSONSerialization.data(withJSONObject: configObject)
            let config = try JSONDecoder().decode(PreprocessConfig.self, from: configData)
            var tensor: [Float]?
            if let data = (entry["tensor_f32"] as? String).flatMap({ Data(base64Encoded: $0) }) {
                tensor = data.withUnsafeBytes { raw in
                    (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                }
            }
            cases.append(Case(image: image, config: config, resizedWidth: resized[0], resizedHeight: resized[1],
                              input: [UInt8](input), tensor: tensor))
        }
        return References(images: images, cases: cases)
    }

    @Test func referencesCoverEveryModeAndInterpolation() {
        let cases = Self.references.cases
        #expect(cases.count >= 60)
        #expect(Set(cases.map(\.config.resizeMode)) == Set(PreprocessConfig.ResizeMode.allCases))
        #expect(Set(cases.map(\.config.interpolation)) == Set(PreprocessConfig.Interpolation.allCases))
        #expect(cases.contains { $0.config.resizeMode == .longest && $0.config.fillLevel == 127 })
        #expect(cases.filter { $0.tensor != nil }.count >= 9)
    }

    @Test(arguments: references.cases)
    func matchesOpenCLIP(_ testCase: Case) throws {
        let source = try #require(Self.references.images[testCase.image])
        let preprocessor = try CLIPPreprocessor(testCase.config)
        let (input, record) = try preprocessor.inputImage(source)
        #expect(record.resizedWidth == testCase.resizedWidth && record.resizedHeight == testCase.resizedHeight)
        #expect(input.pixels == testCase.input,
                "\(zip(input.pixels, testCase.input).filter { $0 != $1 }.count) of \(testCase.input.count) samples differ")
        if let expected = testCase.tensor {
            let tensor = try preprocessor(source).tensor
            let maxError = zip(tensor, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(tensor.count == expected.count && maxError <= 1e-6, "max |error| \(maxError)")
        }
    }

    @Test func longestPadsTheShortSide() throws {
        let config = PreprocessConfig(imageSize: 16, resizeMode: .longest, fillColor: Float(200.0 / 255))
        let preprocessor = try CLIPPreprocessor(config)
        let record = try preprocessor.plan(sourceWidth: 23, sourceHeight: 15)
        #expect(record.resizedWidth == 16)
        // round(15 / (23 / 16)) = round(10.43…) = 10 rows, padded (16 − 10) // 2 = 3 above.
        #expect(record.resizedHeight == 10)
        #expect(record.window == PixelRect(x: 0, y: -3, width: 16, height: 16))
        #expect(config.fillLevel == 200)
    }

    @Test func thinImagesKeepOnePixel() throws {
        // open_clip's ResizeKeepRatio would ask Pillow for a 0-pixel side here and fail.
        let preprocessor = try CLIPPreprocessor(PreprocessConfig(imageSize: 16, resizeMode: .longest))
        let output = try preprocessor(RGBImage(width: 1, height: 100, filledWith: (9, 8, 7)))
        #expect(output.record.resizedWidth == 1 && output.record.resizedHeight == 16)
        #expect(output.tensor.count == 3 * 16 * 16)
    }

    @Test func veryLongImagesCostOnlyTheCrop() throws {
        // shortest: 2×20000 → 224×2240000 before the crop; only the 224×224 window is computed.
        let preprocessor = try CLIPPreprocessor(PreprocessConfig(imageSize: 224))
        let output = try preprocessor(RGBImage(width: 2, height: 20000, filledWith: (50, 100, 150)))
        #expect(output.record.resizedHeight == 2_240_000)
        #expect(output.record.window == PixelRect(x: 0, y: 1_119_888, width: 224, height: 224))
    }

    @Test func rejectsInvalidConfigurations() {
        #expect(throws: CLIPError.self) { try CLIPPreprocessor(PreprocessConfig(imageSize: 0)) }
        #expect(throws: CLIPError.self) { try CLIPPreprocessor(PreprocessConfig(imageSize: 64, mean: [0.5, 0.5])) }
        #expect(throws: CLIPError.self) { try CLIPPreprocessor(PreprocessConfig(imageSize: 64, std: [1, 0, 1])) }
        #expect(throws: CLIPError.self) { try CLIPPreprocessor(PreprocessConfig(imageSize: 64, fillColor: .nan)) }
    }

    @Test func decodesOpenCLIPPreprocessConfig() throws {
        let json = #"{"size": [336, 336], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "interpolation": "random", "resize_mode": "longest", "fill_color": 128}"#
        let config = try JSONDecoder().decode(PreprocessConfig.self, from: Data(json.utf8))
        #expect(config.imageSize == 336 && config.interpolation == .bicubic && config.resizeMode == .longest)
        #expect(config.fillLevel == 128)
        let roundTrip = try JSONDecoder().decode(PreprocessConfig.self, from: JSONEncoder().encode(config))
        #expect(roundTrip == config)
        let nonSquare = #"{"size": [224, 256]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PreprocessConfig.self, from: Data(nonSquare.utf8)) }
        let badFill = #"{"size": 224, "fill_color": 300}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PreprocessConfig.self, from: Data(badFill.utf8)) }
        let unknown = #"{"size": 224, "interpolation": "lanczos"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PreprocessConfig.self, from: Data(unknown.utf8)) }
    }
}
