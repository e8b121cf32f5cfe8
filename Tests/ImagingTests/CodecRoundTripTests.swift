import AugLabTestSupport
import Foundation
import Testing
@testable import Imaging

/// Writing and reading back: PNG is lossless, JPEG is close, bad settings are refused.
@Suite struct CodecRoundTripTests {
    @Test(arguments: [(1, 1), (2, 3), (37, 29), (64, 64), (301, 7)])
    func pngRoundTripIsLossless(width: Int, height: Int) throws {
        let image = TestBytes.randomImage(width: width, height: height, seed: UInt64(width * 1000 + height))
        let bytes = try PNGCodec.encode(image)
        #expect(ImageFormat.detect(bytes) == .png)
        let decoded = try ImageDecoder.decode(data: bytes)
        #expect(decoded.image == image)
        #expect(decoded.details.colorModel == "rgb" && decoded.details.bitDepth == 8 && !decoded.details.interlaced)
    }

    @Test func everyPNGLevelAndFilterIsLossless() throws {
        let image = try PNGCodec.decode(try CodecFiles.bytes("resources/encode_source.png")).image
        var sizes: [Int: Int] = [:]
        for level in 0...9 {
            let bytes = try PNGCodec.encode(image, compressionLevel: level)
            #expect(try PNGCodec.decode(bytes).image == image, "level \(level)")
            sizes[level] = bytes.count
        }
        #expect(try #require(sizes[9]) < (try #require(sizes[0])))
        for filter in PNGCodec.Filter.allCases {
            #expect(try PNGCodec.decode(try PNGCodec.encode(image, filter: filter)).image == image, "\(filter)")
        }
    }

    @Test func pngCompressionLevelOutsideZeroToNineIsRejected() {
        let image = RGBImage(width: 1, height: 1, filledWith: (1, 2, 3))
        for level in [-1, 10] {
            let error = #expect(throws: ImagingError.self) { try PNGCodec.encode(image, compressionLevel: level) }
            #expect(error?.code == .invalidArgument)
        }
    }

    /// Peak signal-to-noise ratio in dB between two images of the same size.
    func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        var squared = 0.0
        for (x, y) in zip(a.pixels, b.pixels) {
            let d = Double(x) - Double(y)
            squared += d * d
        }
        let mse = squared / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    @Test func jpegAtQuality95IsClose() throws {
        let image = try PNGCodec.decode(try CodecFiles.bytes("resources/encode_source.png")).image
        let bytes = try JPEGCodec.encode(image, quality: 95)
        let decoded = try ImageDecoder.decode(data: bytes)
        #expect(decoded.format == .jpeg && decoded.image.width == image.width && decoded.image.height == image.height)
        #expect(psnr(decoded.image, image) > 30)
        // Lower quality is further away and smaller.
        let rough = try JPEGCodec.encode(image, quality: 20)
        #expect(rough.count < bytes.count)
        #expect(psnr(try JPEGCodec.decode(rough).image, image) < psnr(decoded.image, image))
    }

    @Test func jpegQualityOutsideOneToHundredIsRejected() {
        let image = RGBImage(width: 2, height: 2, filledWith: (1, 2, 3))
        for quality in [0, 101, -5] {
            let error = #expect(throws: ImagingError.self) { try JPEGCodec.encode(image, quality: quality) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.description == "JPEG quality must be 1...100 (got \(quality))")
            #expect(throws: ImagingError.self) { try JPEGCodec.reencode(image, quality: quality) }
        }
        for quality in [1, 100] { #expect(throws: Never.self) { try JPEGCodec.encode(image, quality: quality) } }
    }

    @Test func subsamplingChangesTheStream() throws {
        let image = TestBytes.randomImage(width: 32, height: 32, seed: 7)
        let s420 = try JPEGCodec.encode(image, quality: 90, subsampling: .chroma420)
        let s444 = try JPEGCodec.encode(image, quality: 90, subsampling: .chroma444)
        #expect(s420 != s444)
        #expect(s444.count > s420.count)
        #expect(try JPEGCodec.encode(image, quality: 90) == s420)
    }

    @Test func reencodeIsEncodeThenDecode() throws {
        let image = try PNGCodec.decode(try CodecFiles.bytes("resources/encode_source.png")).image
        for quality in [5, 50, 90] {
            let expected = try JPEGCodec.decode(try JPEGCodec.encode(image, quality: quality)).image
            #expect(try JPEGCodec.reencode(image, quality: quality) == expected)
        }
    }

    @Test func jpegSideOver65500IsRejected() {
        let image = RGBImage(width: 65501, height: 1, filledWith: (0, 0, 0))
        let error = #expect(throws: ImagingError.self) { try JPEGCodec.encode(image, quality: 90) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func imageFileWritesAtomicallyInTheRequestedFormat() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let image = TestBytes.randomImage(width: 20, height: 10, seed: 3)
        let pngPath = folder.path("a.png"), jpegPath = folder.path("b.jpg")
        try ImageFile.write(image, toPath: pngPath, format: .png)
        try ImageFile.write(image, toPath: jpegPath, format: .jpeg(quality: 90))
        #expect(try ImageDecoder.decodeFile(atPath: pngPath).image == image)
        let jpeg = try ImageDecoder.decodeFile(atPath: jpegPath)
        #expect(jpeg.format == .jpeg)
        #expect(try Data(contentsOf: URL(fileURLWithPath: jpegPath)) == Data(try JPEGCodec.encode(image, quality: 90)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["a.png", "b.jpg"])
    }

    @Test func imageFileWithBadQualityWritesNothing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("c.jpg")
        let error = #expect(throws: ImagingError.self) {
            try ImageFile.write(RGBImage(width: 1, height: 1, filledWith: (0, 0, 0)), toPath: path, format: .jpeg(quality: 0))
        }
        #expect(error?.path == path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func concurrentDecodesAgree() async throws {
        // The C shim keeps no global state: decodes on many tasks give the same pixels.
        let files = ["resources/jpeg_progressive.jpg", "resources/jpeg_ycck_adobe.jpg", "corpora/pngsuite/ibasn6a16.png",
                     "corpora/libpng-testpngs/palette-2-tRNS.png"]
        let inputs = try files.map { try CodecFiles.bytes($0) }
        let expected = try inputs.map { try ImageDecoder.decode(data: $0).image }
        let results = try await withThrowingTaskGroup(of: (Int, RGBImage).self) { group in
            for round in 0..<32 {
                let index = round % inputs.count
                let bytes = inputs[index]
                group.addTask { (index, try ImageDecoder.decode(data: bytes).image) }
            }
            var all: [(Int, RGBImage)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 32)
        for (index, image) in results { #expect(image == expected[index]) }
    }
}
