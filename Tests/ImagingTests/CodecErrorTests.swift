import AugLabTestSupport
import Foundation
import Testing
@testable import Imaging

/// Damaged, hostile and non-image inputs: a clear error naming the file, never a crash or an image.
@Suite struct CodecErrorTests {
    /// A valid PNG and JPEG to damage (committed test files).
    let png: [UInt8]
    let jpeg: [UInt8]

    init() throws {
        png = try CodecFiles.bytes("resources/encode_source.png")
        jpeg = try CodecFiles.bytes("resources/jpeg_baseline_420.jpg")
    }

    /// The error `decode` throws for `bytes`, or a recorded issue if it returns an image.
    func refusal(_ bytes: [UInt8], path: String = "x.png", options: DecodeOptions = DecodeOptions(),
                 sourceLocation: SourceLocation = #_sourceLocation) -> ImagingError? {
        do {
            let decoded = try ImageDecoder.decode(data: bytes, path: path, options: options)
            Issue.record("\(path): expected an error, got a \(decoded.image.width)×\(decoded.image.height) image",
                         sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("\(path): "), sourceLocation: sourceLocation)
            return error
        }
    }

    // MARK: PNG

    @Test func truncatedPNGIsCorrupt() throws {
        for length in [9, 30, png.count / 2, png.count - 20] {
            let error = try #require(refusal(Array(png.prefix(length))))
            #expect(error.code == .corrupt, "\(length) bytes: \(error)")
        }
        let error = try #require(refusal(Array(png.prefix(png.count / 2))))
        #expect(error.description == "x.png: corrupt PNG: data ends early (truncated file)")
    }

    @Test func missingIENDIsCaughtByReadingTheTrailingChunks() throws {
        let iend = try #require(TestBytes.pngChunkOffset("IEND", in: png))
        let error = try #require(refusal(Array(png.prefix(iend))))
        #expect(error.code == .corrupt)
    }

    @Test func crcErrorInIDATNamesTheChunk() throws {
        var bytes = png
        let idat = try #require(TestBytes.pngChunkOffset("IDAT", in: bytes))
        let length = Int(bytes[idat + 2]) << 8 | Int(bytes[idat + 3])
        bytes[idat + 8 + length] ^= 0x55  // first byte of the CRC field
        let error = try #require(refusal(bytes))
        #expect(error.code == .corrupt)
        #expect(error.location == "IDAT chunk")
        #expect(error.description == "x.png: corrupt PNG: CRC error in IDAT chunk")
    }

    @Test func crcErrorAfterTheImageDataIsAnError() throws {
        var bytes = png
        let iend = try #require(TestBytes.pngChunkOffset("IEND", in: bytes))
        bytes[iend + 8] ^= 0xFF  // IEND's CRC
        let error = try #require(refusal(bytes))
        #expect(error.description.contains("CRC error in IEND chunk"), "\(error)")
    }

    @Test func ancillaryChunkCRCErrorIsOnlyAWarning() throws {
        // A tEXt chunk with a wrong CRC before IDAT: libpng warns and skips it.
        let idat = try #require(TestBytes.pngChunkOffset("IDAT", in: png))
        var text = TestBytes.pngChunk("tEXt", Array("Comment\u{0}hello".utf8))
        text[text.count - 1] ^= 0xFF
        let bytes = Array(png[..<idat]) + text + Array(png[idat...])
        let decoded = try ImageDecoder.decode(data: bytes, path: "x.png")
        #expect(decoded.image == (try PNGCodec.decode(png).image))
        #expect(decoded.warnings.count >= 1)
        #expect(decoded.warnings.first?.contains("CRC") == true, "\(decoded.warnings)")
    }

    /// A PNG whose IHDR declares `width`×`height` (with a valid CRC) and has no image data.
    func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        let ihdr = TestBytes.bigEndian32(width) + TestBytes.bigEndian32(height) + [8, 2, 0, 0, 0]
        return ImageFormat.pngSignature + TestBytes.pngChunk("IHDR", ihdr) + TestBytes.pngChunk("IEND", [])
    }

    @Test func hugePNGHeaderIsRefusedBeforeDecoding() throws {
        let error = try #require(refusal(pngHeader(width: 100_000, height: 100_000)))
        #expect(error.code == .tooLarge)
        #expect(error.location == "IHDR chunk")
        #expect(error.description.contains("100000×100000 = 10000 megapixels"), "\(error)")
        #expect(error.description.contains("limit of 100 megapixels"), "\(error)")
    }

    @Test func widestPNGHeadersAreRefusedToo() throws {
        // The second pair overflows a signed 64-bit product (found by the fuzz harness).
        for (width, height) in [(UInt32(0x7FFF_FFFF), UInt32(0x7FFF_FFFF)), (0xFFFF_FF36, 0xFD00_0000),
                                (0xFFFF_FFFF, 0xFFFF_FFFF)] {
            let error = try #require(refusal(pngHeader(width: width, height: height)))
            #expect(error.code == .tooLarge, "\(width)×\(height): \(error)")
        }
    }

    @Test func pixelLimitIsConfigurableAndInclusive() throws {
        let image = try PNGCodec.decode(png).image
        let exact = image.width * image.height
        #expect(try ImageDecoder.decode(data: png, options: DecodeOptions(maxPixels: exact)).image == image)
        let error = try #require(refusal(png, options: DecodeOptions(maxPixels: exact - 1)))
        #expect(error.code == .tooLarge)
        let jpegError = try #require(refusal(jpeg, path: "y.jpg", options: DecodeOptions(maxPixels: exact - 1)))
        #expect(jpegError.code == .tooLarge && jpegError.location == "SOF marker")
    }

    @Test func invalidOptionsAreRejected() throws {
        let error = try #require(refusal(png, options: DecodeOptions(maxPixels: 0)))
        #expect(error.code == .invalidArgument)
    }

    // MARK: JPEG

    @Test func truncatedJPEGIsAnErrorByDefault() throws {
        let truncated = Array(jpeg.prefix(jpeg.count * 2 / 3))
        let error = try #require(refusal(truncated, path: "t.jpg"))
        #expect(error.code == .corrupt)
        #expect(error.description == "t.jpg: corrupt JPEG: premature end of JPEG file", "\(error)")
    }

    @Test func lenientModeReturnsLibjpegsRepairedImageWithTheWarning() throws {
        let truncated = Array(jpeg.prefix(jpeg.count * 2 / 3))
        let decoded = try ImageDecoder.decode(data: truncated, options: DecodeOptions(strict: false))
        let whole = try ImageDecoder.decode(data: jpeg).image
        #expect(decoded.image.width == whole.width && decoded.image.height == whole.height)
        #expect(decoded.image != whole)
        #expect(decoded.warnings.count >= 1)
        #expect(decoded.warnings.first == "Premature end of JPEG file")
    }

    @Test func jpegCutInsideItsHeaderIsAnErrorEvenWhenLenient() throws {
        for length in [3, 20, 100] {
            let error = try #require(refusal(Array(jpeg.prefix(length)), path: "h.jpg",
                                             options: DecodeOptions(strict: false)))
            #expect(error.code == .corrupt, "\(length) bytes: \(error)")
        }
    }

    @Test func garbageAfterSOIIsAnError() throws {
        let garbage = Array(repeating: Array("not jpeg data ".utf8), count: 10).flatMap { $0 }
        let error = try #require(refusal([0xFF, 0xD8] + garbage, path: "g.jpg"))
        #expect(error.code == .corrupt, "\(error)")
        // Garbage between SOI and an otherwise valid stream: libjpeg skips it with a warning.
        let spliced = Array(jpeg.prefix(2)) + garbage + Array(jpeg.dropFirst(2))
        let strictError = try #require(refusal(spliced, path: "g.jpg"))
        #expect(strictError.description.contains("extraneous bytes"), "\(strictError)")
        let lenient = try ImageDecoder.decode(data: spliced, options: DecodeOptions(strict: false))
        #expect(lenient.warnings.count >= 1)
    }

    /// The test JPEG with its SOF0 header declaring `side`×`side`.
    func jpegHeader(side: Int) throws -> [UInt8] {
        var bytes = jpeg
        // Baseline SOF0: FF C0, length (2), precision (1), height (2), width (2).
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for offset in [5, 7] {
            bytes[sof + offset] = UInt8(side >> 8)
            bytes[sof + offset + 1] = UInt8(side & 0xFF)
        }
        return bytes
    }

    @Test func hugeJPEGHeaderIsRefusedBeforeDecoding() throws {
        let error = try #require(refusal(try jpegHeader(side: 40_000), path: "big.jpg"))
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.location == "SOF marker")
        #expect(error.description.contains("40000×40000 = 1600 megapixels"), "\(error)")
        // Past libjpeg's own limit of 65500 per side, libjpeg refuses it first.
        let beyond = try #require(refusal(try jpegHeader(side: 65_535), path: "big.jpg"))
        #expect(beyond.code == .tooLarge, "\(beyond)")
        #expect(beyond.description.contains("65535×65535"), "\(beyond)")
    }

    @Test func damagedJPEGsNeverCrash() throws {
        // Deterministic byte flips all over a small JPEG: each decode ends in an image or an error.
        var outcomes = (images: 0, errors: 0)
        for seed in 0..<300 {
            var bytes = jpeg
            let noise = TestBytes.random(count: 8, seed: UInt64(seed))
            for k in 0..<4 {
                let position = 2 + (Int(noise[2 * k]) << 8 | Int(noise[2 * k + 1])) % (bytes.count - 2)
                bytes[position] = noise[(k + 3) % 8]
            }
            do {
                _ = try ImageDecoder.decode(data: bytes, options: DecodeOptions(strict: seed % 2 == 0))
                outcomes.images += 1
            } catch {
                outcomes.errors += 1
            }
        }
        #expect(outcomes.images + outcomes.errors == 300)
        #expect(outcomes.errors > 0)
    }

    @Test func damagedPNGsNeverCrash() throws {
        // A flip inside IDAT (length, type, data or CRC) is always an error; elsewhere (the
        // iCCP chunk of this file, say) it may be a warning only. Either way, no crash.
        let idat = try #require(TestBytes.pngChunkOffset("IDAT", in: png))
        let idatLength = Int(png[idat + 2]) << 8 | Int(png[idat + 3])
        var idatErrors = 0, elsewhere = 0
        for seed in 0..<300 {
            var bytes = png
            let noise = TestBytes.random(count: 4, seed: UInt64(seed) &+ 1000)
            let inIDAT = seed % 2 == 0
            let span = inIDAT ? idatLength + 12 : bytes.count - 8
            let position = (inIDAT ? idat : 8) + (Int(noise[0]) << 8 | Int(noise[1])) % span
            bytes[position] ^= noise[2] | 1
            do {
                _ = try ImageDecoder.decode(data: bytes)
                elsewhere += 1
                #expect(!inIDAT, "flip at \(position) inside IDAT decoded")
            } catch {
                if inIDAT { idatErrors += 1 }
            }
        }
        #expect(idatErrors == 150)
        #expect(elsewhere > 0)
    }

    // MARK: Not an image

    @Test func emptyAndTextFilesAreUnknownFormatsEvenWhenNamedPNG() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let empty = folder.path("empty.png")
        let text = folder.path("notes.png")
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: text))

        let emptyError = #expect(throws: ImagingError.self) { try ImageDecoder.decodeFile(atPath: empty) }
        #expect(emptyError?.code == .unknownFormat)
        #expect(emptyError?.description == "\(empty): not a PNG or JPEG file: the file is empty")

        let textError = #expect(throws: ImagingError.self) { try ImageDecoder.decodeFile(atPath: text) }
        #expect(textError?.code == .unknownFormat)
        #expect(textError?.description == "\(text): not a PNG or JPEG file: it starts with bytes 6a 75 73 74 20 73 6f 6d")
    }

    @Test func otherFormatsAreNamed() throws {
        let gif = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0]
        let error = try #require(refusal(gif, path: "a.gif"))
        #expect(error.description == "a.gif: not a PNG or JPEG file: it looks like a GIF file")
    }

    @Test func unreadablePathsAreIOErrors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let missing = folder.path("missing.png")
        let missingError = #expect(throws: ImagingError.self) { try ImageDecoder.decodeFile(atPath: missing) }
        #expect(missingError?.code == .io)
        #expect(missingError?.description == "\(missing): cannot open for reading: No such file or directory")
        let directoryError = #expect(throws: ImagingError.self) { try ImageDecoder.decodeFile(atPath: folder.url.path) }
        #expect(directoryError?.code == .io)
        #expect(directoryError?.description.contains("is a directory") == true)
    }

    @Test func fileSizeLimitIsCheckedBeforeReading() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("a.png")
        try Data(png).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ImagingError.self) {
            try ImageDecoder.decodeFile(atPath: path, options: DecodeOptions(maxFileBytes: png.count - 1))
        }
        #expect(error?.code == .tooLarge)
        #expect(try ImageDecoder.decodeFile(atPath: path, options: DecodeOptions(maxFileBytes: png.count)).format == .png)
    }
}
