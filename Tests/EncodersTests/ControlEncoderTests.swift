import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging
import Synchronization
import Tensors
@testable import Encoders

/// The control encoders: values against the independent reference (encoders_controls.py), and
/// their stated invariances and equivariances, bit for bit, on asymmetric images of awkward sizes.
@Suite struct ControlEncoderTests {
    static let referenceCases = ["png_a", "png_b", "random_5x3", "random_33x47", "random_1x40", "random_70x9", "random_64x96"]

    static func referenceImage(_ file: SafeTensorsFile, _ name: String) throws -> RGBImage {
        switch name {
        case "png_a": return try EncoderFixtures.png("png_a_97x61.png")
        case "png_b": return try EncoderFixtures.png("png_b_200x300.png")
        default:
            let info = try #require(file.info("\(name).image"))
            return RGBImage(width: info.shape[1], height: info.shape[0], pixels: try file.bytes("\(name).image"))
        }
    }

    /// Images no rotation or flip maps to themselves, in sizes divisible by 32 and not.
    static let asymmetricImages: [RGBImage] = [
        glyphImage(width: 97, height: 61), glyphImage(width: 64, height: 64), glyphImage(width: 33, height: 50),
        glyphImage(width: 7, height: 5), randomImage(width: 45, height: 31, seed: 9),
    ]

    @Test(arguments: referenceCases)
    func matchesTheReference(_ name: String) throws {
        let file = try SafeTensorsFile(path: EncoderFixtures.reference("controls.safetensors"))
        let image = try Self.referenceImage(file, name)
        for (kind, key) in [(ControlEncoder.Kind.pixels, "pixels"), (.pixelsMirror, "pixels_mirror"), (.histogram, "histogram")] {
            let expected = try file.floats("\(name).\(key)")
            let ours = ControlEncoder(kind).embedding(of: image)
            try #require(ours.count == expected.count && ours.count == kind.dimension)
            let worst = zip(ours, expected).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst <= 1e-6, "\(name) \(kind.rawValue): max |error| \(worst)")
        }
    }

    @Test(arguments: ControlEncoder.Kind.allCases)
    func invariantExactlyToTheStatedTransformsOnly(_ kind: ControlEncoder.Kind) throws {
        let encoder = ControlEncoder(kind)
        for image in Self.asymmetricImages {
            let original = encoder.embedding(of: image)
            for transform in DihedralTransform.allCases {
                let moved = encoder.embedding(of: image.transformed(by: transform))
                let equal = moved.map(\.bitPattern) == original.map(\.bitPattern)
                #expect(equal == kind.exactInvariances.contains(transform),
                        "\(kind.rawValue) on \(image.width)×\(image.height): \(transform) \(equal ? "left it unchanged" : "changed it")")
            }
        }
    }

    @Test func pixelsIsNotFlipInvariantButPixelsMirrorIs() throws {
        let glyph = glyphImage(width: 50, height: 37)
        let flipped = glyph.transformed(by: .flipHorizontal)
        let pixels = ControlEncoder(.pixels), mirror = ControlEncoder(.pixelsMirror)
        #expect(pixels.embedding(of: flipped) != pixels.embedding(of: glyph))
        #expect(cosine(pixels.embedding(of: flipped), pixels.embedding(of: glyph)) < 0.99)
        #expect(mirror.embedding(of: flipped) == mirror.embedding(of: glyph))
        #expect(mirror.embedding(of: glyph.transformed(by: .rotate90)) != mirror.embedding(of: glyph))
    }

    /// `pixels(t(x))` is `pixels(x)` with its 32×32 grid moved by `t`, for all eight transforms.
    @Test func pixelsIsEquivariantWithEveryRotationAndFlip() throws {
        let encoder = ControlEncoder(.pixels)
        for image in Self.asymmetricImages {
            let grid = encoder.embedding(of: image)
            let asImage = FloatImage(width: 32, height: 32, pixels: grid.flatMap { [$0, $0, $0] })
            for transform in DihedralTransform.allCases {
                let expected = asImage.transformed(by: transform).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
                #expect(encoder.embedding(of: image.transformed(by: transform)).map(\.bitPattern) == expected.map(\.bitPattern),
                        "\(transform) on \(image.width)×\(image.height)")
            }
        }
    }

    @Test func histogramSeesTheBlackCornersOfARotation() throws {
        let image = glyphImage(width: 64, height: 48)
        let rotated = try Rotation(degrees: 45).apply(to: FloatImage(image)).quantized()
        let encoder = ControlEncoder(.histogram)
        let before = encoder.embedding(of: image), after = encoder.embedding(of: rotated)
        #expect(after[0] > before[0], "bin 0 (black) gains the corners: \(before[0]) → \(after[0])")
        #expect(abs(Double(after.reduce(0, +)) - 1) < 1e-5 && abs(Double(before.reduce(0, +)) - 1) < 1e-5)
    }

    @Test func flatImageGivesTheZeroVectorForThePixelControls() throws {
        let flat = RGBImage(width: 41, height: 23, filledWith: (90, 120, 200))
        #expect(ControlEncoder(.pixels).embedding(of: flat).allSatisfy { $0 == 0 })
        #expect(ControlEncoder(.pixelsMirror).embedding(of: flat).allSatisfy { $0 == 0 })
        let histogram = ControlEncoder(.histogram).embedding(of: flat)
        #expect(histogram.filter { $0 != 0 } == [1] && histogram[(90 >> 5) * 64 + (120 >> 5) * 8 + (200 >> 5)] == 1)
    }

    @Test func batchEqualsOneByOneAndReportsProgress() throws {
        let encoder = ControlEncoder(.pixelsMirror, name: "mirror-control")
        let images = (0..<70).map { randomImage(width: 20 + $0 % 7, height: 15 + $0 % 5, seed: UInt64($0)) }
        let reports = ProgressLog()
        let batch = try encoder.encodeImages(images.map { ImageInput($0) }, progress: reports.record)
        #expect(batch.rows == 70 && batch.columns == 1024)
        for (index, image) in images.enumerated() {
            #expect(batch.row(index) == encoder.embedding(of: image))
        }
        #expect(reports.events == [64, 70].map { ProgressLog.Event(completed: $0, total: 70) })
        #expect(encoder.descriptor.name == "mirror-control" && encoder.descriptor.kind == .control)
        #expect(!encoder.descriptor.hasTextTower && encoder.descriptor.logitScale == nil && encoder.descriptor.cacheIdentity == nil)
        #expect(try encoder.encodeImages([RGBImage]()).rows == 0)
    }

    @Test func namesAreCaseInsensitive() {
        #expect(ControlEncoder.kind(named: "Pixels-Mirror") == .pixelsMirror)
        #expect(ControlEncoder.kind(named: "HISTOGRAM") == .histogram)
        #expect(ControlEncoder.kind(named: "pixel") == nil)
    }
}

/// Collects progress callbacks (thread-safe).
final class ProgressLog: Sendable {
    struct Event: Equatable, Sendable {
        var completed: Int
        var total: Int
    }

    private let log = Mutex<[Event]>([])

    var events: [Event] { log.withLock { $0 } }

    var record: EncodingProgress {
        { [self] completed, total in log.withLock { $0.append(Event(completed: completed, total: total)) } }
    }
}
