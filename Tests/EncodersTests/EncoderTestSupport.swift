import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging
import Tensors
@testable import Encoders

/// Paths of the reference files of this test target and of the shared CLIP fixtures.
enum EncoderFixtures {
    /// `Tests/EncodersTests/References/<name>` (written by scripts/reference/encoders_*.py).
    static func reference(_ name: String) -> String {
        Fixtures.package("Tests/EncodersTests/References/" + name).path
    }

    /// `fixtures/clip/<name>` in the shared folder.
    static func clip(_ name: String) -> String {
        Fixtures.shared("fixtures/clip/" + name).path
    }

    /// The fixture PNG `png_a_97x61.png` or `png_b_200x300.png`, decoded.
    static func png(_ name: String) throws -> RGBImage {
        try ImageDecoder.decodeFile(atPath: clip(name)).image
    }

    /// The four captions of captions.json, exactly as written.
    static func captions() throws -> [String] {
        let json = try JSONValue.read(path: clip("captions.json"), what: "captions.json")
        let list = try #require(json.objectValue?["captions"]?.arrayValue)
        return try list.map { try #require($0.objectValue?["text"]?.stringValue) }
    }
}

/// Whether two matrices are identical bit for bit.
func bitIdentical(_ a: Matrix, _ b: Matrix) -> Bool {
    a.rows == b.rows && a.columns == b.columns && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// Cosine similarity of two vectors, in double precision.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, a2 = 0.0, b2 = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        a2 += Double(x) * Double(x)
        b2 += Double(y) * Double(y)
    }
    return dot / max((a2 * b2).squareRoot(), .leastNormalMagnitude)
}

/// Whether `error` is an `EncoderError` whose description contains every one of `parts`.
func mentions(_ error: any Error, _ parts: String...) -> Bool {
    guard let error = error as? EncoderError else { return false }
    return parts.allSatisfy { error.description.contains($0) }
}

/// A deterministic image of `width × height` with a bright asymmetric glyph (an "F") on a gradient:
/// no rotation or flip maps it to itself.
func glyphImage(width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height, filledWith: (0, 0, 0))
    for y in 0..<height {
        for x in 0..<width {
            let inStem = x >= width / 5 && x < width / 5 + max(1, width / 8) && y >= height / 6 && y < height * 5 / 6
            let inTop = y >= height / 6 && y < height / 6 + max(1, height / 10) && x >= width / 5 && x < width * 4 / 5
            let inMiddle = y >= height / 2 && y < height / 2 + max(1, height / 12) && x >= width / 5 && x < width * 3 / 5
            let glyph = inStem || inTop || inMiddle
            image[x, y, 0] = glyph ? 250 : UInt8((x * 200) / max(1, width - 1))
            image[x, y, 1] = glyph ? 240 : UInt8((y * 150) / max(1, height - 1))
            image[x, y, 2] = glyph ? 20 : UInt8(((x + 2 * y) * 7) % 97)
        }
    }
    return image
}

/// Seeded random pixels.
func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
    var generator = SplitMix64(seed: seed)
    return RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 56) })
}
