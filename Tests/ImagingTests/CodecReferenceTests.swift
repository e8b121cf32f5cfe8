import AugLabTestSupport
import Foundation
import Testing
@testable import Imaging

/// Decoded pixels against Pillow's `convert("RGB")` (references.json, see
/// scripts/reference/codecs_make_references.py), for the shared corpora, the package's images
/// and the committed test JPEGs (every colour model, subsampling, progressive, EXIF).
@Suite struct CodecReferenceTests {
    let references: CodecReferences

    init() throws { references = try CodecReferences.load() }

    @Test func everyValidFileDecodesToPillowsPixels() throws {
        let entries = references.decode.filter { $0.expect == "decode" }
        #expect(entries.count > 200)
        for entry in entries {
            let bytes = try CodecFiles.bytes(entry.file)
            let options = DecodeOptions(applyEXIFOrientation: false)
            let decoded: DecodedImage
            do {
                decoded = try ImageDecoder.decode(data: bytes, path: entry.file, options: options)
            } catch {
                Issue.record("\(entry.file): expected pixels, got error \(error)")
                continue
            }
            #expect(decoded.image.width == entry.width, "\(entry.file)")
            #expect(decoded.image.height == entry.height, "\(entry.file)")
            #expect(SHA256.hex(of: decoded.image.pixels) == entry.sha256, "\(entry.file): pixels differ from Pillow")
        }
    }

    @Test func crashersAndTwelveBitJPEGAreRefusedWithTheirReason() throws {
        let entries = references.decode.filter { $0.expect == "refuse" }
        // 22 libpng crashers (all but empty_ancillary_chunks.png) and monkey12.jpg.
        #expect(entries.count == 23)
        for entry in entries {
            let bytes = try CodecFiles.bytes(entry.file)
            do {
                let decoded = try ImageDecoder.decode(data: bytes, path: entry.file)
                Issue.record("\(entry.file): expected a refusal, got a \(decoded.image.width)×\(decoded.image.height) image")
            } catch {
                #expect(error.code.rawValue == entry.code, "\(entry.file): \(error)")
                #expect(error.description.hasPrefix("\(entry.file): "), "\(error)")
            }
        }
    }

    @Test func twelveBitJPEGNamesItsPrecision() throws {
        let path = "corpora/libjpeg-turbo/monkey12.jpg"
        let error = #expect(throws: ImagingError.self) {
            try ImageDecoder.decode(data: try CodecFiles.bytes(path), path: path)
        }
        #expect(error?.code == .unsupported)
        #expect(error?.description.contains("unsupported JPEG data precision 12") == true, "\(String(describing: error))")
    }

    @Test func everyCorpusFileHasAReference() throws {
        let root = Fixtures.shared("corpora")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            Issue.record("cannot list \(root.path)")
            return
        }
        var images: [String] = []
        for case let url as URL in walker where ["png", "jpg", "jpeg"].contains(url.pathExtension.lowercased()) {
            images.append("corpora/" + url.path.dropFirst(root.path.count + 1))
        }
        #expect(images.count > 200)
        let known = Set(references.decode.map(\.file))
        for image in images { #expect(known.contains(image), "\(image) has no reference; rerun the script") }
    }

    @Test func generatedJPEGsAreTheKindsTheyClaimToBe() throws {
        func details(_ name: String) throws -> SourceDetails {
            try JPEGCodec.decode(try CodecFiles.bytes("resources/" + name)).details
        }
        #expect(try details("jpeg_progressive.jpg").interlaced)
        #expect(try !details("jpeg_baseline_420.jpg").interlaced)
        #expect(try details("jpeg_grey.jpg").colorModel == "grey")
        #expect(try details("jpeg_rgb_adobe.jpg").colorModel == "rgb")
        #expect(try details("jpeg_cmyk_adobe.jpg").colorModel == "cmyk")
        #expect(try details("jpeg_cmyk_adobe.jpg").hasAdobeMarker)
        #expect(try details("jpeg_ycck_adobe.jpg").colorModel == "ycck")
        let arithmetic = try JPEGCodec.decode(try CodecFiles.bytes("corpora/libjpeg-turbo/testimgari.jpg")).details
        #expect(arithmetic.arithmeticCoding)
        let interlacedPNG = try PNGCodec.decode(try CodecFiles.bytes("corpora/pngsuite/ibasn0g16.png")).details
        #expect(interlacedPNG.interlaced && interlacedPNG.bitDepth == 16 && interlacedPNG.colorModel == "grey")
        let palette = try PNGCodec.decode(try CodecFiles.bytes("corpora/libpng-testpngs/palette-4-tRNS.png")).details
        #expect(palette.colorModel == "palette" && palette.bitDepth == 4 && palette.hasTransparencyChunk)
    }

    // MARK: EXIF orientation

    @Test func exifOrientationIsAppliedLikeExifTranspose() throws {
        #expect(references.exif.count >= 16)
        for entry in references.exif {
            let decoded = try ImageDecoder.decode(data: try CodecFiles.bytes(entry.file), path: entry.file)
            #expect(decoded.exifOrientation == entry.orientation, "\(entry.file)")
            #expect(decoded.image.width == entry.upright.width && decoded.image.height == entry.upright.height,
                    "\(entry.file)")
            #expect(SHA256.hex(of: decoded.image.pixels) == entry.upright.sha256, "\(entry.file): not upright")
            let valid = entry.orientation.map { (1...8).contains($0) } ?? false
            #expect(decoded.orientationApplied == valid, "\(entry.file)")
            #expect(decoded.appliedTransform == entry.orientation.flatMap(DihedralTransform.init(exifOrientation:))
                ?? .identity)
        }
    }

    @Test func ignoringExifOrientationKeepsTheStoredPixels() throws {
        for entry in references.exif {
            let options = DecodeOptions(applyEXIFOrientation: false)
            let decoded = try ImageDecoder.decode(data: try CodecFiles.bytes(entry.file), path: entry.file, options: options)
            #expect(decoded.exifOrientation == entry.orientation, "\(entry.file)")
            #expect(!decoded.orientationApplied)
            #expect(decoded.appliedTransform == .identity)
            #expect(SHA256.hex(of: decoded.image.pixels) == entry.stored.sha256, "\(entry.file): not the stored pixels")
        }
    }

    @Test func bothExifByteOrdersGiveTheSameResult() throws {
        for orientation in 1...8 {
            let little = try ImageDecoder.decode(data: try CodecFiles.bytes("resources/exif_le_\(orientation).jpg"))
            let big = try ImageDecoder.decode(data: try CodecFiles.bytes("resources/exif_be_\(orientation).jpg"))
            #expect(little.exifOrientation == orientation && big.exifOrientation == orientation)
            #expect(little.image == big.image)
        }
    }

    @Test func invalidExifOrientationIsReportedButNotApplied() throws {
        var bytes = try CodecFiles.bytes("resources/exif_be_1.jpg")
        // The big-endian entry: tag 0x0112, type SHORT, count 1, value 1.
        let entry: [UInt8] = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]
        let start = try #require((0...(bytes.count - entry.count)).first { Array(bytes[$0..<($0 + entry.count)]) == entry })
        bytes[start + 9] = 9
        let decoded = try ImageDecoder.decode(data: bytes)
        #expect(decoded.exifOrientation == 9)
        #expect(!decoded.orientationApplied)
        #expect(decoded.appliedTransform == .identity)
        let stored = try ImageDecoder.decode(data: bytes, options: DecodeOptions(applyEXIFOrientation: false))
        #expect(decoded.image == stored.image)
    }

    // MARK: Encoder parity

    @Test func jpegEncoderMatchesPillowAtEqualSettings() throws {
        let source = try PNGCodec.decode(try CodecFiles.bytes("resources/encode_source.png")).image
        #expect(references.encode_jpeg.count >= 5)
        for entry in references.encode_jpeg {
            let subsampling: JPEGCodec.ChromaSubsampling
            switch entry.subsampling {
            case "4:4:4": subsampling = .chroma444
            case "4:2:2": subsampling = .chroma422
            default: subsampling = .chroma420
            }
            let bytes = try JPEGCodec.encode(source, quality: entry.quality, subsampling: subsampling)
            let label = "q\(entry.quality) \(entry.subsampling)"
            #expect(bytes.count == entry.pillow_length, "\(label)")
            #expect(SHA256.hex(of: bytes) == entry.pillow_bytes_sha256, "\(label): bytes differ from Pillow's")
            let decoded = try JPEGCodec.decode(bytes).image
            #expect(SHA256.hex(of: decoded.pixels) == entry.decoded.sha256, "\(label): decoded pixels differ")
        }
    }
}
