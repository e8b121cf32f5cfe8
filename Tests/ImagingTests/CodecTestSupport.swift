import AugLabTestSupport
import Foundation
import Testing
@testable import Imaging

/// The reference data written by scripts/reference/codecs_make_references.py (Pillow, numpy).
struct CodecReferences: Decodable {
    struct Pixels: Decodable {
        let width: Int
        let height: Int
        let sha256: String
    }

    /// One file the decoder must decode to `sha256` (expect "decode") or refuse with `code`.
    struct DecodeEntry: Decodable, CustomStringConvertible {
        let file: String
        let expect: String
        let code: String?
        let width: Int?
        let height: Int?
        let sha256: String?
        let note: String?
        var description: String { file }
    }

    struct EXIFEntry: Decodable {
        let file: String
        let orientation: Int?
        let stored: Pixels
        let upright: Pixels
    }

    struct EncodeEntry: Decodable {
        let source: String
        let quality: Int
        let subsampling: String
        let pillow_bytes_sha256: String
        let pillow_length: Int
        let decoded: Pixels
    }

    struct TransformCase: Decodable {
        let width: Int
        let height: Int
        let pixels: [Double]
        let results: [String: Pixels]
    }

    let pillow: String
    let decode: [DecodeEntry]
    let exif: [EXIFEntry]
    let encode_jpeg: [EncodeEntry]
    let transforms: [String: TransformCase]

    static func load() throws -> CodecReferences {
        let data = try Data(contentsOf: CodecFiles.resources.appendingPathComponent("references.json"))
        return try JSONDecoder().decode(CodecReferences.self, from: data)
    }
}

/// Finds the files named in references.json: "corpora/…" in the shared folder,
/// "resources/…" in this target's bundle, "package/…" in the package.
enum CodecFiles {
    static var resources: URL {
        Bundle.module.bundleURL.appendingPathComponent("Resources/codecs", isDirectory: true)
    }

    static func url(_ label: String) -> URL {
        if label.hasPrefix("corpora/") { return Fixtures.shared(label) }
        if label.hasPrefix("resources/") { return resources.appendingPathComponent(String(label.dropFirst(10))) }
        if label.hasPrefix("package/") { return Fixtures.package(String(label.dropFirst(8))) }
        return URL(fileURLWithPath: label)
    }

    static func bytes(_ label: String) throws -> [UInt8] {
        let url = url(label)
        guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(url.path) }
        return [UInt8](try Data(contentsOf: url))
    }
}

/// Byte-level helpers for building damaged or synthetic files.
enum TestBytes {
    /// The CRC-32 of PNG chunks (ISO 3309, as zlib's crc32).
    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func bigEndian32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// A PNG chunk with a correct CRC.
    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian32(UInt32(data.count)) + typeBytes + data + bigEndian32(crc32(typeBytes + data))
    }

    /// The offset of the first chunk of `type` (its length field) in a PNG, or nil.
    static func pngChunkOffset(_ type: String, in png: [UInt8]) -> Int? {
        var position = 8
        let wanted = Array(type.utf8)
        while position + 12 <= png.count {
            let length = Int(png[position]) << 24 | Int(png[position + 1]) << 16 | Int(png[position + 2]) << 8
                | Int(png[position + 3])
            if Array(png[(position + 4)..<(position + 8)]) == wanted { return position }
            position += 12 + length
        }
        return nil
    }

    /// Deterministic pseudo-random bytes (SplitMix64).
    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }

    /// A random RGB image (deterministic for a seed).
    static func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        RGBImage(width: width, height: height, pixels: random(count: width * height * 3, seed: seed))
    }
}

/// SHA-256 of an image's samples as stored in memory (little-endian for Float).
func sampleDigest<Image: InterleavedRGBImage>(_ image: Image) -> String {
    image.pixels.withUnsafeBytes { SHA256.hex(of: Array($0)) }
}
